"""Hypothesis-generated configs through Hydra and lazycfg: same results or same error types.

Four properties, 1,200 examples in all: nesting, lists, dicts, positional args, partial,
recursive off, every convert mode, interpolation, call-time args and kwargs, top-level lists.
"""

from __future__ import annotations

from typing import Any

from fixtures.instantiate import assert_same
from hypothesis import given, settings
from hypothesis import strategies as st

R = "fixtures.instantiate.record"
KEYS = st.sampled_from(["a", "b", "c", "d"])
LEAVES = st.one_of(
    st.integers(-3, 3), st.text("xyz", max_size=2), st.none(), st.booleans(), st.just(1.5)
)
MODES = st.sampled_from([None, "none", "partial", "object", "all"])


def _target(
    kwargs: dict[str, Any], args: list[Any] | None, partial: bool, recursive: bool, mode: str | None
) -> dict[str, Any]:
    node: dict[str, Any] = {"_target_": R, **kwargs}
    if args is not None:
        node["_args_"] = args
    if partial:
        node["_partial_"] = True
    if not recursive:
        node["_recursive_"] = False
    if mode is not None:
        node["_convert_"] = mode
    return node


def configs(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def grow(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(KEYS, children, max_size=3),
            st.builds(
                _target,
                st.dictionaries(KEYS, children, max_size=3),
                st.none() | st.lists(children, max_size=2),
                st.sampled_from([False, False, True]),
                st.sampled_from([True, True, False]),
                MODES,
            ),
        )

    return st.recursive(leaves, grow, max_leaves=8)


TARGETS = st.builds(
    _target,
    st.dictionaries(KEYS, configs(LEAVES), max_size=3),
    st.none() | st.lists(configs(LEAVES), max_size=2),
    st.booleans(),
    st.sampled_from([True, True, False]),
    MODES,
)


@settings(max_examples=400)
@given(TARGETS)
def test_generated_target_configs(config: dict[str, Any]) -> None:
    assert_same(config)


@settings(max_examples=300)
@given(st.lists(configs(LEAVES), max_size=3), MODES)
def test_generated_top_level_lists(config: list[Any], mode: str | None) -> None:
    if mode is None:
        assert_same(config)
    else:
        assert_same(config, _convert_=mode)


INTERPOLATED = st.one_of(LEAVES, st.sampled_from(["${v}", "p${v}", "${w}"]))


@settings(max_examples=250)
@given(configs(INTERPOLATED), st.integers(0, 5))
def test_generated_interpolations(body: Any, v: int) -> None:
    assert_same({"v": v, "w": "${v}", "body": body})


@settings(max_examples=250)
@given(
    TARGETS,
    st.lists(LEAVES, max_size=2),
    st.dictionaries(
        st.sampled_from(["a", "b", "e", "_convert_", "_partial_"]),
        st.one_of(LEAVES, st.dictionaries(KEYS, LEAVES, max_size=2), MODES),
        max_size=3,
    ),
)
def test_generated_call_time_args_and_kwargs(
    config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
) -> None:
    assert_same(config, *args, **kwargs)


@settings(max_examples=200)
@given(TARGETS, st.booleans())
def test_generated_configs_as_dictconfig(config: dict[str, Any], interpolate: bool) -> None:
    from omegaconf import OmegaConf

    if interpolate:
        config = {"v": 3, "body": config, "ref": "${body}"}
    assert_same(OmegaConf.create(config))
