"""The lazy call node and the one tree walk every feature is built on.

A config tree is made of `Lazy` nodes, dicts, lists and tuples, with anything else as a leaf.
`fold` rebuilds a tree bottom-up and `walk` visits it top-down; both are iterative (no
recursion limit: a 10,000-deep chain is fine) and both see a shared `Lazy` node once, which is
how sharing survives instantiation. Emission, instantiation, validation, flattening, diffing and
code generation are small functions over these two. `fold_at` and `walk_at` are the same walks
with each value's `Place` (a linked list, built in constant time) instead of its path tuple
(which copies every key above it), so their cost stays linear however deep the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeAlias, TypeVar

R = TypeVar("R")

Key = str | int
Path = tuple[Key, ...]

ARGS_KEY = "_args_"


class Lazy(Generic[R]):
    """A call of ``target`` that has not happened yet: ``target(*args, **kwargs)``.

    Nodes are immutable; read an argument as an attribute (``node.n_estimators``) and derive a
    variant with `lazycfg.replace`. ``target`` is the callable itself, or a dotted string for
    configs whose targets were not imported (migration with ``--no-import``).
    """

    # _lazy_plan: the checked program instantiate keeps for the node (lazycfg.instantiate.cache)
    __slots__ = ("_lazy_target", "_lazy_args", "_lazy_kwargs", "_lazy_partial", "_lazy_meta", "_lazy_plan")  # fmt: skip

    _lazy_target: Callable[..., R] | str
    _lazy_args: tuple[Any, ...]
    _lazy_kwargs: dict[str, Any]
    _lazy_partial: bool
    # Optional extras, None when unused: "options" (_recursive_/_convert_), "where" (file, line)
    # of the defining call, "knobs" (argument name -> factory parameter it came from).
    _lazy_meta: dict[str, Any] | None

    def __init__(
        self,
        target: Callable[..., R] | str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        partial: bool = False,
        meta: dict[str, Any] | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "_lazy_target", target)
        setter(self, "_lazy_args", args)
        setter(self, "_lazy_kwargs", {} if kwargs is None else kwargs)
        setter(self, "_lazy_partial", partial)
        setter(self, "_lazy_meta", meta)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. for argument names.
        if name.startswith("_lazy_") or name.startswith("__"):
            raise AttributeError(name)
        kwargs = self._lazy_kwargs
        if name in kwargs:
            return kwargs[name]
        from lazycfg.check.signature import positional_names

        names = positional_names(self._lazy_target)
        if names is not None and name in names:
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
        # Two nodes are equal when they emit the same config: leaves of the same type and value,
        # tuples and lists alike (YAML has only lists).
        if not isinstance(other, Lazy):
            return NotImplemented
        from lazycfg.emit.convert import to_dict

        return plain_equal(to_dict(self), to_dict(other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        from lazycfg.core.reprs import tree_repr

        return tree_repr(self)

    def _repr_html_(self) -> str:
        """What a notebook shows: the YAML and the graph, escaped (`lazycfg.track.notebook`)."""
        from lazycfg.track.notebook import node_html

        return node_html(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's pretty printer: one argument a line, deep trees cut."""
        from lazycfg.track.notebook import pretty_text

        p.text("..." if cycle else pretty_text(self))


def _rebuild(
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    partial: bool,
    meta: dict[str, Any] | None,
) -> Lazy[Any]:
    return Lazy(target, args, kwargs, partial, meta)


class _Ref:
    """A node's place in the flat table of `_flatten_nodes` (a leaf to the walk)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Ref, (self.index,))


NodeRecord = tuple[Any, tuple[Any, ...], dict[str, Any], bool, "dict[str, Any] | None"]


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


def plain_equal(a: Any, b: Any) -> bool:
    """``a == b`` for emitted configs (dicts, lists, leaves), without recursion; types must match
    (``1``, ``1.0`` and ``True`` are written differently) and nan equals nan."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        kind = type(x)
        if kind is dict:
            if type(y) is not dict or len(x) != len(y):
                return False
            for key, value in x.items():
                if key not in y:
                    return False
                stack.append((value, y[key]))
        elif kind is list:
            if type(y) is not list or len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif type(x) is not type(y):  # 1, 1.0 and True are written differently
            return False
        elif not bool(x == y) and not (x != x and y != y):  # nan equals nan: same text
            return False
    return True


def target_name(node: Lazy[Any]) -> str:
    """A readable name for a node's target: its dotted path, or the string itself."""
    target = node._lazy_target
    if isinstance(target, str):
        return target
    try:
        from lazycfg.core.targets import import_path

        return import_path(target)
    except Exception:
        module = getattr(target, "__module__", None) or "?"
        return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def where(node: Lazy[Any]) -> str | None:
    """``file:line`` of the call that defined the node, when known."""
    meta = node._lazy_meta
    if meta and "where" in meta:
        file, line = meta["where"]
        return f"{file}:{line}"
    return None


# --- the walk ----------------------------------------------------------------------------------


def children(value: Any) -> list[tuple[Key, Any]] | None:
    """The children of a container or node as (key, child) pairs; None for a leaf.

    A node's positional arguments are one child, a tuple under ``_args_``, as Hydra lays them out.
    """
    kind = type(value)
    if kind is dict:
        return list(value.items())
    if kind is list or kind is tuple:
        return list(enumerate(value))
    if isinstance(value, Lazy):
        kwargs: list[tuple[Key, Any]] = list(value._lazy_kwargs.items())
        if value._lazy_args:
            return [(ARGS_KEY, value._lazy_args), *kwargs]
        return kwargs
    return None


Folder = Callable[[Any, Path, "list[tuple[Key, Any]] | None"], Any]

# Where a value sits, as a linked list: None for the root, else (parent's place, key). Making one
# costs a 2-tuple whatever the depth, where a path tuple copies every key above it; walks over
# deep trees pass places and spell a path (`place_path`, `format_place`) only when they need it.
Place: TypeAlias = "tuple[Place, Key] | None"
PlaceFolder = Callable[[Any, Place, "list[tuple[Key, Any]] | None"], Any]


def place_path(place: Place, start: Path = ()) -> Path:
    """The path a place stands for (``start`` + keys from the root down)."""
    keys: list[Key] = []
    while place is not None:
        place, key = place
        keys.append(key)
    keys.reverse()
    return (*start, *keys)


def format_place(place: Place) -> str:
    """`format_path` of a place: ``model.layers[0].size``, ``<root>`` for the root."""
    return format_path(place_path(place))


def fold(root: Any, fn: Folder, path: Path = ()) -> Any:
    """Rebuild ``root`` bottom-up: ``fn(value, path, kids)`` is called once per value.

    ``kids`` is None for leaves and, for containers and nodes, the list of (key, folded child).
    A `Lazy` node reached twice is folded once; the second parent gets the same result.
    Leaves are called in order, parents after their children (depth first, left to right).
    Each call gets its path as a tuple; over deep trees use `fold_at`, which does not copy it.
    """
    return _fold(root, fn, path, linked=False)


def fold_at(root: Any, fn: PlaceFolder, at: Place = None) -> Any:
    """`fold`, with each value's `Place` instead of its path: linear however deep the tree."""
    return _fold(root, fn, at, linked=True)


def _fold(root: Any, fn: Callable[..., Any], start: Any, *, linked: bool) -> Any:
    """The one bottom-up walk: ``start`` is the root's path (a tuple) or place (``linked``)."""
    kids = children(root)
    if kids is None:
        return fn(root, start, None)
    memo: dict[int, Any] = {}
    # Frames: (value, its key in the parent, its path or place, children left, children done).
    stack: list[tuple[Any, Any, Any, Iterator[tuple[Key, Any]], list[tuple[Key, Any]]]] = [
        (root, None, start, iter(kids), [])
    ]
    while True:
        value, _, here, pending, done = stack[-1]
        for key, child in pending:
            at = (here, key) if linked else (*here, key)
            grandkids = children(child)
            if grandkids is None:
                done.append((key, fn(child, at, None)))
                continue
            if isinstance(child, Lazy) and id(child) in memo:
                done.append((key, memo[id(child)]))
                continue
            stack.append((child, key, at, iter(grandkids), []))
            break
        else:
            _, key, _, _, _ = stack.pop()
            result = fn(value, here, done)
            if isinstance(value, Lazy):
                memo[id(value)] = result
            if not stack:
                return result
            stack[-1][4].append((key, result))


def walk(root: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) of the tree, parents before children; a shared node once.

    Over deep trees use `walk_at`, which does not copy each path.
    """
    return _walk(root, path, linked=False)


def walk_at(root: Any, at: Place = None) -> Iterator[tuple[Place, Any]]:
    """`walk`, with each value's `Place` instead of its path: linear however deep the tree."""
    return _walk(root, at, linked=True)


def _walk(root: Any, start: Any, *, linked: bool) -> Iterator[tuple[Any, Any]]:
    seen: set[int] = set()
    stack: list[tuple[Any, Any]] = [(start, root)]
    while stack:
        here, value = stack.pop()
        if isinstance(value, Lazy):
            if id(value) in seen:
                continue
            seen.add(id(value))
        yield here, value
        kids = children(value)
        if kids:
            if linked:
                stack.extend(((here, key), child) for key, child in reversed(kids))
            else:
                stack.extend(((*here, key), child) for key, child in reversed(kids))


def format_path(path: Path) -> str:
    """``("model", "layers", 0, "size")`` -> ``model.layers[0].size`` (Hydra's full_key style)."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out or "<root>"
