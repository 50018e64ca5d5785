"""Renamed and removed arguments: old configs load with a warning naming the new argument."""

from __future__ import annotations

import gc
import subprocess
import sys
import warnings
import weakref
from pathlib import Path

import fixtures.values as vt
import pytest

from lazycfg import ConfigError, RenameWarning, from_config, removed, renamed, to_dict
from lazycfg.emit import apply_renames, new_name

APP = Path(__file__).resolve().parents[1] / "fixtures" / "values_app.py"
OLD = {"_target_": "fixtures.values.Net", "hidden": [4], "dropout": 0.25}


def test_an_old_config_loads_under_the_new_name_with_a_warning() -> None:
    with pytest.warns(RenameWarning) as caught:
        node = from_config({"model": OLD})["model"]
    assert node.p_drop == 0.25 and "dropout" not in node._lazy_kwargs
    assert str(caught[0].message) == (
        "model.dropout: fixtures.values.Net renamed 'dropout' to 'p_drop'; read as 'p_drop' "
        "(write 'p_drop' in the config)"
    )
    assert to_dict(node)["p_drop"] == 0.25  # saved again, the config says the new name


def test_a_removed_argument_is_dropped_with_a_warning() -> None:
    with pytest.warns(RenameWarning) as caught:
        node = from_config({"m": {**OLD, "momentum": 0.9}})["m"]
    assert "momentum" not in node._lazy_kwargs
    assert str(caught[1].message) == (
        "m.momentum: fixtures.values.Net no longer takes 'momentum'; 0.9 is ignored"
    )


def test_both_names_at_once_is_an_error_naming_the_one_to_keep() -> None:
    with pytest.raises(ConfigError, match="m.dropout: given with its new name 'p_drop' too"):
        from_config({"m": {**OLD, "p_drop": 0.1}})


def test_apply_renames_is_pure_and_returns_its_input_when_nothing_applies() -> None:
    given = {"hidden": [4], "dropout": 0.5}
    with pytest.warns(RenameWarning):
        out = apply_renames(vt.Net, given, ("model",))
    assert out == {"hidden": [4], "p_drop": 0.5}
    assert given == {"hidden": [4], "dropout": 0.5}
    plain = {"hidden": [4]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert apply_renames(vt.Net, plain, ("model",)) is plain
        assert apply_renames(vt.Opt, {"dropout": 1}, "opt") == {"dropout": 1}


def test_declarations_are_checked_and_chains_followed() -> None:
    def step(a: int = 0, c: int = 0) -> None:
        return None

    with pytest.raises(ConfigError, match="'x' is not a parameter"):
        renamed(step, old="x")
    with pytest.raises(ConfigError, match="'a' is still a parameter"):
        renamed(step, a="c")
    renamed(step, b="a")
    renamed(step, older="b")
    assert new_name(step, "older") == "a"
    with pytest.warns(RenameWarning):
        assert apply_renames(step, {"older": 1}, ()) == {"a": 1}


def test_a_subclass_keeps_its_bases_renames() -> None:
    class Wider(vt.Net):
        pass

    with pytest.warns(RenameWarning):
        assert apply_renames(Wider, {"dropout": 0.1}, ()) == {"p_drop": 0.1}


def test_the_registry_keeps_no_target_alive() -> None:
    def make() -> weakref.ref[type]:
        class Gone:
            def __init__(self, new: int = 0) -> None:
                self.new = new

        removed(renamed(Gone, old="new"), "older")
        assert new_name(Gone, "old") == "new"  # registered under the class itself
        return weakref.ref(Gone)

    gone = make()
    gc.collect()
    assert gone() is None  # nothing, the registry included, keeps the class alive


def run(tmp_path: Path, *overrides: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(APP), *overrides, f"hydra.run.dir={tmp_path}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode == 0) is ok, result.stderr
    return result


def test_an_old_run_config_runs_in_the_app_with_a_warning(tmp_path: Path) -> None:
    result = run(tmp_path, "--config-name", "old", "model.dropout=0.5")
    assert "p_drop 0.5" in result.stdout
    assert "renamed 'dropout' to 'p_drop'" in result.stderr
    assert "no longer takes 'momentum'" in result.stderr


def test_the_old_name_in_an_override_names_the_new_one(tmp_path: Path) -> None:
    err = run(tmp_path, "model.dropout=0.5", ok=False).stderr
    assert (
        "model.dropout: fixtures.values.Net renamed 'dropout' to 'p_drop'; override model.p_drop"
        in err
    )
    assert "p_drop 0.5" in run(tmp_path, "+model.dropout=0.5").stdout


def test_instantiate_builds_an_old_config_under_the_new_name() -> None:
    from hydra.errors import InstantiationException
    from omegaconf import OmegaConf

    from lazycfg import instantiate

    for config in ({"model": OLD}, OmegaConf.create({"model": OLD})):
        with pytest.warns(RenameWarning, match="model.dropout: .* renamed 'dropout' to 'p_drop'"):
            built = instantiate(config)["model"]
        assert isinstance(built, vt.Net) and built.p_drop == 0.25
    with pytest.warns(RenameWarning) as caught:
        assert instantiate({**OLD, "momentum": 0.9}).p_drop == 0.25
    assert [str(w.message).split(":")[0] for w in caught] == ["dropout", "momentum"]
    # both names at once is reported with the tree's other problems, and nothing is built
    both = {"a": {**OLD, "p_drop": 0.1}, "b": {"_target_": "fixtures.values.Net", "widht": 1}}
    with pytest.raises(InstantiationException) as info:
        instantiate(both)
    assert "a.dropout: given with its new name 'p_drop' too" in str(info.value)
    assert "widht" in str(info.value)
