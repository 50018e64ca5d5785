"""Values as error messages print them: ``repr``, without memory addresses.

``repr`` shows a function as ``<function scale at 0x7f...>`` and an object without its own repr
as ``<x.Y object at 0x7f...>``: noise that differs on every run. Messages name classes and
functions by their dotted import path instead (the path a config would use), also inside lists,
tuples, sets and dicts; everything else prints exactly as ``repr`` prints it.
"""

from __future__ import annotations

import types
from typing import Any

from lazycfg.core.targets import import_path
from lazycfg.core.tree import Node, target_name

_NAMED = (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
# Exact container types whose repr we rebuild item by item: (opening, closing) brackets.
_BRACKETS: dict[type, tuple[str, str]] = {
    list: ("[", "]"),
    tuple: ("(", ")"),
    dict: ("{", "}"),
    set: ("{", "}"),
    frozenset: ("frozenset({", "})"),
}


def value_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, with classes and functions by dotted path.

    An object with the default ``object.__repr__`` prints as ``<path.Class object>``.
    """
    return _repr(value, limit)[:limit]


def dotted_name(obj: Any) -> str:
    """The import path of a class or function, else its qualname (a lambda, a local class)."""
    try:
        return import_path(obj)
    except Exception:  # not importable back; its own name still says what it is
        return getattr(obj, "__qualname__", None) or type(obj).__qualname__


def _repr(value: Any, budget: int) -> str:
    """The repr, or an exact prefix of it longer than ``budget`` (the caller cuts it).

    Each nesting level spends at least one character of the budget, so the recursion is at most
    ``budget`` deep however deeply the value nests.
    """
    if isinstance(value, _NAMED):
        return dotted_name(value)
    kind = type(value)
    brackets = _BRACKETS.get(kind)
    if brackets is None:
        if kind.__repr__ is object.__repr__:
            return f"<{dotted_name(kind)} object>"
        return repr(value)
    if not value and kind is not list and kind is not tuple and kind is not dict:
        return f"{kind.__name__}()"  # set() and frozenset(): no empty-brace form
    opening, closing = brackets
    out = opening
    items = value.items() if kind is dict else value
    for index, item in enumerate(items):
        if len(out) > budget:
            return out
        if index:
            out += ", "
        if kind is dict:
            key = _repr(item[0], budget - len(out))
            out += f"{key}: {_repr(item[1], budget - len(out) - len(key) - 2)}"
        else:
            out += _repr(item, budget - len(out))
    if kind is tuple and len(value) == 1:
        out += ","
    return out + closing


# --- the repr of a lazy tree ---------------------------------------------------------------------

_OPEN = {list: "[", tuple: "(", dict: "{"}
_CLOSE = {list: "]", tuple: ")", dict: "}"}


class _Text(str):
    """Text to write as it is (the stack of `tree_repr` also holds values to render)."""

    __slots__ = ()


class _Leave:
    """Marks the end of a container, so the cycle guard forgets it."""

    __slots__ = ("ident",)

    def __init__(self, ident: int) -> None:
        self.ident = ident


def tree_repr(root: Any) -> str:
    """``repr`` of a value holding lazy nodes: ``lazy(pkg.Model)(n=3, inner=[lazy(...)(...)])``.

    Nodes, lists, tuples and dicts (exact types) are rendered without recursion, so a 100,000
    deep chain prints; other values by their own ``repr``. A list or dict that holds itself
    prints ``[...]``/``{...}`` as Python's repr does.
    """
    out: list[str] = []
    stack: list[Any] = [root]
    active: set[int] = set()  # containers being written, for the cycle guard
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is _Text:
            out.append(item)
            continue
        if kind is _Leave:
            active.discard(item.ident)
            continue
        if isinstance(item, Node):
            head = "partial" if item._lazy_partial else "lazy"
            out.append(f"{head}({target_name(item)})(")
            parts: list[tuple[str, Any]] = [("", a) for a in item._lazy_args]
            parts += [(f"{k}=", v) for k, v in item._lazy_kwargs.items()]
            stack.append(_Text(")"))
        elif kind in _OPEN:
            if id(item) in active:
                out.append(f"{_OPEN[kind]}...{_CLOSE[kind]}")
                continue
            active.add(id(item))
            out.append(_OPEN[kind])
            if kind is dict:
                parts = [(f"{k!r}: ", v) for k, v in item.items()]
            else:
                parts = [("", v) for v in item]
            stack += [_Leave(id(item)), _Text(_CLOSE[kind])]
            if kind is tuple and len(item) == 1:
                stack.append(_Text(","))
        else:
            out.append(repr(item))
            continue
        for index in range(len(parts) - 1, -1, -1):
            label, value = parts[index]
            stack.append(value)
            stack.append(_Text(f", {label}" if index else label))
    return "".join(out)
