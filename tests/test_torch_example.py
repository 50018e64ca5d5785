"""examples/torch: the MLP project run as real Hydra apps (subprocesses, CPU, seconds each).

Needs torch (the ``torch`` extra). Every run writes under pytest's tmp_path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "examples" / "torch" / "train.py"


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(TRAIN), *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def epochs(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("epoch ")]


def accuracies(stdout: str) -> list[float]:
    return [float(line.split()[1]) for line in stdout.splitlines() if line.startswith("accuracy ")]


def test_a_single_run_trains_the_small_experiment(tmp_path: Path) -> None:
    out = run(f"hydra.run.dir={tmp_path}").stdout
    assert len(epochs(out)) == 5 and epochs(out)[-1].endswith("lr 0.00000")
    (accuracy,) = accuracies(out)
    assert accuracy > 0.9
    config = yaml.safe_load((tmp_path / ".hydra" / "config.yaml").read_text())
    assert config["optimizer"] == {
        "_target_": "torch.optim.AdamW",
        "_partial_": True,
        "lr": 0.01,
        "weight_decay": 0.01,
    }
    # The knob `epochs` lives at trainer.epochs (named like it); the scheduler links to it.
    assert config["trainer"]["epochs"] == 5
    assert config["scheduler"]["T_max"] == "${..trainer.epochs}"


def test_an_override_of_a_knob_reaches_every_use(tmp_path: Path) -> None:
    out = run("trainer.epochs=2", "optimizer.lr=0.02", f"hydra.run.dir={tmp_path}").stdout
    # Two epochs, and the cosine schedule reached zero at the second: T_max followed.
    assert [line.split()[1] for line in epochs(out)] == ["1/2", "2/2"]
    assert epochs(out)[-1].endswith("lr 0.00000")
    assert epochs(out)[0].endswith("lr 0.01000")  # 0.02 halfway down the cosine


def test_another_experiment_is_a_group_choice(tmp_path: Path) -> None:
    out = run("experiment=large", "trainer.epochs=3", f"hydra.run.dir={tmp_path}").stdout
    assert len(epochs(out)) == 3 and accuracies(out)[0] > 0.9
    config = yaml.safe_load((tmp_path / ".hydra" / "config.yaml").read_text())
    assert config["model"]["hidden"] == [128, "${.0}"]  # both layers follow model.hidden.0
    assert config["model"]["activation"] == {
        "_target_": "hydra.utils.get_class",
        "path": "torch.nn.GELU",
    }


def test_a_multirun_sweep_runs_each_job(tmp_path: Path) -> None:
    args = ["-m", "optimizer.lr=0.003,0.03", "trainer.epochs=2", f"hydra.sweep.dir={tmp_path}"]
    out = run(*args).stdout
    assert "Launching 2 jobs locally" in out and len(accuracies(out)) == 2
    lrs = [
        yaml.safe_load((tmp_path / job / ".hydra" / "config.yaml").read_text())["optimizer"]["lr"]
        for job in ("0", "1")
    ]
    assert lrs == [0.003, 0.03]


def test_overriding_a_linked_use_is_refused_naming_the_knobs_key(tmp_path: Path) -> None:
    result = run("scheduler.T_max=3", f"hydra.run.dir={tmp_path}", ok=False)
    assert result.returncode == 1 and epochs(result.stdout) == []
    assert (
        "scheduler.T_max: is knob 'epochs' of experiment/small, whose value lives at "
        "trainer.epochs; override trainer.epochs instead" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_wrong_type_is_refused_before_torch_builds_anything(tmp_path: Path) -> None:
    result = run("optimizer.lr=fast", f"hydra.run.dir={tmp_path}", ok=False)
    assert result.returncode == 1 and epochs(result.stdout) == []
    assert "optimizer.lr: expected float | torch.Tensor, got str 'fast'" in result.stderr
    assert "[from override 'optimizer.lr=fast']" in result.stderr


ZEN = ROOT / "examples" / "torch" / "zen_version.py"


def test_the_hydra_zen_version_trains_the_same_and_lets_a_link_be_cut(tmp_path: Path) -> None:
    """The comparison in docs/10_vs_hydra_zen.md, kept honest (hydra-zen is in the bench extra)."""
    command = [sys.executable, str(ZEN), f"hydra.run.dir={tmp_path}"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    ours = run(f"hydra.run.dir={tmp_path / 'ours'}").stdout
    assert accuracies(out.stdout) == accuracies(ours)  # same seeds, same objects, same result
    cut = subprocess.run([*command, "scheduler.T_max=3"], cwd=ROOT, capture_output=True, text=True)
    assert cut.returncode == 0 and len(epochs(cut.stdout)) == 5  # runs, schedule out of step


def test_a_joblib_worker_refuses_a_linked_override_too(tmp_path: Path) -> None:
    args = ["-m", "scheduler.T_max=3", "trainer.epochs=1", "hydra/launcher=joblib"]
    result = run(*args, f"hydra.sweep.dir={tmp_path}", ok=False)
    assert result.returncode == 1 and epochs(result.stdout) == []
    assert "override trainer.epochs instead" in result.stderr
