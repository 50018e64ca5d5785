"""A progress bar on a terminal for long runs; none when stderr is not a terminal or with -q."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

LAZYCFG = str(Path(sys.executable).parent / "lazycfg")


def big_tree(root: Path, files: int = 80) -> None:
    (root / "opt").mkdir(parents=True)
    for i in range(files - 1):
        (root / "opt" / f"o{i}.yaml").write_text(f"size: {i}\n")
    (root / "config.yaml").write_text("defaults:\n  - opt: o0\n  - _self_\nseed: 1\n")


def run_on_a_terminal(cwd: Path, *argv: str) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; what it drew there."""
    leader, follower = pty.openpty()
    # A new pseudo-terminal is 0 columns wide: give it a real terminal's size.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [LAZYCFG, *argv], cwd=cwd, stdout=subprocess.DEVNULL, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("quiet", [False, True])
def test_a_bar_on_a_terminal_unless_quiet(tmp_path: Path, quiet: bool) -> None:
    big_tree(tmp_path / "conf")
    argv = ["migrate", "conf", "-o", "out", *(["-q"] if quiet else [])]
    status, drawn = run_on_a_terminal(tmp_path, *argv)
    assert status == 0, drawn
    for stage in ("read", "write", "check"):
        assert (f"{stage}:" in drawn) is not quiet, drawn
    assert ("0/80 " in drawn and "0/81 " in drawn) is not quiet  # files; files + composes


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    big_tree(tmp_path / "conf")
    done = subprocess.run(
        [LAZYCFG, "migrate", "conf", "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "\r" not in done.stdout and "read:" not in done.stdout
