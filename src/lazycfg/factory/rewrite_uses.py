"""What the static pass of ``@factory`` learns about a parameter's uses, for knob warnings.

A *derived* use (``hidden * 2``, an f-string, a condition, a local variable) is one no Hydra
override can redo; each is described in the user's own words (`DerivedUse.what`) with, where
the code allows, the direct use it could be (`DerivedUse.example`). `call_text` quotes a call
that passes a parameter directly, for the same messages. Runs on the rewritten tree, whose
nodes keep their places in the user's file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

# The helpers a rewritten factory body calls (`lazycfg.factory.rewrite`), by name.
CALL, CALLATTR, KNOB = "__lazycfg_call__", "__lazycfg_callattr__", "__lazycfg_knob__"
# Calls with a knob marker among their arguments use these, so plain calls never scan for one.
CALL_K, CALLATTR_K = "__lazycfg_call_k__", "__lazycfg_callattr_k__"
# Values formatted into strings (f-string fields, the right side of %) go through this check, so a
# lazy node's repr never silently becomes config text.
VALUE = "__lazycfg_value__"
HELPERS = (CALL, CALLATTR, KNOB, CALL_K, CALLATTR_K, VALUE)


def is_value_check(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == VALUE


@dataclass(frozen=True)
class DerivedUse:
    """A use of a factory parameter that a Hydra override of the knob cannot reproduce."""

    param: str
    line: int
    what: str  # e.g. "in arithmetic: `hidden * 2`"
    example: str | None = None  # the direct use it could be, e.g. "Layer(size=hidden)"


def derived_uses(
    func: ast.FunctionDef,
    params: set[str],
    rebound: dict[str, list[int]],
    direct: set[int],
    original: str,
) -> dict[str, list[DerivedUse]]:
    out: dict[str, list[DerivedUse]] = {}
    for name, lines in rebound.items():
        for line in lines:
            out.setdefault(name, []).append(DerivedUse(name, line, "reassigned in the body"))
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(func):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in params
            and node.id not in rebound
            and id(node) not in direct
            and not _shadowed(node, func, parents)
        ):
            what = _describe(node, parents, original)
            example = _example_for(node, parents, original)
            out.setdefault(node.id, []).append(DerivedUse(node.id, node.lineno, what, example))
    return out


def call_text(call: ast.Call, keyword: str | None, param: str, original: str) -> str:
    """How a call passing ``param`` reads in the user's file, shortened to that argument."""
    text = ast.get_source_segment(original, call) or ""
    if text and "\n" not in text and len(text) <= 80:
        return text
    callee = " ".join((ast.get_source_segment(original, call.func) or "f").split())
    return f"{callee}(..., {keyword}={param}, ...)" if keyword else f"{callee}(..., {param}, ...)"


def _example_for(node: ast.Name, parents: dict[int, ast.AST], original: str) -> str | None:
    """The direct use a derived one could be: ``Layer(size=hidden * 2)`` -> ``Layer(size=hidden)``.

    Only for a use inside a keyword argument of a call.
    """
    parent = parents.get(id(node))
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.keyword) and parent.arg is not None:
            callee = _callee_text(parents.get(id(parent)), original)
            return f"{callee}({parent.arg}={node.id})" if callee else None
        parent = parents.get(id(parent))
    return None


def _callee_text(call: ast.AST | None, original: str) -> str | None:
    """The user's text of a rewritten call's callee (the helpers take it as first argument)."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.args):
        return None
    if call.func.id not in (CALL, CALL_K, CALLATTR, CALLATTR_K):
        return None
    callee = ast.get_source_segment(original, call.args[0])
    if callee and call.func.id in (CALLATTR, CALLATTR_K) and len(call.args) > 1:
        attr = call.args[1]
        callee = f"{callee}.{attr.value if isinstance(attr, ast.Constant) else '?'}"
    return " ".join(callee.split()) if callee else None


def _shadowed(node: ast.Name, func: ast.FunctionDef, parents: dict[int, ast.AST]) -> bool:
    """True when a nested function, lambda or comprehension rebinds the name."""
    current = parents.get(id(node))
    while current is not None and current is not func:
        if isinstance(current, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
            a = current.args
            names = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
            names |= {p.arg for p in (a.vararg, a.kwarg) if p is not None}
            if node.id in names:
                return True
        if isinstance(current, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            for gen in current.generators:
                if any(isinstance(n, ast.Name) and n.id == node.id for n in ast.walk(gen.target)):
                    return True
        current = parents.get(id(current))
    return False


def _describe(node: ast.Name, parents: dict[int, ast.AST], original: str) -> str:
    parent = parents.get(id(node))
    child: ast.AST = node
    while isinstance(parent, ast.keyword | ast.Starred) or is_value_check(parent):
        assert parent is not None
        child, parent = parent, parents.get(id(parent))
    if isinstance(parent, ast.BinOp | ast.UnaryOp):
        kind = "in arithmetic"
    elif isinstance(parent, ast.FormattedValue | ast.JoinedStr):
        kind = "in an f-string"
        parent = parents.get(id(parent), parent)
    elif isinstance(parent, ast.Compare | ast.BoolOp) or (
        isinstance(parent, ast.If | ast.While | ast.IfExp | ast.Assert) and child is parent.test
    ):
        kind = "in a condition"
    elif isinstance(parent, ast.For | ast.comprehension) and child is parent.iter:
        kind = "as a loop's iterable"
    elif isinstance(parent, ast.Call) and child in parent.args:
        kind = "as the argument of a call that is not a direct knob use"
    elif isinstance(parent, ast.Assign | ast.AnnAssign | ast.NamedExpr):
        kind = "assigned to a local variable"
    elif isinstance(parent, ast.Return):
        kind = "returned as is"
    else:
        kind = "used in an expression"
    shown = parent if isinstance(parent, ast.expr | ast.Assign | ast.AnnAssign) else child
    text = " ".join((ast.get_source_segment(original, shown) or node.id).split())
    return f"{kind}: `{text}`"
