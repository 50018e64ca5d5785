"""flatten / unflatten / diff / fingerprint: examples and properties."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from fixtures.track import Forest, make_boosted, make_experiment
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from lazycfg import ConfigError, diff, fingerprint, flatten, lazy, to_config, to_dict, unflatten
from lazycfg.track import canonical_json, escape_key, split_key

# --- generated configs ---------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, width=64),
    st.text(max_size=6),
)
# Keys stress the escaping: dots, backslashes, digits, '#', empty strings, integer keys.
keys = st.one_of(
    st.text(alphabet="ab.\\#0_", max_size=4),
    st.sampled_from(["0", "12", "_target_x", "a.b", "\\", "\\#1", ""]),
    st.integers(-3, 3),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)
configs = st.dictionaries(keys, trees, max_size=4)


@settings(max_examples=250)
@given(configs)
def test_unflatten_inverts_flatten(config: dict[Any, Any]) -> None:
    assert unflatten(flatten(config)) == to_dict(config)


@settings(max_examples=100)
@given(st.lists(trees, min_size=1, max_size=3))
def test_unflatten_inverts_flatten_for_a_top_level_list(config: list[Any]) -> None:
    assert unflatten(flatten(config)) == config


@settings(max_examples=200)
@given(keys)
def test_every_key_survives_its_escaping(key: str | int) -> None:
    segment = escape_key(key)
    assert split_key(f"{segment}.{segment}") == [(False, key), (False, key)]


def _shuffled(value: Any, seed: int) -> Any:
    """The same config with every dict's keys in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        items = items[seed % (len(items) or 1) :] + items[: seed % (len(items) or 1)]
        return {k: _shuffled(v, seed + 1) for k, v in reversed(items)}
    if isinstance(value, list):
        return [_shuffled(v, seed + 1) for v in value]
    return value


@settings(max_examples=150)
@given(configs, st.integers(0, 5))
def test_fingerprint_ignores_key_order(config: dict[Any, Any], seed: int) -> None:
    assert fingerprint(_shuffled(config, seed)) == fingerprint(config)


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(tree, dict | list):
        items = tree.items() if isinstance(tree, dict) else enumerate(tree)
        for k, v in items:
            out += _paths(v, (*prefix, k))
    return out


def _replaced(tree: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    copy[path[0]] = _replaced(tree[path[0]], path[1:], new)
    return copy


@settings(max_examples=200)
@given(configs, st.data())
def test_fingerprint_changes_with_any_value(config: dict[Any, Any], data: st.DataObject) -> None:
    paths = [p for p in _paths(config) if p]
    if not paths:
        config, paths = {"k": 1}, [("k",)]
    path = data.draw(st.sampled_from(paths))
    old = _get(config, path)
    new = data.draw(trees.filter(lambda v: canonical_json(v) != canonical_json(old)))
    changed = _replaced(config, path, new)
    assert fingerprint(changed) != fingerprint(config)
    assert diff(config, changed)


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


@pytest.mark.parametrize(
    ("a", "b"), [(1, 1.0), (1, True), (0, False), (1, "1"), (None, "null"), ([], {}), (0.0, -0.0)]
)
def test_fingerprint_distinguishes_types(a: Any, b: Any) -> None:
    assert fingerprint({"x": a}) != fingerprint({"x": b})
    assert diff({"x": a}, {"x": b}).changed


def test_fingerprint_distinguishes_int_and_string_keys() -> None:
    assert fingerprint({1: "a"}) != fingerprint({"1": "a"})


def test_fingerprint_is_the_same_in_another_process() -> None:
    config = make_experiment()
    code = (
        "import sys; sys.path.insert(0, 'tests');"
        "from fixtures.track import make_experiment; from lazycfg import fingerprint;"
        "print(fingerprint(make_experiment()))"
    )
    env_hashseed = {"PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, **env_hashseed},
    ).stdout.strip()
    assert out == fingerprint(config)
    assert len(out) == 12 and int(out, 16) >= 0


def test_fingerprint_is_pinned() -> None:
    # sha256 of the canonical JSON; pinned so that a change of encoding is a visible decision.
    assert canonical_json({"b": [1, 2.5, True, None], "a": "x"}) == (
        '{"a":"x","b":[1,2.5,true,null]}'
    )
    assert fingerprint({"b": [1, 2.5, True, None], "a": "x"}) == "eefd48e49220"


def test_lazy_tree_dict_and_dictconfig_agree() -> None:
    node = make_experiment()
    plain = to_dict(node)
    for form in (plain, to_config(node), OmegaConf.create(json.dumps(plain))):
        assert flatten(form) == flatten(node)
        assert fingerprint(form) == fingerprint(node)
        assert not diff(form, node)


def test_flatten_names_paths_like_hydra_overrides() -> None:
    flat = flatten(make_experiment())
    assert flat["model._target_"] == "fixtures.track.Forest"
    assert flat["model.n_estimators"] == 300
    assert "model.criterion" not in flat
    layers = flatten({"net": {"layers": [{"size": 3}, {"size": 4}], "groups": [], "opts": {}}})
    assert layers == {
        "net.layers.0.size": 3,
        "net.layers.1.size": 4,
        "net.groups": [],
        "net.opts": {},
    }


def test_full_flatten_shows_library_defaults() -> None:
    flat = flatten(make_experiment(), full=True)
    assert flat["model.criterion"] == "gini"
    assert flat["data.cutoff"] == "2022-01-01"
    # A plain config gets its defaults by importing its targets.
    assert flatten(to_dict(make_experiment()), full=True) == flat
    assert fingerprint(make_experiment(), full=True) != fingerprint(make_experiment())


LIBRARY = """
class Model:
    def __init__(self, width: int, criterion: str = "{default}") -> None:
        self.width = width
"""
LOG_FULL = (
    "import json; from lazycfg import lazy, flatten; from mylib import Model;"
    "print(json.dumps(flatten({'model': lazy(Model)(width=3)}, full=True)))"
)


def test_a_changed_library_default_shows_in_a_full_diff(tmp_path: Any) -> None:
    """Two runs logged with two versions of a library: only the full view sees the change."""
    logged = []
    for default in ("gini", "entropy"):
        (tmp_path / "mylib.py").write_text(LIBRARY.format(default=default))
        out = subprocess.run(
            [sys.executable, "-c", LOG_FULL],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        logged.append(json.loads(out))
    changes = diff(unflatten(logged[0]), unflatten(logged[1]))
    assert [(c.path, c.old, c.new) for c in changes.entries] == [
        ("model.criterion", "gini", "entropy")
    ]
    assert not diff(
        {k: v for k, v in logged[0].items() if k != "model.criterion"},
        {k: v for k, v in logged[1].items() if k != "model.criterion"},
    )


def test_diff_reports_changed_added_removed() -> None:
    a = {"lr": 0.1, "epochs": 10, "layers": [64, 32], "name": "x"}
    b = {"lr": 0.01, "epochs": 10, "layers": [64, 32, 16], "seed": 3}
    d = diff(a, b)
    assert [(c.path, c.old, c.new) for c in d.changed] == [("lr", 0.1, 0.01)]
    assert [(c.path, c.new) for c in d.added] == [("layers.2", 16), ("seed", 3)]
    assert [(c.path, c.old) for c in d.removed] == [("name", "x")]
    text = str(d)
    assert "~  lr" in text and "0.1" in text and "0.01" in text
    assert "+  seed" in text and "-  name" in text
    assert text.endswith("1 changed, 2 added, 1 removed")
    assert "| ~ | `lr` | `0.1` | `0.01` |" in d.markdown()


def test_a_changed_target_is_one_entry() -> None:
    d = diff(make_experiment(), make_boosted())
    assert [(c.path, c.kind, c.old, c.new) for c in d.entries] == [
        ("model", "target", "fixtures.track.Forest", "fixtures.track.Boosting"),
        ("seed", "changed", 1, 2),
    ]
    assert "(target changed)" in str(d)
    # A node that appears or disappears as a whole is one entry too.
    d = diff({"x": 1}, {"x": 1, "sched": {"_target_": "a.B", "gamma": 0.5, "step": 3}})
    assert [(c.path, c.kind, c.new) for c in d.entries] == [("sched", "added", "a.B(...)")]


def test_equal_configs_have_no_diff() -> None:
    d = diff(make_experiment(), make_experiment())
    assert not d and len(d) == 0 and str(d) == "no differences"


def test_unflatten_refuses_inconsistent_keys() -> None:
    with pytest.raises(ConfigError, match="'a.b': its prefix is also given as a value"):
        unflatten({"a": 1, "a.b": 2})
    with pytest.raises(ConfigError, match="siblings use"):
        unflatten({"a.0": 1, "a.x": 2})
    with pytest.raises(ConfigError, match="not 0..1"):
        unflatten({"a.0": 1, "a.5": 2})


def test_flatten_refuses_a_scalar() -> None:
    with pytest.raises(ConfigError, match="flatten\\(\\) takes a config"):
        flatten(3)


def test_shared_nodes_are_listed_at_every_path() -> None:
    layer = lazy(Forest)(n_estimators=3)
    flat = flatten({"a": layer, "b": layer})
    assert flat["a.n_estimators"] == flat["b.n_estimators"] == 3


# --- key types: str, int, float and bool keys each have their own encoding ---------------------

typed_keys = st.one_of(
    keys,
    st.booleans(),
    st.floats(allow_nan=False),
    st.sampled_from([1.5, 1.0, -0.0, 1e-05, 2.5e20, float("inf"), "\0" + "1", "\x01x", "\x03"]),
)


def _typed(key: Any) -> tuple[str, str]:
    return type(key).__name__, repr(key)


@settings(max_examples=150)
@given(typed_keys)
def test_every_key_type_survives_its_escaping(key: Any) -> None:
    segment = escape_key(key)
    [(_, a), (_, b)] = split_key(f"{segment}.{segment}")
    assert _typed(a) == _typed(b) == _typed(key)


@settings(max_examples=60)
@given(st.dictionaries(typed_keys, trees, max_size=4))
def test_unflatten_inverts_flatten_for_any_key_type(config: dict[Any, Any]) -> None:
    back = unflatten(flatten(config))
    assert sorted(map(_typed, back)) == sorted(map(_typed, to_dict(config)))
    assert back == to_dict(config)


@settings(max_examples=150)
@given(typed_keys, typed_keys)
def test_fingerprint_tells_every_key_apart(a: Any, b: Any) -> None:
    if _typed(a) != _typed(b):
        assert canonical_json({a: 1}) != canonical_json({b: 1})
        assert fingerprint({a: 1}) != fingerprint({b: 1})
        assert flatten({a: 1}) != flatten({b: 1})


def test_float_and_bool_keys_differ_from_int_keys() -> None:
    assert len({fingerprint({1.5: 1}), fingerprint({1: 1}), fingerprint({True: 1})}) == 3
    assert flatten({1.5: 1, 2: {True: "x"}}) == {"\\#1\\.5": 1, "\\#2.\\#True": "x"}


@pytest.mark.parametrize("key", [None, Forest, (1, 2)])
def test_unsupported_key_types_are_refused_clearly(key: Any) -> None:
    for fn in (flatten, canonical_json):
        with pytest.raises(ConfigError, match=r"model: dict key .* str, int, float or bool"):
            fn({"model": {key: 1}})


def test_a_malformed_number_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="number or True/False"):
        split_key("\\#1\\.2\\.3.x")
