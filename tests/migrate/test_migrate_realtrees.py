"""Shapes real config trees use: list-rooted files, relative defaults, mandatory choices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fixtures.migrate import write_tree

from lazycfg.migrate.compare import _compose_checks

LAZYCFG = str(Path(sys.executable).parent / "lazycfg")

TREE = {
    "config.yaml": """
        defaults:
          - layer: pair
          - solver/sub: fast
          - db: ???
          - _self_
        x: 1
        """,
    "layer/pair.yaml": """
        # two layers, composed into the package `layer`
        - {a: 1, b: 2}
        - {a: 3, b: 4}  # the second
        """,
    "solver/default.yaml": "# @package _global_\nlr: 0.1\nsteps: 10\n",
    "solver/sub/fast.yaml": """
        defaults:
          - ../default
          - /db@extra_db: pg
          - _self_
        steps: 5
        """,
    "db/pg.yaml": "port: 5432\n",
    "db/my.yaml": "port: 3306\n",
}


def run(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LAZYCFG, *argv], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_list_roots_relative_defaults_and_a_mandatory_choice_verify(tmp_path: Path) -> None:
    write_tree(tmp_path / "conf", TREE)
    done = run(
        tmp_path, "migrate", "conf", "-o", "out", "--override", "db=pg", "--override", "db=my"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Check: 9 of 9 equal" in done.stdout
    assert "a choice of 'db' is mandatory (db: ???): verified through the 2 --override sets" in (
        done.stdout
    )
    layer = (tmp_path / "out" / "layer.py").read_text()
    assert "pair = [" in layer and "# the second" in layer
    assert 'store(pair, name="pair", group="layer", defer=True)' in layer
    fast = (tmp_path / "out" / "solver_sub.py").read_text()
    assert '"/solver/default"' in fast and "../default" not in fast
    assert '{"/db@extra_db": "pg"}' in fast


def test_a_mandatory_choice_without_an_override_set_is_not_verified(tmp_path: Path) -> None:
    write_tree(tmp_path / "conf", TREE)
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert done.returncode == 1
    assert "give one, e.g. --override db=<option>" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_report_shows_the_converted_sides_exception() -> None:
    error = {"error": "MissingConfigException: In 'a': Could not load 'a/../b'"}
    checks = _compose_checks([("config", [])], {"config": {"x": 1, "y": 2}}, {"config": error})
    assert checks[0].differences == [f"the converted side fails: {error['error']}"]


def test_comments_stay_inside_the_mapping_or_list_they_end(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "conf",
        {
            "config.yaml": """
                model:
                  a: 1  # first
                  inner:
                    x: 1
                    # end of inner
                  # end of model
                items:
                  - 1
                  # end of items
                c: 3
                # end of file
                """
        },
    )
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert done.returncode == 0, done.stderr
    source = (tmp_path / "out" / "__init__.py").read_text()
    body = [line.strip() for line in source.splitlines()]
    order = ['"x": 1,', "# end of inner", "},", "# end of model", "},", '"items": [', "1,"]
    at = [body.index('"x": 1,')]
    for line in order[1:]:
        at.append(body.index(line, at[-1] + 1))
    assert at == sorted(at) and at[-1] - at[0] == len(order) - 1, source
    assert body.index("# end of items") == body.index("1,") + 1
    assert body.index("# end of items") + 1 == body.index("],")
    assert body[-1] == "# end of file"


def test_jsonargparse_interpolations_into_init_args_resolve(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "conf",
        {
            "fit.yaml": """
            model:
              class_path: fixtures.migrate.Mlp
              init_args:
                hidden: 16
                dropout: 0.5
            data:
              num_classes: ${model.init_args.hidden}
              note: "rate ${model.init_args.dropout}, kept ${keep}"
            keep: init_args
            """
        },
    )
    done = run(tmp_path, "migrate", "conf", "-o", "out", "--no-import")
    assert done.returncode == 0, done.stderr
    source = (tmp_path / "out" / "__init__.py").read_text()
    assert '"${model.hidden}"' in source and "init_args}" not in source
    script = (
        "import out\n"
        "from hydra import compose, initialize\n"
        "from omegaconf import OmegaConf\n"
        "with initialize(config_path=None, version_base='1.3'):\n"
        "    cfg = compose('fit')\n"
        "print(OmegaConf.to_container(cfg.data, resolve=True))\n"
    )
    resolved = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert resolved.returncode == 0, resolved.stderr
    assert resolved.stdout.strip() == "{'num_classes': 16, 'note': 'rate 0.5, kept init_args'}"


SHORT = {
    "fit.yaml": """
    model:
      class_path: Mlp
      init_args:
        hidden: 16
    """
}


def with_tests_on_path() -> dict[str, str]:
    import os

    tests = str(Path(__file__).resolve().parents[1])
    inherited = os.environ.get("PYTHONPATH")  # unset on a fresh machine
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([inherited, tests] if inherited else [tests]),
    }


def test_short_class_path_names_resolve_in_the_named_modules(tmp_path: Path) -> None:
    write_tree(tmp_path / "conf", SHORT)
    argv = [LAZYCFG, "migrate", "conf", "-o", "out", "--class-module", "fixtures.migrate"]
    done = subprocess.run(
        argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=with_tests_on_path()
    )
    assert done.returncode == 0, done.stderr
    source = (tmp_path / "out" / "__init__.py").read_text()
    assert "from fixtures.migrate import Mlp" in source and "Mlp(hidden=16)" in source


def test_short_names_without_a_module_stay_and_a_bad_module_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path / "conf", SHORT)
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert "model: Mlp: " in done.stdout  # kept as written, listed with the reason
    for extra, expected in [
        (["--class-module", "no_such_module_here"], "cannot be imported (ModuleNotFoundError"),
        (["--class-module", "json", "--no-import"], "drop --no-import"),
    ]:
        refused = run(tmp_path, "migrate", "conf", "-o", "out2", *extra)
        assert refused.returncode == 2 and expected in refused.stderr, refused.stderr
        assert not (tmp_path / "out2").exists()


def test_the_report_says_what_the_check_could_not_prove(tmp_path: Path) -> None:
    write_tree(tmp_path / "conf", {"models/fit.yaml": SHORT["fit.yaml"]})
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert "each as a standalone config (--config FILE): models/fit.yaml" in done.stdout
    assert "no primary config at the root of the tree" in done.stdout
