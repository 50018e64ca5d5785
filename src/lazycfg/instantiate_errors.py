"""Exception types of ``instantiate``, compatible with Hydra's (imported only when building).

`InstantiateCheckError` is raised by the check pass, before anything is constructed. It is at
once Hydra's ``InstantiationException`` (what ``hydra.utils.instantiate`` raises for a bad
target, a bad call or a blocked target), a lazycfg `ConfigError` and so a ``TypeError`` (what
Hydra raises for a non-bool ``_recursive_``/``_partial_``). When any problem is a ``???`` value
the error is a `MissingValuesError`, which is also OmegaConf's ``MissingMandatoryValue``: code
that catches what Hydra raises catches what lazycfg raises.
"""

from __future__ import annotations

from hydra.errors import InstantiationException
from omegaconf.errors import MissingMandatoryValue

from lazycfg.errors import ConfigError


class InstantiateCheckError(InstantiationException, ConfigError):
    """Problems found before construction; ``problems`` lists each with its config path."""

    def __init__(self, problems: list[str], header: str = "cannot instantiate") -> None:
        ConfigError.__init__(self, problems, header)


class MissingValuesError(InstantiateCheckError, MissingMandatoryValue):
    """Some value the construction needs is Hydra's ``???`` (missing mandatory value)."""


__all__ = ["InstantiateCheckError", "InstantiationException", "MissingValuesError"]
