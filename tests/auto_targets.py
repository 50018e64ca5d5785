"""Module-level targets for the factory tests (Hydra must be able to import them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONSTRUCTED: list[str] = []  # names of classes constructed, to prove laziness


@dataclass
class Layer:
    size: int
    activation: str = "relu"

    def __post_init__(self) -> None:
        CONSTRUCTED.append("Layer")


@dataclass
class Net:
    layers: list[Any]
    dropout: float = 0.0
    name: str = "net"

    def __post_init__(self) -> None:
        CONSTRUCTED.append("Net")

    @classmethod
    def wide(cls, width: int) -> Net:
        return cls(layers=[Layer(width)])


@dataclass
class Optim:
    lr: float
    betas: tuple[float, float] | list[float] = (0.9, 0.999)


@dataclass
class Pair:
    left: Any
    right: Any


@dataclass
class Bag:
    items: list[Any] = field(default_factory=list)
    table: dict[str, Any] = field(default_factory=dict)


@dataclass
class Trainer:
    model: Any
    optim: Any = None
    epochs: int = 1
    tags: list[str] = field(default_factory=list)


def scale(x: float, factor: float = 2.0) -> float:
    return x * factor


def refuse_rewritten_names_in_messages(monkeypatch: Any) -> None:
    """Fail any test whose ConfigError or KnobWarning mentions the rewritten code's helpers.

    Messages must quote the user's source, never the code ``@factory`` compiled from it.
    """
    from lazycfg import ConfigError, KnobWarning

    def checked(init: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            assert "__lazycfg" not in str(self), f"rewritten code leaked: {self}"

        return __init__

    monkeypatch.setattr(ConfigError, "__init__", checked(ConfigError.__init__))
    monkeypatch.setattr(KnobWarning, "__init__", checked(KnobWarning.__init__))


@dataclass
class Box:
    """A target whose fields share names with the knobs of the generated factories."""

    size: int = 0
    rate: int = 0
    other: int = 0
    items: list[int] = field(default_factory=list)
