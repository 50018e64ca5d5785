"""Targets and factories for the store, overrides and app tests (module level: importable)."""

from __future__ import annotations

from typing import Any

from omegaconf import MISSING

from lazycfg import factory


class Model:
    def __init__(self, width: int = 8, depth: int = 2, act: str = "relu") -> None:
        self.width, self.depth, self.act = width, depth, act


class Database:
    def __init__(self, host: str = "localhost", port: int = 5432) -> None:
        self.host, self.port = host, port


class Untyped:
    """Parameters without annotations, like scikit-learn's estimators."""

    def __init__(self, n_estimators=100, max_features="sqrt", max_depth=None):  # noqa: ANN001
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.max_depth = max_depth


@factory
def small(width: int = 4, act: str = "relu") -> dict[str, Any]:
    return {"model": Model(width=width, act=act), "db": Database(port=1234)}


@factory
def doubled(width: int = 4) -> dict[str, Any]:
    # `width * 2` cannot be reproduced by overriding one key: store() must warn.
    return {"model": Model(width=width * 2, depth=width)}


@factory
def needs_width(width: int, act: str = "relu") -> dict[str, Any]:
    return {"model": Model(width=width, act=act)}


@factory
def mandatory_width(width: int = MISSING, act: str = "relu") -> dict[str, Any]:
    # Hydra's MISSING ("???"): the stored config asks for model.width on the command line.
    return {"model": Model(width=width, act=act), "db": Database(port=width)}


class Trainer:
    """Takes a factory for its optimizer, as torch trainers take ``partial(AdamW, lr=...)``."""

    def __init__(self, epochs: int = 1, seed: int = 0) -> None:
        self.epochs, self.seed = epochs, seed


def make_step(scale: float, offset: float = 0.0) -> float:
    return scale + offset


@factory
def linked_twice(width: int = 4) -> dict[str, Any]:
    # `depth=width` comes first, but the knob lives at model.width: named like the parameter.
    return {"model": Model(depth=width, width=width)}
