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

from lazycfg.migrate import Migration, migrate, read_yaml

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


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Migration]:
    """The corpus converted and checked once, for the tests below."""
    tmp_path = tmp_path_factory.mktemp("corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROJECT_ROOT", str(tmp_path))
        return tmp_path, migrate(CORPUS, tmp_path / "lht", overrides=CORPUS_OVERRIDES)


def lines(files: list[Path]) -> int:
    """Lines as ``wc -l`` counts them (blank and comment lines included), the figure of docs/06."""
    return sum(len(path.read_text().splitlines()) for path in files)


def test_corpus_converts_and_checks_clean(converted: tuple[Path, Migration]) -> None:
    tmp_path, result = converted
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


def test_the_package_is_no_longer_than_the_yaml(converted: tuple[Path, Migration]) -> None:
    tmp_path, result = converted
    assert result.ok, result.report()
    yaml_lines = lines(sorted(CORPUS.rglob("*.yaml")))
    generated = lines(sorted((tmp_path / "lht").glob("*.py")))
    assert generated <= yaml_lines, (generated, yaml_lines)
    trainer = (tmp_path / "lht" / "trainer.py").read_text()  # extends `default` through defaults
    assert 'store({**default, "accelerator": "gpu", "devices": 1}, name="gpu"' in trainer
    assert "defaults=" not in trainer and '"defaults"' not in trainer
    debug = (tmp_path / "lht" / "debug.py").read_text()
    assert 'fdr = deepcopy(default)\nfdr["trainer"]["fast_dev_run"] = True\n' in debug
    assert "compose trainer/gpu" in {c.what for c in result.verification.checks}  # type: ignore[union-attr]


def test_corpus_files_read_as_omegaconf_reads_them() -> None:
    files = sorted(CORPUS.rglob("*.yaml"))
    assert len(files) > 30
    for path in files:
        reference = yaml.load(path.read_text(), Loader=get_yaml_loader())
        assert typed(read_yaml(path).data) == typed(reference), path
