"""Config tree -> readable Python source: ``@factory`` functions that return the same config.

`to_python` turns a lazy tree, a dict or a DictConfig (a logged config, say) back into code.
Each ``_target_`` node whose target imports, is written at its public path and passes the
target's signature check becomes an ordinary call (``Adam(lr=0.001)``, ``partial(Adam)(...)``)
with a real import; any other node stays a dict with its ``_target_`` string, exactly as given,
and is listed in `Generated.kept` with the reason. Interpolations and resolvers stay strings.
Comments can be attached by config path, so a migrated file keeps its notes.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import keyword
import math
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from lazycfg.codegen_ast import literal_ast, value_ast
from lazycfg.errors import ConfigError
from lazycfg.node import Key, Lazy, Path, fold, format_path

TARGET, PARTIAL, ARGS = "_target_", "_partial_", "_args_"
_OPTIONS = ("_recursive_", "_convert_")
_GETTERS = ("hydra.utils.get_class", "hydra.utils.get_method")
RESERVED = frozenset({"factory", "partial", "store", "lazycfg"})


@dataclass(frozen=True)
class Kept:
    """A target node left as a ``_target_`` string, and why."""

    path: str
    target: str
    reason: str
    key: Path = ()  # the config path as keys, for looking up where the node was written
    where: str = ""  # ``file:line`` of the node in its source, when known


@dataclass
class CommentMap:
    """Comments by config path: lines above an entry, one at the end of its line."""

    above: dict[Path, list[str]] = field(default_factory=dict)
    inline: dict[Path, str] = field(default_factory=dict)


def plain(x: Any) -> Any:
    """A lazy tree, DictConfig or container as plain Hydra data."""
    if type(x).__module__.startswith("omegaconf"):
        from omegaconf import OmegaConf

        return OmegaConf.to_container(x, resolve=False)
    from lazycfg.emit import to_dict

    return to_dict(x)


def resolve(data: Any, *, imports: bool = True, where: Path = ()) -> tuple[Any, list[Kept]]:
    """Plain config data -> a tree of validated `Lazy` calls where possible (see module doc).

    Nodes that stay strings are `Lazy` nodes with a string target whose ``meta["kept"]`` holds
    the original dict, so parents can still be checked and the dict is written as given.
    """
    kept: list[Kept] = []

    def decide(value: Any, path: Path, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        if type(value) is list or type(value) is tuple:
            return [v for _, v in kids]
        fields = dict(kids)
        target = fields.get(TARGET)
        if not isinstance(target, str):
            return fields
        here = format_path((*where, *path))
        if not imports:
            kept.append(Kept(here, target, "not imported (--no-import)", (*where, *path)))
            return _kept(target, fields)
        obj, reason = _import_exact(target)
        if reason is None and target in _GETTERS:
            value = _getter_value(target, fields)
            if value is not None:
                return value  # the class or function itself: checked and written as such
        if reason is None:
            reason = _shape_problem(fields)
        if reason is None:
            try:
                return _checked_call(obj, fields)
            except ConfigError as exc:
                reason = "; ".join(dict.fromkeys(map(_readable, exc.problems)))  # each once
            except Exception as exc:  # a target whose signature cannot be read
                reason = f"cannot be checked: {type(exc).__name__}: {exc}"
        kept.append(Kept(here, target, reason or "unknown", (*where, *path)))
        return _kept(target, fields)

    return fold(data, decide), kept


# Reprs of classes and functions in a checker's message, shown by name (no memory address).
_REPRS = re.compile(r"<(?:function|class) '?([\w.]+)'?(?: at 0x[0-9a-f]+)?>")


def _readable(problem: str) -> str:
    return _REPRS.sub(r"\1", problem)


def _getter_value(target: str, fields: dict[Any, Any]) -> Any:
    """The class (``get_class``) or function (``get_method``) a getter node names, or None.

    Only when writing the object back gives the same node: a class under ``get_method`` (or a
    function under ``get_class``) would be emitted with the other getter, so it stays a node.
    """
    path = fields.get("path")
    if set(fields) != {TARGET, "path"} or not isinstance(path, str):
        return None
    obj, why = _import_exact(path)
    if why is not None:
        return None
    wanted = isinstance(obj, type) if target == _GETTERS[0] else inspect.isroutine(obj)
    return obj if wanted else None


def _kept(target: str, fields: dict[Any, Any]) -> Lazy[Any]:
    kwargs = {str(k): v for k, v in fields.items() if k != TARGET}
    return Lazy(target, (), kwargs, False, {"kept": fields})


def _import_exact(path: str) -> tuple[Any, str | None]:
    """The object a dotted path names, if it imports and that path is its public one."""
    from lazycfg.targets import import_path, locate

    try:
        obj = locate(path)
    except Exception as exc:
        return None, f"does not import here ({str(exc).split('; ')[0].split(': ')[-1]})"
    try:
        public = import_path(obj)
    except Exception:
        return None, "imports, but cannot be named back as a module-level object"
    if public != path:
        return None, f"imports, but its public path is {public} (kept as written)"
    return obj, None


def _shape_problem(fields: dict[Any, Any]) -> str | None:
    """Why a node's keys cannot be written as a plain call, or None."""
    if any(k in fields for k in _OPTIONS):
        return "uses _recursive_/_convert_ (kept as a dict)"
    if PARTIAL in fields and fields[PARTIAL] is not True:
        return "has _partial_ other than true (kept as a dict)"
    if ARGS in fields and (not isinstance(fields[ARGS], list) or not fields[ARGS]):
        return "has an empty or non-list _args_ (kept as a dict)"
    bad = [k for k in fields if k not in (TARGET, PARTIAL, ARGS) and not _is_name(k)]
    if bad:
        return f"argument {bad[0]!r} is not a Python identifier (kept as a dict)"
    return None


def _checked_call(fn: Any, fields: dict[Any, Any]) -> Lazy[Any]:
    from lazycfg.build import make_node

    kwargs = {k: v for k, v in fields.items() if k not in (TARGET, PARTIAL, ARGS)}
    args = tuple(fields.get(ARGS, ()))
    # No caller location: the node comes from config data, not from a line of lazycfg.
    return make_node(fn, args, kwargs, partial=fields.get(PARTIAL) is True, locate_caller=False)


def _is_name(key: Any) -> bool:
    """A keyword argument name that Python reads back as itself (NFKC leaves it unchanged)."""
    return (
        isinstance(key, str)
        and key.isidentifier()
        and not keyword.iskeyword(key)
        and unicodedata.normalize("NFKC", key) == key
    )


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


def _docstring(text: str) -> str:
    """A docstring literal: triple-quoted when plain, else a repr (still a docstring)."""
    plain = text.isprintable() and not any(c in text for c in '"\\') and text.strip() == text
    return f'"""{text}"""' if plain else repr(text)


class Module:
    """One generated module: imports collected while values are rendered, then statements.

    Each statement is kept as text and as the AST it must parse to (`meant`), built from the
    data, not from the text, so `lazycfg.codegen_ast.prove` can check the written file.
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
    ) -> None:
        """``@factory def name(): return <tree>`` (``name`` from `reserve`)."""
        body = self.expr(tree, comments, path)
        text = f"{comment_lines(lead or [])}@{self.use('factory')}\ndef {name}():\n"
        meant = ast.parse(f"@{self.use('factory')}\ndef {name}():\n    return None").body[0]
        assert isinstance(meant, ast.FunctionDef) and isinstance(meant.body[0], ast.Return)
        meant.body[0].value = value_ast(self, tree)
        self.statements.append((f"{text}    return {body}\n", [meant]))

    def add_call(
        self, function: str, name: str, keywords: list[tuple[str, str, Any]], notes: CommentMap
    ) -> None:
        """``function(name, key=value, ...)``: each keyword (key, config path, value) a literal
        or tree, ``function`` from `use` and ``name`` from `reserve`."""
        args = [name, *(f"{k}={self.expr(v, notes, (p,))}" for k, p, v in keywords)]
        meant = ast.Expr(
            ast.Call(
                ast.Name(self.use(function), ast.Load()),
                [ast.Name(name, ast.Load())],
                [ast.keyword(k, value_ast(self, v)) for k, _, v in keywords],
            )
        )
        self.statements.append((f"{function}({', '.join(args)})\n", [meant]))

    def add_comment(self, lines: list[str]) -> None:
        self.statements.append((comment_lines(lines), []))

    def _import_rows(self) -> list[tuple[str | None, list[tuple[str, str | None]], int]]:
        froms: dict[str, list[tuple[str, str | None]]] = {}
        for module, attr, alias in sorted(self.imports):
            froms.setdefault(module, []).append((attr, None if attr == alias else alias))
        rows: list[tuple[str | None, list[tuple[str, str | None]], int]] = [
            (m, names, 0) for m, names in sorted(froms.items())
        ]
        if self.lazycfg_names:
            rows.append(("lazycfg", [(n, None) for n in sorted(self.lazycfg_names)], 0))
        if self.local_modules:
            rows.append((None, [(n, None) for n in self.local_modules], 1))
        return rows

    def source(self) -> str:
        lines = [f"{_docstring(self.docstring)}\n"] if self.docstring else []
        blocks: list[list[str]] = [[], [], []]
        for module, names, level in self._import_rows():
            listed = ", ".join(a if s is None else f"{a} as {s}" for a, s in names)
            if level:  # imported for the configs they register, not used here by name
                blocks[2].append(f"from . import {listed}  # noqa: F401 (registers every group)")
            else:
                blocks[1 if module == "lazycfg" else 0].append(f"from {module} import {listed}")
        imports = "\n\n".join("\n".join(b) for b in blocks if b)
        if imports:
            lines.append(imports + "\n")
        lines += [text for text, _ in self.statements]
        return self.header + "\n\n".join(lines)

    def meant(self) -> ast.Module:
        """The AST `source` must parse to (comments and layout aside)."""
        body: list[ast.stmt] = [ast.Expr(ast.Constant(self.docstring))] if self.docstring else []
        for module, names, level in self._import_rows():
            body.append(ast.ImportFrom(module, [ast.alias(a, s) for a, s in names], level))
        for _, statements in self.statements:
            body += statements
        return ast.Module(body, [])


class _Renderer:
    def __init__(self, module: Module, notes: CommentMap) -> None:
        self.module, self.notes = module, notes

    def run(self, root: Any, path: Path) -> str:
        opened = self.open(root, path)
        if isinstance(opened, str):
            return opened
        # Frames: [opener, items, next index, rendered parts, closer, (prefix, path, last)].
        stack: list[list[Any]] = [[*opened[:2], 0, [], opened[2], ("", path, True)]]
        while True:
            frame = stack[-1]
            opener, items, index, parts, closer, (prefix, here, last) = frame
            if index < len(items):
                frame[2] += 1
                key_text, child_path, value = items[index]
                child_last = index == len(items) - 1
                child = self.open(value, child_path)
                if isinstance(child, str):
                    parts.append(self.entry(key_text, child, child_path, last=child_last))
                else:
                    stack.append([*child[:2], 0, [], child[2], (key_text, child_path, child_last)])
                continue
            stack.pop()
            text = f"{opener}\n{''.join(parts)}{closer}" if items else f"{opener}{closer}"
            if not stack:
                return text
            stack[-1][3].append(self.entry(prefix, text, here, last=last))

    def carry(self, path: Path, items: list[tuple[str, Path, Any]]) -> None:
        """Comments on a key a call consumes (``_target_``) move to its first argument."""
        notes = [*self.notes.above.pop(path, []), *filter(None, [self.notes.inline.pop(path, "")])]
        if notes and items:
            first = items[0][1]
            self.notes.above[first] = [*notes, *self.notes.above.get(first, [])]

    def entry(self, prefix: str, text: str, path: Path, *, last: bool) -> str:
        above = comment_lines(self.notes.above.get(path, []))
        inline = self.notes.inline.get(path)
        inline = _one_line(inline) if inline else inline
        if inline and "\n" not in text and len(prefix) + len(text) + len(inline) > 72:
            above += f"# {inline}\n"  # too long for the end of the line: put it above
            inline = None
        comma = "" if last and not inline else ","
        return f"{above}{prefix}{text}{comma}{f'  # {inline}' if inline else ''}\n"

    def open(self, value: Any, here: Path) -> str | tuple[str, list[tuple[str, Path, Any]], str]:
        module = self.module
        if isinstance(value, type) or inspect.isroutine(value):  # from a getter node
            from lazycfg.targets import import_path

            return module.ref(value, import_path(value))
        if isinstance(value, Lazy):
            meta = value._lazy_meta or {}
            if "kept" in meta:
                value = meta["kept"]
            else:
                from lazycfg.targets import import_path

                fn = value._lazy_target
                name = module.ref(fn, import_path(fn))
                opener = f"{module.use('partial')}({name})(" if value._lazy_partial else f"{name}("
                items = [("", (*here, ARGS, i), v) for i, v in enumerate(value._lazy_args)]
                items += [(f"{k}=", (*here, k), v) for k, v in value._lazy_kwargs.items()]
                self.carry((*here, TARGET), items)
                self.carry((*here, PARTIAL), items)
                return opener, items, ")"
        if type(value) is dict:
            items = [(f"{_literal(k)}: ", (*here, k), v) for k, v in value.items()]
            return "{", items, "}"
        if type(value) is list or type(value) is tuple:
            return "[", [("", (*here, i), v) for i, v in enumerate(value)], "]"
        return _literal(value)


def _literal(value: Any) -> str:
    literal_ast(value)  # refuses what is not a plain scalar
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    return repr(value)


def ruff_format(sources: dict[str, str] | None = None, directory: FilePath | None = None) -> bool:
    """Format files in ``directory`` (or one ``source`` via stdin) with ruff; False if absent."""
    ruff = FilePath(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.exists() else [sys.executable, "-m", "ruff"]
    # --no-cache: formatting a package leaves no .ruff_cache in the current directory.
    args = ["format", "--quiet", "--no-cache", "--line-length", "100"]
    try:
        if directory is not None:
            done = subprocess.run([*command, *args, str(directory)], capture_output=True)
            return done.returncode == 0
        assert sources is not None
        for key, text in sources.items():
            done = subprocess.run(
                [*command, *args, "--stdin-filename", "config.py", "-"],
                input=text,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                return False
            sources[key] = done.stdout
        return True
    except OSError:
        return False


def generate(
    x: Any, *, name: str = "config", imports: bool = True, format: bool = True
) -> tuple[str, list[Kept]]:
    """`to_python` plus the list of nodes kept as strings."""
    tree, kept = resolve(plain(x), imports=imports)
    module = Module()
    module.add_factory(module.reserve(name), tree)
    out = {"source": module.source()}
    if format:
        ruff_format(out)
    return out["source"], kept


def to_python(x: Any, *, name: str = "config", imports: bool = True) -> str:
    """Python source of a ``@factory`` function ``name`` returning ``x``'s config.

    ``x`` is a lazy tree, dict or DictConfig. Targets that import become calls with real
    imports; others stay ``_target_`` dicts (``imports=False`` keeps every target a string and
    imports nothing). Exec the source and call the factory to get the same config back.
    """
    return generate(x, name=name, imports=imports)[0]
