"""OmegaConf's own nodes, read and made directly: the same as OmegaConf's slow paths.

`lazycfg.instantiate.read.read_config` walks a DictConfig's nodes instead of ``to_container``, and
`lazycfg.instantiate.omega` lays out the containers of a ``_convert_: none`` result instead of
``OmegaConf.create``; both fall back to OmegaConf when its layout is not the one they know.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import DictConfig, ListConfig, OmegaConf

import lazycfg
from lazycfg.instantiate import omega as construct_omega
from lazycfg.instantiate import read as construct_read
from lazycfg.instantiate.omega import new_dict, new_list
from lazycfg.instantiate.read import fallback, read_config

SETTINGS = settings(
    max_examples=200, derandomize=True, database=None, deadline=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip


class Thing:
    """A built object, as a target returns it."""


ITEMS = st.one_of(
    st.integers(-3, 3),
    st.sampled_from(["x", "", "???", "${a}", "\\${a}"]),
    st.none(),
    st.booleans(),
    st.just(1.5),
    st.builds(Thing),
)


def _layout(cfg: Any) -> Any:
    """Everything about a container and its nodes but identity of the container itself."""
    content = cfg.__dict__["_content"]
    keys = list(content) if isinstance(content, dict) else list(range(len(content)))
    return (
        type(cfg),
        cfg._metadata,
        [
            (
                key,
                type(content[key]),
                content[key]._metadata,
                content[key]._val,
                content[key]._get_parent() is cfg,
            )
            for key in keys
        ],
    )


@SETTINGS
@given(st.lists(ITEMS, max_size=5))
def test_new_list_is_what_omegaconf_creates(items: list[Any]) -> None:
    made = OmegaConf.create(items, flags={"allow_objects": True})
    ours = new_list(items)
    assert _layout(ours) == _layout(made)
    assert ours._get_flag("allow_objects") is True


@SETTINGS
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]) | st.integers(0, 2), ITEMS, max_size=4))
def test_new_dict_is_what_omegaconf_creates(items: dict[Any, Any]) -> None:
    made = OmegaConf.create(items, flags={"allow_objects": True})
    ours = new_dict(items)
    assert _layout(ours) == _layout(made)
    root = OmegaConf.create({"a": 7, "d": None}, flags={"allow_objects": True})
    root.d = ours  # interpolations in it resolve against the config it joins
    if items.get("b") == "${a}":
        assert root.d.b == 7


def test_containers_with_containers_or_structured_items_go_to_omegaconf() -> None:
    from fixtures.instantiate import Params

    for items in ([[1]], [{"a": 1}], [Params()], [OmegaConf.create({"a": 1})]):
        ours = new_list(items)
        assert isinstance(ours[0], DictConfig | ListConfig)
    assert isinstance(new_dict({"p": Params()}).p, DictConfig)
    assert new_dict({1.5: 1}) == OmegaConf.create({1.5: 1})


CONFIGS = st.recursive(
    ITEMS.filter(lambda v: not isinstance(v, Thing)),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from("abc"), kids, max_size=3)
    ),
    max_leaves=10,
)


@SETTINGS
@given(st.dictionaries(st.sampled_from("bcd"), CONFIGS, max_size=3))
def test_read_config_is_to_container(body: dict[str, Any]) -> None:
    cfg = OmegaConf.create({"a": 1, **body})
    try:
        expected = fallback(cfg)
    except Exception:  # an interpolation that cannot resolve: reported as a problem instead
        tree, problems = read_config(cfg)
        assert problems and all(p.kind == "interpolation" for p in problems)
        return
    tree, problems = read_config(cfg)
    assert problems == []
    assert tree == expected and _types(tree) == _types(expected)


def _types(tree: Any) -> Any:
    if isinstance(tree, dict):
        return ("dict", {k: _types(v) for k, v in tree.items()})
    if isinstance(tree, list):
        return ("list", [_types(v) for v in tree])
    return type(tree).__name__


def test_instantiate_without_the_fast_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallbacks build the same results when OmegaConf's layout is not the known one."""
    config = {
        "x": 2,
        "m": {"_target_": "fixtures.instantiate.record", "l": [1, "${x}"], "d": {"k": "${x}"}},
        "t": [{"_target_": "fixtures.instantiate.Point", "x": 1}],
    }
    fast = lazycfg.instantiate(OmegaConf.create(config))
    monkeypatch.setattr(construct_read, "_layout_known", lambda cfg: False)
    monkeypatch.setattr(construct_omega, "_layout_holds", lambda: False)
    slow = lazycfg.instantiate(OmegaConf.create(config))
    import hydra.utils
    from fixtures.instantiate import norm

    assert norm(fast) == norm(slow) == norm(hydra.utils.instantiate(OmegaConf.create(config)))
    assert type(slow.m.kwargs["l"]) is ListConfig
