"""The source transformation behind ``@factory``: every call in a body goes through a helper.

``Experiment(model=RF(n_estimators=n))`` becomes
``__lazycfg_call__(Experiment, model=__lazycfg_call__(RF, n_estimators=__lazycfg_knob__("n", n)))``
and ``obj.method(x)`` becomes ``__lazycfg_callattr__(obj, "method", x)``. The helpers decide at
run time whether a call is eager or lazy (see `lazycfg.factory.decorator`); f-string fields and ``%``
operands go through ``__lazycfg_value__``, which refuses a lazy node (its repr is not a value).
The new code is compiled with the original file name and line numbers, so tracebacks and error
locations point into the user's file, and it closes over the original function's cells, so
closures keep working.

The same pass finds the static facts knob linking needs: which uses of a parameter are *direct*
(the parameter itself, passed as a call argument or as an element of a list/tuple/dict literal
so passed) and which are *derived* (anything else: arithmetic, f-strings, conditions, loop
bounds, a local variable, a reassignment).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lazycfg.core.errors import ConfigError
from lazycfg.factory.rewrite_uses import (
    CALL,
    CALL_K,
    CALLATTR,
    CALLATTR_K,
    HELPERS,
    KNOB,
    VALUE,
    DerivedUse,
    call_text,
    derived_uses,
)

_WRAPPER = "__lazycfg_closure_wrapper__"


@dataclass
class Rewritten:
    """The transformed code object and what the static pass learnt about the parameters."""

    code: types.CodeType
    filename: str
    firstline: int
    lastline: int
    derived: dict[str, list[DerivedUse]] = field(default_factory=dict)
    nested: list[types.CodeType] = field(default_factory=list)  # functions defined in the body
    # param -> (line, text) of each call passing it directly, quoted as examples in knob warnings
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def _unsupported(filename: str, line: int, name: str, what: str, fix: str) -> ConfigError:
    return ConfigError(
        [f"{what} is not supported in a factory body; {fix}"],
        f"cannot make {name} a factory ({filename}:{line})",
    )


def read_source(fn: types.FunctionType) -> tuple[str, str, int]:
    """``(source, filename, first line)`` of ``fn``, or a `ConfigError` saying what to do."""
    filename = fn.__code__.co_filename
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        raise ConfigError(
            [
                f"the source of {fn.__qualname__} (defined in {filename}) cannot be read, and "
                "@factory works by rewriting the function's source; in a REPL or `python -c`, "
                "write the calls with lazy(...) instead, e.g. "
                "lazy(RandomForestClassifier)(n_estimators=3000), or put the factory in a file"
            ],
            f"cannot make {fn.__qualname__} a factory",
        ) from None
    return "".join(lines), filename, max(first, 1)


def rewrite(fn: types.FunctionType) -> Rewritten:
    """Compile ``fn`` again with every call routed through the helpers (see the module doc)."""
    source, filename, first = read_source(fn)
    indent = len(source) - len(source.lstrip(" \t"))
    tree = ast.parse(textwrap.dedent(source))
    ast.increment_lineno(tree, first - 1)
    for node in ast.walk(tree):  # restore columns so traceback carets point at the right place
        if hasattr(node, "col_offset"):
            node.col_offset += indent  # type: ignore[attr-defined]
            if getattr(node, "end_col_offset", None) is not None:
                node.end_col_offset += indent  # type: ignore[attr-defined]
    func = tree.body[0]
    name = fn.__qualname__
    if isinstance(func, ast.AsyncFunctionDef):
        raise _unsupported(filename, func.lineno, name, "`async def`", "use a plain `def`")
    if not isinstance(func, ast.FunctionDef) or func.name != fn.__name__:
        raise ConfigError(
            [f"{name} is not a `def` statement (a lambda?); @factory needs a named function"],
            f"cannot make {name} a factory ({filename}:{first})",
        )
    func.decorator_list = []  # already applied by Python; @factory is applied by the caller
    params = _knob_params(func)
    rebound = _rebound(func, params)
    transformer = _CallRewriter(filename, name, params - set(rebound))
    func.body = [transformer.visit(stmt) for stmt in func.body]
    # Derived-use messages quote the user's text: the tree now holds the rewritten calls, but
    # every node keeps its original position in the file.
    original = "\n" * (first - 1) + source
    derived = derived_uses(func, params, rebound, transformer.direct, original)
    examples: dict[str, list[tuple[int, str]]] = {}
    for param, call, keyword in transformer.uses:
        text = call_text(call, keyword, param, original)
        examples.setdefault(param, []).append((call.lineno, text))
    module = _closure_wrapper(func, fn.__code__.co_freevars)
    code = compile(module, filename, "exec")
    inner = _requalify(
        _find_code(_find_code(code, _WRAPPER), fn.__name__),
        f"{_WRAPPER}.<locals>.{fn.__name__}",
        fn.__qualname__,
    )
    nested: list[types.CodeType] = []
    stack = [inner]
    while stack:
        for const in stack.pop().co_consts:
            if isinstance(const, types.CodeType):
                nested.append(const)
                stack.append(const)
    last = getattr(func, "end_lineno", None) or first
    return Rewritten(inner, filename, first, last, derived, nested, examples)


def _requalify(code: types.CodeType, old: str, new: str) -> types.CodeType:
    """Give the code (and code nested in it) the original qualified names, not the wrapper's."""
    if not hasattr(code, "co_qualname"):  # Python 3.10 has no co_qualname
        return code
    consts = tuple(
        _requalify(c, old, new) if isinstance(c, types.CodeType) else c for c in code.co_consts
    )
    qualname: str = code.co_qualname
    if qualname.startswith(old):
        qualname = new + qualname[len(old) :]
    return code.replace(co_consts=consts, co_qualname=qualname)


def _knob_params(func: ast.FunctionDef) -> set[str]:
    a = func.args
    return {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)}


def _rebound(func: ast.FunctionDef, params: set[str]) -> dict[str, list[int]]:
    """Parameters assigned anywhere in the body: their value is no longer the knob's."""
    out: dict[str, list[int]] = {}
    for node in _own_scope(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            if node.id in params:
                out.setdefault(node.id, []).append(node.lineno)
    return out


def _own_scope(func: ast.FunctionDef) -> list[ast.AST]:
    """Nodes of ``func``'s body, not entering nested functions, lambdas or classes."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.comprehension):  # its target is the comprehension's own name
            stack.extend([node.iter, *node.ifs])
            continue
        stack.extend(ast.iter_child_nodes(node))
    return out


class _CallRewriter(ast.NodeTransformer):
    """Routes calls through the helpers and wraps direct parameter uses as knob markers."""

    def __init__(self, filename: str, name: str, knobs: set[str]) -> None:
        self.filename = filename
        self.name = name
        self.scopes: list[set[str]] = [knobs]  # knob names visible (not shadowed) per scope
        self.direct: set[int] = set()  # id() of ast.Name nodes that are direct uses
        self.uses: list[tuple[str, ast.Call, str | None]] = []  # (param, original call, keyword)
        self.nested = 0  # depth inside nested functions and lambdas

    # Statically visible misuse: say so at decoration time, with the line.
    def visit_Yield(self, node: ast.Yield) -> Any:
        return self._refuse_outside_nested(node, "`yield`")

    def visit_YieldFrom(self, node: ast.YieldFrom) -> Any:
        return self._refuse_outside_nested(node, "`yield from`")

    def visit_Await(self, node: ast.Await) -> Any:
        return self._refuse_outside_nested(node, "`await`")

    def _refuse_outside_nested(self, node: ast.expr, what: str) -> Any:
        if self.nested:  # a generator defined inside a factory is that function's business
            return self.generic_visit(node)
        raise _unsupported(
            self.filename,
            node.lineno,
            self.name,
            what,
            "a factory runs once, when the config is built, and must return the config",
        )

    # Nested scopes: calls inside are rewritten too, but their names are not this factory's knobs.
    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        return self._nested(node)

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        return self._nested(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> Any:
        return node  # an async helper defined in a factory stays plain Python

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        return node  # a class body is plain Python (and a local class cannot be a target)

    def _nested(self, node: ast.AST) -> ast.AST:
        self.scopes.append(set())
        self.nested += 1
        try:
            return self.generic_visit(node)
        finally:
            self.nested -= 1
            self.scopes.pop()

    def _comprehension(self, node: ast.AST) -> Any:
        bound = {
            n.id
            for gen in getattr(node, "generators", [])
            for n in ast.walk(gen.target)
            if isinstance(n, ast.Name)
        }
        self.scopes.append(self.scopes[-1] - bound)
        try:
            return self.generic_visit(node)
        finally:
            self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        self.generic_visit(node)
        node.value = _checked_value(node.value)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mod):  # "%s" % value (for numbers the check is a no-op)
            node.right = _checked_value(node.right)
        return node

    def visit_Call(self, node: ast.Call) -> Any:
        self.generic_visit(node)
        before = len(self.direct)
        args = [self._mark(a) for a in node.args]
        keywords = [
            ast.keyword(arg=k.arg, value=self._mark(k.value)) if k.arg is not None else k
            for k in node.keywords
        ]
        for new, old in zip(keywords, node.keywords, strict=True):
            ast.copy_location(new, old)
        if len(self.direct) != before:
            self.uses += [
                (a.id, node, None)
                for a in node.args
                if isinstance(a, ast.Name) and id(a) in self.direct
            ]
            self.uses += [
                (k.value.id, node, k.arg)
                for k in node.keywords
                if isinstance(k.value, ast.Name) and id(k.value) in self.direct
            ]
        func = node.func
        if isinstance(func, ast.Attribute):
            helper_args: list[ast.expr] = [func.value, ast.Constant(func.attr), *args]
            helper = CALLATTR if len(self.direct) == before else CALLATTR_K
        else:
            helper_args = [func, *args]
            helper = CALL if len(self.direct) == before else CALL_K
        call = ast.Call(func=ast.Name(helper, ast.Load()), args=helper_args, keywords=keywords)
        return ast.fix_missing_locations(_locate_all(call, node))

    def _mark(self, arg: ast.expr) -> ast.expr:
        """Wrap a direct knob use, also inside (nested) list/tuple/dict literals, as a marker."""
        if isinstance(arg, ast.List | ast.Tuple):
            arg.elts = [self._mark(e) for e in arg.elts]
            return arg
        if isinstance(arg, ast.Dict):
            arg.values = [self._mark(v) for v in arg.values]
            return arg
        return self._mark_name(arg)

    def _mark_name(self, arg: ast.expr) -> ast.expr:
        if not (
            isinstance(arg, ast.Name)
            and isinstance(arg.ctx, ast.Load)
            and arg.id in self.scopes[-1]
        ):
            return arg
        self.direct.add(id(arg))
        marker = ast.Call(
            func=ast.Name(KNOB, ast.Load()), args=[ast.Constant(arg.id), arg], keywords=[]
        )
        return _locate_all(marker, arg)


_Node = TypeVar("_Node", bound=ast.AST)


def _checked_value(value: ast.expr) -> ast.expr:
    check = ast.Call(func=ast.Name(VALUE, ast.Load()), args=[value], keywords=[])
    return _locate_all(check, value)


def _locate_all(new: _Node, old: ast.AST) -> _Node:
    for node in ast.walk(new):
        if not hasattr(node, "lineno") or getattr(node, "lineno", None) is None:
            ast.copy_location(node, old)
    ast.copy_location(new, old)
    return new


def _closure_wrapper(func: ast.FunctionDef, freevars: tuple[str, ...]) -> ast.Module:
    """Nest ``func`` in a function defining its free variables and the helpers as locals.

    Compiling that makes them free variables of ``func``'s code, so the original closure cells
    (and cells holding the helpers) can be supplied when the new function object is made.
    """
    defs: list[ast.stmt] = [
        ast.Assign(targets=[ast.Name(n, ast.Store())], value=ast.Constant(None))
        for n in (*freevars, *HELPERS)
    ]
    wrapper = ast.FunctionDef(
        name=_WRAPPER,
        args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[*defs, func],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    module = ast.Module(body=[wrapper], type_ignores=[])
    for node in ast.walk(module):
        if isinstance(node, ast.stmt | ast.expr) and not hasattr(node, "lineno"):
            ast.copy_location(node, func)
    return ast.fix_missing_locations(module)


def _find_code(code: types.CodeType, name: str) -> types.CodeType:
    found = [c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == name]
    if len(found) != 1:  # pragma: no cover - compile() always produces exactly one
        raise RuntimeError(f"rewritten code for {name!r} not found")
    return found[0]
