"""Exception types of ``instantiate``, compatible with Hydra's (imported only when building).

`InstantiateCheckError` is raised by the check pass, before anything is constructed. It is at
once Hydra's ``InstantiationException`` (what ``hydra.utils.instantiate`` raises for a bad
target, a bad call or a blocked target), a lazycfg `ConfigError` and so a ``TypeError`` (what
Hydra raises for a non-bool ``_recursive_``/``_partial_``). When any problem is a ``???`` value
the error is a `MissingValuesError`, which is also OmegaConf's ``MissingMandatoryValue``; when
an interpolation cannot be resolved it is an `InterpolationProblemError`, also OmegaConf's
``InterpolationResolutionError`` (``InterpolationKeyError`` for a key that is not there): code
that catches what Hydra raises catches what lazycfg raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hydra.errors import InstantiationException
from omegaconf.errors import (
    InterpolationKeyError,
    InterpolationResolutionError,
    MissingMandatoryValue,
)

from lazycfg.core.errors import ConfigError

if TYPE_CHECKING:
    from lazycfg.instantiate.problems import Problem


class InstantiateCheckError(InstantiationException, ConfigError):
    """Problems found before construction. ``records`` holds each as a `Problem` (config path,
    kind, Hydra's message, lazycfg's detail); ``problems`` holds their texts, Hydra's message
    first, so code matching Hydra's text matches lazycfg's."""

    def __init__(self, problems: Sequence[Problem], header: str = "cannot instantiate") -> None:
        ConfigError.__init__(self, problems, header)


class MissingValuesError(InstantiateCheckError, MissingMandatoryValue):
    """Some value the construction needs is Hydra's ``???`` (missing mandatory value)."""


class InterpolationProblemError(InstantiateCheckError, InterpolationResolutionError):
    """Some interpolation (``${...}``) the construction needs cannot be resolved."""


class MissingKeyInterpolationError(InterpolationProblemError, InterpolationKeyError):
    """Some interpolation names a key that is not in the config."""


__all__ = [
    "InstantiateCheckError",
    "InstantiationException",
    "InterpolationProblemError",
    "MissingKeyInterpolationError",
    "MissingValuesError",
]
