"""The node and the one tree walk: paths, sharing, depth, immutability, pickling, equality."""

from __future__ import annotations

import copy
import pickle

import cloudpickle
import fixtures.basic as ft
import pytest

from lazycfg import Lazy, from_config, instantiate, lazy, partial, replace, to_dict
from lazycfg.core import CHECKED, Meta, children, fold, format_path, walk, where


def test_walk_visits_parents_before_children_with_paths() -> None:
    tree = lazy(ft.Pipe)(model=lazy(ft.Model)(n_estimators=3), steps=2)
    paths = [path for path, _ in walk(tree)]
    assert paths == [(), ("model",), ("model", "n_estimators"), ("steps",)]


def test_positional_arguments_are_one_child_under_args() -> None:
    node = lazy(ft.Pair)(1, [2, 3])
    assert children(node) == [("_args_", (1, [2, 3]))]
    assert ("_args_", 1, 0) in [path for path, _ in walk(node)]


def test_fold_rebuilds_bottom_up() -> None:
    tree = {"a": [1, 2, {"b": 3}], "c": (4,)}

    def double(value: object, path: tuple, kids: list | None) -> object:
        if kids is None:
            return value * 2  # type: ignore[operator]
        return dict(kids) if isinstance(value, dict) else [v for _, v in kids]

    assert fold(tree, double) == {"a": [2, 4, {"b": 6}], "c": [8]}


def test_a_shared_node_is_visited_once_and_folded_once() -> None:
    shared = lazy(ft.Model)(n_estimators=7)
    tree = lazy(ft.Pair)(left=shared, right=[shared])
    assert sum(1 for _, v in walk(tree) if v is shared) == 1
    calls: list[tuple] = []

    def record(value: object, path: tuple, kids: list | None) -> object:
        if isinstance(value, Lazy):
            calls.append(path)
        return object()

    fold(tree, record)
    assert calls.count(("left",)) == 1 and ("right", 0) not in calls
    built = instantiate(tree)
    assert built.left is built.right[0]  # sharing survives instantiation


def test_deep_chains_need_no_recursion_limit() -> None:
    node: object = 0
    for _ in range(10_000):
        node = lazy(ft.Pair)(left=node)
    assert sum(1 for _ in walk(node)) == 10_001  # 10,000 nodes and the leaf
    emitted = to_dict(node)
    depth = 0
    while isinstance(emitted, dict):
        emitted, depth = emitted["left"], depth + 1
    assert depth == 10_000
    # Equality, pickle and deepcopy (which recurse) stay shallow: the tree goes as a flat table.
    assert pickle.loads(pickle.dumps(node)) == node
    assert copy.deepcopy(node) == node
    assert node != lazy(ft.Pair)(left=node)


@pytest.mark.parametrize(
    ("path", "text"),
    [((), "<root>"), (("model",), "model"), (("a", "b", 0, "c"), "a.b[0].c"), ((0,), "[0]")],
)
def test_format_path(path: tuple, text: str) -> None:
    assert format_path(path) == text


def test_arguments_read_as_attributes_by_keyword_and_by_position() -> None:
    node = lazy(ft.Pair)(1, right=[2])
    assert node.left == 1
    assert node.right == [2]
    with pytest.raises(AttributeError, match="has no argument 'rigth'"):
        _ = node.rigth


def test_nodes_are_immutable() -> None:
    node = lazy(ft.Model)(n_estimators=3)
    with pytest.raises(AttributeError, match=r"lazycfg.replace\(node, n_estimators=...\)"):
        node.n_estimators = 4


def test_where_records_the_defining_line() -> None:
    node = lazy(ft.Model)()
    assert (
        where(node)
        == f"{__file__}:{test_where_records_the_defining_line.__code__.co_firstlineno + 1}"
    )


@pytest.mark.parametrize("dumps_loads", ["pickle", "deepcopy", "cloudpickle"])
def test_nodes_survive_pickle_deepcopy_cloudpickle_with_sharing(dumps_loads: str) -> None:
    shared = lazy(ft.Model)(n_estimators=2)
    tree = lazy(ft.Pair)(left=shared, right=partial(ft.Optimizer)(momentum=0.5))
    tree = lazy(ft.Bag)(tree, shared, ft.Color.RED, k=ft.add)
    copied = {
        "pickle": lambda t: pickle.loads(pickle.dumps(t)),
        "deepcopy": copy.deepcopy,
        "cloudpickle": lambda t: cloudpickle.loads(cloudpickle.dumps(t)),
    }[dumps_loads](tree)
    assert copied == tree and copied is not tree
    assert copied._lazy_args[0].left is copied._lazy_args[1]
    assert where(copied) == where(tree)
    built = instantiate(copied)
    assert built.items[0].left is built.items[1]
    assert built.items[0].right(lr=0.1).momentum == 0.5
    assert built.named == {"k": ft.add}


def test_equality_is_equality_of_emitted_configs() -> None:
    assert lazy(ft.Pair)((1, 2)) == lazy(ft.Pair)([1, 2])  # Hydra writes both as a list
    assert lazy(ft.Model)(n_estimators=3) != lazy(ft.Model)(n_estimators=4)
    assert lazy(ft.Optimizer)(lr=1.0) != partial(ft.Optimizer)(lr=1.0)
    assert lazy(ft.Model)() != {"_target_": "fixtures.basic.Model"}
    with pytest.raises(TypeError):
        hash(lazy(ft.Model)())


def test_repr_reads_like_the_call() -> None:
    assert repr(lazy(ft.Pair)(1, right="x")) == "lazy(fixtures.basic.Pair)(1, right='x')"
    assert repr(partial(ft.Optimizer)(lr=0.1)) == "partial(fixtures.basic.Optimizer)(lr=0.1)"


def test_equality_tells_leaf_types_apart_as_the_config_does() -> None:
    assert lazy(ft.Optimizer)(lr=1) != lazy(ft.Optimizer)(lr=1.0)
    assert lazy(ft.Pair)(1) != lazy(ft.Pair)(True)
    assert lazy(ft.Pair)([1, 2]) != lazy(ft.Pair)([1.0, 2])
    assert lazy(ft.Pair)({"a": 0}) != lazy(ft.Pair)({"a": False})
    assert lazy(ft.Pair)(float("nan")) == lazy(ft.Pair)(float("nan"))
    assert lazy(ft.Pair)((1, "a")) == lazy(ft.Pair)([1, "a"])


def test_metadata_is_a_typed_record_that_says_where_and_whether_checked() -> None:
    line = test_metadata_is_a_typed_record_that_says_where_and_whether_checked.__code__
    node = lazy(ft.Model)(n_estimators=3)
    assert node._lazy_meta == Meta(where=(__file__, line.co_firstlineno + 2), checked=True)
    # Read from a config: bound when read (instantiate does not bind it again), no line.
    read = from_config({"_target_": "fixtures.basic.Model", "n_estimators": 3})
    assert read._lazy_meta is CHECKED and where(read) is None
    # Options ride along; a node whose target stays a string was never checked.
    options = {"_target_": "fixtures.basic.Model", "_convert_": "all"}
    assert from_config(options)._lazy_meta == Meta(checked=True, options={"_convert_": "all"})
    unread = from_config(options, resolve_targets=False)._lazy_meta
    assert unread == Meta(options={"_convert_": "all"}) and not unread.checked
    assert Lazy(ft.Model)._lazy_meta is None


def test_a_variant_keeps_the_options_and_gets_its_own_line_and_check() -> None:
    node = from_config({"_target_": "fixtures.basic.Model", "_recursive_": False})
    variant = replace(node, n_estimators=4)
    meta = variant._lazy_meta
    assert meta is not None and meta.checked and meta.options == {"_recursive_": False}
    assert meta.where is not None and meta.where[0] == __file__
    assert replace(lazy(ft.Model)(), n_estimators=1)._lazy_meta.options is None  # type: ignore[union-attr]
    assert Meta(where=("f.py", 1), checked=True).for_variant() is None


def test_a_positional_name_reads_from_the_signature_also_for_nodes_read_back() -> None:
    node = from_config({"_target_": "fixtures.basic.Pair", "_args_": [1, [2]]})
    assert (node.left, node.right) == (1, [2])
    with pytest.raises(AttributeError, match="given: \\(none\\)"):
        _ = from_config({"_target_": "fixtures.basic.Pair", "_args_": [1]}).right
    unread = from_config(
        {"_target_": "fixtures.basic.Pair", "_args_": [1]}, resolve_targets=False
    )
    with pytest.raises(AttributeError, match="fixtures.basic.Pair node has no argument 'left'"):
        _ = unread.left  # a string target has no signature to read


def test_the_package_installs_the_notebook_views_the_core_calls() -> None:
    from lazycfg.core.views import VIEWS
    from lazycfg.track import notebook

    assert VIEWS.node_html is notebook.node_html
    assert VIEWS.node_text is notebook.pretty_text
    assert VIEWS.factory_html is notebook.factory_html
