"""LogConfig in real Hydra apps (subprocesses): single runs and a multirun."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fixtures.track import make_experiment

from lazycfg import fingerprint, flatten, unflatten
from lazycfg.callback import job_record
from lazycfg.hydra import write_json_atomically

APP = Path(__file__).resolve().parents[1] / "fixtures" / "track_app.py"


def run_app(*overrides: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(APP), *overrides], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def read_record(job_dir: Path) -> dict[str, Any]:
    return json.loads((job_dir / "lazycfg.json").read_text())


def test_single_run_logs_the_full_flat_config(tmp_path: Path) -> None:
    out = run_app(f"hydra.run.dir={tmp_path / 'run'}", "model.n_estimators=5", cwd=tmp_path)
    record = read_record(tmp_path / "run")
    expected = flatten(make_experiment(5), full=True)
    assert record["config"] == expected
    assert record["config"]["model.criterion"] == "gini"  # a default nobody wrote down
    assert record["full"] is True
    assert record["fingerprint"] == fingerprint(make_experiment(5))
    assert record["full_fingerprint"] == fingerprint(make_experiment(5), full=True)
    # The app's own fingerprint of its config is the logged one.
    assert f"fingerprint {record['fingerprint']}" in out
    assert unflatten(record["config"])["model"]["n_estimators"] == 5


def test_multirun_logs_each_job(tmp_path: Path) -> None:
    run_app("-m", f"hydra.sweep.dir={tmp_path / 'sweep'}", "model.n_estimators=1,2", cwd=tmp_path)
    records = [read_record(tmp_path / "sweep" / str(i)) for i in range(2)]
    assert [r["config"]["model.n_estimators"] for r in records] == [1, 2]
    assert [r["fingerprint"] for r in records] == [
        fingerprint(make_experiment(1)),
        fingerprint(make_experiment(2)),
    ]
    assert records[0]["fingerprint"] != records[1]["fingerprint"]


def test_unimportable_targets_fall_back_to_the_config_as_given(tmp_path: Path) -> None:
    run_app(f"hydra.run.dir={tmp_path / 'run'}", "model._target_=nowhere.Model", cwd=tmp_path)
    record = read_record(tmp_path / "run")
    assert record["full"] is False
    assert "nowhere.Model" in record["reason"]
    assert record["config"]["model._target_"] == "nowhere.Model"
    assert "model.criterion" not in record["config"]


def test_job_record_of_a_plain_config() -> None:
    record = job_record({"lr": 0.1, "layers": [1, 2]}, full=True)
    assert record["config"] == {"lr": 0.1, "layers.0": 1, "layers.1": 2}
    assert record["fingerprint"] == fingerprint({"layers": [1, 2], "lr": 0.1})


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("cannot show this")


def test_json_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out" / "lazycfg.json"
    write_json_atomically(target, {"a": 1})
    with pytest.raises(RuntimeError, match="cannot show this"):
        write_json_atomically(target, {"b": list(range(10_000)), "c": Unprintable()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in target.parent.iterdir()] == ["lazycfg.json"]


# --- the task's own flatten/fingerprint agree with the callback's record -------------------------

VALUES_APP = Path(__file__).resolve().parents[1] / "fixtures" / "values_app.py"


def test_the_task_logs_what_the_callback_logs_interpolations_resolved(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(VALUES_APP), "trainer.seed=7", f"hydra.run.dir={tmp_path}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    record = read_record(tmp_path)
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["fingerprint"].split() == [record["fingerprint"], record["full_fingerprint"]]
    flat = json.loads(lines["flat"])
    assert flat == record["config"]
    assert flat["data.seed"] == 7  # `${..trainer.seed}`, resolved on both sides
    # A partial target's defaults are on record: the optimizer's betas and eps.
    assert flat["optimizer.betas.0"] == 0.9 and flat["optimizer.eps"] == 1e-8


def test_flatten_and_fingerprint_of_a_dictconfig_equal_the_job_record() -> None:
    from omegaconf import OmegaConf

    cfg = OmegaConf.create(
        {
            "trainer": {"_target_": "fixtures.values.Trainer", "seed": 5},
            "data": {"seed": "${..trainer.seed}", "path": "${oc.env:HOME}"},
        }
    )
    record = job_record(cfg)
    assert flatten(cfg, full=True) == record["config"]
    assert fingerprint(cfg) == record["fingerprint"]
    assert fingerprint(cfg, full=True) == record["full_fingerprint"]
    assert flatten(cfg)["data.seed"] == 5
    assert flatten(cfg, resolve=False)["data.seed"] == "${..trainer.seed}"
    # One interpolation only the task can resolve: both sides keep them all as written.
    later = OmegaConf.create({"a": 1, "b": "${a}", "c": "${task_only:1}"})
    assert (
        flatten(later)
        == job_record(later)["config"]
        == {"a": 1, "b": "${a}", "c": "${task_only:1}"}
    )


def test_full_includes_the_defaults_of_a_partial_torch_optimizer() -> None:
    from torch.optim import AdamW

    from lazycfg import partial

    flat = flatten({"optimizer": partial(AdamW)(lr=1e-3)}, full=True)
    assert flat["optimizer.betas.0"] == 0.9 and flat["optimizer.betas.1"] == 0.999
    assert flat["optimizer.eps"] == 1e-8 and "optimizer.params" not in flat
