"""Properties over generated lazy trees: emission round trips, and equality with Hydra.

Trees mix every supported value (primitives, None, lists, tuples, dicts, enums, paths, classes
and functions as values, nested and partial nodes, positional and keyword arguments) over the
module-level targets in ``foundation_targets``.
"""

from __future__ import annotations

import pathlib
import string
from typing import Any

import foundation_targets as ft
import hydra.utils
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg import Lazy, from_config, instantiate, lazy, partial, to_config, to_dict, to_yaml

TEXT = st.text(alphabet=string.ascii_letters + string.digits + " _-.:/,#'\"", max_size=8)
NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta"])
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**62), max_value=2**62),
    FLOATS,
    TEXT,
    st.sampled_from(list(ft.Color) + list(ft.Level)),
    st.builds(pathlib.Path, st.sampled_from(["data.csv", "a/b", "/abs/path", "."])),
    # Classes and functions as values (not ``dict``: OmegaConf cannot hold it in a list).
    st.sampled_from([ft.Pair, ft.Model, ft.Outer.Inner, ft.add, ft.scale, len, list]),
)


def nodes(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Lazy[Any]]:
    """Validated nodes over a few targets, with positional and keyword arguments."""
    return st.one_of(
        st.builds(
            lambda a, b, c, d, e: lazy(ft.Leaf)(a=a, b=b, c=c, d=d, e=e),
            st.integers(-100, 100), FLOATS, TEXT, st.booleans(), inner,
        ),
        st.builds(lambda left, right: lazy(ft.Pair)(left, right=right), inner, inner),
        st.builds(lambda left: lazy(ft.make_pair)(left), inner),
        st.builds(
            lambda items, named: lazy(ft.Bag)(*items, **named),
            st.lists(inner, max_size=3),
            st.dictionaries(NAMES, inner, max_size=2),
        ),
        st.builds(lambda m: partial(ft.Optimizer)(momentum=m), FLOATS),
        st.builds(lambda n: lazy(ft.Model)(n_estimators=n), st.integers(0, 10**6)),
        st.builds(
            lambda color, path, sizes, cls: lazy(ft.Typed)(color, path, sizes=sizes, cls=cls),
            st.sampled_from(list(ft.Color)),
            st.builds(pathlib.Path, st.sampled_from(["x", "y/z"])),
            st.none() | st.lists(st.integers(0, 9), max_size=3),
            st.sampled_from([None, ft.Pair, int]),
        ),
        st.builds(lambda x, y: lazy(ft.add)(x, y=y), st.integers(-9, 9), st.integers(-9, 9)),
    )  # fmt: skip


def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(NAMES, inner, max_size=3),
        nodes(inner),
    )


VALUES = st.recursive(SCALARS, extend, max_leaves=10)
TREES = nodes(VALUES)


@settings(max_examples=200)
@given(TREES)
def test_emission_round_trips(tree: Lazy[Any]) -> None:
    assert from_config(to_dict(tree)) == tree
    assert from_config(to_config(tree)) == tree
    assert from_config(to_yaml(tree)) == tree
    assert to_dict(from_config(to_yaml(tree))) == to_dict(tree)


@settings(max_examples=80)
@given(TREES)
def test_full_emission_builds_the_same_objects(tree: Lazy[Any]) -> None:
    assert ft._norm(hydra.utils.instantiate(to_config(tree, full=True))) == ft._norm(
        instantiate(tree)
    )
    assert from_config(to_yaml(tree, full=True)) == from_config(to_dict(tree, full=True))


@settings(max_examples=200)
@given(TREES)
def test_instantiate_equals_hydra(tree: Lazy[Any]) -> None:
    ours = instantiate(tree)
    hydras = hydra.utils.instantiate(to_config(tree))
    assert ft._norm(ours) == ft._norm(hydras)
