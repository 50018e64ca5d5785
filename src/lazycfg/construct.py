"""Check first, build second: the vocabulary shared by the passes behind `lazycfg.instantiate`.

The engine is three modules over this one: `lazycfg.construct_check` walks any config once with an
explicit stack (no recursion limit), checks everything and compiles a flat post-order program;
`lazycfg.construct_build` runs that program only when the check found no problem, so a bad config
constructs nothing; `lazycfg.construct_lazy` is a specialised single pass for lazy trees, whose
nodes were already checked against their signatures when they were defined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lazycfg.node import format_path

TARGET, PARTIAL, RECURSIVE, CONVERT = "_target_", "_partial_", "_recursive_", "_convert_"
NOT_ARGUMENTS = frozenset({TARGET, PARTIAL, RECURSIVE, CONVERT})
MISSING = "???"
MODES = frozenset({"none", "partial", "object", "all"})
LEAF_TYPES = frozenset({str, int, float, bool, type(None), bytes})

# Program instructions (tuples; the first item is the opcode).
PUSH, DICT, LIST, CALL, MEMO, RAW = range(6)


# A config path as a linked list ``(parent, key)``, ``()`` at the root: O(1) per child, so a
# 10,000-deep chain costs linear time; formatted only when a message needs it.
KeyPath = tuple[Any, ...]


def fmt_path(path: KeyPath) -> str:
    keys: list[Any] = []
    while path:
        path, key = path
        keys.append(key)
    return format_path(tuple(reversed(keys)))


class NeedsOmegaConf(Exception):
    """The plain fast path met an interpolation or a structured config: resolve first."""


@dataclass
class Plan:
    ops: list[tuple[Any, ...]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    missing: bool = False
    shared: set[int] = field(default_factory=set)
    omega: bool = False  # some container is built as an OmegaConf config (mode "none")


def convert_mode(value: Any) -> str:
    """Hydra's ``_convert_`` as one of none/partial/object/all (any other value acts as none)."""
    value = getattr(value, "value", value)  # hydra.types.ConvertMode
    if isinstance(value, str) and value.lower() in MODES:
        return value.lower()
    return "none"


def callable_name(fn: Any) -> str:
    """``module.qualname``, the name Hydra shows for a callable target."""
    if callable(fn) and hasattr(fn, "__qualname__"):
        return f"{fn.__module__}.{fn.__qualname__}"
    return repr(fn)


_located: dict[str, tuple[Any, str | None]] = {}


def resolve_target(target: Any) -> tuple[Any, str, str | None]:
    """(callable, written name, problem) for a ``_target_`` value; cached per dotted path."""
    if isinstance(target, str):
        hit = _located.get(target)
        if hit is None:
            from lazycfg.errors import ConfigError
            from lazycfg.targets import locate

            try:
                fn = locate(target)
                problem = None
                if not callable(fn):
                    problem = (
                        f"target {target!r} is a {type(fn).__name__}, not a callable; "
                        "name a class or function"
                    )
            except ConfigError as exc:
                fn, problem = None, exc.problems[0]
            hit = (fn, problem)
            _located[target] = hit
        return hit[0], target, hit[1]
    if callable(target):
        return target, callable_name(target), None
    return None, repr(target), f"_target_ must be a dotted path or a callable, got {target!r}"


def is_structured(value: Any) -> bool:
    kind = type(value)
    return hasattr(kind, "__dataclass_fields__") or hasattr(kind, "__attrs_attrs__")


def is_omega(value: Any) -> bool:
    return type(value).__module__.startswith("omegaconf.")


def call_failed(op: tuple[Any, ...], exc: Exception) -> Exception:
    from hydra.errors import InstantiationException

    name = callable_name(op[1])
    if op[3]:
        msg = f"Error in creating partial({name}, ...) object:\n{exc!r}"
    else:
        msg = f"Error in call to target '{name}':\n{exc!r}"
    if op[5]:
        msg += f"\nfull_key: {fmt_path(op[5])}"
    return InstantiationException(msg)
