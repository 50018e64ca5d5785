"""The example Hydra app (examples/sklearn/train.py) run as real subprocesses.

Real Hydra, real launchers (basic, joblib, submitit_local), real Optuna; every run writes under
pytest's tmp_path through hydra.run.dir / hydra.sweep.dir.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "examples" / "sklearn" / "train.py"


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(TRAIN), *args], cwd=ROOT, capture_output=True, text=True
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def job_config(job_dir: Path) -> dict[str, object]:
    return yaml.safe_load((job_dir / ".hydra" / "config.yaml").read_text())


def scores(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if ": accuracy " in line]


def test_rf_trains_and_prints_a_score(tmp_path: Path) -> None:
    out = run("+experiment=rf", f"hydra.run.dir={tmp_path}").stdout
    assert scores(out) == [
        "RandomForestClassifier: accuracy 0.760 on 125 test rows "
        "(trained on 275 rows before 2022-01-01)"
    ]
    assert job_config(tmp_path)["model"] == {
        "_target_": "sklearn.ensemble.RandomForestClassifier",
        "n_estimators": 200,
        "random_state": 666,
    }


def test_lr_trains_and_prints_a_score(tmp_path: Path) -> None:
    out = run("+experiment=lr", f"hydra.run.dir={tmp_path}").stdout
    assert len(scores(out)) == 1 and scores(out)[0].startswith("LogisticRegression: accuracy 0.")


def test_cfg_job_shows_targets_nobody_wrote() -> None:
    out = run("+experiment=rf", "model.n_estimators=10", "--cfg", "job").stdout
    assert yaml.safe_load(out) == {
        "model": {
            "_target_": "sklearn.ensemble.RandomForestClassifier",
            "n_estimators": 10,
            "random_state": 666,
        },
        "split": {"_target_": "timesplit.TimeSplit", "cutoff": "2022-01-01"},
    }


def test_no_experiment_says_how_to_choose_one(tmp_path: Path) -> None:
    result = run(f"hydra.run.dir={tmp_path}", ok=False)
    assert result.returncode != 0
    assert "Choose an experiment: +experiment=rf or +experiment=lr" in result.stderr


def check_sweep(sweep_dir: Path, values: list[float]) -> None:
    jobs = sorted(p for p in sweep_dir.iterdir() if p.is_dir() and p.name.isdigit())
    assert [job_config(j)["model"]["C"] for j in jobs] == values  # type: ignore[index]


def test_basic_sweep(tmp_path: Path) -> None:
    out = run("-m", "+experiment=lr", "model.C=0.1,1,10", f"hydra.sweep.dir={tmp_path}").stdout
    assert "Launching 3 jobs locally" in out and len(scores(out)) == 3
    check_sweep(tmp_path, [0.1, 1, 10])


def test_joblib_sweep(tmp_path: Path) -> None:
    args = ["-m", "+experiment=lr", "model.C=0.1,1,10", "hydra/launcher=joblib"]
    out = run(*args, "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path}").stdout
    assert "Joblib.Parallel" in out and len(scores(out)) == 3
    check_sweep(tmp_path, [0.1, 1, 10])


def test_submitit_local_sweep(tmp_path: Path) -> None:
    args = ["-m", "+experiment=lr", "model.C=0.1,10", "hydra/launcher=submitit_local"]
    run(*args, f"hydra.sweep.dir={tmp_path}")
    check_sweep(tmp_path, [0.1, 10])
    # Each job ran in its own submitit process; its stdout is in submitit's log files.
    logs = [p.read_text() for p in (tmp_path / ".submitit").glob("*/*_log.out")]
    assert len(logs) == 2 and all(len(scores(log)) == 1 for log in logs)


def test_optuna_sweep_maximizes_the_returned_score(tmp_path: Path) -> None:
    args = ["-m", "+experiment=lr_search", "hydra.sweeper.n_trials=3"]
    out = run(*args, f"hydra.sweep.dir={tmp_path}").stdout
    assert len(scores(out)) == 3
    results = yaml.safe_load((tmp_path / "optimization_results.yaml").read_text())
    best = max(float(line.split()[2]) for line in scores(out))
    assert results["best_value"] == best
    assert 0.001 <= results["best_params"]["model.C"] <= 10


def test_a_failing_job_is_reported_and_the_others_complete(tmp_path: Path) -> None:
    args = ["-m", "+experiment=lr", "model.C=0.01,abc,10", f"hydra.sweep.dir={tmp_path}"]
    result = run(*args, ok=False)
    assert result.returncode == 1
    assert len(scores(result.stdout)) == 2  # jobs 0 and 2
    assert "Error executing job with overrides: ['+experiment=lr', 'model.C=abc']" in result.stderr
    assert "model.C: expected a number (float, like its default 1.0), got str 'abc'" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert (tmp_path / "2" / ".hydra" / "config.yaml").exists()


def test_a_wrong_type_stops_before_anything_is_built(tmp_path: Path) -> None:
    result = run("+experiment=rf", "model.n_estimators=abc", f"hydra.run.dir={tmp_path}", ok=False)
    assert result.returncode == 1 and scores(result.stdout) == []
    assert (
        "model.n_estimators: expected a number (int, like its default 100), got str 'abc'  "
        "[from override 'model.n_estimators=abc']" in result.stderr
    )
    assert "Traceback" not in result.stderr and "InvalidParameterError" not in result.stderr


def test_a_misspelled_key_gets_the_nearest_name_and_its_type(tmp_path: Path) -> None:
    result = run("+experiment=rf", "model.n_estimatorz=5", f"hydra.run.dir={tmp_path}", ok=False)
    assert result.returncode == 1 and scores(result.stdout) == []
    assert "Could not override 'model.n_estimatorz'" in result.stderr  # Hydra's own words
    assert (
        "model.n_estimatorz: 'model' (sklearn.ensemble.RandomForestClassifier) has no parameter "
        "'n_estimatorz' (did you mean 'n_estimators': int, like its default 100?)" in result.stderr
    )


def test_hydra_override_grammar_keeps_working(tmp_path: Path) -> None:
    args = [
        "-m",
        "+experiment=rf",
        "model.n_estimators=choice(5,10)",
        "++model.max_depth=3",
        "~model.random_state",
        "+split.timestamp=timestamp",
        "split.cutoff=2022-02-01",
    ]
    out = run(*args, f"hydra.sweep.dir={tmp_path}").stdout
    assert len(scores(out)) == 2 and "before 2022-02-01" in out
    for job, n in [("0", 5), ("1", 10)]:
        cfg = job_config(tmp_path / job)
        assert cfg["model"] == {  # type: ignore[comparison-overlap]
            "_target_": "sklearn.ensemble.RandomForestClassifier",
            "n_estimators": n,
            "max_depth": 3,
        }


def test_checked_refuses_before_the_task_runs_and_passes_good_configs() -> None:
    import pytest
    from omegaconf import OmegaConf

    from lazycfg.app import OverrideError, checked

    calls: list[object] = []
    task = checked(calls.append)
    good = OmegaConf.create({"model": {"_target_": "fixtures.store.Model", "width": 3}})
    bad = OmegaConf.create({"model": {"_target_": "fixtures.store.Model", "width": "x"}})
    with pytest.raises(OverrideError, match="model.width: expected int"):
        task(bad)
    assert calls == []
    task(good)
    assert calls == [good]
    assert task.__wrapped__ == calls.append  # type: ignore[attr-defined]  # Hydra unwraps it


STORE_ONLY_APP = """
from lazycfg import store
from lazycfg.app import main
from fixtures.store import small

store(small, group="experiment", package="_global_")
store({"seed": 0}, name="train")


@main(version_base="1.3", config_path=None, config_name="train")
def train(cfg) -> None:
    print("width", cfg.model.width)


if __name__ == "__main__":
    train()
"""


def run_store_only_app(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A ConfigStore-only app (config_path=None), written next to its run directory."""
    app = tmp_path / "store_only_app.py"
    app.write_text(STORE_ONLY_APP)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    command = [sys.executable, str(app), *args, f"hydra.run.dir={tmp_path / 'run'}"]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env)


def test_store_only_app_runs_an_override(tmp_path: Path) -> None:
    result = run_store_only_app(tmp_path, "+experiment=small", "model.width=9")
    assert result.returncode == 0, result.stderr
    assert "width 9" in result.stdout


def test_an_override_interpolating_a_missing_key_is_a_checked_problem(tmp_path: Path) -> None:
    override = "db.port=${model.widht}"
    result = run_store_only_app(tmp_path, "+experiment=small", override)
    assert result.returncode == 1 and "width" not in result.stdout
    assert "does not fit its targets" in result.stderr
    assert (
        "db.port: '${model.widht}' cannot be resolved: model.widht: 'model' "
        "(fixtures.store.Model) has no parameter 'widht' (did you mean 'width': int?)  "
        f"[from override {override!r}]" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_malformed_reserved_key_override_is_a_checked_problem(tmp_path: Path) -> None:
    result = run_store_only_app(tmp_path, "+experiment=small", "+model._args_=3")
    assert result.returncode == 1 and "width" not in result.stdout
    assert "does not fit its targets" in result.stderr
    assert "model._args_" in result.stderr and "[from override '+model._args_=3']" in result.stderr
    assert "Traceback" not in result.stderr


def test_store_only_app_gets_the_nearest_name_for_a_key_hydra_refuses(tmp_path: Path) -> None:
    result = run_store_only_app(tmp_path, "+experiment=small", "model.widht=3")
    assert result.returncode == 1
    assert "Could not override 'model.widht'" in result.stderr  # Hydra's own words
    assert (
        "model.widht: 'model' (fixtures.store.Model) has no parameter 'widht' "
        "(did you mean 'width': int?)  [from override 'model.widht=3']" in result.stderr
    )
