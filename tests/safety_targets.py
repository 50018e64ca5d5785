"""Targets for the safety tests: legitimate kinds of callables, and shared module state."""

from __future__ import annotations

import abc
from typing import Any

REGISTRY: list[Any] = []  # shared module state a config must not be able to change
SETTINGS: dict[str, Any] = {"mode": "safe"}


class Model:
    """A class with every kind of callable a config may legitimately name."""

    def __init__(self, size: int = 1) -> None:
        self.size = size

    @classmethod
    def from_config(cls, size: int) -> Model:
        return cls(size)

    @staticmethod
    def scaled(size: int) -> int:
        return size * 2

    def grow(self, by: int) -> None:  # an instance method: not a target
        self.size += by


class Base(abc.ABC):  # Base.register is ABCMeta's method: it changes the class
    @abc.abstractmethod
    def run(self) -> None: ...


def build(size: int) -> Model:
    return Model(size)
