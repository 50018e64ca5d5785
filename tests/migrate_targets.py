"""Module-level targets for the migration and code generation tests."""

from __future__ import annotations

import enum
from collections.abc import Callable

CALLED: list[str] = []  # a target that ran would append here; the migrator must never run one


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Layer:
    def __init__(self, size: int, activation: str = "relu") -> None:
        CALLED.append("Layer")
        self.size, self.activation = size, activation


class Net:
    def __init__(self, layers: list[Layer], dropout: float = 0.0, name: str = "net") -> None:
        CALLED.append("Net")
        self.layers, self.dropout, self.name = layers, dropout, name


def scale(x: float, factor: float = 2.0) -> float:
    CALLED.append("scale")
    return x * factor


class Block:
    """Takes a class and a function as values (Hydra's get_class / get_method nodes)."""

    def __init__(
        self,
        size: int,
        fn: Callable[[float, float], float] | None = None,
        cls: type | None = None,
        activation: type | None = None,
    ) -> None:
        CALLED.append("Block")
        self.size, self.fn, self.cls, self.activation = size, fn, cls, activation


class Mlp:
    """A target with plain keyword arguments (ablation rows change one of them)."""

    def __init__(self, hidden: int, dropout: float = 0.0, layers: list[int] | None = None) -> None:
        CALLED.append("Mlp")
        self.hidden, self.dropout, self.layers = hidden, dropout, layers or []
