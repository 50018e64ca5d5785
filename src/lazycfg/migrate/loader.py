"""Safe YAML reading for migration: data only, exact positions, comments kept by config path.

Values are read as Hydra reads them (OmegaConf's loader: YAML 1.1 scalars, no timestamps,
duplicate keys refused). The custom tags of the founding essay, ``!Load`` and ``!Include``, are
parsed as data (`Tagged`); any other tag is an error. Nothing from the input is ever executed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lazycfg.codegen.module import CommentMap

KNOWN_TAGS = ("!Load", "!Include")
# What one untrusted file may cost. Configs are small: these are far above any real one.
MAX_BYTES = 2 << 20  # 2 MiB of text
MAX_DEPTH = 64  # levels of nesting; generated Python nests one bracket per level (limit 200)
MAX_ALIASED = 1000  # entries that aliases add beyond those written (a "billion laughs" bomb)
_HEADER = re.compile(r"^\s*#\s*@(\w+)\s+(\S+)\s*$")

Key = str | int
ConfigPath = tuple[Key, ...]


class MigrateError(Exception):
    """Input that cannot be migrated; the message starts with ``file:line:column``."""

    def __init__(self, file: Path | str, line: int, column: int, message: str) -> None:
        self.file, self.line, self.column = str(file), line, column
        super().__init__(f"{file}:{line}:{column}: {message}")


class BadTree(MigrateError):
    """Every bad file of a tree at once: one ``file:line:column`` line per problem."""

    def __init__(self, errors: list[MigrateError]) -> None:
        self.errors = errors
        first = errors[0]
        self.file, self.line, self.column = first.file, first.line, first.column
        files = len({e.file for e in errors})
        Exception.__init__(
            self,
            "\n".join(map(str, errors))
            + f"\n{files} file{'s' if files > 1 else ''} cannot be migrated: fix "
            f"{'them' if files > 1 else 'it'} or leave {'them' if files > 1 else 'it'} out "
            "with --exclude GLOB",
        )


@dataclass(frozen=True)
class Tagged:
    """A ``!Load`` or ``!Include`` node, kept as data with where it was written."""

    tag: str
    value: Any
    file: str
    line: int
    column: int


@dataclass
class Comments(CommentMap):
    """Comments of one file by config path: lines above an entry and at the end of its line."""

    tail: list[str] = field(default_factory=list)  # after the last entry

    def relocated(self, prefix: ConfigPath) -> Comments:
        """The same comments under ``prefix`` (for a file included into another)."""
        return Comments(
            {(*prefix, *p): c for p, c in self.above.items()},
            {(*prefix, *p): c for p, c in self.inline.items()},
            {(*prefix, *p): c for p, c in self.after.items()},
            list(self.tail),
        )


@dataclass
class YamlFile:
    path: Path
    data: Any
    header: dict[str, str]
    comments: Comments
    lines: dict[ConfigPath, int] = field(default_factory=dict)  # where each key or item starts


@functools.cache  # one value (no arguments): nothing to bound
def _loader_class() -> type:
    """OmegaConf's YAML reading (its scalar resolvers and constructors) on libyaml's parser.

    The values are those Hydra gets (the check reads the original tree with Hydra itself, so
    any divergence would show); only the parsing runs in C, when PyYAML was built with it.
    """
    import yaml
    from omegaconf._utils import get_yaml_loader

    base = get_yaml_loader()
    parser = getattr(yaml, "CSafeLoader", base)

    class Loader(parser):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers = {k: list(v) for k, v in base.yaml_implicit_resolvers.items()}
        yaml_constructors = dict(base.yaml_constructors)
        yaml_multi_constructors = dict(base.yaml_multi_constructors)
        file = ""  # set per instance: the file named in errors and `Tagged` nodes

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is not None and key in seen:
                    mark = key_node.start_mark
                    first = seen[key].start_mark
                    raise MigrateError(
                        self.file,
                        mark.line + 1,
                        mark.column + 1,
                        f"duplicate key {key!r} (first at line {first.line + 1}); "
                        "YAML keeps only one of them, remove or rename the other",
                    )
                seen[key] = key_node
            return super().construct_mapping(node, deep=True)

    def tagged(loader: Any, node: Any) -> Tagged:
        mark = node.start_mark
        if isinstance(node, yaml.MappingNode):
            value: Any = loader.construct_mapping(node, deep=True)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_scalar(node)
        return Tagged(node.tag, value, loader.file, mark.line + 1, mark.column + 1)

    def unknown(loader: Any, suffix: str, node: Any) -> Any:
        mark = node.start_mark
        raise MigrateError(
            loader.file,
            mark.line + 1,
            mark.column + 1,
            f"unknown tag {node.tag!r}; the migrator reads only {', '.join(KNOWN_TAGS)} "
            "(as data) and never runs code named by a tag",
        )

    for tag in KNOWN_TAGS:
        Loader.add_constructor(tag, tagged)
    Loader.add_multi_constructor("!", unknown)
    Loader.add_multi_constructor("tag:", unknown)
    return Loader


def read_yaml(path: Path) -> YamlFile:
    """Read one YAML file safely; raise `MigrateError` with file:line:column on bad input.

    Size, nesting depth and alias expansion are bounded (`MAX_BYTES`, `MAX_DEPTH`,
    `MAX_ALIASED`) before anything walks the data, so no file can cost more than a moment.
    """
    import yaml

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise MigrateError(
                path, 1, 1, f"larger than {MAX_BYTES >> 20} MiB ({size} bytes); not a config"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MigrateError(path, 1, 1, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MigrateError(path, 1, 1, f"cannot read file: {exc}") from None
    loader = _loader_class()(text)
    loader.file = str(path)
    try:
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_cost(path, node)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if "maximum nesting depth" in problem:
            problem = f"nested deeper than {MAX_DEPTH} levels"
            raise MigrateError(path, line, column, problem) from None
        raise MigrateError(path, line, column, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise MigrateError(path, 1, 1, f"malformed YAML: {exc}") from None
    except RecursionError:  # the pure-Python parser, where libyaml is missing
        raise MigrateError(path, 1, 1, f"nested deeper than {MAX_DEPTH} levels") from None
    return YamlFile(path, data, _header(text), _comments(text, node), _lines(node))


def check_cost(path: Path) -> None:
    """Refuse a YAML file too large, too deep or blown up by aliases, before anyone loads it
    (for readers other than `read_yaml`, which checks as it reads); `MigrateError` says why."""
    read_yaml(path)


def _check_cost(path: Path, root: Any) -> None:
    """Refuse a node graph nested too deep, with recursive aliases, or that aliases blow up.

    One pass over the distinct nodes (aliases share them), sizes and depths memoized, so the
    check itself costs what the file's text does, whatever the expansion would be.
    """
    import yaml

    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _children(node, yaml)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if depth[key] > MAX_DEPTH:
                mark = node.start_mark
                raise MigrateError(
                    path, mark.line + 1, mark.column + 1, f"nested deeper than {MAX_DEPTH} levels"
                )
            continue
        if key in size:
            continue
        if key in open_:
            mark = node.start_mark
            raise MigrateError(
                path,
                mark.line + 1,
                mark.column + 1,
                "a recursive alias (a value that contains itself) has no finite config",
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    extra = size[id(root)] - len(size)
    if extra > MAX_ALIASED:
        raise MigrateError(
            path,
            1,
            1,
            f"aliases expand to more than {MAX_ALIASED} entries beyond those written "
            f"({extra}); write the values out or use interpolations (${{...}})",
        )


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _header(text: str) -> dict[str, str]:
    """Hydra's ``# @key value`` header lines (only before the first other line)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _HEADER.match(line)
        if not match:
            break
        out[match.group(1)] = match.group(2)
    return out


def _comment_of(line: str) -> tuple[int, str] | None:
    """(column, text) of a line's ``#`` comment outside quotes, or None."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return i, line[i + 1 :].strip()
    return None


def _entries(node: Any) -> Iterator[tuple[ConfigPath, Any]]:
    """Every key and list item under ``node``: its config path and the YAML node it starts at.

    Parents come before their children (an entry is yielded when its parent is opened).
    """
    import yaml

    stack: list[tuple[ConfigPath, Any]] = [((), node)]
    while stack:
        path, here = stack.pop()
        if isinstance(here, yaml.MappingNode):
            pairs = [((*path, k.value), k, v) for k, v in here.value]
        elif isinstance(here, yaml.SequenceNode):
            pairs = [((*path, i), v, v) for i, v in enumerate(here.value)]
        else:
            continue
        for child, start, value in pairs:
            yield child, start
            stack.append((child, value))


def _starts(node: Any) -> dict[int, ConfigPath]:
    """The outermost config path that starts on each (0-based) line (keys and list items)."""
    out: dict[int, ConfigPath] = {}
    for path, start in _entries(node):
        out.setdefault(start.start_mark.line, path)  # parents come first: outermost wins
    return out


def _lines(node: Any) -> dict[ConfigPath, int]:
    """The 1-based line of every key and list item, by config path (for error messages)."""
    return {path: start.start_mark.line + 1 for path, start in _entries(node)}


def _comments(text: str, node: Any) -> Comments:
    comments = Comments()
    if node is None:
        return comments
    starts = _starts(node)
    columns = _columns(node)
    pending: list[tuple[int, str]] = []  # (column, text) of comment lines; blank lines: (-1, "")
    last: ConfigPath = ()  # the entry written last, whose containers a comment may end
    for number, line in enumerate(text.splitlines()):
        found = _comment_of(line)
        code = line[: found[0]] if found else line
        if not code.strip():
            if found and not _HEADER.match(line):
                pending.append(found)
            elif not found and pending and pending[-1][1] != "":
                pending.append((-1, ""))  # a blank line ends a comment block
            continue
        path = starts.get(number)
        if path is None:
            continue
        for indent, block in _runs(pending):
            inside = _closing(last, len(path) - 1, indent, columns)
            if inside is None:
                comments.above.setdefault(path, []).extend(block)
            else:  # indented under the entry before: the end of that mapping or list
                comments.after.setdefault(inside, []).extend(block)
        pending = []
        if found and found[1]:
            comments.inline[path] = found[1]
        last = path
    for indent, block in _runs(pending):
        inside = _closing(last, 0, indent, columns)
        if inside is None:
            comments.tail.extend(block)
        else:
            comments.after.setdefault(inside, []).extend(block)
    return comments


def _runs(pending: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Comment lines in runs of one indentation (a blank line stays in its run)."""
    runs: list[tuple[int, list[str]]] = []
    for column, text in pending:
        if column >= 0 and (not runs or runs[-1][0] != column):
            runs.append((column, []))
        if runs:
            runs[-1][1].append(text)
    return [(column, block) for column, lines in runs if (block := _trim(lines))]


def _closing(
    last: ConfigPath, depth: int, indent: int, columns: dict[ConfigPath, int]
) -> ConfigPath | None:
    """The deepest container of ``last``, deeper than ``depth`` keys, whose entries start at or
    left of ``indent``: a comment block indented so is written inside it, after its end."""
    for end in range(len(last) - 1, depth, -1):
        if columns.get(last[: end + 1], 1 << 30) <= indent:
            return last[:end]
    return None


def _columns(node: Any) -> dict[ConfigPath, int]:
    """The column a comment must reach to belong to the container of each entry: the entry's
    own column, the dash's for a list item of a block list."""
    out: dict[ConfigPath, int] = {}
    for path, start in _entries(node):
        column = start.start_mark.column
        out[path] = max(0, column - 2) if isinstance(path[-1], int) else column
    return out


def _trim(lines: list[str]) -> list[str]:
    while lines and lines[-1] == "":
        lines = lines[:-1]
    while lines and lines[0] == "":
        lines = lines[1:]
    return lines
