"""Nothing lost, nothing run: `lazycfg migrate` as a real process on hostile or careless input.

Each test runs the console script in a temporary folder and asserts the files that remain
(nothing lost) and that the marker file a payload would write does not appear (nothing run).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures.migrate import write_tree

LAZYCFG = str(Path(sys.executable).parent / "lazycfg")
PAYLOAD = '__import__("os").system("touch pwned")'


def run(cwd: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The console script as a user runs it (a guard timeout only: a hang fails the test)."""
    return subprocess.run(
        [LAZYCFG, *argv], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its content (what must survive a refused run)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def assert_refused(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's project: code, data and the YAML configs to migrate."""
    write_tree(
        tmp_path / "proj",
        {
            "train.py": "print('the only copy of the training script')\n",
            "data.csv": "a,b\n1,2\n",
            "conf/config.yaml": "defaults:\n  - db: mysql\n  - _self_\nlr: 0.1\n",
            "conf/db/mysql.yaml": "host: localhost  # the server\nport: 3306\n",
        },
    )
    return tmp_path


# --- -o never destroys what is there --------------------------------------------------------


@pytest.mark.parametrize(
    "out", ["proj", "proj/conf", "proj/conf/db", "proj/conf/new", "."], ids=lambda o: o
)
def test_an_output_that_overlaps_the_source_is_refused(project: Path, out: str) -> None:
    before = snapshot(project)
    done = run(project, "migrate", "proj/conf", "-o", out)
    assert_refused(done, "nothing written")
    assert snapshot(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["proj"]  # no temporaries either


def test_a_folder_with_other_files_is_refused_and_force_keeps_them(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "notes.txt").write_text("mine\n")
    (project / "out" / "zz.py").write_text("x = 1\n")
    done = run(project, "migrate", "proj/conf", "-o", "out")
    assert_refused(done, "notes.txt", "--force")
    assert snapshot(project / "out") == {"notes.txt": b"mine\n", "zz.py": b"x = 1\n"}
    forced = run(project, "migrate", "proj/conf", "-o", "out", "--force")
    assert forced.returncode == 0, forced.stderr
    files = snapshot(project / "out")
    assert files["notes.txt"] == b"mine\n" and files["zz.py"] == b"x = 1\n"
    assert {"__init__.py", "db.py"} <= set(files)


def test_force_never_overwrites_a_file_it_did_not_write(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "db.py").write_text("handwritten = True\n")
    done = run(project, "migrate", "proj/conf", "-o", "out", "--force")
    assert_refused(done, "db.py")
    assert snapshot(project / "out") == {"db.py": b"handwritten = True\n"}


def test_a_previous_output_is_replaced_whole(project: Path) -> None:
    assert run(project, "migrate", "proj/conf", "-o", "out").returncode == 0
    (project / "proj/conf/db/mysql.yaml").unlink()
    (project / "proj/conf/db").rmdir()
    (project / "proj/conf/config.yaml").write_text("lr: 0.2\n")
    done = run(project, "migrate", "proj/conf", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert sorted(snapshot(project / "out")) == ["__init__.py"]  # the stale db.py is gone
    assert sorted(p.name for p in project.iterdir()) == ["out", "proj"]


def test_an_edited_previous_output_still_counts_as_ours(project: Path) -> None:
    assert run(project, "migrate", "proj/conf", "-o", "out").returncode == 0
    module = project / "out" / "db.py"
    module.write_text(module.read_text() + "\n# a note\n")
    assert run(project, "migrate", "proj/conf", "-o", "out").returncode == 0
    assert "# a note" not in module.read_text()


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("proj/train.py/pkg", "is a file"),
        ("proj/train.py", "is a file"),
        ("/proc/lazycfg-out", "cannot write"),
        ("/proc/self/lazycfg-out", "cannot write"),
    ],
)
def test_an_unwritable_output_is_a_message(project: Path, out: str, expected: str) -> None:
    before = snapshot(project)
    done = run(project, "migrate", "proj/conf", "-o", out)
    assert_refused(done, expected, "nothing written")
    assert snapshot(project) == before


def test_output_package_honours_the_umask_and_no_cache_is_left(project: Path) -> None:
    old = os.umask(0o022)
    try:
        done = run(project, "migrate", "proj/conf", "-o", "out")
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert (project / "out").stat().st_mode & 0o777 == 0o755
    assert (project / "out" / "db.py").stat().st_mode & 0o777 == 0o644
    assert not (project / ".ruff_cache").exists()
    assert sorted(p.name for p in project.iterdir()) == ["out", "proj"]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("how", ["kill -9", "Ctrl-C"])
def test_an_interrupted_run_leaves_nothing(tmp_path: Path, how: str) -> None:
    files = {f"g{i}/o{j}.yaml": f"a: {i}\nb: [{j}, x]\n" for i in range(40) for j in range(10)}
    files["config.yaml"] = "defaults:\n" + "".join(f"  - g{i}: o0\n" for i in range(40))
    write_tree(tmp_path / "conf", files)
    # Override sets make the check, after the temporaries appear, last seconds, not a fraction
    # of one: the signal must land mid-run even when the machine is busy.
    overrides = [arg for i in range(20) for arg in ("--override", f"g{i}=o{i % 10}")]
    process = subprocess.Popen(
        [LAZYCFG, "migrate", "conf", "-o", "out", *overrides],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # As from a terminal: a shell that runs this suite in the background starts it with
        # SIGINT ignored, and an ignored signal is inherited (Python then never sees Ctrl-C).
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".") for p in tmp_path.iterdir()):
        assert process.poll() is None, "finished before any temporary appeared"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    if how == "kill -9":
        process.kill()
    else:
        os.killpg(process.pid, signal.SIGINT)  # the terminal signals the whole group
    process.wait()
    deadline = time.monotonic() + 60
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(process.pid), "a child process outlived the killed run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conf"]


# --- input names never become code ------------------------------------------------------------

HOSTILE = [
    f'g""";{PAYLOAD};"""',
    f"g''';{PAYLOAD};'''",
    f'g\\";{PAYLOAD};#',
    f"g\n{PAYLOAD}\n#",
    "ümlaut ünïcode",
]


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_folder_and_file_names_stay_literals(tmp_path: Path, name: str) -> None:
    write_tree(
        tmp_path / "conf",
        {
            f"{name}/{name}.yaml": f"'{PAYLOAD}': 1  # {PAYLOAD}\n",
            "config.yaml": f'# """ {PAYLOAD}\nkey: \'"""{PAYLOAD}\'\n',
        },
    )
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "out" / "pwned").exists()


# --- !Include stays inside the tree -------------------------------------------------------------


@pytest.mark.parametrize("how", ["relative", "absolute", "symlinked file", "symlinked config"])
def test_an_include_outside_the_tree_is_refused(tmp_path: Path, how: str) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    tree = write_tree(tmp_path / "conf", {"c.yaml": "a: 1\n"})
    if how == "relative":
        (tree / "c.yaml").write_text("s: !Include ../secret.yaml\n")
    elif how == "absolute":
        (tree / "c.yaml").write_text(f"s: !Include {secret}\n")
    elif how == "symlinked file":
        (tree / "link.yml").symlink_to(secret)
        (tree / "c.yaml").write_text("s: !Include link.yml\n")
    else:
        (tree / "leak.yaml").symlink_to(secret)
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert_refused(done, "outside the source tree", "nothing written")
    assert "hunter2" not in done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conf", "secret.yaml"]


def test_a_searchpath_out_of_the_tree_is_refused_by_the_check(tmp_path: Path) -> None:
    write_tree(tmp_path / "elsewhere", {"secret.yaml": "password: hunter2\n"})
    write_tree(
        tmp_path / "conf",
        {"config.yaml": f"a: 1\nhydra:\n  searchpath:\n    - file://{tmp_path / 'elsewhere'}\n"},
    )
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert_refused(done, "config.yaml:3:1: hydra.searchpath", "--no-check", "nothing written")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conf", "elsewhere"]
    assert run(tmp_path, "migrate", "conf", "-o", "out", "--no-check").returncode == 0


# --- what untrusted YAML can cost ----------------------------------------------------------------


def _alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_alias_bomb(10), "aliases expand to more than"),
        (_alias_bomb(4), "aliases expand to more than"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than"),
        ("a: " + "{b: " * 300 + "1" + "}" * 300 + "\n", "nested deeper than"),
        ("a: &x [*x]\n", "recursive alias"),
        ("# big\n" + "k: " + "x" * (3 << 20) + "\n", "larger than"),
    ],
    ids=["bomb-10", "bomb-4", "deep-list", "deep-map", "recursive", "size"],
)
def test_costly_yaml_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    write_tree(tmp_path / "conf", {"ok.yaml": "a: 1\n"})
    (tmp_path / "conf" / "bomb.yaml").write_text(text)
    done = run(tmp_path, "migrate", "conf", "-o", "out", timeout=60)
    assert_refused(done, "bomb.yaml", expected, "nothing written")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conf"]


# --- every problem of a tree in one run; --exclude ----------------------------------------------


def test_every_bad_file_is_reported_in_one_run_and_exclude_leaves_them_out(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path / "conf",
        {
            "good.yaml": "a: 1\n",
            "bad/one.yaml": "a: [1\n",
            "bad/two.yaml": "x: !Eval 1\n",
            "three.yaml": "a: 1\na: 2\n",
            "four.yaml": "- 1\n",
        },
    )
    done = run(tmp_path, "migrate", "conf", "-o", "out")
    assert_refused(done, "nothing written", "4 files")
    for where in ("bad/one.yaml:2:1", "bad/two.yaml:1:4", "three.yaml:2:1", "four.yaml:1:1"):
        assert where in done.stderr, done.stderr
    excluded = run(
        tmp_path, "migrate", "conf", "-o", "out", "--exclude", "bad", "--exclude", "[tf]*.yaml"
    )
    assert excluded.returncode == 0, excluded.stderr
    assert (tmp_path / "out" / "__init__.py").is_file()


def test_a_file_that_appears_during_the_run_is_never_deleted(project: Path) -> None:
    from lazycfg.migrate import Guard, OutputError, output, read_tree, write_package

    assert run(project, "migrate", "proj/conf", "-o", "out").returncode == 0
    target = output.plan(project / "proj/conf", project / "out", force=False)
    assert target.mode == output.SWAP
    guard = Guard()
    staging = output.stage(target, guard)
    written = write_package(read_tree(project / "proj/conf"), staging, imports=True)
    (project / "out" / "late.txt").write_text("saved meanwhile\n")
    with pytest.raises(OutputError, match="late.txt appeared during the run"):
        output.publish(target, written, guard)
    guard.undo_now()
    assert (project / "out" / "late.txt").read_text() == "saved meanwhile\n"
    assert sorted(p.name for p in project.iterdir()) == ["out", "proj"]


def test_the_watcher_undoes_exactly_what_was_registered(tmp_path: Path) -> None:
    from lazycfg.migrate import Guard

    keep = tmp_path / "keep"
    keep.mkdir()
    temporary = tmp_path / "keep\nx"  # a line break in a path must not name `keep`
    temporary.mkdir()
    guard = Guard()
    guard.remove(temporary)
    assert guard.watcher is not None and guard.watcher.stdin is not None
    guard.watcher.stdin.close()  # the run ended without saying it is done
    guard.watcher.wait()
    assert keep.is_dir() and not temporary.exists()


def test_an_excluded_file_stays_unread_by_the_check(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "conf",
        {"config.yaml": "defaults:\n  - bomb\n  - _self_\na: 1\n", "bomb.yaml": _alias_bomb(10)},
    )
    done = run(tmp_path, "migrate", "conf", "-o", "out", "--exclude", "bomb.yaml", timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr  # composed nowhere: not verified
    assert "NOT VERIFIED compose config" in done.stderr and "Traceback" not in done.stderr
