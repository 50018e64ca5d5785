"""The text and AST of a factory written as a call of a sibling factory with what differs.

``changes`` are (config path, resolved value or `DELETE`) pairs (`lazycfg.migrate.derive`):
top-level values only give ``return {**base(), "k": v}``; anything else gives ``config =
base()``, one assignment or ``del`` per change, and ``return config``.
"""

from __future__ import annotations

import ast
from typing import Any

from lazycfg.codegen.module import CommentMap, Module, comment_lines
from lazycfg.codegen.syntax import literal_ast, value_ast

_LOCALS = ("config", "cfg", "conf", "base_config")


def add_derived(
    module: Module,
    name: str,
    base: str,
    changes: list[tuple[tuple[Any, ...], Any]],
    delete: object,
    comments: CommentMap,
    lead: list[str],
    register: list[tuple[str, str, Any]] | None,
) -> None:
    """Add ``@factory def name()`` returning ``base()`` with ``changes`` (see the module doc)."""
    call = ast.Call(ast.Name(base, ast.Load()), [], [])
    marked = {p for p, _ in changes if p in comments.above or p in comments.inline}
    simple = all(len(p) == 1 and v is not delete and not hasattr(v, "keywords") for p, v in changes)
    if not changes:  # the base as it is
        body, statements = f"    return {base}()\n", [ast.Return(call)]
    elif simple and not marked:
        items = [f"{module.expr(p[0])}: {module.expr(v, comments, p)}" for p, v in changes]
        body = f"    return {{**{base}(), {', '.join(items)}}}\n"
        meant = ast.Dict(
            [None, *(literal_ast(p[0]) for p, _ in changes)],
            [call, *(value_ast(module, v) for _, v in changes)],
        )
        statements = [ast.Return(meant)]
    else:
        aliases = {alias for _, _, alias in module.imports} | {base, *module.lazycfg_names}
        local = next(n for n in _LOCALS if n not in aliases | {"replace"})
        lines = [f"    {local} = {base}()\n"]
        statements = [ast.Assign([ast.Name(local, ast.Store())], call, lineno=0)]
        for path, value in changes:
            text = None if value is delete else _text(module, value, comments, path)
            lines.append(_change_text(module, local, path, value, text, comments))
            statements.append(_change_ast(module, local, path, value, text))
        lines.append(f"    return {local}\n")
        statements.append(ast.Return(ast.Name(local, ast.Load())))
        body = "".join(lines)
    module.add_function(name, body, statements, comments, lead, register)


def _change_text(
    module: Module,
    local: str,
    path: tuple[Any, ...],
    value: Any,
    text: str | None,
    comments: CommentMap,
) -> str:
    """The lines of one change (``text`` None: a deletion), its comments above or beside."""
    target = local + "".join(f"[{module.expr(k)}]" for k in path)
    above = comment_lines(comments.above.get(path, []))
    lines = ["    " + line + "\n" for line in above.splitlines()]
    inline = comments.inline.get(path)
    tail = f"  # {inline}" if inline and text is not None and "\n" not in text else ""
    if inline and not tail:
        lines.append(f"    # {inline}\n")
    if text is None:
        lines.append(f"    del {target}{tail}\n")
    elif hasattr(value, "keywords"):  # replace(config[...], key=value, ...)
        lines.append(f"    {target} = {module.use('replace')}({target}, {text}){tail}\n")
    else:
        lines.append(f"    {target} = {text}{tail}\n")
    return "".join(lines)


def _change_ast(
    module: Module, local: str, path: tuple[Any, ...], value: Any, text: str | None
) -> ast.stmt:
    """The statement `_change_text` must parse to."""
    node: ast.expr = ast.Name(local, ast.Load())
    for key in path[:-1]:
        node = ast.Subscript(node, literal_ast(key), ast.Load())
    if text is None:
        return ast.Delete([ast.Subscript(node, literal_ast(path[-1]), ast.Del())])
    if hasattr(value, "keywords"):
        here = ast.Subscript(node, literal_ast(path[-1]), ast.Load())
        keywords = [ast.keyword(k, value_ast(module, v)) for k, v in value.keywords.items()]
        value_node: ast.expr = ast.Call(
            ast.Name(module.use("replace"), ast.Load()), [here], keywords
        )
    else:
        value_node = value_ast(module, value)
    target = ast.Subscript(node, literal_ast(path[-1]), ast.Store())
    return ast.Assign([target], value_node, lineno=0)


def _text(module: Module, value: Any, comments: CommentMap, path: tuple[Any, ...]) -> str:
    """A changed value's text; for a call's changed keywords, ``key=value, ...``."""
    if hasattr(value, "keywords"):
        return ", ".join(
            f"{k}={module.expr(v, comments, (*path, k))}" for k, v in value.keywords.items()
        )
    return module.expr(value, comments, path)
