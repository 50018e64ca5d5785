"""The three YAML dialects, read into one form: Hydra configs (``_target_`` and friends).

1. Hydra trees: kept as they are (defaults lists, ``# @package`` headers, interpolations).
2. Custom-tag YAML: ``!Load {cls: pkg.Cls, params: {...}}`` becomes ``{_target_: pkg.Cls, ...}``
   and ``!Include other.yaml`` (relative to the including file) is inlined.
3. jsonargparse / LightningCLI: ``{class_path: pkg.Cls, init_args: {...}}`` becomes a target node.

Every file of the tree becomes a `Source`: group (its folder), name, package, defaults list and
body, with its comments by config path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from lazycfg.migrate.class_names import ClassNameError, annotated_bases
from lazycfg.migrate.class_names import resolve as resolve_class_name
from lazycfg.migrate.loader import BadTree, Comments, ConfigPath, MigrateError, Tagged, read_yaml
from lazycfg.migrate.progress import OFF, Progress

HYDRA, TAGS, JSONARGPARSE = "hydra", "custom tags", "jsonargparse"
_SUFFIXES = (".yaml", ".yml")


@dataclass
class Source:
    """One config file, read into Hydra form."""

    file: Path
    group: str  # "" for a primary config at the root of the tree
    name: str
    package: str | None
    defaults: list[Any] | None
    body: Any
    comments: Comments
    dialect: str
    # Where each config path was written: (file, line); paths inside a !Load or class_path
    # node are found through the node's own entry (see `location`).
    lines: dict[ConfigPath, tuple[Path, int]] = field(default_factory=dict)

    def location(self, path: ConfigPath) -> str:
        """``file:line`` of the innermost written entry at or above ``path``."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return f"{found[0]}:{found[1]}"
        return f"{self.file}:1"

    @property
    def config_path(self) -> str:
        return f"{self.group}/{self.name}" if self.group else self.name


def excluded(relative: str, patterns: Sequence[str]) -> bool:
    """Whether a tree-relative path, or a folder it is in, matches one of the glob ``patterns``."""
    path = PurePosixPath(relative)
    candidates = [path.as_posix(), *(p.as_posix() for p in path.parents if p.name)]
    return any(fnmatchcase(c, pattern) for c in candidates for pattern in patterns)


def yaml_files(root: Path, exclude: Sequence[str] = ()) -> list[Path]:
    """Every YAML file under ``root`` not excluded by a glob, in a stable order."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in _SUFFIXES
        and p.is_file()
        and not excluded(p.relative_to(root).as_posix(), exclude)
    )


def inside(
    root: Path, path: Path, where: tuple[Path, int, int], real_root: Path | None = None
) -> Path:
    """``path`` with its links resolved, if that is inside the tree ``root``; else refused."""
    real = path.resolve()
    if not real.is_relative_to(real_root or root.resolve()):
        raise MigrateError(
            *where,
            f"{path} resolves to {real}, outside the source tree {root}; the migrator reads "
            "only files inside the tree it converts (copy the file in if it belongs there)",
        )
    return real


def read_tree(
    root: Path,
    exclude: Sequence[str] = (),
    progress: Progress = OFF,
    class_modules: Sequence[str] = (),
    imports: bool = False,
) -> list[Source]:
    """Read every YAML file of a config tree; `BadTree` lists every bad file at once.

    ``class_modules`` and, with ``imports``, the classes that class_path nodes name (as the
    writer imports them) are where short class_path names are looked up.
    """
    if not root.is_dir():
        raise MigrateError(root, 1, 1, "not a directory of YAML configs")
    real_root = root.resolve()
    sources: list[Source] = []
    errors: list[MigrateError] = []
    seen: dict[str, Path] = {}
    paths = yaml_files(root, exclude)
    bar = progress.stage("read", len(paths))
    for path in paths:
        bar.update()
        try:
            source = read_source(root, path, real_root, class_modules, imports)
        except MigrateError as exc:
            errors.extend(exc.errors if isinstance(exc, BadTree) else [exc])
            continue
        if source.config_path in seen:
            errors.append(
                MigrateError(
                    source.file,
                    1,
                    1,
                    f"config {source.config_path!r} is also defined by "
                    f"{seen[source.config_path]}; keep one of .yaml / .yml",
                )
            )
        seen[source.config_path] = source.file
        sources.append(source)
    bar.close()
    if errors:
        raise BadTree(errors)
    return sources


def read_source(
    root: Path,
    path: Path,
    real_root: Path | None = None,
    class_modules: Sequence[str] = (),
    imports: bool = False,
) -> Source:
    """Read one file of the tree rooted at ``root`` into a `Source`."""
    real_root = real_root or root.resolve()
    inside(root, path, (path, 1, 1), real_root)
    loaded = read_yaml(path)
    state = _State(root, real_root, tuple(class_modules), imports)
    state.lines = {p: (path, line) for p, line in loaded.lines.items()}
    body = _translate(loaded.data, path, state, (path.resolve(),))
    comments = loaded.comments
    for prefix, included in state.included:
        for key, lines in included.above.items():
            comments.above.setdefault(key, lines)
        for key, line in included.inline.items():
            comments.inline.setdefault(key, line)
        del prefix
    if state.dialect == JSONARGPARSE:
        body = _flattened_references(
            body, root_is_class=isinstance(loaded.data, dict) and "class_path" in loaded.data
        )
    defaults = None
    if isinstance(body, dict) and "defaults" in body and state.dialect == HYDRA:
        defaults = body.pop("defaults")
        if not isinstance(defaults, list):
            raise MigrateError(path, 1, 1, "the defaults list must be a list")
    relative = path.relative_to(root)
    group = relative.parent.as_posix()
    package = loaded.header.get("package")
    _check_root(path, body, "" if group == "." else group, package)
    return Source(
        file=path,
        group="" if group == "." else group,
        name=relative.stem,
        package=package,
        defaults=defaults,
        body=body,
        comments=comments,
        dialect=state.dialect,
        lines=state.lines,
    )


def _check_root(path: Path, body: Any, group: str, package: str | None) -> None:
    """A mapping, or a list that Hydra puts under a key (a group's package, a header's)."""
    if body is None or isinstance(body, dict):
        return
    if not isinstance(body, list):
        raise MigrateError(path, 1, 1, f"a config must be a mapping, got {type(body).__name__}")
    under = package if package is not None else group
    if not under or under == "_global_":
        raise MigrateError(
            path,
            1,
            1,
            "a config whose root is a list composes only under a key: put the file in a "
            "config group, or name the key with a '# @package key' header",
        )


class _State:
    def __init__(
        self,
        root: Path,
        real_root: Path,
        class_modules: tuple[str, ...] = (),
        imports: bool = False,
    ) -> None:
        self.root, self.real_root = root, real_root
        self.class_modules = class_modules  # where short class_path names are looked up
        self.imports = imports  # whether a class_path's class may be imported for its signature
        self.dialect = HYDRA
        self.included: list[tuple[ConfigPath, Comments]] = []
        self.lines: dict[ConfigPath, tuple[Path, int]] = {}


def _translate(data: Any, file: Path, state: _State, chain: tuple[Path, ...]) -> Any:
    """Hydra form of one file's data: tags and class_path nodes rewritten, includes inlined."""
    # An explicit stack: included files nest arbitrarily deep without recursion limits. Each
    # entry: value, its path in the output, its path as written (for lines), where it goes,
    # and the (class_path, parameter) it is an argument of, for short names in it.
    result: list[Any] = [None]
    stack: list[tuple[Any, ConfigPath, ConfigPath, Any, Any, _Argument | None]] = [
        (data, (), (), result, 0, None)
    ]
    while stack:
        value, path, raw, parent, slot, argument = stack.pop()
        if isinstance(value, Tagged):
            value = _untag(value, file, state, chain, path)
            if isinstance(value, _Inlined):
                parent[slot] = value.data
                continue
        if isinstance(value, dict) and "class_path" in value:
            target = _class_target(value, file, state, state.lines.get(raw), argument)
            state.dialect = JSONARGPARSE
            node: dict[Any, Any] = {"_target_": target}
            parent[slot] = node
            for key, item, written in _class_arguments(value, target, file, raw):
                node[key] = None
                stack.append((item, (*path, key), written, node, key, (target, key)))
        elif isinstance(value, dict):
            out: dict[Any, Any] = {}
            parent[slot] = out
            for key, item in value.items():
                out[key] = None
                stack.append((item, (*path, key), (*raw, key), out, key, None))
        elif isinstance(value, list):
            items: list[Any] = [None] * len(value)
            parent[slot] = items
            for i, item in enumerate(value):  # a list's items are arguments of its parameter
                stack.append((item, (*path, i), (*raw, i), items, i, argument))
        else:
            parent[slot] = value
    return result[0]


class _Inlined:
    def __init__(self, data: Any) -> None:
        self.data = data


def _untag(
    node: Tagged, file: Path, state: _State, chain: tuple[Path, ...], path: ConfigPath
) -> Any:
    state.dialect = TAGS
    if node.tag == "!Load":
        if not isinstance(node.value, dict) or not isinstance(node.value.get("cls"), str):
            raise MigrateError(
                node.file, node.line, node.column, "!Load needs a mapping with a string 'cls'"
            )
        extra = sorted(set(node.value) - {"cls", "params"})
        if extra:
            raise MigrateError(
                node.file,
                node.line,
                node.column,
                f"!Load takes 'cls' and 'params', got also {', '.join(map(repr, extra))}",
            )
        params = node.value.get("params") or {}
        if not isinstance(params, dict):
            raise MigrateError(
                node.file, node.line, node.column, "!Load 'params' must be a mapping"
            )
        return {"_target_": node.value["cls"], **params}
    # !Include: a path relative to the including file, read and translated in its place.
    if not isinstance(node.value, str) or not node.value:
        raise MigrateError(node.file, node.line, node.column, "!Include needs a file path")
    where = (Path(node.file), node.line, node.column)
    target = inside(state.root, file.parent / node.value, where, state.real_root)
    if target in chain:
        cycle = " -> ".join(str(p) for p in (*chain[chain.index(target) :], target))
        raise MigrateError(node.file, node.line, node.column, f"include cycle: {cycle}")
    if not target.is_file():
        raise MigrateError(
            node.file, node.line, node.column, f"included file {node.value!r} not found ({target})"
        )
    loaded = read_yaml(target)
    inner = _State(state.root, state.real_root, state.class_modules, state.imports)
    inner.lines = {p: (target, line) for p, line in loaded.lines.items()}
    data = _translate(loaded.data, target, inner, (*chain, target))
    for key, found in inner.lines.items():  # the included file's entries, under this path
        state.lines.setdefault((*path, *key), found)
    state.included.append((path, loaded.comments.relocated(path)))
    state.included.extend(inner.included)
    return _Inlined(data)


_INTERPOLATION = re.compile(r"\$\{[^{}]*\}")
_NESTING = re.compile(r"\.(?:init_args|dict_kwargs)(?=[.}\[])")
_LEADING = re.compile(r"(?<=\$\{)(?:init_args|dict_kwargs)\.")  # ${init_args.x}: root node


def _flattened_references(body: Any, root_is_class: bool = False) -> Any:
    """Interpolations through ``init_args`` (``${model.init_args.out_features}``) rewritten
    to the converted layout, where a class_path node's arguments sit on the node itself; in
    a file whose root is a class_path node, ``${init_args.x}`` too."""
    stack = [body]
    while stack:
        here = stack.pop()
        items = here.items() if isinstance(here, dict) else enumerate(here)
        for key, value in list(items):
            if isinstance(value, str) and "${" in value:
                here[key] = _INTERPOLATION.sub(lambda m: _flat(m.group(0), root_is_class), value)
            elif isinstance(value, dict | list):
                stack.append(value)
    return body


def _flat(reference: str, root_is_class: bool) -> str:
    """One ``${...}`` with its steps through ``init_args`` / ``dict_kwargs`` removed."""
    if root_is_class:
        reference = _LEADING.sub("", reference)
    return _NESTING.sub("", reference)


_Argument = tuple[str, Any]  # (class_path of the node, parameter) a value is passed to


def _class_target(
    value: dict[Any, Any],
    file: Path,
    state: _State,
    where: tuple[Path, int] | None,
    argument: _Argument | None,
) -> str:
    """The node's class_path, a short name resolved (`lazycfg.migrate.class_names`)."""
    target = value["class_path"]
    at = where or (file, 1)
    if not isinstance(target, str):
        raise MigrateError(*at, 1, f"class_path must be a dotted path, got {target!r}")
    if "." in target:
        return target
    bases: tuple[type, ...] = ()
    if argument is not None and state.imports and "." in argument[0]:
        bases = annotated_bases(_imported(argument[0]), argument[1])
    try:
        return resolve_class_name(target, state.class_modules, bases) or target
    except ClassNameError as exc:
        raise MigrateError(*at, 1, str(exc)) from None


@cache
def _imported(target: str) -> Any:
    """The class a dotted class_path names, imported as the writer would import it; None
    when it does not import (its arguments' short names then stay unresolved)."""
    from lazycfg.core.targets import locate

    try:
        return locate(target)
    except Exception:
        return None


def _class_arguments(
    value: dict[Any, Any], target: str, file: Path, raw: ConfigPath
) -> list[tuple[Any, Any, ConfigPath]]:
    """A class_path node's entries, ``init_args`` and ``dict_kwargs`` flattened onto the node:
    (key, value, path as written)."""
    out: list[tuple[Any, Any, ConfigPath]] = []
    for key, item in value.items():
        if key in ("init_args", "dict_kwargs"):
            if not isinstance(item, dict):
                raise MigrateError(file, 1, 1, f"{key} of {target} must be a mapping")
            out += [(k, v, (*raw, key, k)) for k, v in item.items()]
        elif key != "class_path":
            out.append((key, item, (*raw, key)))
    return out
