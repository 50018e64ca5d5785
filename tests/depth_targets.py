"""Targets for the depth and read-only tests: a chain link, and classes whose constructors (or
``_missing_``) write a marker file, so a test can prove that reading a config called none."""

from __future__ import annotations

import enum
import os
import pathlib
from dataclasses import dataclass
from typing import Any


def touch(what: str) -> None:
    """Write the marker file the running test named (it must stay absent)."""
    marker = os.environ.get("LAZYCFG_TEST_MARKER")
    if marker:
        pathlib.Path(marker).write_text(what)


@dataclass
class Link:
    child: Any = None
    n: int = 0


class Noisy(enum.Enum):
    """An enum whose unknown values are handled by user code."""

    RED = "red"
    BLUE = "blue"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        touch(f"_missing_({value!r})")
        return cls.RED


class Plain(enum.Enum):
    ONE = 1
    PAIR = (1, 2)


class NoisyPath(type(pathlib.Path())):  # type: ignore[misc]
    """A path subclass whose constructor runs user code."""

    def __new__(cls, *args: Any) -> Any:
        touch(f"NoisyPath{args!r}")
        return super().__new__(cls, *args)


@dataclass
class Settings:
    level: int = 0

    def __post_init__(self) -> None:
        touch("Settings.__post_init__")


def use(color: Noisy = Noisy.RED, where: Any = None, settings: Any = None) -> tuple[Any, ...]:
    return (color, where, settings)


def typed(settings: Settings | None = None) -> Any:
    return settings
