"""The plain-config pass against the generic engine: same results, same problems in the same order.

`lazycfg.construct_plain` is a faster route through plain dicts and lists; the generic engine
(`construct_check.plan` + `construct_build.execute`) is the reference. Generated configs mix
well-typed and ill-typed calls, ``???`` values, blocked function values, partials, positional
args and every convert mode, so both the built results and the exact problem lists are compared.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from instantiate_targets import Point, Record

from lazycfg import instantiate
from lazycfg.construct import check_failed
from lazycfg.construct_build import execute
from lazycfg.construct_check import plan
from lazycfg.construct_plain import build_plain_tree
from lazycfg.safety import Policy

KEYS = st.sampled_from(["a", "b", "x", "y"])
LEAVES = st.one_of(
    st.integers(-2, 2),
    st.text("xy", max_size=2),
    st.none(),
    st.just(1.5),
    st.just("???"),
    st.sampled_from([int, os.system]),
)
TARGETS = st.sampled_from(
    ["instantiate_targets.record", "instantiate_targets.Point", "instantiate_targets.Nope"]
)
MODES = st.sampled_from([None, "none", "partial", "object", "all"])


def _node(
    target: str, kwargs: dict[str, Any], args: list[Any] | None, part: bool, mode: str | None
) -> dict[str, Any]:
    node: dict[str, Any] = {"_target_": target, **kwargs}
    if args is not None:
        node["_args_"] = args
    if part:
        node["_partial_"] = True
    if mode is not None:
        node["_convert_"] = mode
    return node


def configs() -> st.SearchStrategy[Any]:
    def grow(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(KEYS, children, max_size=3),
            st.builds(
                _node,
                TARGETS,
                st.dictionaries(KEYS, children, max_size=3),
                st.none() | st.lists(children, max_size=2),
                st.sampled_from([False, False, True]),
                MODES,
            ),
        )

    return st.recursive(LEAVES, grow, max_leaves=8)


def _shape(value: Any) -> Any:
    if isinstance(value, Record):
        return ("Record", _shape(list(value.args)), _shape(value.kwargs))
    kind = type(value).__name__
    if hasattr(value, "items"):
        return (kind, tuple((k, _shape(v)) for k, v in value.items()))
    if isinstance(value, list | tuple) or kind == "ListConfig":
        return (kind, tuple(_shape(v) for v in value))
    if kind == "partial":
        return ("partial", value.func, _shape(list(value.args)), _shape(value.keywords))
    return value


def _outcome(run: Any) -> Any:
    try:
        return ("built", _shape(run()))
    except Exception as exc:
        return ("raised", type(exc), str(exc))


def _both(root: Any, mode: str, part: bool, call_args: tuple[Any, ...]) -> tuple[Any, Any]:
    policy = Policy(None)
    flags = {"mode": mode, "recursive": True, "partial": part, "call_args": call_args}

    def plain() -> Any:
        return build_plain_tree(copy.deepcopy(root), policy, python=False, **flags)

    def generic() -> Any:
        program = plan(copy.deepcopy(root), policy=policy, python=False, resolved=False, **flags)
        if program.problems:
            raise check_failed(program.problems, program.missing)
        return execute(program, call_args, policy)

    return _outcome(plain), _outcome(generic)


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        _node,
        TARGETS,
        st.dictionaries(KEYS, configs(), max_size=3),
        st.none() | st.lists(configs(), max_size=2),
        st.booleans(),
        st.just(None),
    ),
    st.sampled_from(["none", "all", "partial"]),
    st.sampled_from([(), (1,)]),
)
def test_plain_pass_matches_the_generic_engine_on_dicts(
    root: dict[str, Any], mode: str, call_args: tuple[Any, ...]
) -> None:
    part = root.pop("_partial_", False)
    plain, generic = _both(root, mode, part, call_args)
    assert plain == generic


@settings(max_examples=150, deadline=None)
@given(st.lists(configs(), max_size=4), st.sampled_from(["none", "all"]))
def test_plain_pass_matches_the_generic_engine_on_lists(root: list[Any], mode: str) -> None:
    plain, generic = _both(root, mode, False, ())
    assert plain == generic


def test_problems_come_in_depth_first_order_with_bindings_after_children() -> None:
    cfg = {
        "_target_": "instantiate_targets.Point",
        "x": {"_target_": "instantiate_targets.Point", "x": "no", "z": 1},
        "y": ["???", os.system],
    }
    with pytest.raises(TypeError) as info:
        instantiate(cfg, _convert_="all")
    text = str(info.value)
    parts = ("x.x: expected int", "x.z: unexpected", "y[0]: missing", "y[1]: Target 'os.system'")
    places = [text.index(part) for part in (*parts, "- x: expected int, got a lazy Point")]
    assert places == sorted(places)


def test_a_thousand_nodes_of_one_shape_build_like_direct_construction() -> None:
    cfg = [{"_target_": "instantiate_targets.Point", "x": i} for i in range(1000)]
    assert instantiate(cfg, _convert_="all") == [Point(i) for i in range(1000)]
