"""The text and AST of a config written as a sibling's config with what differs.

``changes`` are (config path, resolved value or `DELETE`) pairs (`lazycfg.migrate.derive`).
The sibling (the base) is plain data, a module variable, or a factory, called. Top-level
values only give ``{**base, "k": v}`` (``{**base(), ...}``); anything else gives ``name =
deepcopy(base)`` (``name = base()``), one assignment or ``del`` per change, then ``store(name,
...)``. Module-level statements run at import, so a change whose value holds a call (which
would construct it there) is written as a factory instead: ``config = base()``, the changes,
``return config``.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

from lazycfg.codegen.module import CommentMap, Module, comment_lines
from lazycfg.codegen.stored import add_stored, store_call
from lazycfg.codegen.syntax import literal_ast, value_ast

_LOCALS = ("config", "cfg", "conf", "base_config")
Change = tuple[tuple[Any, ...], Any]


def add_derived(
    module: Module,
    name: str,
    base: tuple[str, bool],
    changes: list[Change],
    delete: object,
    comments: CommentMap,
    lead: list[str],
    keywords: list[tuple[str, str, Any]],
    in_factory: bool,
) -> None:
    """Add config ``name`` as ``base`` (its name, and whether it is a factory to call) with
    ``changes``, stored with ``keywords`` (see the module doc). ``in_factory``: written as a
    ``@factory`` function decorated with ``store(**keywords)``."""
    base_name, called = base
    marked = {p for p, _ in changes if p in comments.above or p in comments.inline}
    simple = all(len(p) == 1 and v is not delete and not hasattr(v, "keywords") for p, v in changes)
    call = ast.Call(ast.Name(base_name, ast.Load()), [], [])
    start: tuple[str, ast.expr] = (f"{base_name}()", call) if called else (base_name, call.func)
    if simple:
        items = [(module.expr(p[0]), module.expr(v, comments, p), p) for p, v in changes]
        text = _spread(start[0], items, comments) if marked else start[0]
        if items and not marked:
            text = f"{{**{start[0]}, {', '.join(f'{k}: {v}' for k, v, _ in items)}}}"
        meant: ast.expr = ast.Dict(
            [None, *(literal_ast(p[0]) for p, _ in changes)],
            [start[1], *(value_ast(module, v) for _, v in changes)],
        )
        meant = meant if items else start[1]
        if in_factory:
            returned: list[ast.stmt] = [ast.Return(meant)]
            module.add_function(name, f"    return {text}\n", returned, comments, lead, keywords)
        else:
            add_stored(module, name, None, keywords, comments, lead, value=(text, meant))
        return
    if not called and not in_factory:  # a copy: the base's nested entries stay as they are
        deep = module.ref(copy.deepcopy, "copy.deepcopy")
        start = (f"{deep}({base_name})", ast.Call(ast.Name(deep, ast.Load()), [start[1]], []))
    local = name if not in_factory else _local(module, base_name)
    lines = [f"{local} = {start[0]}\n"]
    statements: list[ast.stmt] = [ast.Assign([ast.Name(local, ast.Store())], start[1], lineno=0)]
    for path, value in changes:
        text = None if value is delete else _text(module, value, comments, path)
        lines.append(_change_text(module, local, path, value, text, comments))
        statements.append(_change_ast(module, local, path, value, text))
    if in_factory:
        lines.append(f"return {local}\n")
        statements.append(ast.Return(ast.Name(local, ast.Load())))
        body = "".join("    " + line if line.strip() else line for line in _split(lines))
        module.add_function(name, body, statements, comments, lead, keywords)
        return
    store_text, store = store_call(module, name, ast.Name(name, ast.Load()), keywords, comments)
    text = comment_lines(lead) + "".join(lines) + store_text
    module.add_statements(text, [*statements, store])


def _spread(start: str, items: list[tuple[str, str, Any]], comments: CommentMap) -> str:
    """``{**start, key: value, ...}`` over lines, each entry's comments above or beside it."""
    lines = ["{\n", f"**{start},\n"]
    for key, text, path in items:
        above = comment_lines(comments.above.get(path, []))
        inline = comment_lines([comments.inline[path]]) if path in comments.inline else ""
        if "\n" in text:  # a value over several lines: the comment goes above
            above, inline = above + inline, ""
        lines.append(f"{above}{key}: {text},{'  ' + inline.rstrip() if inline else ''}\n")
    return "".join(lines) + "}"


def _local(module: Module, base: str) -> str:
    aliases = {alias for _, _, alias in module.imports} | {base, *module.lazycfg_names}
    return next(n for n in _LOCALS if n not in aliases | {"replace"})


def _split(lines: list[str]) -> list[str]:
    return [line for text in lines for line in text.splitlines(keepends=True)]


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
    lines = [comment_lines(comments.above.get(path, []))]
    inline = comments.inline.get(path)
    tail = f"  # {inline}" if inline and text is not None and "\n" not in text else ""
    if inline and not tail:
        lines.append(f"# {inline}\n")
    if text is None:
        lines.append(f"del {target}{tail}\n")
    elif hasattr(value, "keywords"):  # replace(config[...], key=value, ...)
        lines.append(f"{target} = {module.use('replace')}({target}, {text}){tail}\n")
    else:
        lines.append(f"{target} = {text}{tail}\n")
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
