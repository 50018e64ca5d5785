"""The lazy call node, `Lazy`: what a node does (its fields and the walk are `lazycfg.core.tree`).

A config tree is made of `Lazy` nodes, dicts, lists and tuples, with anything else as a leaf.
The walk's names (`fold`, `walk`, `children`, paths and places) are importable from here too.
"""

from __future__ import annotations

import inspect
from typing import Any

from lazycfg.core.equal import plain_equal, trees_equal
from lazycfg.core.reprs import tree_repr
from lazycfg.core.tree import (
    ARGS_KEY,
    CHECKED,
    Folder,
    Key,
    Meta,
    Node,
    Path,
    Place,
    PlaceFolder,
    R,
    children,
    fold,
    fold_at,
    format_path,
    format_place,
    place_path,
    target_name,
    walk,
    walk_at,
    where,
)
from lazycfg.core.views import VIEWS

__all__ = [
    "ARGS_KEY",
    "CHECKED",
    "Folder",
    "Key",
    "Lazy",
    "Meta",
    "Path",
    "Place",
    "PlaceFolder",
    "children",
    "fold",
    "fold_at",
    "format_path",
    "format_place",
    "place_path",
    "plain_equal",
    "target_name",
    "walk",
    "walk_at",
    "where",
]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class Lazy(Node[R]):
    """A call of ``target`` that has not happened yet: ``target(*args, **kwargs)``.

    Nodes are immutable; read an argument as an attribute (``node.n_estimators``) and derive a
    variant with `lazycfg.replace`. ``target`` is the callable itself, or a dotted string for
    configs whose targets were not imported (migration with ``--no-import``).
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. for argument names.
        if name.startswith("_lazy_") or name.startswith("__"):
            raise AttributeError(name)
        kwargs = self._lazy_kwargs
        if name in kwargs:
            return kwargs[name]
        names = positional_names(self._lazy_target)
        if name in names:
            index = names.index(name)
            if index < len(self._lazy_args):
                return self._lazy_args[index]
        raise AttributeError(
            f"{target_name(self)} node has no argument {name!r}; "
            f"given: {', '.join(kwargs) or '(none)'}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"lazy nodes are immutable; use lazycfg.replace(node, {name}=...) for a variant"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # The whole tree goes as one flat table of nodes (children by index), so pickle and
        # deepcopy, which recurse, stay shallow however deep the tree is; sharing is kept.
        return (_unflatten_nodes, (_flatten_nodes(self),))

    def __eq__(self, other: object) -> bool:
        # Two nodes are equal when they would emit the same config: leaves of the same kind and
        # value, tuples and lists alike (YAML has only lists); see lazycfg.core.equal.
        if not isinstance(other, Node):
            return NotImplemented
        return trees_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return tree_repr(self)

    def _repr_html_(self) -> str | None:
        """What a notebook shows: the YAML and the graph, escaped (`lazycfg.track.notebook`)."""
        render = VIEWS.node_html  # installed by lazycfg/__init__ (see lazycfg.core.views)
        return None if render is None else render(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's pretty printer: one argument a line, deep trees cut."""
        render = VIEWS.node_text
        p.text("..." if cycle else (render or repr)(self))


def positional_names(target: Any) -> tuple[str, ...]:
    """The names ``target`` takes by position, in order; none for a string or an object
    without a signature. (Read on an attribute miss only, so it is not cached.)"""
    if isinstance(target, str) or not callable(target):
        return ()
    try:
        parameters = inspect.signature(target).parameters.values()
    except (ValueError, TypeError):
        return ()
    return tuple(p.name for p in parameters if p.kind in _POSITIONAL)


NodeRecord = tuple[Any, tuple[Any, ...], dict[str, Any], bool, "Meta | None"]


class _Ref:
    """A node's place in the flat table of `_flatten_nodes` (a leaf to the walk)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Ref, (self.index,))


def _same_container(value: Any, kids: list[tuple[Key, Any]]) -> Any:
    kind = type(value)
    if kind is dict:
        return dict(kids)
    if kind is list:
        return [v for _, v in kids]
    return tuple(v for _, v in kids)


def _flatten_nodes(root: Lazy[Any]) -> list[NodeRecord]:
    """Every node of the tree as a record whose child nodes are `_Ref`s; children first."""
    records: list[NodeRecord] = []

    def flatten(value: Any, at: Place, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        if not isinstance(value, Lazy):
            return _same_container(value, kids)
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        for key, child in kids:
            if key == ARGS_KEY:
                args = tuple(child)
            else:
                kwargs[str(key)] = child
        meta = value._lazy_meta
        records.append((value._lazy_target, args, kwargs, value._lazy_partial, meta))
        return _Ref(len(records) - 1)

    fold_at(root, flatten)
    return records


def _unflatten_nodes(records: list[NodeRecord]) -> Lazy[Any]:
    """Rebuild the tree of `_flatten_nodes`; the last record is the root."""
    built: list[Lazy[Any]] = []

    def resolve(value: Any, at: Place, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return built[value.index] if type(value) is _Ref else value
        return _same_container(value, kids)

    for target, args, kwargs, partial, meta in records:
        args = tuple(fold_at(list(args), resolve)) if args else ()
        kwargs = fold_at(kwargs, resolve) if kwargs else {}
        built.append(Lazy(target, args, kwargs, partial, meta))
    return built[-1]
