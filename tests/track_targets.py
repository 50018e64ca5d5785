"""Module-level targets for the tracking tests (importable, so configs can name them)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Layer:
    size: int
    activation: str = "relu"


@dataclass
class Net:
    layers: list[Layer]
    dropout: float = 0.1


@dataclass
class Forest:
    n_estimators: int = 100
    max_depth: int | None = None
    criterion: str = "gini"


@dataclass
class Boosting:
    n_estimators: int = 100
    learning_rate: float = 0.1


@dataclass
class Data:
    path: str
    cutoff: str = "2022-01-01"
    color: Color = Color.RED


@dataclass
class Experiment:
    model: Any
    data: Data
    seed: int = 0
    tags: dict[str, Any] = field(default_factory=dict)


def make_experiment(n_estimators: int = 300) -> Any:
    """A small lazy config, as a user's factory would return it."""
    from lazycfg import lazy

    return lazy(Experiment)(
        model=lazy(Forest)(n_estimators=n_estimators, max_depth=4),
        data=lazy(Data)(path="data.csv"),
        seed=1,
    )


def make_boosted() -> Any:
    from lazycfg import lazy

    return lazy(Experiment)(
        model=lazy(Boosting)(n_estimators=50), data=lazy(Data)(path="data.csv"), seed=2
    )


def make_shared() -> Any:
    """A config where one node is used twice (drawn once in the graph)."""
    from lazycfg import lazy

    layer = lazy(Layer)(size=64)
    return lazy(Net)(layers=[layer, lazy(Layer)(size=32, activation="tanh"), layer])


experiment = make_experiment()

SEED = 7  # not a config: `lazycfg show track_targets:SEED` must say so


@dataclass
class Link:
    """One link of a chain of any depth (the graph test draws 3000 of them)."""

    child: Any = None
    step: float = 0.0
