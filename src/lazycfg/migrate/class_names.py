"""Short ``class_path`` names (``class_path: ClassificationTask``), resolved to dotted paths.

jsonargparse accepts a class's bare name when the class is a subclass of the annotated base
that it has imported; a converted ``_target_`` needs the full path. The user names the modules
to search (``--class-module my_project.tasks``); they are imported, and a bare name found in
exactly one of them (a class defined there or imported into it) becomes that module's path.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any


class ClassNameError(ValueError):
    """A module that cannot be imported, or a name two modules define differently."""


def _module(name: str) -> Any:
    # Not cached here: sys.modules is the cache, and a copy would keep a module it dropped.
    try:
        return importlib.import_module(name)
    except Exception as exc:  # any failure of the user's module is a message, not a traceback
        raise ClassNameError(
            f"--class-module {name!r} cannot be imported ({type(exc).__name__}: {exc})"
        ) from None


def check_modules(modules: Sequence[str]) -> None:
    """Import every module to search, so a bad name is refused before anything is read."""
    for name in modules:
        _module(name)


def resolve(name: str, modules: Sequence[str]) -> str | None:
    """The dotted path of class ``name`` (a bare name) in ``modules``, or None when absent.

    Raises `ClassNameError` when two modules hold different classes of that name.
    """
    if "." in name or not modules:
        return None
    found: dict[int, str] = {}
    for module in modules:
        value = getattr(_module(module), name, None)
        if isinstance(value, type):
            found.setdefault(id(value), f"{value.__module__}.{value.__qualname__}")
    if len(found) > 1:
        raise ClassNameError(
            f"class_path {name!r} names different classes in the --class-module modules: "
            f"{', '.join(sorted(found.values()))}; write its full path in the config"
        )
    return next(iter(found.values()), None)
