"""Which leaf values a config can hold: plain values, enums, paths, importable callables.

Checked when a node is made (`lazycfg.define`) and again when it is emitted
(`lazycfg.emit.convert`), so both say the same thing about the same value."""

from __future__ import annotations

import enum
import inspect
import pathlib
from typing import Any

from lazycfg.core.errors import ConfigError
from lazycfg.core.targets import import_path

PRIMITIVE = (str, int, float, bool, type(None))
PRIMITIVE_TYPES = frozenset(PRIMITIVE)


def leaf_problem(value: Any) -> str | None:
    """Why a leaf value cannot be emitted, or None when it can."""
    if type(value) in PRIMITIVE_TYPES or type(value) in (dict, list, tuple):
        if isinstance(value, dict):
            bad = [k for k in value if not isinstance(k, str | int)]
            if bad:
                return f"dict keys must be str or int, got {bad[0]!r}"
        return None
    if isinstance(value, enum.Enum | pathlib.PurePath):
        return None
    if isinstance(value, PRIMITIVE):  # numpy.float64 and friends: written as the plain type
        return None
    if isinstance(value, type) or inspect.isroutine(value):
        try:
            import_path(value)
        except ConfigError as exc:
            return exc.problems[0]
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        # numpy.float32 and friends, and arrays: the plain Python value is one call away.
        kind = type(value).__name__
        if getattr(value, "ndim", None) == 0:
            plain = type(value.tolist()).__name__
            return f"numpy.{kind} {value!s} cannot be written to a config; pass {plain}(x)"
        return f"numpy.{kind} {value!s:.50} cannot be written to a config; pass x.tolist()"
    return (
        f"{type(value).__name__} {value!r:.50} cannot be written to a config; pass a value "
        "(number, string, list, dict, enum, path), a class or function, or a lazy node"
    )
