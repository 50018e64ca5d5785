"""check_config and explain_refused, in process (the subprocess runs are in test_app.py)."""

from __future__ import annotations

import pickle
from pathlib import Path

import cloudpickle
import pytest
from hydra.errors import CompactHydraException
from omegaconf import OmegaConf

from lazycfg import ConfigError
from lazycfg.app import OverrideError, check_config
from lazycfg.hydra import explain_refused

MODEL = "fixtures.store.Model"
UNTYPED = "fixtures.store.Untyped"


def check(data: dict[str, object], overrides: list[str] | None = None) -> OverrideError:
    with pytest.raises(OverrideError) as info:
        check_config(OmegaConf.create(data), overrides)
    return info.value


def test_a_valid_config_passes_and_builds_nothing() -> None:
    check_config(OmegaConf.create({"model": {"_target_": MODEL, "width": 3}, "seed": 1}))


def test_wrong_type_names_key_expected_type_and_override() -> None:
    error = check({"model": {"_target_": MODEL, "width": "abc"}}, ["model.width=abc"])
    assert error.problems == [
        "model.width: expected int, got str 'abc'  [from override 'model.width=abc']"
    ]
    assert "nothing was built" in str(error) and "--cfg job" in str(error)


def test_unknown_key_gets_the_nearest_parameter() -> None:
    error = check({"model": {"_target_": MODEL, "widht": 3}}, ["+model.widht=3"])
    assert "model.widht: unexpected keyword argument (did you mean 'width'?)" in str(error)
    assert "[from override '+model.widht=3']" in str(error)


def test_every_problem_is_reported_at_once() -> None:
    error = check({"a": {"_target_": MODEL, "depth": "x"}, "b": {"_target_": "fixtures.store.Nope"}})
    assert [p.split(":")[0] for p in error.problems] == ["a.depth", "b"]


def test_interpolations_are_resolved_then_checked() -> None:
    check_config(OmegaConf.create({"w": 3, "model": {"_target_": MODEL, "width": "${w}"}}))
    error = check({"w": "wide", "model": {"_target_": MODEL, "width": "${w}"}})
    assert error.problems[0].startswith("model.width: expected int")


def test_unannotated_numeric_default_refuses_a_string() -> None:
    error = check({"m": {"_target_": UNTYPED, "n_estimators": "abc"}})
    assert error.problems == [
        "m.n_estimators: expected a number (int, like its default 100), got str 'abc'"
    ]
    # A string default admits numbers and a None default says nothing: both are left alone.
    ok = {"_target_": UNTYPED, "n_estimators": 5, "max_features": 0.5, "max_depth": "deep"}
    check_config(OmegaConf.create({"m": ok}))


def test_the_error_is_compact_for_hydra_and_survives_pickling() -> None:
    error = check({"model": {"_target_": MODEL, "width": "abc"}})
    assert isinstance(error, CompactHydraException) and isinstance(error, ConfigError)
    for copy in (pickle.loads(pickle.dumps(error)), cloudpickle.loads(cloudpickle.dumps(error))):
        assert type(copy) is OverrideError
        assert str(copy) == str(error) and copy.problems == error.problems


def test_explain_refused_names_the_nearest_parameter_and_its_type(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(f"model:\n  _target_: {MODEL}\n  width: 3\nseed: 1\n")
    lines = explain_refused(
        str(tmp_path),
        "app",
        ["model.widht=5", "sed=2", "model.width=4", "+new=1", "model._args_=[1]"],
    )
    assert lines == [
        "model.widht: 'model' (fixtures.store.Model) has no parameter 'widht' "
        "(did you mean 'width': int?)  [from override 'model.widht=5']",
        "sed: the config has no key 'sed' (did you mean 'seed'?)  [from override 'sed=2']",
    ]


def test_an_interpolation_to_a_missing_key_names_the_key_and_the_nearest_one() -> None:
    override = "db.width=${model.widht}"
    error = check(
        {
            "model": {"_target_": MODEL, "width": 3},
            "db": {"_target_": MODEL, "width": "${model.widht}"},
        },
        [override],
    )
    assert error.problems == [
        "db.width: '${model.widht}' cannot be resolved: model.widht: 'model' "
        "(fixtures.store.Model) has no parameter 'widht' (did you mean 'width': int?)  "
        f"[from override {override!r}]"
    ]


def test_an_interpolation_only_the_task_can_resolve_is_accepted() -> None:
    # A resolver the task registers itself, before it reads the value.
    check_config(OmegaConf.create({"model": {"_target_": MODEL, "width": "${later:3}"}}))


def test_a_malformed_reserved_key_is_reported_not_raised() -> None:
    error = check({"model": {"_target_": MODEL, "_args_": 3}}, ["model._args_=3"])
    assert len(error.problems) == 1
    assert error.problems[0].startswith("model._args_: ")
    assert error.problems[0].endswith("[from override 'model._args_=3']")


def test_explain_refused_composes_from_the_config_store_without_a_config_dir() -> None:
    from hydra.core.config_store import ConfigStore

    repo = ConfigStore.instance().repo
    saved = dict(repo)
    try:
        ConfigStore.instance().store(
            name="store_only", node={"model": {"_target_": MODEL, "width": 3}}
        )
        lines = explain_refused(None, "store_only", ["model.widht=5", "model._args_=[1]"])
    finally:
        repo.clear()
        repo.update(saved)
    assert lines == [
        "model.widht: 'model' (fixtures.store.Model) has no parameter 'widht' "
        "(did you mean 'width': int?)  [from override 'model.widht=5']"
    ]


def test_class_paths_and_renamed_arguments_are_read_in_a_read_only_config() -> None:
    import warnings

    from lazycfg import RenameWarning

    cfg = OmegaConf.create(
        {
            "model": {
                "_target_": "fixtures.values.Net",
                "activation": "fixtures.values.Tanh",
                "dropout": "${rate}",
            },
            "rate": 0.5,
        }
    )
    OmegaConf.set_readonly(cfg, True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_config(cfg)
    assert [w.category for w in caught] == [RenameWarning]
    model = OmegaConf.to_container(cfg, resolve=False)["model"]  # type: ignore[index]
    assert model == {
        "_target_": "fixtures.values.Net",
        "activation": {"_target_": "hydra.utils.get_class", "path": "fixtures.values.Tanh"},
        "p_drop": "${rate}",  # the interpolation moves as written
    }
    assert OmegaConf.is_readonly(cfg)


def test_a_class_path_of_the_wrong_class_is_refused_by_type() -> None:
    error = check({"model": {"_target_": "fixtures.values.Net", "activation": "fixtures.values.Opt"}})
    assert error.problems[0].startswith("model.activation: expected type[")
