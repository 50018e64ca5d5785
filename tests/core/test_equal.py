"""Node equality: structural, in the core, and the same verdict as comparing emitted configs."""

from __future__ import annotations

import math
import pathlib
from typing import Any

import fixtures.basic as ft
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg import Lazy, from_config, lazy, partial, to_dict
from lazycfg.core import Meta, fold, plain_equal


class Num(float):
    """A float subclass (numpy.float64's shape): written as a plain float."""


TARGETS: list[Any] = [
    ft.add,
    ft.scale,
    ft.Pair,
    "fixtures.basic.add",
    "fixtures.basic.Pair",
]
METAS = [
    None,
    Meta(options={"_convert_": "all"}),
    Meta(options={"_recursive_": False}),
    Meta(where=("defined.py", 1), checked=True),  # not part of the config: never changes ==
]
KEYS = st.sampled_from(["x", "y"])
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(0, 2),
    st.sampled_from([0.0, 1.0, math.nan, Num(1.0), "a", "", "1"]),
    st.sampled_from([ft.Color.RED, ft.Color.GREEN, ft.Level.LOW, ft.Pair, ft.add]),
    st.sampled_from([pathlib.Path("a"), pathlib.PurePosixPath("a"), pathlib.Path("b")]),
)


def _nodes(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.builds(
        Lazy,
        st.sampled_from(TARGETS),
        st.lists(kids, max_size=2).map(tuple),
        st.dictionaries(KEYS, kids, max_size=2),
        st.booleans(),
        st.sampled_from(METAS),
    )


TREES = st.recursive(
    LEAVES,
    lambda kids: st.one_of(
        st.lists(kids, max_size=2),
        st.lists(kids, max_size=2).map(tuple),
        st.dictionaries(KEYS, kids, max_size=2),
        _nodes(kids),
    ),
    max_leaves=6,
)


def _twin(tree: Any) -> Any:
    """The same config written differently: lists for tuples, targets as dotted strings."""

    def swap(value: Any, path: Any, kids: list[tuple[Any, Any]] | None) -> Any:
        if kids is None:
            return value
        if isinstance(value, Lazy):
            args = next((list(v) for k, v in kids if k == "_args_"), [])
            kwargs = {str(k): v for k, v in kids if k != "_args_"}
            target = value._lazy_target
            named = target if isinstance(target, str) else f"{target.__module__}.{target.__name__}"
            return Lazy(named, tuple(args), kwargs, value._lazy_partial, value._lazy_meta)
        if isinstance(value, dict):
            return dict(kids)
        return [v for _, v in kids]  # a tuple becomes a list

    return fold(tree, swap)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_nodes_are_equal_exactly_when_their_configs_are(data: st.DataObject) -> None:
    a = data.draw(_nodes(TREES))
    b = data.draw(st.one_of(st.just(_twin(a)), st.just(a), _nodes(TREES)))
    same = plain_equal(to_dict(a), to_dict(b))
    assert (a == b) is same
    assert (b == a) is same
    assert (a != b) is not same


def test_positional_and_keyword_arguments_stay_apart() -> None:
    # The config keeps them apart (_args_ against a key), so equality does too.
    assert lazy(ft.add)(1) != lazy(ft.add)(x=1)
    assert lazy(ft.add)(1) == lazy(ft.add)(1)


def test_leaves_compare_by_the_value_they_write() -> None:
    assert lazy(ft.Bag)(items=(1, 2)) == lazy(ft.Bag)(items=[1, 2])  # YAML has only lists
    assert lazy(ft.scale)(x=1.0) != lazy(ft.scale)(x=1)  # 1.0 and 1 are written differently
    assert lazy(ft.scale)(x=math.nan) == lazy(ft.scale)(x=math.nan)  # both written as .nan
    assert lazy(ft.add)(x=ft.Level.LOW) != lazy(ft.add)(x=1)  # a member is written as a node


def test_targets_compare_by_their_path_and_flags_count() -> None:
    read = from_config({"_target_": "fixtures.basic.add", "x": 1}, resolve_targets=False)
    assert read == lazy(ft.add)(x=1)
    assert partial(ft.add)(x=1) != lazy(ft.add)(x=1)
    recursive = from_config({"_target_": "fixtures.basic.add", "x": 1, "_recursive_": False})
    assert recursive != lazy(ft.add)(x=1)


def test_equality_never_raises_on_a_value_no_config_holds() -> None:
    marker = object()
    node = Lazy(ft.add, (), {"x": marker})
    assert node == Lazy(ft.add, (), {"x": marker})
    assert node != Lazy(ft.add, (), {"x": object()})


def test_a_deep_diamond_compares_each_shared_node_once() -> None:
    # Every level holds the level below twice: 2**200 paths, 200 nodes.
    a = b = lazy(ft.add)(x=0)
    for _ in range(200):
        a = lazy(ft.make_pair)(a, a)
        b = lazy(ft.make_pair)(b, b)
    assert a == b
    assert a != lazy(ft.make_pair)(a, lazy(ft.add)(x=1))
