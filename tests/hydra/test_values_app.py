"""A real Hydra app (tests/fixtures/values_app.py) as a subprocess: item checks, messages,
class paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).resolve().parents[1] / "fixtures" / "values_app.py"


def run(tmp_path: Path, *overrides: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(APP), *overrides, f"hydra.run.dir={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode == 0) is ok, result.stderr
    return result


def test_a_numeric_string_in_a_list_override_is_refused_with_the_item_path(
    tmp_path: Path,
) -> None:
    err = run(tmp_path, "model.hidden=[64,'64']", ok=False).stderr
    assert "model.hidden[1]: expected int, got str '64'" in err
    assert "[from override \"model.hidden=[64,'64']\"]" in err
    assert "Traceback" not in err
    assert "hidden [64, 32]" in run(tmp_path, "model.hidden=[64,32]").stdout


def test_a_parameter_missing_from_the_config_is_added_with_plus(tmp_path: Path) -> None:
    err = run(tmp_path, "optimizer.betas=[0.8,0.9]", ok=False).stderr
    assert "did you mean 'betas'" not in err
    assert (
        "optimizer.betas: 'betas' is a parameter of fixtures.values.Opt "
        "(tuple[float, float]) but not in the config; add it with '+optimizer.betas=[0.8,0.9]'"
    ) in err
    assert "betas [0.8, 0.9]" in run(tmp_path, "+optimizer.betas=[0.8,0.9]").stdout


def test_a_group_choice_is_never_explained_as_a_missing_key(tmp_path: Path) -> None:
    train = ROOT / "examples" / "torch" / "train.py"
    result = subprocess.run(
        [
            sys.executable,
            str(train),
            "experiment=large",
            "model.hidden=[64,'64']",
            "model.widht=3",
            f"hydra.run.dir={tmp_path}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "no key 'experiment'" not in result.stderr
    assert "model.widht: 'model' (tinymlp.MLP) has no parameter 'widht'" in result.stderr


def test_a_class_parameter_takes_a_dotted_class_path(tmp_path: Path) -> None:
    assert "activation Tanh" in run(tmp_path, "model.activation=fixtures.values.Tanh").stdout
    err = run(tmp_path, "model.activation=fixtures.values.NotAnActivation", ok=False).stderr
    assert "model.activation: expected type[" in err and "Activation]" in err
    err = run(tmp_path, "model.activation=fixtures.values.Tahn", ok=False).stderr
    assert "model.activation" in err and "Tahn" in err and "Traceback" not in err
    # A blocked name is refused before it is imported.
    err = run(tmp_path, "model.activation=os.system", ok=False).stderr
    assert "is blocklisted" in err
