"""The founding essay's examples as factories: they train, and build nothing before instantiate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lazycfg import instantiate, to_dict
from lazycfg.factory import factory_config, knob_paths

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed"
sys.path.insert(0, str(SEED))

from seed_data import Experiment, make_csv  # noqa: E402
from seed_experiments import lr, rf  # noqa: E402


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(make_csv(tmp_path_factory.mktemp("seed") / "dataset.csv"))


def test_logistic_regression_and_random_forest_train_on_the_time_split(csv: str) -> None:
    for experiment in (lr(path=csv), rf(n_estimators=20, path=csv)):
        built = instantiate(experiment)
        assert isinstance(built, Experiment)
        assert built.data.X_train.shape[0] > 0 and built.data.X_test.shape[0] > 0
        assert (built.data.X_train.index < built.data.X_test.index.min()).all()
        assert built.run() > 0.7


def test_the_rf_config_is_the_essays_yaml_in_plain_hydra(csv: str) -> None:
    assert to_dict(rf(path=csv)) == {
        "_target_": "seed_data.Experiment",
        "model": {
            "_target_": "sklearn.ensemble.RandomForestClassifier",
            "n_estimators": 3000,
            "random_state": 666,
        },
        "data": {"_target_": "seed_data.TimeSplit", "path": csv, "cutoff": "2022-01-01"},
    }
    assert knob_paths(rf) == {
        "n_estimators": "model.n_estimators",
        "cutoff": "data.cutoff",
        "path": "data.path",
    }


def test_the_torch_model_is_built_only_at_instantiate() -> None:
    import torch
    from seed_torch import CONSTRUCTED, MyModel, my_model

    CONSTRUCTED.clear()
    config = my_model(hidden=32)
    assert CONSTRUCTED == []  # defining the config allocated nothing
    assert to_dict(config) == {
        "_target_": "seed_torch.MyModel",
        "_args_": [1000, 16],
        "hidden_size": 32,
    }
    model = instantiate(config)
    assert CONSTRUCTED == ["MyModel"]
    assert isinstance(model, MyModel) and model(torch.zeros(2, 1000)).shape == (2, 16)


def test_a_hydra_app_override_of_a_knob_trains_what_the_call_would(csv: str) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(SEED / "train.py"),
            "+experiment=rf",
            "model.n_estimators=7",
            f"data.path={csv}",
            "hydra.run.dir=.",
            "hydra.output_subdir=null",
            "hydra/job_logging=disabled",
            "hydra/hydra_logging=disabled",
        ],
        capture_output=True,
        text=True,
        cwd=Path(csv).parent,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "n_estimators: 7" in out.stdout and "test accuracy: " in out.stdout
    expected = instantiate(rf(n_estimators=7, path=csv)).run()
    assert f"test accuracy: {expected:.3f}" in out.stdout
    stored = factory_config(rf)
    assert stored["model"]["n_estimators"] == 3000
