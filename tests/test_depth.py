"""Depth and reading: every tree function works on 10,000-deep chains without recursion, the
rewritten walks agree with the plain definitions, and reading a config runs no user code."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import fixtures.basic as ft
import fixtures.depth as dt
import pytest
from fixtures.trees import TREES
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from lazycfg import (
    ConfigError,
    Lazy,
    diff,
    fingerprint,
    flatten,
    from_config,
    to_config,
    to_dict,
    to_yaml,
    unflatten,
)
from lazycfg.app import check_config
from lazycfg.core import (
    fold_at,
    format_place,
    place_path,
    plain_equal,
    target_name,
    walk,
    walk_at,
)
from lazycfg.track import Change, canonical_json, split_key

DEEP = 10_000


def chain(depth: int, bottom: int = 0) -> Lazy[Any]:
    """``Link(child=Link(child=...), n=...)``, ``depth`` nodes, ``bottom`` the innermost n."""
    node: Any = None
    for i in range(depth):
        node = Lazy(dt.Link, (), {"child": node, "n": bottom if i == 0 else i})
    return node


# --- places ------------------------------------------------------------------------------------


def test_places_spell_the_same_paths_as_the_tuple_walk() -> None:
    tree = {"a": [1, {"b": (2, 3)}], "c": Lazy(ft.Pair, (4,), {"right": [5]})}
    assert [(place_path(at), v) for at, v in walk_at(tree)] == list(walk(tree))
    assert [format_place(at) for at, _ in walk_at(tree)][:3] == ["<root>", "a", "a[0]"]
    seen: list[tuple[Any, ...]] = []
    fold_at(tree, lambda value, at, kids: seen.append(place_path(at)))
    assert seen[0] == ("a", 0) and seen[-1] == ()


# --- 10,000 deep ---------------------------------------------------------------------------------


def test_to_dict_and_from_config_of_a_deep_chain() -> None:
    node = chain(DEEP)
    emitted = to_dict(node)
    depth = 0
    while isinstance(emitted, dict):
        assert emitted["_target_"] == "fixtures.depth.Link"
        emitted, depth = emitted["child"], depth + 1
    assert depth == DEEP
    back = from_config(to_dict(node))
    assert back == node
    assert back.child.child.n == DEEP - 3


def test_flatten_unflatten_and_diff_of_a_deep_chain() -> None:
    old, new = chain(DEEP), chain(DEEP, bottom=1)
    flat = flatten(old)
    assert len(flat) == 2 * DEEP + 1  # _target_ and n of each link, and the last child: None
    bottom = ".".join(["child"] * (DEEP - 1)) + ".n"
    assert flat[bottom] == 0
    assert plain_equal(unflatten(flat), to_dict(old))
    assert not diff(old, chain(DEEP))
    assert diff(old, new).entries == [Change(bottom, "changed", 0, 1)]


def test_escaped_keys_unflatten_at_depth() -> None:
    tree: Any = {"0": 1, 2: [None]}
    for _ in range(DEEP):
        tree = {"a.b": tree, "\\": 0}
    flat = flatten(tree)
    assert next(iter(flat)).startswith("a\\.b.a\\.b.")
    assert plain_equal(unflatten(flat), tree)


def test_fingerprint_canonical_json_and_repr_of_a_deep_chain() -> None:
    node = chain(DEEP)
    text = canonical_json(node)
    assert text.startswith('{"_target_":"fixtures.depth.Link","child":{"_target_"')
    assert text.count("{") == DEEP and text.endswith('},"n":9998},"n":9999}')
    assert '{"_target_":"fixtures.depth.Link","child":null,"n":0},"n":1}' in text
    assert fingerprint(node) == fingerprint(to_dict(node)) != fingerprint(chain(DEEP, bottom=1))
    shown = repr(node)
    assert shown.startswith("lazy(fixtures.depth.Link)(child=lazy(fixtures.depth.Link)(")
    assert shown.count("lazy(") == DEEP and shown.endswith("n=9998), n=9999)")
    assert "(child=None, n=0), n=1), n=2)" in shown


def test_a_hundred_thousand_deep_chain_where_omegaconf_is_not_involved() -> None:
    # (diff, from_config and the rest at 100,000 are timed in benchmarks/bench_depth.py)
    node = chain(100_000)
    assert len(canonical_json(node)) > 100_000 * len('{"_target_":"fixtures.depth.Link"')
    assert repr(node).count("(child=") == 100_000


def test_omegaconf_depth_limits_are_clear_errors() -> None:
    node = chain(300)
    limit = str(sys.getrecursionlimit())
    for write in (to_config, to_yaml):
        with pytest.raises(ConfigError) as info:
            write(node)
        message = str(info.value)
        assert "300 levels deep" in message and limit in message
        assert "to_dict, from_config of a dict, flatten, fingerprint and diff" in message
    deep_yaml = "a:\n" + "".join("  " * (i + 1) + "b:\n" for i in range(300)) + "  c: 1\n"
    with pytest.raises(ConfigError, match="deeper than OmegaConf can go"):
        from_config(deep_yaml)
    shallow = chain(20)
    assert from_config(to_config(shallow)) == shallow == from_config(to_yaml(shallow))


def test_a_dictconfig_deeper_than_omegaconf_reads_is_a_clear_error() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # OmegaConf builds it only with a higher limit...
    try:
        cfg = OmegaConf.create(to_dict(chain(600)))
    finally:
        sys.setrecursionlimit(limit)
    with pytest.raises(ConfigError) as info:  # ...and cannot read it back without one
        from_config(cfg)
    message = str(info.value)
    assert "reading a DictConfig: the config is 600 levels deep" in message
    assert str(limit) in message
    with pytest.raises(ConfigError, match="deeper than OmegaConf can go"):
        fingerprint(cfg)


# --- the rewritten walks agree with the plain definitions -----------------------------------------


KEYS = st.one_of(
    st.sampled_from(["_target_", "a", "b", "a.b", "0", "\\", "x_y", ""]),
    st.integers(-2, 2),
    st.sampled_from([1.5, -0.0, True]),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, width=64),
    st.sampled_from(["x", "y", "pkg.A", "pkg.B", "\x00", "é", '"q"']),
)
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=16,
)
CONFIGS = st.dictionaries(KEYS, PLAIN, max_size=4) | st.lists(PLAIN, max_size=3)


def reference_diff(a: Any, b: Any) -> list[Change]:
    """`diff` as first written: over the two flat dicts, prefix by prefix (quadratic)."""
    missing = object()

    def same(x: Any, y: Any) -> bool:
        # 1, 1.0 and True differ in a config, and so do 0.0 and -0.0 (as in a fingerprint)
        if type(x) is float and type(y) is float:
            return repr(x) == repr(y)
        return type(x) is type(y) and x == y
    fa, fb = flatten(a), flatten(b)

    def targets(flat: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in flat.items():
            if key == "_target_":
                out[""] = value
            elif key.endswith("._target_") and split_key(key)[-1] == (False, "_target_"):
                out[key[: -len("_target_") - 1]] = value
        return out

    def under(key: str, prefix: str) -> bool:
        return prefix == "" or key == prefix or key.startswith(prefix + ".")

    order = {k: i for i, k in enumerate([*fa, *(k for k in fb if k not in fa)])}
    ta, tb = targets(fa), targets(fb)
    entries: list[tuple[int, Change]] = []
    collapsed: list[str] = []
    for prefix in sorted(set(ta) | set(tb), key=lambda p: (p.count("."), p)):
        if ta.get(prefix, missing) == tb.get(prefix, missing):
            continue
        if any(under(prefix, done) for done in collapsed):
            continue
        in_a = [k for k in fa if under(k, prefix)]
        in_b = [k for k in fb if under(k, prefix)]
        old = ta.get(prefix, fa.get(prefix, "(no target)"))
        new = tb.get(prefix, fb.get(prefix, "(no target)"))
        if not in_a:
            change = Change(prefix, "added", new=f"{new}(...)", node=True)
        elif not in_b:
            change = Change(prefix, "removed", old=f"{old}(...)", node=True)
        else:
            change = Change(prefix, "target", str(old), str(new), node=True)
        collapsed.append(prefix)
        entries.append((min(order[k] for k in in_a + in_b), change))
    for key in order:
        if any(under(key, done) for done in collapsed):
            continue
        old, new = fa.get(key, missing), fb.get(key, missing)
        if old is missing:
            entries.append((order[key], Change(key, "added", new=new)))
        elif new is missing:
            entries.append((order[key], Change(key, "removed", old=old)))
        elif not same(old, new):
            entries.append((order[key], Change(key, "changed", old, new)))
    return [change for _, change in sorted(entries, key=lambda e: e[0])]


def _has_empty_top_key(config: Any) -> bool:
    # A top-level key "" has the flat key "", which the first diff mistook for the top's own.
    return isinstance(config, dict) and "" in config


def _same_changes(ours: list[Change], theirs: list[Change]) -> bool:
    # nan != nan: compare the shown values, as a diff table does
    return [repr(c) for c in ours] == [repr(c) for c in theirs]


@settings(max_examples=400)
@given(CONFIGS, CONFIGS)
def test_diff_agrees_with_the_flat_definition(a: Any, b: Any) -> None:
    if _has_empty_top_key(a) or _has_empty_top_key(b):
        return
    assert _same_changes(diff(a, b).entries, reference_diff(a, b))


@settings(max_examples=200)
@given(CONFIGS, st.data())
def test_diff_agrees_on_small_edits(a: Any, data: st.DataObject) -> None:
    # Mostly equal configs: the usual diff, where paired subtrees matter.
    flat = flatten(a)
    if not flat or _has_empty_top_key(a):
        return
    key = data.draw(st.sampled_from(sorted(flat)))
    flat[key] = data.draw(SCALARS)
    b = unflatten(flat)
    assert _same_changes(diff(a, b).entries, reference_diff(a, b))


@settings(max_examples=300)
@given(CONFIGS)
def test_canonical_json_is_json_dumps_with_sorted_keys(config: Any) -> None:
    def canonical_key(key: Any) -> str:
        # Keys of other types than str sort apart from strings, each type by a prefix of its own.
        prefixes = ("\x00", "\x01", "\x02", "\x03")
        if type(key) is str:
            return "\x03" + key if key[:1] in prefixes else key
        if type(key) is bool:
            return f"\x02{key}"
        return f"\x01{key!r}" if type(key) is float else f"\x00{key}"

    def canonical(value: Any) -> Any:
        if isinstance(value, dict):
            return {canonical_key(k): canonical(v) for k, v in value.items()}
        if isinstance(value, list):
            return [canonical(v) for v in value]
        return value

    expected = json.dumps(
        canonical(to_dict(config)), sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    assert canonical_json(config) == expected


@settings(max_examples=300)
@given(CONFIGS)
def test_unflatten_inverts_flatten_both_ways(config: Any) -> None:
    from lazycfg.track.flat import _unflatten_by_prefix, _unflatten_by_segments

    flat = flatten(config)
    if not flat:
        return
    assert unflatten(flat) == _unflatten_by_segments(flat) == to_dict(config)
    assert _unflatten_by_prefix(flat) == to_dict(config)


@pytest.mark.parametrize(
    "flat",
    [
        {"a": 1, "a.b": 2},
        {"a.b": 2, "a": 1},
        {"a.0": 1, "a.b": 2},
        {"a.0": 1, "a.2": 2},
        {"0": 1, "a": 2},
    ],
)
def test_unflatten_names_the_same_problems_either_way(flat: dict[str, Any]) -> None:
    from lazycfg.track.flat import _unflatten_by_prefix, _unflatten_by_segments

    with pytest.raises(ConfigError) as info:
        _unflatten_by_segments(dict(flat))
    with pytest.raises(ConfigError) as again:
        unflatten(flat)
    assert str(again.value) == str(info.value)
    assert _unflatten_by_prefix(dict(flat)) is None


def test_two_spellings_of_one_index_meet_as_before() -> None:
    # "0" and "00" are one list index: the plain reading hands over to the general one.
    assert unflatten({"a.0.b": 1, "a.00.c": 2}) == {"a": [{"b": 1, "c": 2}]}


@settings(max_examples=150)
@given(TREES)
def test_deepened_trees_round_trip(tree: Lazy[Any]) -> None:
    # The generated trees, each hung 200 links deep: every reader and writer at depth.
    deep = Lazy(dt.Link, (), {"child": tree, "n": 0})
    for _ in range(200):
        deep = Lazy(dt.Link, (), {"child": deep, "n": 1})
    assert from_config(to_dict(deep)) == deep
    assert unflatten(flatten(deep)) == to_dict(deep)
    assert not diff(deep, from_config(to_dict(deep)))
    assert fingerprint(deep) == fingerprint(to_dict(deep))
    assert repr(deep).endswith(", n=1), n=1)")


# --- reading runs nothing ----------------------------------------------------------------------


@pytest.fixture
def marker(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    path = tmp_path / "ran"
    monkeypatch.setenv("LAZYCFG_TEST_MARKER", str(path))
    return path


SIDE_EFFECTS = {  # shape -> (argument of fixtures.depth.use, value)
    "enum _missing_": ("color", {"_target_": "fixtures.depth.Noisy", "_args_": ["green"]}),
    "path subclass": ("where", {"_target_": "fixtures.depth.NoisyPath", "_args_": ["a/b"]}),
}


@pytest.mark.parametrize("shape", sorted(SIDE_EFFECTS))
def test_reading_enum_and_path_shapes_calls_no_user_code(shape: str, marker: pathlib.Path) -> None:
    name, written = SIDE_EFFECTS[shape]
    cfg = {"_target_": "fixtures.depth.use", name: written}
    for source in (cfg, OmegaConf.create(cfg), OmegaConf.to_yaml(cfg)):
        node = from_config(source)
        value = getattr(node, name)
        assert isinstance(value, Lazy) and value._lazy_args == tuple(written["_args_"])
        assert to_dict(node) == cfg  # the shape is kept as written
    check_config(OmegaConf.create(cfg))  # the override check reads the same way
    assert not marker.exists()


def test_known_enum_members_and_pathlib_paths_are_read_as_values(marker: pathlib.Path) -> None:
    cfg = {
        "a": {"_target_": "fixtures.depth.Noisy", "_args_": ["blue"]},
        "b": {"_target_": "fixtures.depth.Plain", "_args_": [[1, 2]]},  # YAML has no tuples
        "c": {"_target_": "pathlib.Path", "_args_": ["x/y"]},
        "d": {"_target_": "fixtures.basic.Level", "_args_": [2]},
    }
    back = from_config(cfg)
    assert back == {
        "a": dt.Noisy.BLUE,
        "b": dt.Plain.PAIR,
        "c": pathlib.Path("x/y"),
        "d": ft.Level.HIGH,
    }
    later = from_config(
        {
            "c": {"_target_": "fixtures.basic.Color", "_args_": ["${color}"]},
            "p": {"_target_": "pathlib.Path", "_args_": ["${dir}"]},
        }
    )
    assert to_dict(later["p"]) == {"_target_": "pathlib.Path", "_args_": ["${dir}"]}
    assert isinstance(later["c"], Lazy) and later["c"]._lazy_args == ("${color}",)
    with pytest.raises(ConfigError, match=r"'purple' is not a valid Color; the values are"):
        from_config({"_target_": "fixtures.basic.Color", "_args_": ["purple"]})
    assert not marker.exists()


def test_reading_imports_no_target_it_may_not_run(marker: pathlib.Path) -> None:
    sys.modules.pop("fixtures.noisy", None)
    vars(sys.modules["fixtures"]).pop("noisy", None)  # else an import would find it there
    cfg = {"_target_": "fixtures.noisy.target", "x": 1}
    node = from_config(cfg, resolve_targets=False)
    assert node._lazy_target == "fixtures.noisy.target"
    with pytest.raises(ConfigError, match=r"not in the allow-list \['fixtures.depth'\]"):
        from_config(cfg, allow=["fixtures.depth"])
    with pytest.raises(ConfigError, match=r"os\.system\W.*block"):
        from_config({"_target_": "os.system", "_args_": ["touch x"]})
    with pytest.raises(ConfigError, match=r"subprocess\.Popen\W.*block"):
        from_config({"_target_": "hydra.utils.get_class", "path": "subprocess.Popen"})
    assert "fixtures.noisy" not in sys.modules and not marker.exists()
    assert from_config(cfg)._lazy_target.__name__ == "target"  # asked for: imported
    assert marker.read_text() == "imported fixtures.noisy"


def reference_repr(value: Any) -> str:
    """A node's repr as first written: recursive, containers as Python prints them."""
    if isinstance(value, Lazy):
        parts = [reference_repr(a) for a in value._lazy_args]
        parts += [f"{k}={reference_repr(v)}" for k, v in value._lazy_kwargs.items()]
        head = "partial" if value._lazy_partial else "lazy"
        return f"{head}({target_name(value)})({', '.join(parts)})"
    if type(value) is list:
        return "[" + ", ".join(map(reference_repr, value)) + "]"
    if type(value) is tuple:
        return "(" + ", ".join(map(reference_repr, value)) + ("," if len(value) == 1 else "") + ")"
    if type(value) is dict:
        return "{" + ", ".join(f"{k!r}: {reference_repr(v)}" for k, v in value.items()) + "}"
    return repr(value)


@settings(max_examples=200)
@given(TREES)
def test_repr_is_the_recursive_repr(tree: Lazy[Any]) -> None:
    assert repr(tree) == reference_repr(tree)
    assert repr([tree, (tree,), {"k": tree}]) == reference_repr([tree, (tree,), {"k": tree}])


def test_a_hydra_apps_override_check_reads_without_running(tmp_path: pathlib.Path) -> None:
    # The example app checks the composed config before its task; the override names an enum
    # shape whose _missing_ would write the marker if reading called it.
    root = pathlib.Path(__file__).resolve().parents[1]
    marker = tmp_path / "ran"
    env = {
        **os.environ,
        "LAZYCFG_TEST_MARKER": str(marker),
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root / "tests")]),
    }
    result = subprocess.run(
        [
            sys.executable,
            str(root / "examples" / "sklearn" / "train.py"),
            "+experiment=rf",
            "+model.extra={_target_:fixtures.depth.Noisy,_args_:[green]}",
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "model.extra: unexpected keyword argument" in result.stderr
    assert "nothing was built" in result.stderr
    assert not marker.exists()


def test_reading_a_deep_chain_spells_no_path_for_renames() -> None:
    """from_config asks the renames registry about every node; the node's path is spelled only
    when a rename applies (it once cost the depth at every node: quadratic)."""
    from lazycfg.emit import renames

    spelled: list[object] = []
    real = renames.apply_renames

    def spy(target: object, kwargs: dict[str, object], path: object = ()) -> dict[str, object]:
        spelled.append(path)
        return real(target, kwargs, path)

    renames.apply_renames = spy  # type: ignore[assignment]
    try:
        from_config(to_dict(chain(500)))
    finally:
        renames.apply_renames = real  # type: ignore[assignment]
    assert len(spelled) == 500 and all(callable(p) for p in spelled)
