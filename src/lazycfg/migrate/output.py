"""Where the package goes, and how it gets there without losing anything that was there.

`plan` decides before anything is read or written: the destination must not overlap the
source tree, and an existing folder may hold only earlier output (modules starting with the
writer's `MARKER`, and their bytecode); anything else is refused, naming the first foreign
file, unless ``--force``, which writes beside foreign files but never replaces or deletes one.
`stage` makes the staging directory (registered with the run's `Guard`); `publish` moves the
finished package into place: a new folder by one rename, an earlier output by a swap of two
renames (undone if the run dies between them), a forced or current folder file by file.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from lazycfg.migrate.cleanup import Guard
from lazycfg.migrate.writer import MARKER, Written

NEW, SWAP, FILES = "new", "swap", "files"


class OutputError(Exception):
    """The destination cannot be written as asked; the message says why and what to do."""


@dataclass
class Plan:
    destination: Path
    mode: str  # NEW, SWAP or FILES
    ours: list[Path] = field(default_factory=list)  # earlier output inside the destination
    foreign: list[Path] = field(default_factory=list)  # everything else there (--force)


def plan(source: Path, destination: Path, *, force: bool) -> Plan:
    """Check ``destination`` against ``source`` and what it holds; `OutputError` if refused."""
    src, dst = source.resolve(), destination.resolve()
    if dst == src or dst.is_relative_to(src) or src.is_relative_to(dst):
        how = "is" if dst == src else "is inside" if dst.is_relative_to(src) else "contains"
        other = src.parent / f"{src.name}_py"
        raise OutputError(
            f"-o {destination} {how} the source tree {source}; writing there could replace "
            f"the configs being converted. Write the package to a folder of its own, "
            f"e.g. -o {other}"
        )
    for folder in [dst, *dst.parents]:
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise OutputError(f"-o {destination}: {folder} is a file, not a folder")
            break
    if not dst.exists():
        return Plan(destination, NEW)
    ours, foreign = survey(dst)
    if foreign and not force:
        raise OutputError(
            f"-o {destination} holds files lazycfg did not write (first: {foreign[0]}); "
            "give a new folder, or add --force to write the modules beside them "
            "(--force never replaces or deletes a file lazycfg did not write)"
        )
    here = Path.cwd().resolve()
    mode = FILES if foreign or here == dst or here.is_relative_to(dst) else SWAP
    return Plan(destination, mode, ours, foreign)


def survey(folder: Path) -> tuple[list[Path], list[Path]]:
    """(earlier output, everything else) in ``folder``: modules that start with `MARKER`, and
    ``__pycache__`` files of those modules, are earlier output."""
    ours: list[Path] = []
    foreign: list[Path] = []
    modules = {p.stem for p in folder.glob("*.py") if _marked(p)}
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        for name in sorted(files) + sorted(d for d in dirs if (here / d).is_symlink()):
            path = here / name
            cache = (
                here == folder / "__pycache__"
                and name.endswith(".pyc")
                and name.partition(".")[0] in modules
            )
            mine = here == folder and name.endswith(".py") and name[:-3] in modules
            (ours if (cache or mine) and not path.is_symlink() else foreign).append(path)
        if here != folder and here.name != "__pycache__" and not files and not dirs:
            foreign.append(here)  # an empty folder of the user's
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return ours, sorted(foreign)


def _marked(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.readline().rstrip(b"\r\n") == MARKER.encode()


def stage(target: Plan, guard: Guard) -> Path:
    """A new, empty staging directory on the destination's file system (umask honoured)."""
    dst = target.destination.resolve()
    if target.mode == FILES:
        parent = dst
    else:
        parent = next(p for p in dst.parents if p.is_dir())
    staging = parent / f".{dst.name or 'out'}.lazycfg-{secrets.token_hex(4)}"
    guard.remove(staging)
    os.mkdir(staging)  # mode 0o777 less the umask, unlike mkdtemp's 0o700
    return staging


def publish(target: Plan, written: Written, guard: Guard) -> None:
    """Move the finished package from its staging directory into place (see module doc)."""
    staging, dst = written.directory, target.destination.resolve()
    if target.mode == NEW:
        dst.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(dst)
    elif target.mode == SWAP:
        _, foreign = survey(dst)  # again: a file may have appeared there during the run
        if foreign:
            raise OutputError(
                f"-o {target.destination}: {foreign[0]} appeared during the run and was not "
                "written by lazycfg; run again, or give another folder"
            )
        old = dst.parent / f".{dst.name}.lazycfg-old-{secrets.token_hex(4)}"
        guard.remove(old)
        guard.restore(old, dst)
        dst.rename(old)
        staging.rename(dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        _publish_files(target, staging, dst)
    written.directory = dst


def _publish_files(target: Plan, staging: Path, dst: Path) -> None:
    """Into a folder that stays: each module replaced alone, foreign files never touched."""
    files = sorted(p.name for p in staging.iterdir())
    foreign = {p.name for p in target.foreign if p.parent == dst}
    clash = [f for f in files if f in foreign]
    if clash:
        raise OutputError(
            f"-o {target.destination}: {dst / clash[0]} was not written by lazycfg and is "
            "never replaced; move it away or give another folder"
        )
    for name in files:
        os.replace(staging / name, dst / name)
    for path in target.ours:
        stale = path.parent == dst and path.name not in files and _marked(path)
        cached = (
            path.parent.name == "__pycache__" and f"{path.name.partition('.')[0]}.py" not in files
        )
        if stale or cached:
            path.unlink(missing_ok=True)
    staging.rmdir()
