"""Module-level targets for the foundation tests: importable, comparable, of every kind."""

from __future__ import annotations

import dataclasses
import enum
import functools
import pathlib
from typing import Any

import attrs
import pydantic


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class _Comparable:
    """Equal when of the same class with equal attributes (Hydra's containers compare equal)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and _norm(vars(self)) == _norm(vars(other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({vars(self)!r})"


def _norm(value: Any) -> Any:
    """Lists and tuples alike, OmegaConf containers as plain ones: what Hydra changes."""
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf

        if isinstance(value, DictConfig | ListConfig):
            value = OmegaConf.to_container(value)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, functools.partial):  # partial objects compare by identity
        return ("partial", value.func, _norm(value.args), _norm(value.keywords))
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


class Leaf(_Comparable):
    """Five annotated parameters with defaults (the benchmark shape)."""

    def __init__(
        self,
        a: int = 0,
        b: float = 0.0,
        c: str = "",
        d: bool = False,
        e: Any = None,
    ) -> None:
        self.a, self.b, self.c, self.d, self.e = a, b, c, d, e


class Pair(_Comparable):
    """Two required positional-or-keyword parameters of any type."""

    def __init__(self, left: Any, right: Any = None) -> None:
        self.left, self.right = left, right


class Bag(_Comparable):
    """Variadic: anything by position and by keyword."""

    def __init__(self, *items: Any, **named: Any) -> None:
        self.items, self.named = list(items), named


class Model(_Comparable):
    def __init__(self, n_estimators: int = 100, max_depth: int | None = None) -> None:
        self.n_estimators, self.max_depth = n_estimators, max_depth


class Optimizer(_Comparable):
    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        self.lr, self.momentum = lr, momentum


class Pipe(_Comparable):
    def __init__(self, model: Model, optimizer: Optimizer | None = None, steps: int = 1) -> None:
        self.model, self.optimizer, self.steps = model, optimizer, steps


class Typed(_Comparable):
    def __init__(
        self,
        color: Color = Color.RED,
        path: pathlib.Path = pathlib.Path("."),
        sizes: list[int] | None = None,
        cls: type | None = None,
    ) -> None:
        self.color, self.path, self.sizes, self.cls = color, path, sizes, cls


class Outer:
    class Inner(_Comparable):
        def __init__(self, x: int = 1) -> None:
            self.x = x


def make_pair(left: Any, right: Any = None) -> Pair:
    """A function target returning a class instance."""
    return Pair(left, right)


def add(x: int, y: int = 0) -> int:
    return x + y


def scale(x: float, factor: float = 2.0) -> float:
    return x * factor


@dataclasses.dataclass
class DataPoint:
    x: int
    label: str = "a"


@attrs.define
class AttrsPoint:
    x: int
    label: str = "a"


class PydPoint(pydantic.BaseModel):
    x: int
    label: str = "a"


_SENTINEL = object()


def with_sentinel_default(marker: Any = _SENTINEL, numbers: list[int] = [1, 2]) -> Any:  # noqa: B006
    """A default no config can hold (``marker``) beside one it can (``numbers``)."""
    return marker, numbers


class PosOnly(_Comparable):
    """Positional-only parameters, which no keyword can reach."""

    def __init__(self, a: int, b: int, /, c: int = 0) -> None:
        self.a, self.b, self.c = a, b, c


class TypedVarargs(_Comparable):
    """Annotated ``*args`` and ``**kwargs``: every element and value has a type."""

    def __init__(self, *layers: int, **extra: float) -> None:
        self.layers, self.extra = list(layers), extra


class Holder(_Comparable):
    """Nodes inside containers, checked against the element type."""

    def __init__(
        self,
        children: list[DataPoint] | None = None,
        named: dict[str, DataPoint] | None = None,
        anything: list[Any] | None = None,
    ) -> None:
        self.children, self.named, self.anything = children, named, anything


class PydAlias(pydantic.BaseModel):
    """A field with an alias that may also be set by its name."""

    model_config = pydantic.ConfigDict(populate_by_name=True)
    learning_rate: float = pydantic.Field(alias="lr")


class PydAliasStrict(pydantic.BaseModel):
    """A field with an alias only (population by name not allowed)."""

    learning_rate: float = pydantic.Field(alias="lr")


class PydValidateByName(pydantic.BaseModel):
    """A field settable by name or alias through ``validate_by_name``."""

    model_config = pydantic.ConfigDict(validate_by_name=True)
    learning_rate: float = pydantic.Field(alias="lr")
