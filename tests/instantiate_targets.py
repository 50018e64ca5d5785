"""Module-level targets for the instantiate tests: each records exactly what it received."""

from __future__ import annotations

import copy
import enum
import functools
import pathlib
import warnings
from dataclasses import dataclass, field
from typing import Any

import hydra.utils

import lazycfg


def _shape(value: Any) -> Any:
    """A value with the container type of every level, to compare convert modes precisely."""
    kind = type(value).__name__
    if hasattr(value, "items") and not isinstance(value, Record):
        return (kind, tuple((k, _shape(v)) for k, v in value.items()))
    if isinstance(value, list | tuple) or kind == "ListConfig":
        return (kind, tuple(_shape(v) for v in value))
    return value


class Record:
    """Stores its positional and keyword arguments, with their container types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def shape(self) -> Any:
        return ("Record", _shape(list(self.args)), _shape(dict(self.kwargs)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and self.shape() == other.shape()

    def __repr__(self) -> str:
        return f"Record{self.shape()!r}"


def record(*args: Any, **kwargs: Any) -> Record:
    return Record(*args, **kwargs)


class Point:
    def __init__(self, x: int, y: int = 0) -> None:
        self.x = x
        self.y = y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __repr__(self) -> str:
        return f"Point({self.x}, {self.y})"


class Chain:
    def __init__(self, child: Any = None) -> None:
        self.child = child


class Counter:
    made = 0

    def __init__(self) -> None:
        Counter.made += 1


class Explodes:
    built = 0

    def __init__(self, size: int) -> None:
        Explodes.built += 1


@dataclass
class Params:
    a: int = 1
    b: str = "x"


@dataclass
class RecordConf:
    _target_: str = "instantiate_targets.Record"
    n: int = 3
    params: Params = field(default_factory=Params)


class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


class Located:
    """Takes the values lazycfg encodes as calls: a path, an enum member, a class."""

    def __init__(
        self, path: pathlib.Path, shade: Shade = Shade.LIGHT, kind: type | None = None
    ) -> None:
        self.path = path
        self.shade = shade
        self.kind = kind


# --- comparing Hydra and lazycfg ------------------------------------------------------------
def norm(value: Any) -> Any:
    """A comparable picture of a result, container types included (DictConfig vs dict...)."""
    kind = type(value).__name__
    if isinstance(value, Record):
        return ("Record", norm(list(value.args)), norm(dict(value.kwargs)))
    if isinstance(value, functools.partial):  # Hydra's _DeferredTarget is a subclass
        return ("partial", value.func, norm(list(value.args)), norm(dict(value.keywords)))
    if kind in ("dict", "DictConfig"):
        return (kind, tuple((k, norm(v)) for k, v in value.items()))
    if kind in ("list", "tuple", "ListConfig"):
        return (kind, tuple(norm(v) for v in value))
    return value


def outcome(fn: Any, config: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", norm(fn(config, *args, **kwargs))
        except Exception as exc:  # the exception itself is what is compared
            return "error", exc


def assert_same(config: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """Hydra and lazycfg give equal results, or lazycfg raises what catches as Hydra's type."""
    theirs = outcome(hydra.utils.instantiate, copy.deepcopy(config), *args, **kwargs)
    ours = outcome(lazycfg.instantiate, config, *args, **kwargs)
    if theirs[0] == "error":
        assert ours[0] == "error", f"Hydra raised {theirs[1]!r}, lazycfg returned {ours[1]!r}"
        assert isinstance(ours[1], type(theirs[1])), (
            f"Hydra raised {type(theirs[1]).__name__}: {theirs[1]}\n"
            f"lazycfg raised {type(ours[1]).__name__}: {ours[1]}"
        )
    else:
        assert ours == theirs, f"config {config!r}\nHydra:   {theirs!r}\nlazycfg: {ours!r}"
    return ours


def pair(a: Any, b: Any = None) -> tuple[Any, Any]:
    """A function with a fixed signature (unknown keywords and missing ``a`` fail)."""
    return (a, b)


def keywords(*, k: Any, m: Any = 1) -> dict[str, Any]:
    """Keyword-only parameters (positional arguments fail)."""
    return {"k": k, "m": m}
