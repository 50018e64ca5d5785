"""Sources -> a Python package: one module per config group, ``@factory`` + ``store`` per file.

The package is written into a temporary directory next to the destination, formatted with
ruff, and only moved into place by `publish` once complete, so bad input never leaves a
half-written package behind.
"""

from __future__ import annotations

import importlib.util
import keyword
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from lazycfg.codegen import CommentMap, Kept, Module, identifier, resolve, ruff_format
from lazycfg.migrate.loader import MigrateError
from lazycfg.migrate.readers import Source

INIT = "__init__.py"


@dataclass
class Written:
    """What `write_package` produced: module per group, and the targets kept as strings."""

    directory: Path
    modules: dict[str, str] = field(default_factory=dict)  # group -> module file name
    kept: list[tuple[str, Kept]] = field(default_factory=list)  # (config path, node)
    formatted: bool = False


def module_name(group: str, taken: set[str]) -> str:
    """A module name for a config group that shadows no installed top-level package."""
    name = identifier(group.replace("/", "_"), taken)
    if keyword.iskeyword(name) or importlib.util.find_spec(name) is not None:
        name = identifier(f"{name}_configs", taken)
    taken.add(name)
    return name


def _module_for(group: str, sources: list[Source], imports: bool, written: Written) -> Module:
    label = f"config group {group!r}" if group else "primary configs"
    suffix = sources[0].file.suffix if sources else ".yaml"
    where = f"{group}/*{suffix}" if group else f"*{suffix}"
    module = Module(f"The {label}, converted from {where} by `lazycfg migrate`.")
    for source in sources:
        body = {} if source.body is None else source.body
        if not isinstance(body, dict):
            raise MigrateError(
                source.file, 1, 1, f"a config must be a mapping, got {type(body).__name__}"
            )
        tree, kept = resolve(body, imports=imports)
        written.kept += [
            (source.config_path, replace(k, where=source.location(k.key))) for k in kept
        ]
        notes = source.comments
        lead = source.comments.above.get(("defaults",), []) if source.defaults else []
        name = module.reserve(source.name)
        module.add_factory(name, tree, notes, lead)
        module.add(_store_call(module, name, source, notes))
        if source.comments.tail:
            module.add("".join(f"# {c}\n" if c else "#\n" for c in source.comments.tail))
    return module


def _store_call(module: Module, name: str, source: Source, notes: CommentMap) -> str:
    args = [name, f"name={source.name!r}"]
    if source.group:
        args.append(f"group={source.group!r}")
    if source.package is not None:
        args.append(f"package={source.package!r}")
    if source.defaults is not None:
        notes.above.pop(("defaults",), None)
        args.append(f"defaults={module.expr(source.defaults, notes, ('defaults',))}")
    return f"{module.use('store')}({', '.join(args)})\n"


def write_package(sources: list[Source], destination: Path, *, imports: bool) -> Written:
    """Write the package for ``sources`` into a fresh temporary directory beside destination."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    written = Written(directory)
    try:
        groups: dict[str, list[Source]] = {}
        for source in sources:
            groups.setdefault(source.group, []).append(source)
        taken: set[str] = set()
        for group in sorted(g for g in groups if g):
            written.modules[group] = module_name(group, taken) + ".py"
        texts: dict[str, str] = {}
        for group, file in written.modules.items():
            texts[file] = _module_for(group, groups[group], imports, written).source()
        root = _module_for("", groups.get("", []), imports, written)
        root.taken |= taken
        if written.modules:
            names = ", ".join(f[:-3] for f in written.modules.values())
            root.local_imports.append(
                f"from . import {names}  # noqa: F401 (importing registers every group)"
            )
        if not root.docstring or not groups.get(""):
            root.docstring = "Configs converted by `lazycfg migrate`; import to register them."
        texts[INIT] = root.source()
        for file, text in texts.items():
            (directory / file).write_text(text, encoding="utf-8")
        written.formatted = ruff_format(directory=directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return written


def publish(written: Written, destination: Path) -> None:
    """Move the finished package into place, replacing an earlier one at ``destination``."""
    old = None
    if destination.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old.", dir=destination.parent))
        destination.rename(old / destination.name)
    written.directory.rename(destination)
    written.directory = destination
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(written: Written) -> None:
    shutil.rmtree(written.directory, ignore_errors=True)
