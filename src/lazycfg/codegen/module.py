"""Generated modules: text for people, and the AST that text must parse to.

`Module` collects imports while values are rendered (`_Renderer`, an explicit stack, so any
depth renders without recursion) and keeps, beside each statement's text, the AST built from
the data (`lazycfg.codegen.syntax`); `identifier` makes the names the writer chooses.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import keyword
import math
import sys
from dataclasses import dataclass, field
from typing import Any

from lazycfg.codegen.syntax import literal_ast, value_ast
from lazycfg.core.node import Lazy, Path

TARGET, PARTIAL, ARGS = "_target_", "_partial_", "_args_"
_SCALARS = frozenset({str, int, float, bool, type(None)})
# A factory's AST as the parser gives it (every field of this Python's FunctionDef), to copy.
_FACTORY = ast.parse("@factory\ndef config():\n    return None").body[0]
RESERVED = frozenset({"factory", "partial", "replace", "store", "lazycfg"})


@dataclass
class CommentMap:
    """Comments by config path: lines above an entry, one at the end of its line, and lines
    after the last entry of a mapping or list (written inside it, before it closes)."""

    above: dict[Path, list[str]] = field(default_factory=dict)
    inline: dict[Path, str] = field(default_factory=dict)
    after: dict[Path, list[str]] = field(default_factory=dict)


def identifier(text: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """An ASCII Python name for ``text`` (a config name), not a keyword and not ``taken``."""
    name = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in text)
    name = name or "config"
    if name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name) or name in RESERVED or name in dir(builtins):
        name = f"{name}_"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def comment_lines(lines: list[str]) -> str:
    """``# text`` lines; a line break inside a text (never one from YAML) becomes a space."""
    return "".join(f"# {_one_line(c)}\n" if c else "#\n" for c in lines)


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\0", " ")


_STDLIB = sys.stdlib_module_names
LINE_LENGTH = 100  # the line length the package is formatted to
_NOQA = "  # noqa: F401 (registers the configs)"


def _section(module: str) -> int:
    """Where isort puts ``module``: the standard library, others, then lazycfg."""
    top = module.partition(".")[0]
    return 0 if top in _STDLIB else 2 if top == "lazycfg" else 1


def _listed(names: list[tuple[str, str | None]]) -> str:
    return ", ".join(a if s is None else f"{a} as {s}" for a, s in names)


def _local_import(names: list[tuple[str, str | None]]) -> str:
    """Sibling modules imported for the configs they register, not used here by name."""
    return f"from . import {_listed(names)}{_NOQA}"


def _docstring(text: str) -> str:
    """A docstring literal: triple-quoted when plain, else a repr (still a docstring)."""
    plain = text.isprintable() and not any(c in text for c in '"\\') and text.strip() == text
    return f'"""{text}"""' if plain else repr(text)


class Module:
    """One generated module: imports collected while values are rendered, then statements.

    Each statement is kept as text and as the AST it must parse to (`meant`), built from the
    data, not from the text, so `lazycfg.codegen.syntax.prove` can check the written file.
    """

    def __init__(self, docstring: str = "") -> None:
        self.docstring = docstring
        self.header = ""  # comment lines before everything (a marker, say)
        self.names: dict[str, str] = {}  # dotted target path -> name used in the code
        self.imports: set[tuple[str, str, str]] = set()  # (module, attribute, alias)
        self.lazycfg_names: set[str] = set()
        self.taken: set[str] = set(RESERVED)
        self.statements: list[tuple[str, list[ast.stmt]]] = []
        self.local_modules: list[str] = []  # sibling modules imported for their effect

    # -- names ---------------------------------------------------------------------------------
    def use(self, name: str) -> str:
        """A name from ``lazycfg`` (factory, partial, store)."""
        self.lazycfg_names.add(name)
        return name

    def reserve(self, text: str) -> str:
        name = identifier(text, self.taken)
        self.taken.add(name)
        return name

    def ref(self, obj: Any, path: str) -> str:
        """The expression naming ``obj`` (at dotted ``path``), importing what it needs."""
        if path in self.names:
            return self.names[path]
        module = getattr(obj, "__module__", "") or ""
        qualname = getattr(obj, "__qualname__", path.rsplit(".", 1)[-1])
        # The module part of the public path: the path minus the qualname.
        module = path[: -len(qualname) - 1] if path.endswith(f".{qualname}") else module
        head, _, rest = qualname.partition(".")
        alias = head if head not in self.taken else identifier(f"{head}_{module}", self.taken)
        self.taken.add(alias)
        self.imports.add((module, head, alias))
        self.names[path] = f"{alias}.{rest}" if rest else alias
        return self.names[path]

    # -- rendering -----------------------------------------------------------------------------
    def expr(self, tree: Any, comments: CommentMap | None = None, path: Path = ()) -> str:
        """Python source of a resolved tree (see `resolve`), comments placed by path."""
        notes = comments or CommentMap()
        # An explicit stack of frames keeps deep configs free of recursion limits.
        return _Renderer(self, notes).run(tree, path)

    def add_factory(
        self,
        name: str,
        tree: Any,
        comments: CommentMap | None = None,
        lead: list[str] | None = None,
        path: Path = (),
        register: list[tuple[str, str, Any]] | None = None,
    ) -> None:
        """``@factory def name(): return <tree>`` (``name`` from `reserve`); with ``register``
        (keywords of `store`: key, config path, value), ``@store(...)`` above it."""
        body = self.expr(tree, comments, path)
        self.add_function(
            name,
            f"    return {body}\n",
            [ast.Return(value_ast(self, tree))],
            comments,
            lead,
            register,
        )

    def add_function(
        self,
        name: str,
        body: str,
        statements: list[ast.stmt],
        comments: CommentMap | None,
        lead: list[str] | None,
        register: list[tuple[str, str, Any]] | None,
    ) -> None:
        """A factory of body text ``body`` (indented) meant to parse to ``statements``."""
        decorators: list[ast.expr] = []
        text = comment_lines(lead or [])
        if register is not None:
            notes = comments or CommentMap()
            listed = ", ".join(f"{k}={self.expr(v, notes, (p,))}" for k, p, v in register)
            text += f"@{self.use('store')}({listed})\n"
            decorators.append(
                ast.Call(
                    ast.Name(self.use("store"), ast.Load()),
                    [],
                    [ast.keyword(k, value_ast(self, v)) for k, _, v in register],
                )
            )
        text += f"@{self.use('factory')}\ndef {name}():\n"
        decorators.append(ast.Name(self.use("factory"), ast.Load()))
        meant = ast.FunctionDef(**{f: getattr(_FACTORY, f) for f in _FACTORY._fields})
        meant.name = name
        meant.decorator_list = decorators
        meant.body = statements
        self.statements.append((text + body, [meant]))

    def add_statements(self, text: str, statements: list[ast.stmt]) -> None:
        """Top-level statements: their text, and the AST it must parse to."""
        self.statements.append((text, statements))

    def add_comment(self, lines: list[str]) -> None:
        self.statements.append((comment_lines(lines), []))

    def _import_rows(self) -> list[tuple[str | None, list[tuple[str, str | None]], int]]:
        """Imports by section (`_section`), sorted by module; sibling
        modules, imported for their effect, in as few lines as fit."""
        froms: dict[str, list[tuple[str, str | None]]] = {}
        for module, attr, alias in sorted(self.imports):
            froms.setdefault(module, []).append((attr, None if attr == alias else alias))
        if self.lazycfg_names:
            froms["lazycfg"] = [(n, None) for n in sorted(self.lazycfg_names)]
        # A module of this package (``.model``: a config another module's config extends).
        rows: list[tuple[str | None, list[tuple[str, str | None]], int]] = [
            (m.lstrip("."), names, len(m) - len(m.lstrip(".")))
            for m, names in sorted(
                froms.items(), key=lambda r: (r[0].startswith("."), _section(r[0]), r[0])
            )
        ]
        line: list[tuple[str, str | None]] = []
        for name in self.local_modules:
            if line and len(_local_import(line + [(name, None)])) > LINE_LENGTH:
                rows.append((None, line, 1))
                line = []
            line.append((name, None))
        if line:
            rows.append((None, line, 1))
        return rows

    def source(self) -> str:
        lines = [f"{_docstring(self.docstring)}\n"] if self.docstring else []
        # Sections as isort makes them: the standard library, others, lazycfg, this package.
        blocks: list[list[str]] = [[], [], [], []]
        for module, names, level in self._import_rows():
            if level and not module:
                blocks[3].append(_local_import(names))
            elif level:
                blocks[3].append(f"from {'.' * level}{module} import {_listed(names)}")
            else:
                blocks[_section(module or "")].append(f"from {module} import {_listed(names)}")
        if any(blocks):
            lines.append("\n\n".join("\n".join(b) for b in blocks if b) + "\n")
        lines += [text for text, _ in self.statements]
        # One blank line between statements: the formatter puts two around each function.
        return self.header + "\n".join(lines)

    def meant(self) -> ast.Module:
        """The AST `source` must parse to (comments and layout aside)."""
        body: list[ast.stmt] = [ast.Expr(ast.Constant(self.docstring))] if self.docstring else []
        for module, names, level in self._import_rows():
            body.append(ast.ImportFrom(module, [ast.alias(a, s) for a, s in names], level))
        for _, statements in self.statements:
            body += statements
        return ast.Module(body, [])


class _Renderer:
    """Writes a tree into one list of text pieces: linear in its size at any depth.

    Config paths (for comments) are built only when there are comments to place.
    """

    def __init__(self, module: Module, notes: CommentMap) -> None:
        self.module, self.notes = module, notes
        self.paths = bool(notes.above or notes.inline or notes.after)

    def run(self, root: Any, path: Path) -> str:
        opened = self.open(root, path)
        if isinstance(opened, str):
            return opened
        opener, items, closer = opened
        if not items:
            return opener + closer
        out = [opener, "\n"]
        # Frames: [items, next index, closer, path, last].
        stack: list[list[Any]] = [[items, 0, closer, path, True]]
        while stack:
            frame = stack[-1]
            items, index = frame[0], frame[1]
            if index < len(items):
                frame[1] += 1
                key_text, child_path, value = items[index]
                # Comments after the last entry: it takes a comma, as a person would write it.
                last = index == len(items) - 1 and frame[3] not in self.notes.after
                child = self.open(value, child_path)
                if isinstance(child, str) or not child[1]:
                    text = child if isinstance(child, str) else child[0] + child[2]
                    out.append(self.entry(key_text, text, child_path, last=last))
                else:
                    self.lift(key_text, value, child_path)
                    above = comment_lines(self.notes.above.get(child_path, []))
                    out += [above, key_text, child[0], "\n"]
                    stack.append([child[1], 0, child[2], child_path, last])
                continue
            stack.pop()
            out.append(comment_lines(self.notes.after.get(frame[3], [])))
            if not stack:
                out.append(frame[2])
                break
            inline = self.notes.inline.get(frame[3])
            comma = "" if frame[4] and not inline else ","
            out += [frame[2], comma, f"  # {_one_line(inline)}" if inline else "", "\n"]
        return "".join(out)

    def carry(self, path: Path, items: list[tuple[str, Path, Any]]) -> None:
        """Comments on a key a call consumes (``_target_``) move to its first argument."""
        notes = [*self.notes.above.pop(path, []), *filter(None, [self.notes.inline.pop(path, "")])]
        if notes and items:
            first = items[0][1]
            self.notes.above[first] = [*notes, *self.notes.above.get(first, [])]

    def lift(self, prefix: str, value: Any, path: Path) -> None:
        """An inline comment that would make its entry's line too long goes above the entry:
        beside a value in brackets, the formatter would split the value to make room."""
        inline = self.notes.inline.get(path)
        if not inline:
            return
        text = value if isinstance(value, str) else ast.unparse(value_ast(self.module, value))
        # The entry's indent is not known here: at most a level per key, and one for `return`.
        if 4 * (len(path) + 1) + len(prefix) + len(text) + len(inline) + 5 > LINE_LENGTH:
            self.notes.above[path] = [*self.notes.above.get(path, []), inline]
            del self.notes.inline[path]

    def entry(self, prefix: str, text: str, path: Path, *, last: bool) -> str:
        if text[:1] in "([{" or text.endswith(")"):  # brackets, not inside a string
            self.lift(prefix, text, path)
        above = comment_lines(self.notes.above.get(path, []))
        inline = self.notes.inline.get(path)
        inline = _one_line(inline) if inline else inline
        if inline and "\n" in text:
            above += f"# {inline}\n"  # a value over several lines: the comment goes above
            inline = None
        comma = "" if last and not inline else ","
        return f"{above}{prefix}{text}{comma}{f'  # {inline}' if inline else ''}\n"

    def open(self, value: Any, here: Path) -> str | tuple[str, list[tuple[str, Path, Any]], str]:
        if type(value) in _SCALARS:
            return literal_text(value)
        module = self.module
        at = _At(here) if self.paths else _NOWHERE
        if isinstance(value, type) or inspect.isroutine(value):  # from a getter node
            from lazycfg.core.targets import import_path

            return module.ref(value, import_path(value))
        if isinstance(value, Lazy):
            meta = value._lazy_meta
            if meta is not None and meta.kept is not None:
                value = meta.kept
            else:
                from lazycfg.core.targets import import_path

                fn = value._lazy_target
                name = module.ref(fn, import_path(fn))
                opener = f"{module.use('partial')}({name})(" if value._lazy_partial else f"{name}("
                items = [("", at(ARGS, i), v) for i, v in enumerate(value._lazy_args)]
                items += [(f"{k}=", at(k), v) for k, v in value._lazy_kwargs.items()]
                if self.paths:
                    self.carry((*here, TARGET), items)
                    self.carry((*here, PARTIAL), items)
                return opener, items, ")"
        if type(value) is dict:
            items = [(f"{literal_text(k)}: ", at(k), v) for k, v in value.items()]
            return "{", items, "}"
        if type(value) is list or type(value) is tuple:
            return "[", [("", at(i), v) for i, v in enumerate(value)], "]"
        return literal_text(value)


class _At:
    """Child config paths under one path (built only when comments need them)."""

    def __init__(self, here: Path) -> None:
        self.here = here

    def __call__(self, *keys: Any) -> Path:
        return (*self.here, *keys)


def _nowhere(*keys: Any) -> Path:
    return ()


_NOWHERE = _nowhere


def literal_text(value: Any) -> str:
    literal_ast(value)  # refuses what is not a plain scalar
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    return repr(value)
