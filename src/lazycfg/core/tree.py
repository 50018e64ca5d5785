"""A lazy node's data and the one tree walk every feature is built on.

A config tree is made of lazy nodes, dicts, lists and tuples, with anything else as a leaf.
`fold` rebuilds a tree bottom-up and `walk` visits it top-down; both are iterative (no
recursion limit: a 10,000-deep chain is fine) and both see a shared node once, which is how
sharing survives instantiation. Emission, instantiation, validation, flattening, diffing and
code generation are small functions over these two. `fold_at` and `walk_at` are the same walks
with each value's `Place` (a linked list, built in constant time) instead of its path tuple
(which copies every key above it), so their cost stays linear however deep the tree.

`Node` holds a node's fields; `lazycfg.core.node.Lazy`, the class users see, adds what a node
does (attribute reads, equality, repr, pickling). The split keeps the walk, the tree repr and
equality, which those methods call, below the class instead of in an import cycle with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, NamedTuple, TypeAlias, TypeVar

from lazycfg.core.targets import import_path

R = TypeVar("R")

Key = str | int
Path = tuple[Key, ...]

ARGS_KEY = "_args_"


class Meta(NamedTuple):
    """A node's optional extras. A node with none has ``None`` instead (the common case of a
    node read from a config), so the hot paths test one slot; made often enough (once per
    `lazy` call) that it is a tuple, which is cheaper to make than a slotted dataclass."""

    # (file, line) of the call that defined the node, for messages (`where`).
    where: tuple[str, int] | None = None
    # Bound against its target's signature when made (lazy, partial, replace, from_config):
    # instantiate does not bind it again.
    checked: bool = False
    # Hydra's _recursive_/_convert_ as the config wrote them.
    options: dict[str, Any] | None = None
    # @factory: relative path inside the node -> the factory parameter it came from (KnobToken).
    knobs: dict[Path, Any] | None = None
    # codegen/migrate: a string-target node's fields kept as written (comments, interpolations).
    kept: dict[str, Any] | None = None

    def for_variant(self) -> Meta | None:
        """What a variant of the node keeps (`lazycfg.replace`): everything but where it was
        defined and whether it was checked, which the variant gets anew; None if nothing."""
        if self.options is None and self.knobs is None and self.kept is None:
            return None
        return self._replace(where=None, checked=False)


# A node checked when made that has no other extra (shared: nothing to allocate per node).
CHECKED = Meta(checked=True)


class Node(Generic[R]):
    """The fields of a lazy call ``target(*args, **kwargs)``; see `lazycfg.core.node.Lazy`."""

    # _lazy_plan: the checked program instantiate keeps for the node (lazycfg.instantiate.cache)
    __slots__ = ("_lazy_target", "_lazy_args", "_lazy_kwargs", "_lazy_partial", "_lazy_meta", "_lazy_plan")  # fmt: skip

    _lazy_target: Callable[..., R] | str
    _lazy_args: tuple[Any, ...]
    _lazy_kwargs: dict[str, Any]
    _lazy_partial: bool
    _lazy_meta: Meta | None

    def __init__(
        self,
        target: Callable[..., R] | str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        partial: bool = False,
        meta: Meta | None = None,
    ) -> None:
        # The slots' own setters: the class forbids setattr, and these are faster than
        # object.__setattr__ by name (a node is made per lazy() call and per node read).
        _set_target(self, target)
        _set_args(self, args)
        _set_kwargs(self, {} if kwargs is None else kwargs)
        _set_partial(self, partial)
        _set_meta(self, meta)


_set_target = Node._lazy_target.__set__  # type: ignore[attr-defined]
_set_args = Node._lazy_args.__set__  # type: ignore[attr-defined]
_set_kwargs = Node._lazy_kwargs.__set__  # type: ignore[attr-defined]
_set_partial = Node._lazy_partial.__set__  # type: ignore[attr-defined]
_set_meta = Node._lazy_meta.__set__  # type: ignore[attr-defined]


def target_name(node: Node[Any]) -> str:
    """A readable name for a node's target: its dotted path, or the string itself."""
    target = node._lazy_target
    if isinstance(target, str):
        return target
    try:
        return import_path(target)
    except Exception:
        module = getattr(target, "__module__", None) or "?"
        return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def where(node: Node[Any]) -> str | None:
    """``file:line`` of the call that defined the node, when known."""
    meta = node._lazy_meta
    if meta is not None and meta.where is not None:
        file, line = meta.where
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
    if isinstance(value, Node):
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
    A node reached twice is folded once; the second parent gets the same result.
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
            if isinstance(child, Node) and id(child) in memo:
                done.append((key, memo[id(child)]))
                continue
            stack.append((child, key, at, iter(grandkids), []))
            break
        else:
            _, key, _, _, _ = stack.pop()
            result = fn(value, here, done)
            if isinstance(value, Node):
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
        if isinstance(value, Node):
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
