"""The shape of the package: what a person would write (the line counts: tests/corpora)."""

from __future__ import annotations

from pathlib import Path

from fixtures.migrate import write_tree

from lazycfg.migrate import migrate

LOGGERS = {
    "config.yaml": "defaults:\n  - logger: csv\n  - _self_\nseed: 1\n",
    "logger/csv.yaml": "# built in\n\ncsv:\n  _target_: a.CSVLogger\n  save_dir: ${seed}/csv\n",
    "logger/tb.yaml": "tb:\n  _target_: a.TB\n  name: null  # default\n  log_graph: false\n",
    "logger/wandb.yaml": "wandb:\n  _target_: a.Wandb\n  project: p\n  tags: []\n",
    "logger/many.yaml": "defaults:\n  - csv\n  - tb\n",
    "logger/none.yaml": "{}\n",
}


def test_configs_under_their_own_name_are_one_table_and_check_equal(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "conf", LOGGERS)
    options = ["csv", "tb", "wandb", "many", "none"]
    result = migrate(tree, tmp_path / "out", overrides=[[f"logger={o}"] for o in options])
    assert result.ok, result.report()
    source = (tmp_path / "out" / "logger.py").read_text()
    assert 'configs = {\n    # built in\n    "csv": {"_target_": "a.CSVLogger"' in source
    assert 'store({name: config}, name=name, group="logger", defer=True)' in source
    assert 'store({"defaults": ["csv", "tb"]}, name="many", group="logger", defer=True)' in source
    assert 'store({}, name="none", group="logger", defer=True)' in source


def test_the_primary_holds_its_defaults_list_first_as_the_yaml_does(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "conf", LOGGERS)
    assert migrate(tree, tmp_path / "out", overrides=[["logger=tb"]]).ok
    source = (tmp_path / "out" / "__init__.py").read_text()
    assert 'store({"defaults": [{"logger": "csv"}, "_self_"], "seed": 1}, name="config", ' in source
    assert source.index("from lazycfg import store") < source.index("from . import logger")
