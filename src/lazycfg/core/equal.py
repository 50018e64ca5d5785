"""When two lazy trees are equal: when they would be written as the same Hydra config.

`trees_equal` compares the trees themselves, in one iterative walk, the way `to_dict` would
write them: a node's target by its dotted path (a callable and its path string alike), its
partial flag, Hydra options, positional arguments (``_args_``) and keyword arguments, with
positional and keyword arguments kept apart as the config keeps them; tuples and lists alike
(YAML has only lists); leaves of the same written kind and value. It needs nothing from the
emitter, so equality stays in the core, and it never raises on a leaf no config can hold.

`plain_equal` is the same question for configs already emitted (dicts, lists, leaves).
"""

from __future__ import annotations

import enum
import pathlib
from typing import Any

from lazycfg.core.errors import TargetError
from lazycfg.core.targets import import_path
from lazycfg.core.tree import Node

_PRIMITIVE_TYPES = frozenset((str, int, float, bool, type(None)))
# The plain types a subclass of a primitive is written as (numpy.float64 as a float); bool
# before int, since bool is an int.
_PLAIN = (bool, int, float, str)


def trees_equal(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` would emit equal configs (see the module docstring).

    A pair of nodes met again (a shared node, a diamond) is compared once.
    """
    stack: list[tuple[Any, Any]] = [(a, b)]
    seen: set[tuple[int, int]] = set()
    while stack:
        x, y = stack.pop()
        if x is y:
            continue
        kind = type(x)
        if kind is dict:
            if type(y) is not dict or len(x) != len(y):
                return False
            for key, value in x.items():
                if key not in y:
                    return False
                stack.append((value, y[key]))
        elif kind is list or kind is tuple:
            if (type(y) is not list and type(y) is not tuple) or len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif isinstance(x, Node):
            if not isinstance(y, Node):
                return False
            if (id(x), id(y)) in seen:
                continue
            seen.add((id(x), id(y)))
            if x._lazy_partial != y._lazy_partial or not _same_target(x, y):
                return False
            stack.append((_options(x), _options(y)))
            stack.append((x._lazy_args, y._lazy_args))
            stack.append((x._lazy_kwargs, y._lazy_kwargs))
        elif isinstance(y, Node | dict | list | tuple) or not _leaves_equal(x, y):
            return False
    return True


def _options(node: Node[Any]) -> dict[str, Any]:
    meta = node._lazy_meta
    return (meta.options or {}) if meta is not None else {}


def _same_target(a: Node[Any], b: Node[Any]) -> bool:
    ta, tb = a._lazy_target, b._lazy_target
    if ta is tb:
        return True
    try:
        return _target_path(ta) == _target_path(tb)
    except TargetError:  # a lambda or local class: only the very same object is the same
        return False


def _target_path(target: Any) -> str:
    return target if isinstance(target, str) else import_path(target)


def _written_kind(value: Any) -> type:
    """The kind of config value a leaf is written as: leaves of different kinds never emit
    the same config (``1``, ``1.0``, ``True`` and ``"1"`` are four values)."""
    kind = type(value)
    if kind in _PRIMITIVE_TYPES or isinstance(value, enum.Enum):
        return kind  # an enum member is written with its own class as the target
    if isinstance(value, pathlib.PurePath):
        return pathlib.PurePath  # every path is written as pathlib.Path(str)
    for plain in _PLAIN:
        if isinstance(value, plain):
            return plain
    return kind


def _leaves_equal(x: Any, y: Any) -> bool:
    if _written_kind(x) is not _written_kind(y):
        return False
    try:
        return bool(x == y) or (x != x and y != y)  # nan equals nan: the same text
    except Exception:  # an array's elementwise ==: only the very same object is the same
        return False


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
