"""What generated code means, as an AST built from the data, and the proof that a text is it.

`codegen.Module` renders readable text (comments, layout) and, separately, builds the AST that
text must parse to: every name from the input is a `ast.Constant` there, every identifier one
the writer chose. `prove` parses the final text (after formatting) and compares it with that
AST node for node, so no input (a quote, a newline in a comment, a triple quote in a folder
name) can make the text mean anything else; a module that fails is never imported.
"""

from __future__ import annotations

import ast
import inspect
import math
from typing import TYPE_CHECKING, Any

from lazycfg.core.node import Lazy

if TYPE_CHECKING:
    from lazycfg.codegen.python import Module


class GeneratedCodeError(Exception):
    """A generated module does not parse to what its writer meant (a defect of the writer)."""


def literal_ast(value: Any) -> ast.expr:
    """The expression ``repr``-style source of a scalar parses to."""
    if isinstance(value, float) and not math.isfinite(value):
        return _call(ast.Name("float", ast.Load()), [ast.Constant(str(value))], [])
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return ast.Constant(value)
    if isinstance(value, int | float) and (value < 0 or math.copysign(1.0, value) < 0):
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    if isinstance(value, int | float):
        return ast.Constant(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r:.40} as Python source")


def name_ast(dotted: str) -> ast.expr:
    """``a.b.c`` as a Name and Attribute chain (each part an identifier the writer chose)."""
    head, *rest = dotted.split(".")
    node: ast.expr = ast.Name(head, ast.Load())
    for part in rest:
        node = ast.Attribute(node, part, ast.Load())
    return node


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _call(func: ast.expr, args: list[ast.expr], keywords: list[ast.keyword]) -> ast.Call:
    return ast.Call(func, args, keywords)


def value_ast(module: Module, tree: Any) -> ast.expr:
    """The AST of `Module.expr`'s text for ``tree``, built without recursion."""
    from lazycfg.core.targets import import_path

    done: dict[int, ast.expr] = {}
    stack: list[tuple[Any, bool]] = [(tree, False)]
    keep: list[Any] = []  # holds values whose id() keys ``done`` while the walk runs
    while stack:
        value, ready = stack.pop()
        if type(value) in _SCALARS:
            done[id(value)] = literal_ast(value)
            continue
        value = _unkept(value)
        kids = _kids(value)
        if not ready and kids:
            keep.append(value)
            stack.append((value, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        got = [done[id(_unkept(k))] for k in kids]
        if isinstance(value, type) or inspect.isroutine(value):
            node = name_ast(module.ref(value, import_path(value)))
        elif isinstance(value, Lazy):
            func = name_ast(module.ref(value._lazy_target, import_path(value._lazy_target)))
            if value._lazy_partial:
                func = _call(ast.Name(module.use("partial"), ast.Load()), [func], [])
            n = len(value._lazy_args)
            names = list(value._lazy_kwargs)
            node = _call(
                func, got[:n], [ast.keyword(k, v) for k, v in zip(names, got[n:], strict=True)]
            )
        elif type(value) is dict:
            node = ast.Dict([literal_ast(k) for k in value], got)  # type: ignore[arg-type]
        elif type(value) is list or type(value) is tuple:
            node = ast.List(got, ast.Load())
        else:
            node = literal_ast(value)
        done[id(value)] = node
    return done[id(_unkept(tree))]


def _unkept(value: Any) -> Any:
    """A node kept as a ``_target_`` string is written as the dict it was."""
    meta = value._lazy_meta if isinstance(value, Lazy) else None
    return meta.kept if meta is not None and meta.kept is not None else value


def _kids(value: Any) -> list[Any]:
    if isinstance(value, Lazy):
        return [*value._lazy_args, *value._lazy_kwargs.values()]
    if type(value) is dict:
        return list(value.values())
    if type(value) is list or type(value) is tuple:
        return list(value)
    return []


def first_difference(a: Any, b: Any) -> str | None:
    """Where two ASTs differ (node types, fields, constants by type and value), or None.

    The place is the line of the nearest enclosing node of ``a`` (the parsed side).
    """
    stack: list[tuple[Any, Any, int]] = [(a, b, 0)]
    while stack:
        x, y, line = stack.pop()
        kind = type(x)
        if kind is not type(y):
            return f"line {line}: {kind.__name__} where {type(y).__name__} was meant"
        if kind is list:
            if len(x) != len(y):
                return f"line {line}: {len(x)} items where {len(y)} were meant"
            stack.extend((p, q, line) for p, q in zip(x, y, strict=True))
        elif isinstance(x, ast.AST):
            line = getattr(x, "lineno", line)
            stack.extend((getattr(x, f, None), getattr(y, f, None), line) for f in x._fields)
        elif x != y:
            return f"line {line}: {x!r:.60} where {y!r:.60} was meant"
    return None


def prove(text: str | bytes, meant: ast.Module, label: str) -> None:
    """Raise `GeneratedCodeError` unless ``text`` parses to exactly ``meant``.

    Give the file's bytes: they are decoded as an import decodes them (a coding line included).
    """
    try:
        parsed = ast.parse(text)
    except ValueError as exc:  # a null byte
        raise GeneratedCodeError(f"{label} is not valid Python ({exc})") from None
    except SyntaxError as exc:
        raise GeneratedCodeError(
            f"{label} is not valid Python ({exc.msg}, line {exc.lineno})"
        ) from None
    difference = first_difference(parsed, meant)
    if difference is not None:
        raise GeneratedCodeError(f"{label} does not read back as written: {difference}")
