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
    if simple and not marked:
        items = [f"{module.expr(p[0])}: {module.expr(v, comments, p)}" for p, v in changes]
        body = f"    return {{**{base}(), {', '.join(items)}}}\n"
        meant = ast.Dict(
            [None, *(literal_ast(p[0]) for p, _ in changes)],
            [call, *(value_ast(module, v) for _, v in changes)],
        )
        module.add_function(name, body, [ast.Return(meant)], comments, lead, register)
        return
    lines: list[str] = []
    statements: list[ast.stmt] = []
    texts = [(p, v, None if v is delete else _text(module, v, comments, p)) for p, v in changes]
    aliases = {alias for _, _, alias in module.imports} | {base, *module.lazycfg_names}
    aliases.add("replace")
    local = next(n for n in _LOCALS if n not in aliases)
    lines.append(f"    {local} = {base}()\n")
    statements.append(ast.Assign([ast.Name(local, ast.Store())], call, lineno=0))
    for path, value, text in texts:
        target = local + "".join(f"[{module.expr(k)}]" for k in path)
        node: ast.expr = ast.Name(local, ast.Load())
        for key in path[:-1]:
            node = ast.Subscript(node, literal_ast(key), ast.Load())
        above = comment_lines(comments.above.get(path, []))
        lines += ["    " + line + "\n" for line in above.splitlines()]
        inline = comments.inline.get(path)
        tail = f"  # {inline}" if inline and text is not None and "\n" not in text else ""
        if inline and not tail:
            lines.append(f"    # {inline}\n")
        if text is None:
            lines.append(f"    del {target}{tail}\n")
            statements.append(ast.Delete([ast.Subscript(node, literal_ast(path[-1]), ast.Del())]))
        elif hasattr(value, "keywords"):  # replace(config[...], key=value, ...)
            lines.append(f"    {target} = {module.use('replace')}({target}, {text}){tail}\n")
            here = ast.Subscript(node, literal_ast(path[-1]), ast.Load())
            keywords = [ast.keyword(k, value_ast(module, v)) for k, v in value.keywords.items()]
            statements.append(
                ast.Assign(
                    [ast.Subscript(node, literal_ast(path[-1]), ast.Store())],
                    ast.Call(ast.Name(module.use("replace"), ast.Load()), [here], keywords),
                    lineno=0,
                )
            )
        else:
            lines.append(f"    {target} = {text}{tail}\n")
            statements.append(
                ast.Assign(
                    [ast.Subscript(node, literal_ast(path[-1]), ast.Store())],
                    value_ast(module, value),
                    lineno=0,
                )
            )
    lines.append(f"    return {local}\n")
    statements.append(ast.Return(ast.Name(local, ast.Load())))
    module.add_function(name, "".join(lines), statements, comments, lead, register)


def _text(module: Module, value: Any, comments: CommentMap, path: tuple[Any, ...]) -> str:
    """A changed value's text; for a call's changed keywords, ``key=value, ...``."""
    if hasattr(value, "keywords"):
        return ", ".join(
            f"{k}={module.expr(v, comments, (*path, k))}" for k, v in value.keywords.items()
        )
    return module.expr(value, comments, path)
