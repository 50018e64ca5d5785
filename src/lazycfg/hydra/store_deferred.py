"""Configs registered now and built when Hydra first reads them (``store(..., defer=True)``).

Building a stored factory's config runs the factory and makes an OmegaConf node: a few
milliseconds each, which a converted tree of hundreds of configs would pay at every start
although a composition reads a handful. A `Deferred` entry is a Hydra ``ConfigNode`` whose
``node`` is built on first access and then shared: ``ConfigStore.load`` copies it before handing
it out, as for any node, and a deep copy of the store (Hydra copies its repository) shares the
one build instead of repeating it; pickled (launchers ship the store to their workers), it is
built and sent as a plain ``ConfigNode``. Nothing in Hydra is patched: the entry sits in the store's
tree where ``ConfigStore.store`` would have put a plain one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hydra.core.config_store import ConfigNode, ConfigStore


class _Build:
    """One config's build, run once, shared by every copy of its entry."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build: Callable[[], Any] | None = build
        self.value: Any = None

    def get(self) -> Any:
        if self.build is not None:
            from omegaconf import OmegaConf

            self.value = OmegaConf.structured(self.build())
            self.build = None
        return self.value


class Deferred(ConfigNode):
    """A ``ConfigNode`` whose ``node`` is built on first access (see the module doc)."""

    def __init__(
        self,
        name: str,
        build: Callable[[], Any],
        group: str | None,
        package: str | None,
        provider: str | None,
    ) -> None:
        self.name, self.group, self.package, self.provider = name, group, package, provider
        self.__dict__["_build"] = _Build(build)

    def __getattr__(self, attr: str) -> Any:
        if attr == "node":  # not set yet: build (once for every copy) and keep
            value = self.__dict__["_build"].get()
            self.__dict__["node"] = value
            return value
        raise AttributeError(attr)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (a launcher ships the ConfigStore to its workers) as the plain entry."""
        return (ConfigNode, (self.name, self.node, self.group, self.package, self.provider))

    def __deepcopy__(self, memo: dict[int, Any]) -> Deferred:
        import copy

        twin = Deferred(self.name, lambda: None, self.group, self.package, self.provider)
        twin.__dict__["_build"] = self.__dict__["_build"]
        if "node" in self.__dict__:
            twin.__dict__["node"] = copy.deepcopy(self.__dict__["node"], memo)
        return twin


def store_deferred(
    name: str, build: Callable[[], Any], group: str | None, package: str | None, provider: str
) -> None:
    """Put a `Deferred` entry where ``ConfigStore.store(name=..., group=...)`` puts a node."""
    folder: dict[str, Any] = ConfigStore.instance().repo
    for part in group.split("/") if group else []:
        folder = folder.setdefault(part, {})
    file = name if name.endswith(".yaml") else f"{name}.yaml"
    folder[file] = Deferred(file, build, group, package, provider)
