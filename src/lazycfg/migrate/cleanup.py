"""Temporaries that never outlive the run, even one killed with ``kill -9``.

A run registers each temporary it creates with a `Guard`: a tiny watcher process reading the
run's registrations from a pipe. When the run finishes it says so and the watcher exits doing
nothing; when the pipe closes without that word (the run ended any other way: an exception,
Ctrl-C, SIGKILL) the watcher undoes what was registered, newest first. A forked child of the
run is tied to it with `die_with_parent`, so no process outlives the run either.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

DONE = "done"


def undo(actions: list[list[str]]) -> None:
    """Undo registered actions, newest first (runs in the watcher, so it imports nothing).

    ``["remove", path]`` deletes a temporary tree; ``["restore", moved, original]`` moves an
    earlier output back to where it was, if nothing took its place.
    """
    for action in reversed(actions):
        try:
            if action[0] == "remove":
                shutil.rmtree(action[1], ignore_errors=True)
            elif action[0] == "restore" and not os.path.lexists(action[2]):
                os.rename(action[1], action[2])
        except OSError:
            pass


# One JSON list per line: a path may hold any character, a line break included.
_WATCHER = f"""
import json, os, shutil, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the run; the watcher cleans up
{inspect.getsource(undo)}
actions = []
for line in sys.stdin:
    parts = json.loads(line)
    if parts == [{DONE!r}]:
        break
    actions.append(parts)
else:
    undo(actions)
"""


class Guard:
    """Register temporaries; `close` forgets them (success), `undo_now` removes them (failure)."""

    def __init__(self) -> None:
        self.actions: list[list[str]] = []
        try:
            self.watcher: subprocess.Popen[str] | None = subprocess.Popen(
                [sys.executable, "-c", _WATCHER],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        except OSError:  # no process to be had: cleanup still runs here on any exception
            self.watcher = None

    def _tell(self, action: list[str]) -> None:
        self.actions.append(action)
        if self.watcher is not None and self.watcher.stdin is not None:
            self.watcher.stdin.write(json.dumps(action) + "\n")
            self.watcher.stdin.flush()

    def remove(self, path: Path) -> None:
        """Delete the tree at ``path`` unless the run completes."""
        self._tell(["remove", str(path)])

    def restore(self, moved: Path, original: Path) -> None:
        """Move ``moved`` back to ``original`` unless the run completes (or something is there)."""
        self._tell(["restore", str(moved), str(original)])

    def close(self) -> None:
        """The run completed: the watcher exits without touching anything."""
        self._finish(DONE)

    def undo_now(self) -> None:
        """The run failed: undo every registered action now, and wait until it is done."""
        undo(self.actions)
        self._finish(DONE)

    def _finish(self, word: str) -> None:
        self.actions = []
        watcher, self.watcher = self.watcher, None
        if watcher is None or watcher.stdin is None:
            return
        try:
            watcher.stdin.write(json.dumps([word]) + "\n")
            watcher.stdin.close()
        except OSError:
            pass
        watcher.wait()


def die_with_parent(parent: int) -> None:
    """In a child forked by ``parent``: be killed when it dies (Linux), exit if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(0)
