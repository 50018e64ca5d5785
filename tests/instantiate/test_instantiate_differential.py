"""Differential property test: `lazycfg.instantiate` against ``hydra.utils.instantiate``.

Every generated config is built by both, as a plain dict and as a ``DictConfig``: the results
must be equal in type, value and container types at every level (``dict`` vs ``DictConfig``,
``list`` vs ``ListConfig``, the arguments of a partial), and one must fail exactly when the
other does. The generator covers ``_recursive_``, the four ``_convert_`` modes, ``_partial_``
(with arguments its target cannot bind), ``_args_``, absolute and relative interpolations
(inside non-recursive nodes too), ``???`` values and call-time args and kwargs, over targets
with open and with fixed signatures. 5,000 configs per run, derandomized.
"""

from __future__ import annotations

import copy
import functools
import warnings
from typing import Any

from hydra.errors import InstantiationException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

import lazycfg

M = "fixtures.instantiate"
TARGETS = st.sampled_from(
    [f"{M}.record", f"{M}.record", f"{M}.Point", f"{M}.pair", f"{M}.keywords"]
)
KEYS = st.sampled_from(["a", "b", "x", "y", "k", "v"])
INTERPOLATIONS = st.sampled_from(
    ["${v}", "p${v}", "${w}", "${.a}", "${..v}", "${body.a}", "${nope}", "${oc.select:v,0}"]
)
LEAVES = st.one_of(
    st.integers(-2, 3),
    st.sampled_from(["x", "", "none", "???"]),
    st.none(),
    st.booleans(),
    st.just(1.5),
)
MODES = st.sampled_from([None, None, "none", "partial", "object", "all"])
PROFILE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@st.composite
def target_nodes(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"_target_": draw(TARGETS)}
    node.update(draw(st.dictionaries(KEYS, children, max_size=3)))
    if draw(st.integers(0, 3)) == 0:
        node["_args_"] = draw(st.lists(children, max_size=2))
    if draw(st.integers(0, 3)) == 0:
        node["_partial_"] = True
    if draw(st.integers(0, 3)) == 0:
        node["_recursive_"] = False
    mode = draw(MODES)
    if mode is not None:
        node["_convert_"] = mode
    return node


def trees(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def grow(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(KEYS, children, max_size=3),
            target_nodes(children),
            target_nodes(children),
        )

    return st.recursive(leaves, grow, max_leaves=6)


PLAIN = trees(LEAVES)
INTERPOLATED = trees(st.one_of(LEAVES, INTERPOLATIONS))


def norm(value: Any) -> Any:
    """A comparable picture of a result: types and values at every level."""
    kind = type(value).__name__
    if isinstance(value, functools.partial):  # Hydra 1.3.8 returns a subclass
        return ("partial", value.func, norm(list(value.args)), norm(dict(value.keywords)))
    if kind in ("dict", "DictConfig"):
        return (kind, tuple((k, norm(v)) for k, v in value.items()))
    if kind in ("list", "tuple", "ListConfig"):
        return (kind, tuple(norm(v) for v in value))
    if hasattr(value, "__dict__") and type(value).__module__ == M:
        return (kind, norm(dict(vars(value))))
    return (kind, value)


def outcome(fn: Any, config: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return norm(fn(config, *args, **kwargs))
        except (InstantiationException, OmegaConfBaseException, TypeError) as exc:
            return exc


def compare(config: Any, *args: Any, **kwargs: Any) -> None:
    """Hydra and lazycfg agree on ``config`` as a dict and as a DictConfig (or ListConfig)."""
    import hydra.utils

    for as_omega in (False, True):
        theirs_in = copy.deepcopy(config)
        ours_in = copy.deepcopy(config)
        if as_omega:
            theirs_in = OmegaConf.create(theirs_in, flags={"allow_objects": True})
            ours_in = OmegaConf.create(ours_in, flags={"allow_objects": True})
        theirs = outcome(hydra.utils.instantiate, theirs_in, args, dict(kwargs))
        ours = outcome(lazycfg.instantiate, ours_in, args, dict(kwargs))
        form = "DictConfig" if as_omega else "dict"
        if isinstance(theirs, Exception) or isinstance(ours, Exception):
            assert isinstance(theirs, Exception) and isinstance(ours, Exception), (
                f"{form} {config!r} args={args} kwargs={kwargs}\n"
                f"Hydra:   {theirs!r}\nlazycfg: {ours!r}"
            )
        else:
            assert ours == theirs, (
                f"{form} {config!r} args={args} kwargs={kwargs}\n"
                f"Hydra:   {theirs!r}\nlazycfg: {ours!r}"
            )


@settings(PROFILE, max_examples=1500)
@given(target_nodes(PLAIN))
def test_target_configs(config: dict[str, Any]) -> None:
    compare(config)


@settings(PROFILE, max_examples=1000)
@given(st.dictionaries(KEYS, PLAIN, max_size=3), MODES)
def test_plain_trees_with_a_convert_mode(config: dict[str, Any], mode: str | None) -> None:
    if mode is None:
        compare(config)
    else:
        compare({**config, "_convert_": mode})


@settings(PROFILE, max_examples=1000)
@given(st.one_of(target_nodes(INTERPOLATED), INTERPOLATED), st.integers(0, 3))
def test_interpolations(body: Any, v: int) -> None:
    compare({"v": v, "w": "${v}", "body": body})


CALL_KWARGS = st.dictionaries(
    st.sampled_from(["a", "b", "x", "k", "_convert_", "_partial_", "_recursive_"]),
    st.one_of(LEAVES, st.dictionaries(KEYS, LEAVES, max_size=2), MODES, st.booleans()),
    max_size=3,
)


@settings(PROFILE, max_examples=1000)
@given(target_nodes(PLAIN), st.lists(LEAVES, max_size=2), CALL_KWARGS)
def test_call_time_args_and_kwargs(
    config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
) -> None:
    compare(config, *args, **kwargs)


@settings(PROFILE, max_examples=500)
@given(st.lists(PLAIN, max_size=3), MODES)
def test_top_level_lists(config: list[Any], mode: str | None) -> None:
    if mode is None:
        compare(config)
    else:
        compare(config, _convert_=mode)


def test_the_issue_examples() -> None:
    compare(
        {
            "sub": {"x": 1},
            "m": {"_target_": "builtins.list", "_args_": [["${sub.x}"]], "_recursive_": False},
        },
        _convert_="all",
    )
    compare({"_target_": f"{M}.Point", "c": 1, "_partial_": True})
