"""``@factory``: plain functions whose calls become a lazy config. (Issue 4; stub.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class KnobWarning(UserWarning):
    """A factory parameter whose effect a Hydra override cannot reproduce (derived use)."""


def factory(fn: Callable[P, R]) -> Callable[P, R]:
    """Make the calls in ``fn``'s body lazy; calling the factory returns a lazy tree."""
    raise NotImplementedError


def eager(fn: Callable[P, R]) -> Callable[P, R]:
    """Mark a callable to run while the config is built, inside factories."""
    raise NotImplementedError


def factory_config(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """The plain config dict of ``fn(**kwargs)`` with knob uses linked by interpolation."""
    raise NotImplementedError
