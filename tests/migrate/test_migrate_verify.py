"""The check's shortcuts read exactly what Hydra's repository reads, and still catch differences."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from lazycfg.migrate import migrate, read_tree
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
    assert '"defaults": ["a", "_self_"]' in text  # in the body, as the YAML file has it
    module.write_text(text.replace('"defaults": ["a", "_self_"]', '"defaults": ["_self_", "a"]'))
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


def test_a_primary_the_original_cannot_compose_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both sides fail alike, but nothing was proven: exit 1, and the report says why."""
    from lazycfg.cli import main

    tree = tmp_path / "conf"
    (tree / "db").mkdir(parents=True)
    (tree / "config.yaml").write_text("defaults:\n  - db: nope\n  - _self_\nx: 1\n")
    (tree / "db" / "a.yaml").write_text("port: 1\n")
    assert main(["migrate", str(tree), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "- NOT VERIFIED compose config: could not compose config on the original: " in err
    assert "db/nope" in err and "Traceback" not in err
    assert "Check: 2 of 3 equal" in err  # the two loads are equal; the compose is not
    result = verify(read_tree(tree), tree, tmp_path / "out", [])
    assert [(c.what, c.unverified[:41]) for c in result.failed] == [
        ("compose config", "could not compose config on the original:")
    ]


def test_an_override_set_must_compose_with_some_primary(tmp_path: Path) -> None:
    """Skipped where another primary takes it; a failure where no primary does."""
    tree = tmp_path / "conf"
    (tree / "opt").mkdir(parents=True)
    (tree / "app.yaml").write_text("defaults:\n  - opt: sgd\n  - _self_\n")
    (tree / "other.yaml").write_text("y: 2\n")
    (tree / "opt" / "sgd.yaml").write_text("lr: 0.1\n")
    (tree / "opt" / "adam.yaml").write_text("lr: 0.001\n")
    migrate(tree, tmp_path / "out", check=False)
    sources = read_tree(tree)

    fits_one = verify(sources, tree, tmp_path / "out", [["opt=adam"]])
    assert not fits_one.failed, [(c.what, c.unverified, c.differences) for c in fits_one.failed]
    notes = {c.what: c.note for c in fits_one.checks if c.note}
    assert list(notes) == ["compose other opt=adam"], notes

    fits_none = verify(sources, tree, tmp_path / "out", [["opt=adam"], ["opt=nope"]])
    failed = {c.what: c.unverified for c in fits_none.failed}
    assert list(failed) == ["compose app opt=nope", "compose other opt=nope"], failed
    assert failed["compose app opt=nope"].startswith(
        "could not compose app opt=nope on the original: "
    )
    assert not any(c.differences for c in fits_none.checks)


def test_a_malformed_override_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lazycfg.cli import main

    tree = write_tree(tmp_path / "conf")
    for bad, problem in [("db=[1", "no viable alternative"), ("x='y", "No closing quotation")]:
        assert main(["migrate", str(tree), "-o", str(tmp_path / "out"), "--override", bad]) == 2
        err = capsys.readouterr().err
        assert f"--override {bad!r}: " in err and problem in err and "nothing written" in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["conf"]
