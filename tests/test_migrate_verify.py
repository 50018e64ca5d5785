"""The check's shortcuts read exactly what Hydra's repository reads, and still catch differences."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from lazycfg.migrate import migrate
from lazycfg.migrate.readers import read_tree
from lazycfg.migrate.verify import _loaded, _snapshot, _stored_node, import_package, verify

TREE = {
    "config.yaml": """
        defaults:
          - db: a
          - optional extra: none
          - db@backup: b
          - override hydra/job_logging: disabled
          - _self_
        x: 1
        y: ${db.port}
        """,
    "db/a.yaml": "# @package _group_\nport: 1\nhosts: [h1, h2]\n",
    "db/b.yaml": "defaults:\n  - a\n  - _self_\nport: 2\nopts: {z: null, m: '???'}\n",
    "extra/none.yaml": "# @package _global_\nflag: true\n",
}


def write_tree(root: Path) -> Path:
    for name, text in TREE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def test_store_read_equals_repository_load(tmp_path: Path) -> None:
    """Differential: the uncopied ConfigStore read against Hydra's own ``load_config``."""
    from hydra import initialize
    from hydra.core.config_store import ConfigStore
    from hydra.core.global_hydra import GlobalHydra

    tree = write_tree(tmp_path / "conf")
    migrate(tree, tmp_path / "out", check=False)
    store = ConfigStore.instance()
    GlobalHydra.instance().clear()
    with initialize(config_path=None, version_base="1.3"):
        pass  # Hydra's plugins register their configs once per process: keep them
    GlobalHydra.instance().clear()
    saved = _snapshot(store.repo)
    try:
        import_package(tmp_path / "out")
        with initialize(config_path=None, version_base="1.3"):
            repository = GlobalHydra.instance().config_loader().repository  # type: ignore[attr-defined]
            for source in read_tree(tree):
                path = source.config_path
                assert _stored_node(repository, path) is not None, path
                shortcut = _loaded(repository, path)
                result = repository.load_config(path)
                defaults = [
                    {
                        k: v
                        for k, v in vars(d).items()
                        if not k.startswith("parent") and v is not None
                    }
                    for d in result.defaults_list
                ]
                from omegaconf import OmegaConf

                assert shortcut == {
                    "package": result.header.get("package"),
                    "defaults": defaults,
                    "body": OmegaConf.to_container(result.config, resolve=False),
                }, path
                # reading must not have popped the defaults from the stored node
                assert ("defaults" in _stored_node(repository, path).node) == bool(defaults)
    finally:
        GlobalHydra.instance().clear()
        store.repo = saved


@pytest.mark.parametrize("parallel", [True, False], ids=["sides-in-two-processes", "in-one"])
def test_package_and_defaults_differences_are_caught(tmp_path: Path, parallel: bool) -> None:
    from hydra.core.config_store import ConfigStore

    tree = write_tree(tmp_path / "conf")
    migrate(tree, tmp_path / "out")
    module = tmp_path / "out" / "db.py"
    text = module.read_text()
    assert "package='_group_'" in text or 'package="_group_"' in text
    text = text.replace('"_group_"', '"_global_"').replace("'_group_'", "'_global_'")
    module.write_text(text.replace('defaults=["a", "_self_"]', 'defaults=["_self_", "a"]'))
    before = set(ConfigStore.instance().repo)
    result = verify(read_tree(tree), tree, tmp_path / "out", [], parallel=parallel)
    failed = {c.what: c.differences for c in result.failed}
    assert failed["load db/a"] == ["package: original '_group_' != converted '_global_'"]
    assert any(d.startswith("defaults[0].") for d in failed["load db/b"]), failed
    assert "compose config" in failed, [(c.what, c.note, c.differences) for c in result.checks]
    # the store is left as it was found: same groups, no per-check attribute behind
    assert set(ConfigStore.instance().repo) == before
    assert "__deepcopy__" not in vars(ConfigStore.instance())


def test_a_failing_child_falls_back_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the forked YAML side fails, the side runs here and the verdict is the same."""
    import os

    verify_module = sys.modules["lazycfg.migrate.verify"]
    parent = os.getpid()
    real = verify_module._original_side
    ran_here: list[int] = []

    def only_here(*args: object) -> object:
        if os.getpid() != parent:
            (tmp_path / "child-ran").touch()
            raise RuntimeError("the child fails")
        ran_here.append(1)
        return real(*args)

    monkeypatch.setattr(verify_module, "_original_side", only_here)
    tree = write_tree(tmp_path / "conf")
    migrate(tree, tmp_path / "out", check=False)
    result = verify(read_tree(tree), tree, tmp_path / "out", [["db=b"]], parallel=True)
    assert (tmp_path / "child-ran").exists() and ran_here == [1]
    assert [c.what for c in result.checks][-2:] == ["compose config", "compose config db=b"]
    assert not result.failed, [c.differences for c in result.failed]
