"""jsonargparse / LightningCLI trees: the check against jsonargparse's own parse, and short
class_path names resolved among the subclasses of the annotated base (real jsonargparse, the
real `lazycfg` command)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml
from fixtures.migrate import write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg.migrate import migrate, read_tree, verify
from lazycfg.migrate.jsonargparse_check import (
    NO_IMPORT,
    NOT_INSTALLED,
    _as_class_paths,
    jsonargparse_checks,
)
from lazycfg.migrate.readers import read_source

LAZYCFG = str(Path(sys.executable).parent / "lazycfg")
TESTS = Path(__file__).resolve().parents[1]

# A user's project: the classes live in submodules that the package imports without
# exporting their names, so only a search of the subclasses finds them. Building one writes
# CALLED: the migrator imports classes, never calls them.
TASKS = {
    "tasks/__init__.py": """
        from tasks import backbones, classification
        from tasks.base import Backbone, BaseTask
        """,
    "tasks/base.py": """
        import pathlib


        def called():
            (pathlib.Path(__file__).parents[2] / "CALLED").write_text("called")


        class Backbone:
            def __init__(self, width: int = 8) -> None:
                called()


        class BaseTask:
            def __init__(self, backbone: Backbone, lr: float = 0.1) -> None:
                called()
        """,
    "tasks/backbones.py": """
        from tasks.base import Backbone


        class ResNet(Backbone):
            def __init__(self, width: int = 8, depth: int = 18) -> None:
                super().__init__(width)


        class ViT(Backbone):
            def __init__(self, width: int = 8, patch: int = 16) -> None:
                super().__init__(width)
        """,
    "tasks/classification.py": """
        from tasks.base import Backbone, BaseTask


        class ClassificationTask(BaseTask):
            def __init__(self, backbone: Backbone, lr: float = 0.1, classes: int = 10) -> None:
                super().__init__(backbone, lr)
        """,
    "more_backbones.py": """
        from tasks.base import Backbone


        class ResNet(Backbone):
            pass
        """,
    # Importing this module is what an attack through a short name would achieve.
    "payload.py": """
        import pathlib

        (pathlib.Path(__file__).parent.parent / "PAYLOAD_RAN").write_text("ran")


        class Payload:
            pass
        """,
}

FIT = """
    seed_everything: 7
    model:
      class_path: ClassificationTask
      init_args:
        backbone:
          class_path: ResNet
          init_args:
            depth: 50
        classes: ${data.classes}
    data:
      classes: 5
      width: ${model.init_args.backbone.init_args.depth}
    """


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A tree ``conf/`` beside the user's code ``lib/``; returns the working directory."""
    write_tree(tmp_path / "lib", TASKS)
    write_tree(tmp_path / "conf", files)
    return tmp_path


def run(cwd: Path, *argv: str, path: tuple[Path, ...] = ()) -> subprocess.CompletedProcess[str]:
    """`lazycfg` in ``cwd``, with ``lib/`` (and ``path`` first) importable."""
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    pythonpath = os.pathsep.join([*map(str, path), *inherited, str(cwd / "lib")])
    env = {**os.environ, "PYTHONPATH": pythonpath}
    return subprocess.run(
        [LAZYCFG, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def test_short_names_resolve_through_a_named_base_and_the_parents_signature(
    tmp_path: Path,
) -> None:
    cwd = project(tmp_path, {"fit.yaml": FIT})
    done = run(cwd, "migrate", "conf", "-o", "out", "--class-module", "tasks.BaseTask")
    assert done.returncode == 0, done.stdout + done.stderr
    source = (cwd / "out" / "__init__.py").read_text()
    # The task through the named base, the backbone through ClassificationTask's annotation.
    assert "from tasks.classification import ClassificationTask" in source, source
    assert "from tasks.backbones import ResNet" in source, source
    assert "backbone=ResNet(depth=50)" in source, source
    assert "1 jsonargparse file checked against jsonargparse's own parse" in done.stdout
    assert "Check: 3 of 3 equal" in done.stdout, done.stdout
    assert not (cwd / "CALLED").exists()


def test_a_short_name_found_twice_is_refused_with_both_candidates(tmp_path: Path) -> None:
    cwd = project(tmp_path, {"fit.yaml": FIT})
    done = run(
        cwd,
        "migrate",
        "conf",
        "-o",
        "out",
        "--class-module",
        "tasks.BaseTask",
        "--class-module",
        "more_backbones",  # imported: a second ResNet subclasses Backbone
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "class_path 'ResNet' is ambiguous: more_backbones.ResNet, tasks.backbones.ResNet" in (
        done.stderr
    )
    assert "fit.yaml:5:" in done.stderr  # the node's own line
    assert "write the full path" in done.stderr and "Traceback" not in done.stderr
    assert not (cwd / "out").exists()


def test_an_unknown_short_name_is_refused_with_the_names_that_come_close(tmp_path: Path) -> None:
    cwd = project(tmp_path, {"fit.yaml": FIT.replace("class_path: ResNet", "class_path: ResNett")})
    done = run(cwd, "migrate", "conf", "-o", "out", "--class-module", "tasks.BaseTask")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "class_path 'ResNett' is not found among the imported subclasses of tasks.base." in (
        done.stderr
    )
    assert "did you mean 'ResNet'?" in done.stderr
    unknown_task = FIT.replace("class_path: ClassificationTask", "class_path: ClassifTask")
    (cwd / "conf" / "fit.yaml").write_text(textwrap.dedent(unknown_task))
    done = run(cwd, "migrate", "conf", "-o", "out", "--class-module", "tasks.BaseTask")
    assert done.returncode == 2
    assert "is not found among the classes of --class-module tasks.BaseTask" in done.stderr
    assert "did you mean 'ClassificationTask'" in done.stderr
    assert not (cwd / "out").exists()


def test_a_short_name_never_imports_a_module_of_that_name(tmp_path: Path) -> None:
    """``payload`` is importable here; a short name is only compared with the names of classes
    already imported, so no way of writing it runs the module."""
    nested = FIT.replace("class_path: ResNet", "class_path: payload")
    cases = [
        ({"fit.yaml": "model:\n  class_path: payload\n"}, (), 0),  # kept as written
        ({"fit.yaml": "model:\n  class_path: Payload\n"}, ("--class-module", "tasks"), 2),
        ({"fit.yaml": nested}, ("--class-module", "tasks.BaseTask"), 2),
        (
            {"fit.yaml": FIT.replace("ClassificationTask", "payload")},
            ("--class-module", "tasks"),
            2,
        ),
    ]
    for files, extra, status in cases:
        cwd = project(tmp_path, files)
        done = run(cwd, "migrate", "conf", "-o", "out", *extra)
        assert done.returncode == status, done.stdout + done.stderr
        assert not (cwd / "PAYLOAD_RAN").exists(), (files, extra)
        assert "Traceback" not in done.stderr
    # The one that converted kept the name as written, and says why.
    cwd = project(tmp_path, cases[0][0])
    done = run(cwd, "migrate", "conf", "-o", "out2")
    assert "model: payload: a bare name, not a dotted path" in done.stdout, done.stdout
    assert not (cwd / "PAYLOAD_RAN").exists()


def test_without_jsonargparse_the_report_says_the_check_is_partial(tmp_path: Path) -> None:
    cwd = project(tmp_path, {"fit.yaml": FIT})
    blocked = write_tree(
        tmp_path / "blocked",
        {"jsonargparse.py": "raise ImportError('jsonargparse is blocked for this test')\n"},
    )
    argv = ("migrate", "conf", "-o", "out", "--class-module", "tasks.BaseTask")
    done = run(cwd, *argv, path=(blocked,))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"- {NOT_INSTALLED}" in done.stdout
    assert "Check: 2 of 2 equal" in done.stdout  # lazycfg's own reading only
    assert "pip install lazycfg[migrate-jsonargparse]" in done.stdout
    with_it = run(cwd, *argv[:3], "out2", *argv[4:])
    assert NOT_INSTALLED not in with_it.stdout and "Check: 3 of 3 equal" in with_it.stdout


def test_no_import_runs_no_jsonargparse_and_says_so(tmp_path: Path) -> None:
    cwd = project(tmp_path, {"fit.yaml": FIT.replace("ClassificationTask", "tasks.BaseTask")})
    done = run(cwd, "migrate", "conf", "-o", "out", "--no-import")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"- {NO_IMPORT}" in done.stdout
    assert not (cwd / "CALLED").exists()


def test_a_tree_without_a_primary_names_the_files_checked_standalone(tmp_path: Path) -> None:
    full = FIT.replace("ClassificationTask", "tasks.classification.ClassificationTask")
    cwd = project(
        tmp_path,
        {"runs/fit.yaml": full, "runs/small.yaml": full.replace("depth: 50", "depth: 18")},
    )
    done = run(cwd, "migrate", "conf", "-o", "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "2 jsonargparse files checked against jsonargparse's own parse, each as a standalone "
        "config (--config FILE): runs/fit.yaml, runs/small.yaml"
    ) in done.stdout
    assert "Check: 4 of 4 equal" in done.stdout


def test_an_original_jsonargparse_refuses_is_not_verified(tmp_path: Path) -> None:
    typo = FIT.replace("depth: 50", "deepth: 50").replace(
        "${model.init_args.backbone.init_args.depth}", "1"
    )
    cwd = project(tmp_path, {"fit.yaml": typo})
    done = run(cwd, "migrate", "conf", "-o", "out", "--class-module", "tasks.BaseTask")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "- NOT VERIFIED jsonargparse fit: jsonargparse cannot parse the original" in done.stderr
    assert "'deepth' is not accepted" in done.stderr


# The library side: a converted package edited after writing, checked again. fixtures.migrate
# (tests/) holds the classes; Net's layers are list[Layer], so `Layer` is a short name here.
NET = {
    "fit.yaml": """
    model:
      class_path: fixtures.migrate.Net
      init_args:
        layers:
          - class_path: Layer
            init_args: {size: 5}
        dropout: 0.0
    data:
      size: ${model.init_args.layers[0].init_args.size}
    """
}


def checked_after_edit(tmp_path: Path, old: str, new: str) -> list[str]:
    """The jsonargparse check's differences once ``old`` is replaced by ``new`` in the
    converted module (the Hydra check's own differences are not included)."""
    tree = write_tree(tmp_path / "conf", NET)
    result = migrate(tree, tmp_path / "out")
    assert result.ok, result.report()
    module = tmp_path / "out" / "__init__.py"
    source = module.read_text()
    assert old in source, source
    module.write_text(source.replace(old, new))
    sources = read_tree(tree, imports=True)
    verification = verify(sources, tree, tmp_path / "out", [], parallel=False)
    checks, notes = jsonargparse_checks(sources, verification.converted)
    assert "checked against jsonargparse's own parse" in notes[0]
    assert [c.what for c in checks] == ["jsonargparse fit"]
    return checks[0].differences or ([checks[0].unverified] if checks[0].unverified else [])


def test_a_changed_argument_is_found_with_defaults_filled_by_jsonargparse(tmp_path: Path) -> None:
    assert sorted(checked_after_edit(tmp_path, "Layer(size=5)", "Layer(size=6)")) == [
        "data.size: original 5 != converted 6",
        "model.init_args.layers[0].init_args.size: original 5 != converted 6",
    ]


def test_an_argument_equal_to_its_default_may_go(tmp_path: Path) -> None:
    # What jsonargparse builds is the same: Net's dropout defaults to 0.0.
    assert checked_after_edit(tmp_path, ", dropout=0.0", "") == []


def test_a_dangling_interpolation_fails_the_converted_side(tmp_path: Path) -> None:
    # What lazycfg wrote before it rewrote references through init_args: unresolvable.
    (problem,) = checked_after_edit(
        tmp_path, "${model.layers[0].size}", "${model.init_args.layers[0].init_args.size}"
    )
    assert problem.startswith("the converted side fails: ") and "init_args" in problem, problem


LIGHTNING = {
    "lib/callbacks.py": """
        class Checkpoint:
            def __init__(self, every: int = 1, **kwargs: object) -> None:
                self.every, self.kwargs = every, kwargs


        class Module:
            def __init__(self, callback: Checkpoint) -> None:
                self.callback = callback
        """,
    "conf/fit.yaml": """
        trainer:
          max_epochs: 3
          callbacks:
            - class_path: callbacks.Checkpoint
              init_args: {every: 4}
              dict_kwargs: {monitor: val_loss}
        model:
          class_path: callbacks.Module
          init_args:
            callback:
              class_path: Checkpoint
              dict_kwargs: {mode: max}
        optimizer:
          class_path: torch.optim.Adam
          init_args:
            lr: 0.01
        lr_scheduler:
          class_path: torch.optim.lr_scheduler.StepLR
          init_args:
            step_size: 3
        """,
}


def test_a_lightning_cli_tree_checks_clean(tmp_path: Path) -> None:
    """What LightningCLI fills at run time (an optimizer's params, a scheduler's optimizer) is
    skipped, as the CLI skips it; ``dict_kwargs`` go back to ``**kwargs``."""
    write_tree(tmp_path, LIGHTNING)
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Check: 3 of 3 equal" in done.stdout, done.stdout
    assert "1 jsonargparse file checked against jsonargparse's own parse" in done.stdout
    source = (tmp_path / "out" / "__init__.py").read_text()
    assert 'Module(callback=Checkpoint(mode="max"))' in source, source
    assert 'Checkpoint(every=4, monitor="val_loss")' in source, source


def test_a_file_whose_root_is_a_class_node_is_parsed_as_an_arguments_value(
    tmp_path: Path,
) -> None:
    resnet = """
        class_path: tasks.backbones.ResNet
        init_args:
          depth: 34
          width: ${init_args.depth}
        """
    cwd = project(tmp_path, {"model/resnet.yaml": resnet})
    done = run(cwd, "migrate", "conf", "-o", "out")
    assert done.returncode == 0, done.stdout + done.stderr
    source = (cwd / "out" / "model.py").read_text()
    assert 'ResNet(depth=34, width="${depth}")' in source, source
    assert "Check: 2 of 2 equal" in done.stdout, done.stdout
    assert "as an argument's value, --model FILE): model/resnet.yaml" in done.stdout
    # The converted side is really parsed: a width that resolves elsewhere differs.
    module = cwd / "out" / "model.py"
    module.write_text(source.replace('width="${depth}"', "width=35"))
    script = textwrap.dedent(
        """
        from pathlib import Path
        from lazycfg.migrate import read_tree, verify
        from lazycfg.migrate.jsonargparse_check import jsonargparse_checks

        sources = read_tree(Path("conf"), imports=True)
        verification = verify(sources, Path("conf"), Path("out"), [], parallel=False)
        checks, _ = jsonargparse_checks(sources, verification.converted)
        print(checks[0].differences)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.environ.get("PYTHONPATH", ""), "lib"])}
    checked = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert checked.stdout.strip() == "['value.init_args.width: original 34 != converted 35']", (
        checked.stdout + checked.stderr
    )


KEYS = st.from_regex(r"k_[a-z]{1,3}", fullmatch=True)
SCALARS = st.integers(-5, 5) | st.booleans() | st.from_regex(r"s_[a-z]{0,3}", fullmatch=True)


def class_node(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    args = st.dictionaries(KEYS, children, max_size=3)
    target = st.sampled_from(["fixtures.migrate.Layer", "no_such_package_here.Thing"])
    return st.builds(
        lambda t, a: {"class_path": t, **({"init_args": a} if a else {})}, target, args
    )


TREES = st.recursive(
    SCALARS,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(KEYS, c, max_size=3) | class_node(c),
    max_leaves=12,
)


@settings(max_examples=60)
@given(st.dictionaries(KEYS, TREES, min_size=1, max_size=3))
def test_class_nodes_written_back_are_the_nodes_read(tree: dict[str, object]) -> None:
    """What the check hands jsonargparse for the converted side is the original layout."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "fit.yaml").write_text(yaml.safe_dump(tree))
        source = read_source(root, root / "fit.yaml")
    assert _as_class_paths(source.body) == tree
