"""``lazycfg show`` and ``lazycfg diff`` on factories, YAML files and real Hydra job dirs."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fixtures.show import WIPED, make_boosted, make_experiment

from lazycfg import flatten, instantiate, to_dict, to_yaml, unflatten
from lazycfg.cli import main

TESTS = Path(__file__).resolve().parents[1]
APP = TESTS / "fixtures" / "track_app.py"


@pytest.fixture(autouse=True)
def in_tests_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TESTS)  # module:attr targets import from the current directory


def lazycfg(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_prints_yaml_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lazycfg(capsys, "show", "fixtures.show:make_experiment")
    assert code == 0
    assert yaml.safe_load(out) == to_dict(make_experiment())
    code, out2, _ = lazycfg(capsys, "show", "fixtures.show:experiment", "--yaml")
    assert out2 == out


def test_show_full_adds_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = lazycfg(capsys, "show", "fixtures.show:make_experiment", "--full")
    assert yaml.safe_load(out) == to_dict(make_experiment(), full=True)
    assert yaml.safe_load(out)["model"]["criterion"] == "gini"


def test_show_flat_is_the_flattened_config(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = lazycfg(capsys, "show", "fixtures.show:make_experiment", "--flat", "--full")
    assert yaml.safe_load(out) == flatten(make_experiment(), full=True)


def test_show_python_regenerates_the_factory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, out, _ = lazycfg(capsys, "show", "fixtures.show:make_boosted", "--python")
    assert "def make_boosted" in out
    (tmp_path / "generated.py").write_text(out)
    rebuilt = runpy.run_path(str(tmp_path / "generated.py"))["make_boosted"]()
    assert to_dict(rebuilt) == to_dict(make_boosted())


def test_show_reads_yaml_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(to_yaml(make_experiment()))
    _, out, _ = lazycfg(capsys, "show", str(path), "--flat", "--full")
    assert yaml.safe_load(out) == flatten(make_experiment(), full=True)


def test_show_graph_writes_svg_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("g.svg", "g.html"):
        code, out, _ = lazycfg(
            capsys, "show", "fixtures.show:make_shared", "--graph", str(tmp_path / name)
        )
        assert code == 0 and out.strip() == f"wrote {tmp_path / name}"
    svg = (tmp_path / "g.svg").read_text()
    assert svg.startswith("<svg") and svg.count("fixtures.track.Layer<") == 2  # shared: once
    assert "<svg" in (tmp_path / "g.html").read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "fixtures.show:make_experment"], "did you mean 'make_experiment'?"),
        (["show", "no_such_module:x"], "cannot import 'no_such_module'"),
        (["show", "missing.yaml"], "missing.yaml: no such file"),
        (["show", "plainword"], "is not a YAML file, a job output dir or module:attr"),
        (["show", "fixtures.show:make_shared", "--graph", "out.png"], "must end in .svg or .html"),
        (["show", "<empty dir>"], "a directory without .hydra"),
        (
            ["show", "fixtures.track:SEED"],
            "fixtures.track:SEED is an int, not a config (a lazy node, dict, DictConfig or @factory)",
        ),
        (["diff", "fixtures.track:SEED", "fixtures.show:experiment"], "SEED is an int, not a"),
        (["show", "fixtures.track:Forest"], "is a class, not a config; lazycfg show never calls"),
        (
            ["show", "fixtures.show:make_shared", "--graph", "<empty dir>/missing/g.svg"],
            "missing/g.svg: cannot write: No such file or directory",
        ),
        (["diff", "fixtures.show:experiment", "nowhere.yml"], "nowhere.yml: no such file"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = [a.replace("<empty dir>", str(tmp_path)) for a in argv]
    code, out, err = lazycfg(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert err.startswith(f"lazycfg {argv[0]}: error:")


def test_bad_yaml_is_reported_with_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("model: [unclosed\n")
    code, _, err = lazycfg(capsys, "show", str(path))
    assert code == 2 and f"{path}: not a readable YAML config" in err


def test_diff_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text(to_yaml(make_experiment()))
    code, out, _ = lazycfg(capsys, "diff", str(tmp_path / "a.yaml"), "fixtures.show:experiment")
    assert (code, out.strip()) == (0, "no differences")
    code, out, _ = lazycfg(capsys, "diff", "fixtures.show:experiment", "fixtures.show:make_boosted")
    assert code == 1
    assert "model" in out and "fixtures.track.Forest" in out and "(target changed)" in out
    code, out, _ = lazycfg(
        capsys, "diff", "fixtures.show:experiment", "fixtures.show:make_boosted", "--markdown"
    )
    assert code == 1 and out.startswith("| | path | old | new |")


def run_app(*overrides: str, cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(APP), *overrides], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_diff_of_two_job_dirs_through_the_installed_command(tmp_path: Path) -> None:
    run_app("-m", f"hydra.sweep.dir={tmp_path}", "model.n_estimators=7,9", "seed=1,2", cwd=tmp_path)
    jobs = sorted(p for p in tmp_path.iterdir() if (p / ".hydra").is_dir())
    assert len(jobs) == 4
    command = [sys.executable, "-m", "lazycfg", "diff", str(jobs[0]), str(jobs[3]), "--full"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["path", "old", "new"]
    assert lines[1].split() == ["~", "model.n_estimators", "7", "9"]
    assert lines[2].split() == ["~", "seed", "1", "2"]
    same = subprocess.run(
        [*command[:4], str(jobs[1]), str(jobs[1])], capture_output=True, text=True
    )
    assert (same.returncode, same.stdout.strip()) == (0, "no differences")
    # A job dir's config builds what the factory builds.
    logged = json.loads((jobs[0] / "lazycfg.json").read_text())
    assert instantiate(unflatten(logged["config"])).model.n_estimators == 7


def test_module_factory_sharing_is_drawn_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lazycfg(capsys, "show", "fixtures.show:make_shared", "--graph", str(tmp_path / "s.svg"))
    assert (tmp_path / "s.svg").read_text().count("size = 64") == 1


def test_a_graph_that_cannot_be_written_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "g.svg").mkdir()  # the destination is a directory: the final rename fails
    code, out, err = lazycfg(
        capsys, "show", "fixtures.show:make_shared", "--graph", str(tmp_path / "g.svg")
    )
    assert code == 2 and "cannot write" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]


def test_diff_resolve_compares_interpolated_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("model: {a: 1}\nx: ${model.a}\n")
    (tmp_path / "b.yaml").write_text("model: {a: 2}\nx: ${model.a}\n")
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")
    code, out, _ = lazycfg(capsys, "diff", a, b)
    rows = [line.split()[:2] for line in out.splitlines()]
    assert code == 1 and ["~", "model.a"] in rows and ["~", "x"] not in rows  # as written
    code, out, _ = lazycfg(capsys, "diff", a, b, "--resolve")
    rows = [line.split()[:2] for line in out.splitlines()]
    assert code == 1 and ["~", "model.a"] in rows and ["~", "x"] in rows


def test_diff_resolve_names_what_cannot_be_resolved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("model: {a: 1}\n")
    (tmp_path / "b.yaml").write_text("model: {a: 1, b: '${nowhere.c}'}\n")
    code, out, err = lazycfg(
        capsys, "diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--resolve"
    )
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{tmp_path / 'b.yaml'}: --resolve: cannot resolve model.b" in err, err


LAZYCFG = str(Path(sys.executable).parent / "lazycfg")


@pytest.mark.parametrize("command", [["show"], ["diff", "fixtures.show:experiment"]])
def test_a_plain_function_is_never_called(tmp_path: Path, command: list[str]) -> None:
    done = subprocess.run(
        [LAZYCFG, *command, "fixtures.show:wipe"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "plain function" in done.stderr and "@factory" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / WIPED).exists()


def test_a_python_file_says_how_to_name_a_config(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading a file puts its folder on the path; tests/fixtures must not stay there after.
    monkeypatch.setattr(sys, "path", [*sys.path])
    code, _, err = lazycfg(capsys, "show", "fixtures/show.py")
    assert code == 2
    assert "fixtures/show.py:make_experiment or fixtures.show:make_experiment" in err
    assert not Path(WIPED).exists()
    code, out, _ = lazycfg(capsys, "show", "fixtures/show.py:make_boosted")
    assert code == 0 and yaml.safe_load(out) == to_dict(make_boosted())


def test_a_yaml_bomb_is_refused_before_it_expands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    code, _, err = lazycfg(capsys, "show", str(path))
    assert code == 2 and f"{path}: not a readable YAML config: aliases expand" in err
