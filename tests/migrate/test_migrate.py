"""lazycfg migrate: the real corpus, the three dialects, differences found, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.migrate import CALLED, write_tree

from lazycfg.cli import main
from lazycfg.migrate import migrate, read_tree, verify

REPO = Path(__file__).resolve().parents[2]


def test_pyright_clean_where_targets_import(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "conf",
        {
            "config.yaml": """
            defaults:
              - model: small
              - _self_
            seed: 1
            """,
            "model/small.yaml": """
            _target_: fixtures.migrate.Net
            layers:
              - _target_: fixtures.migrate.Layer
                size: 8
            dropout: 0.5  # a little
            """,
        },
    )
    result = migrate(tree, tmp_path / "out")
    assert result.ok and not result.kept, result.report()
    source = (tmp_path / "out" / "model.py").read_text()
    assert "from fixtures.migrate import Layer, Net" in source
    assert "dropout=0.5,  # a little" in source
    config = tmp_path / "pyrightconfig.json"
    config.write_text(
        f'{{"include": ["out"], "extraPaths": ["{REPO / "src"}", "{REPO / "tests"}"], '
        f'"venvPath": "{REPO}", "venv": ".venv", "typeCheckingMode": "standard"}}'
    )
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pyright"), "-p", str(config)],
        capture_output=True,
        text=True,
    )
    assert "0 errors" in done.stdout, done.stdout
    assert CALLED == []  # targets imported to check them, never called


def test_custom_tags_and_includes(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "conf",
        {
            "experiments/rf.yaml": """
            model: !Load
              cls: fixtures.migrate.Net
              params:
                layers: [!Load {cls: fixtures.migrate.Layer, params: {size: 3}}]
            data:
              train: !Include ../data/train.yaml
            """,
            "data/train.yaml": """
            path: dataset.csv  # the raw file
            split: !Include nested/split.yaml
            """,
            "data/nested/split.yaml": "cutoff: '2022-01-01'\n",
        },
    )
    result = migrate(tree, tmp_path / "out")
    assert result.ok, result.report()
    source = (tmp_path / "out" / "experiments.py").read_text()
    assert "Net(layers=[Layer(size=3)])" in source
    assert '"cutoff": "2022-01-01"' in source and "# the raw file" in source


def test_jsonargparse_class_path(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "conf",
        {
            "fit.yaml": """
            seed_everything: 7
            model:
              class_path: fixtures.migrate.Net
              init_args:
                layers:
                  - class_path: fixtures.migrate.Layer
                    init_args: {size: 5, activation: tanh}
            trainer:
              max_epochs: 3
            """
        },
    )
    result = migrate(tree, tmp_path / "out", imports=False)
    assert result.ok, result.report()
    source = (tmp_path / "out" / "__init__.py").read_text()
    assert '"_target_": "fixtures.migrate.Net"' in source and "import Net" not in source
    assert "fixtures.migrate" not in sys.modules or CALLED == []


def test_check_reports_differences_by_path(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "conf",
        {"config.yaml": "defaults:\n  - db: a\n  - _self_\nx: 1\n", "db/a.yaml": "port: 1\n"},
    )
    migrate(tree, tmp_path / "out")
    module = tmp_path / "out" / "db.py"
    module.write_text(module.read_text().replace('"port": 1', '"port": 2'))
    result = verify(read_tree(tree), tree, tmp_path / "out", [])
    failed = {c.what: c.differences for c in result.failed}
    assert failed["load db/a"] == ["body.port: original 1 != converted 2"]
    assert failed["compose config"] == ["db.port: original 1 != converted 2"]


def test_cli_exit_status_and_override_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = write_tree(
        tmp_path / "conf",
        {
            "app.yaml": "defaults:\n  - opt: sgd\n  - _self_\nlr: ${opt.lr}\n",
            "opt/sgd.yaml": "# @package _group_\nlr: 0.1\n",
            "opt/adam.yaml": "lr: 0.001\nbetas: [0.9, 0.99]\n",
        },
    )
    code = main(["migrate", str(tree), "-o", str(tmp_path / "out"), "--override", "opt=adam lr=3"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "compose app opt=adam lr=3" not in out  # equal: not listed as different
    assert "Check: 5 of 5 equal" in out


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "conf", {"c.yaml": "a: 1\n"})
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "lazycfg"),
            "migrate",
            str(tree),
            "-o",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o" / "__init__.py").exists()
