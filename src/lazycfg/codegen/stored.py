"""Configs of plain data written as module statements: ``store(<config>, name=..., ...)``.

Plain data (no call, no class) needs no factory: the config is stored as it is, on one line when
it fits, else as a variable of the module above its `store` call (a variable other configs of
the module can also start from, see `lazycfg.codegen.derived`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from lazycfg.codegen.module import LINE_LENGTH, CommentMap, Module, comment_lines, literal_text
from lazycfg.codegen.syntax import literal_ast, value_ast


def add_stored(
    module: Module,
    name: str,
    tree: Any,
    keywords: list[tuple[str, str, Any]],
    comments: CommentMap | None = None,
    lead: list[str] | None = None,
    *,
    named: bool = False,
    value: tuple[str, ast.expr] | None = None,
    wrapper: Any = None,
) -> None:
    """``store(<tree>, key=value, ...)`` on one line when it fits and no comment is inside;
    else (or when ``named``: other configs use it) ``name = <tree>`` and ``store(name,
    ...)`` below it. A config of plain data, stored as it is. Each keyword is (key, config
    path, value); ``name`` comes from `reserve`; ``value`` is (text, AST) of an expression
    written instead of ``tree``. With ``wrapper``, the one key of ``tree`` (a mapping),
    ``name`` holds its value and ``store({wrapper: name}, ...)`` puts it back under it."""
    notes = comments or CommentMap()
    text, meant = value or (module.expr(tree, notes), value_ast(module, tree))
    lead_text = comment_lines(lead or [])
    inside = notes.above or notes.inline or notes.after
    call_text, call = store_call(module, text, meant, keywords, notes)
    if not named and not inside and len(ast.unparse(call)) <= LINE_LENGTH:
        module.add_statements(lead_text + call_text, [call])
        return
    stored: tuple[str, ast.expr] = (name, ast.Name(name, ast.Load()))
    wrapped = ast.Dict([literal_ast(wrapper)], [stored[1]])
    _, wrapped_call = store_call(module, "", wrapped, keywords, notes)
    if wrapper is not None and not named and len(ast.unparse(wrapped_call)) <= LINE_LENGTH:
        lead_text += comment_lines(notes.above.pop((wrapper,), []))
        text = module.expr(tree[wrapper], notes, (wrapper,))
        meant = value_ast(module, tree[wrapper])
        stored = (f"{{{literal_text(wrapper)}: {name}}}", wrapped)
    assign = ast.Assign([ast.Name(name, ast.Store())], meant, lineno=0)
    call_text, call = store_call(module, *stored, keywords, notes)
    module.add_statements(f"{lead_text}{name} = {text}\n{call_text}", [assign, call])


def store_call(
    module: Module,
    text: str,
    value: ast.expr,
    keywords: list[tuple[str, str, Any]],
    notes: CommentMap,
) -> tuple[str, ast.stmt]:
    """``store(<value>, key=value, ...)``: its text and its AST."""
    args = [text, *(f"{k}={module.expr(v, notes, (p,))}" for k, p, v in keywords)]
    call = ast.Call(
        ast.Name(module.use("store"), ast.Load()),
        [value],
        [ast.keyword(k, value_ast(module, v)) for k, _, v in keywords],
    )
    return f"{module.use('store')}({', '.join(args)})\n", ast.Expr(call)


def add_table(
    module: Module, configs: Sequence[tuple[str, Any, CommentMap]], keywords: list[tuple[str, Any]]
) -> None:
    """Configs that each hold one mapping under their own name (``comet: {...}`` in
    ``logger/comet.yaml``), stored alike: one table of them, ``configs = {"comet": {...}}``,
    and one loop, ``store({name: config}, name=name, group=...)``. ``configs`` are (name,
    the mapping, comments by config path); ``keywords`` (key, value) follow ``name``."""
    tree: dict[str, Any] = {}
    notes = CommentMap()
    for key, value, comments in configs:
        tree[key] = value
        notes.above.update(comments.above)
        notes.inline.update(comments.inline)
        notes.after.update(comments.after)
    table, name, config = (module.reserve(n) for n in ("configs", "name", "config"))
    listed = "".join(f", {k}={module.expr(v)}" for k, v in keywords)
    text = (
        f"{table} = {module.expr(tree, notes)}\n"
        f"for {name}, {config} in {table}.items():\n"
        f"    {module.use('store')}({{{name}: {config}}}, name={name}{listed})\n"
    )
    load = [ast.Name(n, ast.Load()) for n in (name, config)]
    call = ast.Call(
        ast.Name(module.use("store"), ast.Load()),
        [ast.Dict([load[0]], [load[1]])],
        [ast.keyword("name", ast.Name(name, ast.Load()))]
        + [ast.keyword(k, value_ast(module, v)) for k, v in keywords],
    )
    loop = ast.For(
        ast.Tuple([ast.Name(n, ast.Store()) for n in (name, config)], ast.Store()),
        ast.Call(ast.Attribute(ast.Name(table, ast.Load()), "items", ast.Load()), [], []),
        [ast.Expr(call)],
        [],
        lineno=0,
    )
    assign = ast.Assign([ast.Name(table, ast.Store())], value_ast(module, tree), lineno=0)
    module.add_statements(text, [assign, loop])
