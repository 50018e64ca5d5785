"""Legacy YAML -> Python config factories, verified equal through Hydra.

`migrate` checks where the package may go (`output`), reads a tree (Hydra YAML, custom-tag YAML
or jsonargparse configs, see `readers`; `loader` bounds what a file may cost), writes one module
per config group (`writer`) into a staging directory, proves each module parses to what was
meant, proves each config equal through Hydra (`verify`), publishes and reports. Temporaries
and child processes never outlive the run (`cleanup`). ``lazycfg migrate SRC -o DST`` (`cli`)
is the command-line face.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lazycfg.codegen.python import Kept
from lazycfg.migrate import output
from lazycfg.migrate.class_names import check_modules
from lazycfg.migrate.cleanup import Guard
from lazycfg.migrate.jsonargparse_check import jsonargparse_checks
from lazycfg.migrate.loader import BadTree, MigrateError, read_yaml
from lazycfg.migrate.output import OutputError
from lazycfg.migrate.progress import Progress
from lazycfg.migrate.readers import HYDRA, Source, read_tree
from lazycfg.migrate.verify import Verification, verify
from lazycfg.migrate.writer import MARKER, Written, prove_package, write_package

__all__ = [
    "MARKER",
    "Guard",
    "MigrateError",
    "Migration",
    "OutputError",
    "migrate",
    "read_tree",
    "read_yaml",
    "verify",
    "write_package",
]


@dataclass
class Migration:
    """What a migration did: sources read, modules written, targets kept, checks made."""

    sources: list[Source]
    destination: Path
    modules: dict[str, str]
    kept: list[tuple[str, Kept]]
    formatted: bool
    verification: Verification | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verification is None or not self.verification.failed

    def report(self) -> str:
        """A readable report: files, dialects, targets kept as strings, check results."""
        dialects: dict[str, int] = {}
        for source in self.sources:
            dialects[source.dialect] = dialects.get(source.dialect, 0) + 1
        lines = [
            f"# Migration report: {len(self.sources)} configs -> {self.destination}",
            "",
            "Dialects: " + ", ".join(f"{n} {d}" for d, n in sorted(dialects.items())),
            f"Modules: {', '.join(sorted({'__init__.py', *self.modules.values()}))}",
        ]
        if not self.formatted:
            lines.append("Not formatted: ruff was not found.")
        if self.kept:
            lines += ["", f"## Targets kept as strings ({len(self.kept)})", ""]
            lines += [
                f"- {k.where + ': ' if k.where else ''}{c}: {k.path}: {k.target}: {k.reason}"
                for c, k in self.kept
            ]
        if self.verification is not None:
            checks = self.verification.checks
            failed = self.verification.failed
            lines += ["", f"## Check: {len(checks) - len(failed)} of {len(checks)} equal", ""]
            for check in checks:
                if check.unverified:
                    lines.append(f"- NOT VERIFIED {check.what}: {check.unverified}")
                elif check.differences:
                    lines.append(f"- DIFFERENT {check.what}:")
                    lines += [f"    {d}" for d in check.differences]
                elif check.note:
                    lines.append(f"- {check.what}: {check.note}")
        lines += [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def migrate(
    source: Path | str,
    destination: Path | str,
    *,
    check: bool = True,
    imports: bool = True,
    overrides: list[list[str]] | None = None,
    exclude: Sequence[str] = (),
    force: bool = False,
    progress: bool = False,
    class_modules: Sequence[str] = (),
) -> Migration:
    """Convert the YAML tree at ``source`` into a Python package at ``destination``.

    Raises `OutputError` for a destination that overlaps the source or holds files lazycfg
    did not write (unless ``force``, which still never replaces one), and `MigrateError`
    (every bad file, file:line:column) for bad input, before anything is written. The package
    is proven to parse to what was meant before it is imported; with ``check`` (the default)
    each config and each composition is proven equal through Hydra. The package is published
    either way and `Migration.ok` says whether the check passed. Whatever ends the run early
    (an error, Ctrl-C, even SIGKILL) leaves no temporary behind and the destination as it was.
    With ``progress``, a bar per stage is drawn on stderr when it is a terminal.
    ``class_modules`` are imported and searched for short jsonargparse ``class_path`` names
    (`lazycfg.migrate.class_names`); they need ``imports``.
    """
    source, destination = Path(source), Path(destination)
    bars = Progress(progress)
    target = output.plan(source, destination, force=force)
    if class_modules and not imports:
        raise ValueError("--class-module imports the modules it names: drop --no-import")
    check_modules(class_modules)
    sources = read_tree(source, exclude, bars, class_modules, imports)
    if check:
        _refuse_outside_reads(sources)
    guard = Guard()
    try:
        staging = output.stage(target, guard)
        # Composed whole unless files were left out (Hydra must not see them: bad, or costly).
        run: _Run = (sources, source, staging, overrides or [], guard, not exclude, bars)
        written, verification = _write_and_check(run, imports, check)
        result = Migration(sources, destination, written.modules, written.kept, written.formatted)
        result.verification = verification
        if verification is not None:
            extra, notes = jsonargparse_checks(
                sources, verification.converted, class_modules, imports, bars
            )
            verification.checks += extra
            result.notes += notes + _partial_check_notes(sources)
        output.publish(target, written, guard)
    except BaseException:
        guard.undo_now()
        raise
    guard.close()
    return result


def _partial_check_notes(sources: list[Source]) -> list[str]:
    """What the check could not prove for this tree, said plainly in the report."""
    notes = []
    if not any(not s.group for s in sources):
        notes.append(
            "no primary config at the root of the tree: each file was compared, no composition was"
        )
    return notes


def _refuse_outside_reads(sources: list[Source]) -> None:
    """The check composes through Hydra, which follows ``hydra.searchpath`` out of the tree
    (other folders, and ``pkg://`` packages it imports): refuse it, naming every place."""
    errors = []
    for source in sources:
        hydra = source.body.get("hydra") if isinstance(source.body, dict) else None
        if isinstance(hydra, dict) and "searchpath" in hydra:
            file, line = source.lines.get(("hydra", "searchpath"), (source.file, 1))
            errors.append(
                MigrateError(
                    file,
                    line,
                    1,
                    "hydra.searchpath makes the check read configs outside the source tree; "
                    "convert with --no-check, or copy those configs into the tree",
                )
            )
    if errors:
        raise BadTree(errors)


# The arguments of `_check` but the last: sources, tree, package, override sets, guard, whether
# the tree is checked whole, progress.
_Run = tuple[list[Source], Path, Path, list[list[str]], Guard, bool, Progress]


def _write_and_check(run: _Run, imports: bool, check: bool) -> tuple[Written, Verification | None]:
    """Write the package, prove it, check it (``run``: the arguments of `_check`); configs
    written as a call of another config (a sibling, or one in another group) whose check fails
    are written again with their defaults list (`lazycfg.migrate.extend`), and checked again."""
    sources, staging, bars = run[0], run[2], run[6]
    written = write_package(sources, staging, imports=imports, progress=bars)
    prove_package(written)
    if not check:
        return written, None
    verification = _check(*run, written.extends)
    literal = _failed_extensions(verification, written.extends)
    if literal:
        written = write_package(sources, staging, imports=imports, progress=bars, literal=literal)
        prove_package(written)
        verification = _check(*run, written.extends)
    return written, verification


def _failed_extensions(
    verification: Verification, extends: dict[str, tuple[str, bool]]
) -> frozenset[str]:
    """The configs written as a call of a sibling whose check failed (see `extend`)."""
    failed = {c.what for c in verification.failed}
    return frozenset(p for p in extends if {f"load {p}", f"compose {p}"} & failed)


def _check(
    sources: list[Source],
    root: Path,
    package: Path,
    overrides: list[list[str]],
    guard: Guard,
    whole: bool,
    bars: Progress,
    extends: dict[str, tuple[str, bool]],
) -> Verification:
    if whole and all(s.dialect == HYDRA for s in sources):
        return verify(sources, root, package, overrides, progress=bars, extends=extends)
    # Custom tags and class_path nodes are not Hydra: compare against their Hydra reading,
    # written for the sources only (so excluded files stay unread).
    tmp = Path(tempfile.mkdtemp(prefix="lazycfg-migrate-"))
    guard.remove(tmp)
    try:
        _write_hydra_yaml(sources, root, tmp)
        return verify(sources, tmp, package, overrides, progress=bars, extends=extends)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_hydra_yaml(sources: list[Source], root: Path, out: Path) -> None:
    from omegaconf import OmegaConf

    for source in sources:
        target = out / source.file.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.dialect == HYDRA:
            shutil.copyfile(source.file, target)
            continue
        header = f"# @package {source.package}\n" if source.package else ""
        body = {} if source.body is None else source.body
        target.write_text(header + OmegaConf.to_yaml(OmegaConf.create(body)), encoding="utf-8")
