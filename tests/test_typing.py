"""Static typing, tested both ways with the real checkers (pyright and mypy as subprocesses).

``tests/typing/*_ok.py`` must check clean with no ignores at all. ``tests/typing/*_bad.py`` hold
one deliberate mistake per line, each ending in ``# type: ignore``: the checkers run with
unnecessary ignores reported as errors, so a mistake that stops being flagged fails the run.
The bad files are also checked with their ignores stripped, and every marked line must then
produce an error: the ignores are not hiding lines that were fine all along.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TYPING = ROOT / "tests" / "typing"
BIN = pathlib.Path(sys.executable).parent
IGNORE = re.compile(r"\s*# type: ignore\s*$")

OK_FILES = sorted(TYPING.glob("*_ok.py"))
BAD_FILES = sorted(TYPING.glob("*_bad.py"))


def marked_lines(path: pathlib.Path) -> list[int]:
    lines = path.read_text().splitlines()
    return [n for n, line in enumerate(lines, 1) if IGNORE.search(line)]


@pytest.fixture(scope="module")
def stripped(tmp_path_factory: pytest.TempPathFactory) -> dict[pathlib.Path, pathlib.Path]:
    """Copies of the bad files without their ignores (renamed: one module name per file)."""
    folder = tmp_path_factory.mktemp("stripped")
    out = {}
    for bad in BAD_FILES:
        copy = folder / f"stripped_{bad.name}"
        text = "\n".join(IGNORE.sub("", line) for line in bad.read_text().splitlines())
        copy.write_text(text + "\n")
        out[bad] = copy
    return out


def run_pyright(files: list[pathlib.Path], folder: pathlib.Path) -> dict[str, set[int]]:
    """Error lines per file, from one pyright run that reports unnecessary ignores."""
    config = folder / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "standard",
                "pythonVersion": "3.11",
                "reportUnnecessaryTypeIgnoreComment": "error",
                "extraPaths": [str(ROOT / "src"), str(ROOT / "tests")],
            }
        )
    )
    result = subprocess.run(
        [str(BIN / "pyright"), "--pythonpath", sys.executable, "-p", str(config), "--outputjson"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.stdout.startswith("{"), f"pyright did not run:\n{result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    errors: dict[str, set[int]] = {}
    for diag in report["generalDiagnostics"]:
        if diag["severity"] == "error":
            line = diag["range"]["start"]["line"] + 1
            errors.setdefault(diag["file"], set()).add(line)
    return errors


def run_mypy(files: list[pathlib.Path], folder: pathlib.Path) -> dict[str, set[int]]:
    """Error lines per file, from one mypy run with --warn-unused-ignores."""
    env = dict(os.environ, MYPYPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT / 'tests'}")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--warn-unused-ignores",
            "--no-error-summary",
            "--show-absolute-path",
            "--cache-dir",
            str(folder / "mypy_cache"),
        ]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert result.returncode in (0, 1), f"mypy did not run:\n{result.stderr[-2000:]}"
    errors: dict[str, set[int]] = {}
    for line in result.stdout.splitlines():
        match = re.match(r"(.+?):(\d+): error:", line)
        if match:
            errors.setdefault(match[1], set()).add(int(match[2]))
    return errors


CHECKERS = {"pyright": run_pyright, "mypy": run_mypy}


@pytest.fixture(scope="module", params=sorted(CHECKERS))
def checked(
    request: pytest.FixtureRequest,
    stripped: dict[pathlib.Path, pathlib.Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, dict[str, set[int]]]:
    """One run of a checker over the ok files, the bad files and their stripped copies."""
    name: str = request.param
    files = OK_FILES + BAD_FILES + list(stripped.values())
    return name, CHECKERS[name](files, tmp_path_factory.mktemp(name))


def test_the_typing_files_exist() -> None:
    assert TYPING / "lazy_ok.py" in OK_FILES
    assert TYPING / "lazy_bad.py" in BAD_FILES
    assert len(marked_lines(TYPING / "lazy_bad.py")) >= 8


@pytest.mark.parametrize("path", OK_FILES, ids=lambda p: p.name)
def test_correct_code_checks_clean(checked: tuple[str, dict[str, set[int]]], path: pathlib.Path):
    name, errors = checked
    assert not errors.get(str(path)), f"{name} reports errors in {path.name} at lines " + str(
        sorted(errors[str(path)])
    )


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_every_mistake_is_flagged(checked: tuple[str, dict[str, set[int]]], path: pathlib.Path):
    name, errors = checked
    # With the ignores in place, any error means an ignore became unnecessary (or a new error).
    assert not errors.get(str(path)), f"{name}: {path.name} lines {sorted(errors[str(path)])}"


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_stripped_mistakes_error_on_each_marked_line(
    checked: tuple[str, dict[str, set[int]]],
    stripped: dict[pathlib.Path, pathlib.Path],
    path: pathlib.Path,
) -> None:
    name, errors = checked
    flagged = errors.get(str(stripped[path]), set())
    marked = marked_lines(path)
    assert marked
    missing = [n for n in marked if n not in flagged]
    assert not missing, f"{name} does not flag {path.name} lines {missing}"
