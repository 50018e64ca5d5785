"""``@factory``: the decorator, the call runtime, the source rewrite and knobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lazycfg.factory.knobs import (
        factory_config,
        knob_paths,
        linked_override_problems,
        package_prefix,
        relative_interpolation,
    )

__all__ = [
    "factory_config",
    "knob_paths",
    "linked_override_problems",
    "package_prefix",
    "relative_interpolation",
]


def __getattr__(name: str) -> Any:
    """The knob functions, imported when first asked for: ``import lazycfg`` imports this
    package (for the decorator) and needs `lazycfg.factory.knobs` only once a factory is stored."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from lazycfg.factory import knobs

    return getattr(knobs, name)
