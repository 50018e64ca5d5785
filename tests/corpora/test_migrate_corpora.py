"""The real corpora beside the repository (``../shared/corpora``): run by ``make corpora``.

Not part of ``make test``, which passes on a fresh clone with nothing beside it. Here a
missing corpus is a failure, never a skip: ``LAZYCFG_CORPORA`` names another location.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from fixtures.migrate import typed
from omegaconf._utils import get_yaml_loader

from lazycfg.migrate import migrate, read_yaml

REPO = Path(__file__).resolve().parents[2]
CORPORA = Path(os.environ.get("LAZYCFG_CORPORA", REPO.parent / "shared" / "corpora"))
CORPUS = CORPORA / "lightning-hydra-template" / "configs"
# The compositions its SOURCE.md names (primary `train` unless prefixed).
CORPUS_OVERRIDES = [
    ["experiment=example"],
    ["debug=default"],
    ["debug=fdr"],
    ["debug=limit"],
    ["debug=overfit"],
    ["debug=profiler"],
    ["logger=many_loggers"],
    ["hparams_search=mnist_optuna", "experiment=example"],
    ["trainer=ddp"],
    ["ckpt_path=x"],
]


@pytest.fixture(autouse=True, scope="module")
def corpus_present() -> None:
    assert CORPUS.is_dir(), f"the corpus is missing: {CORPUS} (set LAZYCFG_CORPORA)"


def test_corpus_converts_and_checks_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROJECT_ROOT", str(tmp_path))
    result = migrate(CORPUS, tmp_path / "lht", overrides=CORPUS_OVERRIDES)
    assert result.ok, result.report()
    checks = {c.what: c for c in result.verification.checks}  # type: ignore[union-attr]
    assert len([w for w in checks if w.startswith("load ")]) == 34
    composed = [c for w, c in checks.items() if w.startswith("compose") and not c.note]
    assert {c.what for c in composed} >= {
        "compose train experiment=example",
        "compose train hparams_search=mnist_optuna experiment=example",
        "compose eval ckpt_path=x",
        "compose train debug=profiler",
    }
    model = (tmp_path / "lht" / "model.py").read_text()
    assert "partial(Adam)(lr=0.001, weight_decay=0.0)" in model
    assert '"_target_": "src.models.mnist_module.MNISTLitModule"' in model
    assert "# compile model for faster training with pytorch 2.0" in model
    train = (tmp_path / "lht" / "__init__.py").read_text()
    assert '{"optional local": "default"}' in train and 'package="_global_"' in train
    assert any(k.target == "src.data.mnist_datamodule.MNISTDataModule" for _, k in result.kept)


def test_corpus_files_read_as_omegaconf_reads_them() -> None:
    files = sorted(CORPUS.rglob("*.yaml"))
    assert len(files) > 30
    for path in files:
        reference = yaml.load(path.read_text(), Loader=get_yaml_loader())
        assert typed(read_yaml(path).data) == typed(reference), path
