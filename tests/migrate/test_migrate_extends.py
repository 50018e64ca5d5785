"""Configs that extend a sibling through their defaults list are written as a call of it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fixtures.migrate import write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg.migrate import extend, migrate

PRIMARY = "defaults:\n  - opt: adam\n  - _self_\nseed: 1\n"
BASE = """
# the shared settings
name: adam
lr: 0.001
betas: [0.9, 0.999]
schedule:
  kind: cosine
  warmup: 500
scale: ${seed}
"""


def converted(tmp_path: Path, files: dict[str, str], options: list[str]) -> tuple[set[str], str]:
    """Migrate the tree (one override set per option of ``opt``): the checks made, opt.py."""
    tree = write_tree(tmp_path / "conf", {"config.yaml": PRIMARY, **files})
    result = migrate(tree, tmp_path / "out", overrides=[[f"opt={o}"] for o in options])
    assert result.ok, result.report()
    assert result.verification is not None
    checks = {c.what for c in result.verification.checks}
    return checks, (tmp_path / "out" / "opt.py").read_text()


def test_a_sibling_with_a_few_changes_is_a_call_of_it(tmp_path: Path) -> None:
    files = {
        "opt/adam.yaml": BASE,
        "opt/fast.yaml": "defaults:\n  - adam\n  - _self_\nlr: 0.01  # ten times\nname: adam\n",
        "opt/warm.yaml": "# a longer warmup\ndefaults:\n  - /opt/adam@_here_\nschedule:\n"
        "  warmup: 2000\n",
        "opt/slow.yaml": "defaults:\n  - adam\nlr: 0.0001\n",
        # An absolute entry without @_here_ puts adam at opt.opt: no call of it says that.
        "opt/nested.yaml": "defaults:\n  - /opt/adam\nlr: 0.1\n",
    }
    checks, source = converted(tmp_path, files, ["fast", "warm", "slow", "nested"])
    # Top-level changes: the base's entries spread, then what the file states (all of it).
    assert 'fast = {\n    **adam,\n    "lr": 0.01,  # ten times\n    "name": "adam",\n}' in source
    assert 'store({**adam, "lr": 0.0001}, name="slow", group="opt", defer=True)' in source
    # A nested change: a copy of the base, changed where the file says.
    assert '# a longer warmup\nwarm = deepcopy(adam)\nwarm["schedule"]["warmup"] = 2000\n' in source
    assert "from copy import deepcopy" in source
    assert source.count("defaults") == 1  # the defaults lists became calls; nested's stays
    assert 'store({"defaults": ["/opt/adam"], "lr": 0.1}, name="nested"' in source
    # Each is checked loaded (as the merge Hydra makes) and composed alone, on both sides.
    assert {"compose opt/fast", "compose opt/warm", "load opt/warm"} <= checks
    assert "compose opt/nested" not in checks


def test_self_first_lets_the_base_win(tmp_path: Path) -> None:
    files = {
        "opt/adam.yaml": BASE,
        "opt/extra.yaml": "defaults:\n  - _self_\n  - adam\nlr: 0.5\nmomentum: 0.9\n",
    }
    _, source = converted(tmp_path, files, ["extra"])
    assert 'store({**adam, "momentum": 0.9}, name="extra", group="opt", defer=True)' in source
    assert "0.5" not in source  # Hydra merges the base over it: the file's lr never shows


def test_lists_are_replaced_and_interpolations_kept(tmp_path: Path) -> None:
    files = {
        "opt/adam.yaml": BASE,
        "opt/betas.yaml": "defaults:\n  - adam\nbetas: [0.5]\nscale: ${seed}\n",
    }
    _, source = converted(tmp_path, files, ["betas"])
    assert '{**adam, "betas": [0.5], "scale": "${seed}"}' in source


def test_a_shared_package_header_is_kept_and_a_different_one_stays_literal(
    tmp_path: Path,
) -> None:
    files = {
        "opt/adam.yaml": "# @package _global_\n" + BASE,
        "opt/glob.yaml": "# @package _global_\ndefaults:\n  - adam\nlr: 0.2\n",
        "opt/local.yaml": "defaults:\n  - adam\nlr: 0.3\n",  # adam lands at the root, not here
    }
    _, source = converted(tmp_path, files, ["glob", "local"])
    assert 'store({**adam, "lr": 0.2}, name="glob", group="opt", package="_global_"' in source
    assert '"defaults": ["adam"], "lr": 0.3' in source


def test_another_target_is_not_a_call_of_the_base(tmp_path: Path) -> None:
    files = {
        "opt/adam.yaml": "_target_: a.Adam\nlr: 0.1\n",
        "opt/sgd.yaml": "defaults:\n  - adam\n_target_: a.SGD\n",
    }
    _, source = converted(tmp_path, files, ["sgd"])
    assert 'store({"_target_": "a.SGD"}, name="sgd", group="opt", defaults=["adam"]' in source


def test_a_call_the_check_cannot_prove_is_written_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge that is not Hydra's (here a wrong one, on purpose) loads as planned, but the
    config composed alone differs from the original: the second pass writes it as it was."""
    right = extend.merged

    def wrong(base: object, own: object, self_first: bool) -> object:
        merged = right(base, own, self_first)
        return {**merged, "lr": 7} if isinstance(merged, dict) else merged

    monkeypatch.setattr(extend, "merged", wrong)
    files = {"opt/adam.yaml": BASE, "opt/fast.yaml": "defaults:\n  - adam\nlr: 0.01\n"}
    checks, source = converted(tmp_path, files, ["fast"])
    assert '"defaults": ["adam"], "lr": 0.01' in source and "**adam" not in source
    assert "compose opt/fast" not in checks  # the literal config needs no second proof


def test_the_extended_rows_take_fewer_lines_than_the_yaml(tmp_path: Path) -> None:
    rows = {f"opt/r{i}.yaml": f"defaults:\n  - adam\n  - _self_\n\nlr: 0.0{i}\n" for i in range(4)}
    tree = write_tree(tmp_path / "conf", {"config.yaml": PRIMARY, "opt/adam.yaml": BASE, **rows})
    result = migrate(tree, tmp_path / "out")
    assert result.ok, result.report()
    yaml_lines = sum(len(p.read_text().splitlines()) for p in (tree / "opt").iterdir())
    source = (tmp_path / "out" / "opt.py").read_text()
    assert len(source.splitlines()) <= yaml_lines * 0.75, source


scalars = st.one_of(
    st.integers(-3, 3), st.booleans(), st.none(), st.sampled_from(["a", "${seed}", "???"])
)
keys = st.sampled_from(["k1", "k2", "k3", "k4"])
values = st.one_of(
    scalars, st.lists(scalars, max_size=2), st.dictionaries(keys, scalars, max_size=3)
)
bodies = st.dictionaries(keys, values, max_size=4)
orders = st.sampled_from([["base"], ["base", "_self_"], ["_self_", "base"]])


@settings(max_examples=6, deadline=None)
@given(
    base=bodies,
    children=st.lists(st.tuples(orders, bodies), min_size=1, max_size=3),
    group=st.sampled_from(["opt", "model"]),
)
def test_extensions_of_any_shape_check_equal(
    tmp_path_factory: pytest.TempPathFactory, base: dict, children: list, group: str
) -> None:
    """Whatever the bodies (dicts onto scalars, lists, ``???``, interpolations), the place of
    ``_self_`` and the base's group (a sibling, or ``/model/base@_here_`` imported), the package
    is never different: calls of the base, or written as they were."""
    tmp = tmp_path_factory.mktemp("extends")
    files = {f"{group}/base.yaml": yaml.safe_dump(base)}
    named = "base" if group == "opt" else "/model/base@_here_"
    for i, (order, body) in enumerate(children):
        order = [named if d == "base" else d for d in order]
        files[f"opt/c{i}.yaml"] = yaml.safe_dump({"defaults": order, **body})
    tree = write_tree(tmp / "conf", {"config.yaml": PRIMARY.replace("adam", "c0"), **files})
    options = [f"c{i}" for i in range(len(children))]
    result = migrate(tree, tmp / "out", overrides=[[f"opt={o}"] for o in options])
    assert result.verification is not None
    # Never different; not verified only where Hydra cannot compose the original (a dict
    # merged onto a list, say), which the report says.
    assert not [c for c in result.verification.checks if c.differences], result.report()
    for check in result.verification.failed:
        assert "on the original" in check.unverified, result.report()


LAZYCFG = str(Path(sys.executable).parent / "lazycfg")
GROUPS = "defaults:\n  - model: base\n  - experiment: a\n  - _self_\nseed: 1\n"
MODEL = "# the model\nhidden: 64\nlayers: [1, 2]\nopt:\n  lr: 0.1\n  wd: 0.0\n"


def test_a_config_of_another_group_is_imported_and_called(tmp_path: Path) -> None:
    """``/model/base@_here_`` in group experiment: the base imported from model.py, copied and
    changed where the file says; checked loaded and composed alone, by the console script."""
    files = {
        "config.yaml": GROUPS,
        "model/base.yaml": MODEL,
        "experiment/a.yaml": "defaults:\n  - /model/base@_here_\n  - _self_\n"
        "hidden: 128  # wider\nopt:\n  lr: 0.01\n",
        "experiment/b.yaml": "defaults:\n  - /model/base@_here_\nhidden: 32\n",
    }
    write_tree(tmp_path / "conf", files)
    argv = [LAZYCFG, "migrate", "conf", "-o", "out", "--override", "experiment=b"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    # 4 files loaded, the primary composed twice, a and b composed alone: all equal.
    assert "Check: 8 of 8 equal" in done.stdout, done.stdout
    source = (tmp_path / "out" / "experiment.py").read_text()
    assert "\nfrom .model import base\n" in source
    assert 'a = deepcopy(base)\na["hidden"] = 128  # wider\na["opt"]["lr"] = 0.01\n' in source
    assert 'store({**base, "hidden": 32}, name="b", group="experiment", defer=True)' in source
    assert "defaults" not in source
    assert "\nbase = {\n" in (tmp_path / "out" / "model.py").read_text()  # a variable to import


def test_a_factory_of_another_group_is_called(tmp_path: Path) -> None:
    files = {
        "config.yaml": GROUPS.replace("experiment: a", "experiment: big"),
        "model/base.yaml": "net:\n  _target_: fixtures.migrate.Mlp\n  hidden: 8\nlr: 0.1\n",
        "experiment/big.yaml": "defaults:\n  - /model/base@_here_\n  - _self_\nlr: 0.5\n",
    }
    tree = write_tree(tmp_path / "conf", files)
    result = migrate(tree, tmp_path / "out")
    assert result.ok, result.report()
    source = (tmp_path / "out" / "experiment.py").read_text()
    assert "from .model import base\n" in source and "**base()" in source, source


def test_imports_that_would_close_a_cycle_stay_literal(tmp_path: Path) -> None:
    """a/x extends b's base and b/y extends a's: a.py imports b.py, so b/y, whose import of
    a.py would close the cycle, keeps its defaults list; the package imports and checks."""
    files = {
        "config.yaml": "defaults:\n  - a: x\n  - b: y\n",
        "a/base.yaml": "k: 1\nm: 2\n",
        "b/base.yaml": "k: 3\nn: 4\n",
        "a/x.yaml": "defaults:\n  - /b/base@_here_\n  - _self_\nk: 5\n",
        "b/y.yaml": "defaults:\n  - /a/base@_here_\n  - _self_\nk: 6\n",
    }
    tree = write_tree(tmp_path / "conf", files)
    result = migrate(tree, tmp_path / "out")
    assert result.ok, result.report()
    a, b = ((tmp_path / "out" / f"{g}.py").read_text() for g in "ab")
    # a.py has a base of its own: b's is imported under another name.
    assert "from .b import base as base_b\n" in a
    assert 'store({**base_b, "k": 5}, name="x", group="a", defer=True)' in a
    assert "from .a" not in b and '"defaults": ["/a/base@_here_", "_self_"], "k": 6' in b


def test_a_second_pass_takes_no_import_the_first_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a/x's call fails its check and is written literally, b/y (refused for the cycle
    a/x's import made) stays literal too: the second pass writes nothing left unchecked."""
    right = extend.merged

    def wrong(base: object, own: object, self_first: bool) -> object:
        merged = right(base, own, self_first)
        return {**merged, "k": 7} if isinstance(merged, dict) else merged

    monkeypatch.setattr(extend, "merged", wrong)
    files = {
        "config.yaml": "defaults:\n  - a: x\n  - b: y\n",
        "a/base.yaml": "k: 1\n",
        "b/base.yaml": "k: 3\n",
        "a/x.yaml": "defaults:\n  - /b/base@_here_\n  - _self_\nk: 5\n",
        "b/y.yaml": "defaults:\n  - /a/base@_here_\n  - _self_\nk: 6\n",
    }
    result = migrate(write_tree(tmp_path / "conf", files), tmp_path / "out")
    assert result.ok, result.report()
    for group in "ab":
        source = (tmp_path / "out" / f"{group}.py").read_text()
        assert "from ." not in source and '"defaults": [' in source, source


def test_another_group_lands_elsewhere_without_here_and_stays_literal(tmp_path: Path) -> None:
    """Without ``@_here_``, ``../model/top`` (``# @package _global_``) lands at the root: where
    the config's own entries go only when it is ``_global_`` too; only then is it a call."""
    glob = "# @package _global_\n"
    files = {
        "config.yaml": GROUPS.replace("experiment: a", "experiment: half"),
        "model/base.yaml": MODEL,
        "model/top.yaml": glob + "lr: 0.1\nwd: 0.0\n",
        "experiment/half.yaml": "defaults:\n  - ../model/top\n  - _self_\nlr: 0.2\n",
        "experiment/top.yaml": glob + "defaults:\n  - ../model/top\n  - _self_\nlr: 0.3\n",
    }
    tree = write_tree(tmp_path / "conf", files)
    result = migrate(tree, tmp_path / "out", overrides=[["experiment=top"]])
    assert result.ok, result.report()
    source = (tmp_path / "out" / "experiment.py").read_text()
    assert '{"defaults": ["/model/top", "_self_"], "lr": 0.2}' in source  # as Hydra reads it
    # experiment has a top of its own: model's is imported under another name.
    assert "from .model import top as top_model\n" in source
    assert 'store({**top_model, "lr": 0.3}, name="top", group="experiment", package=' in source
