"""Interpolations in a tree that holds lazy nodes, resolved without giving up the tree.

``${...}`` values are resolved by OmegaConf against the config the tree emits (so they mean what
they mean in the YAML: absolute and relative keys, resolvers such as ``oc.env``), and each
resolved value is put back where its interpolation stood. Nodes and containers are rebuilt only
where something changed, each node once (`lazycfg.core.node.fold` memoizes by identity), so a node
used in two places is still one node and is built once and shared. A shared node takes the
values resolved at its first path (depth-first, arguments in order), as it is built once.
"""

from __future__ import annotations

from typing import Any

from lazycfg.core.node import ARGS_KEY, Lazy, Path, children, fold


class Unmapped(Exception):
    """An interpolation's place has no counterpart in the emitted config (a key OmegaConf
    changes); the caller resolves the emitted config as a whole instead, without sharing."""


def holds_lazy(root: Any) -> bool:
    """Whether ``root`` is or contains a `Lazy` node (dicts, lists and tuples are searched).

    `engine.holds` with the test inline: every plain-dict ``instantiate`` asks this first,
    and a call per leaf would cost more than the search itself."""
    stack = [root]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict:
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            stack.extend(value)
        elif isinstance(value, Lazy):
            return True
    return False


def substitute_resolved(root: Any) -> Any:
    """``root`` with every interpolation string replaced by its resolved value; raises
    `Unmapped` when a value cannot be found at its path in the emitted config."""
    from omegaconf import OmegaConf

    from lazycfg.emit.convert import to_dict

    cfg = OmegaConf.create(to_dict(root), flags={"allow_objects": True})
    resolved = OmegaConf.to_container(cfg, resolve=True)

    def put_back(value: Any, path: Path, kids: list[tuple[Any, Any]] | None) -> Any:
        if kids is None:
            if type(value) is str and "${" in value:
                return _at(resolved, path)
            return value
        originals = children(value) or []
        if all(new is old for (_, new), (_, old) in zip(kids, originals, strict=True)):
            return value  # nothing below changed: keep the very object
        return _rebuilt(value, kids)

    return fold(root, put_back)


def _at(tree: Any, path: Path) -> Any:
    """The value at ``path`` of the resolved emitted config (the same keys as the lazy tree)."""
    for key in path:
        try:
            tree = tree[key]
        except (KeyError, IndexError, TypeError) as exc:
            raise Unmapped(path) from exc
    return tree


def _rebuilt(value: Any, kids: list[tuple[Any, Any]]) -> Any:
    if isinstance(value, Lazy):
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        for key, kid in kids:
            if key == ARGS_KEY:
                args = tuple(kid)
            else:
                kwargs[key] = kid
        return Lazy(value._lazy_target, args, kwargs, value._lazy_partial, value._lazy_meta)
    kind = type(value)
    if kind is dict:
        return dict(kids)
    items = [kid for _, kid in kids]
    return items if kind is list else tuple(items)
