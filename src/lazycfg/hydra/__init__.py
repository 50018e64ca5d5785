"""Hydra integration: ConfigStore, checked overrides, apps, tasks and the LogConfig callback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lazycfg.hydra.callback import write_json_atomically
    from lazycfg.hydra.overrides import explain_refused

__all__ = ["explain_refused", "write_json_atomically"]


def __getattr__(name: str) -> Any:
    """``explain_refused`` and ``write_json_atomically``, imported when first asked for: their
    modules load Hydra, which ``import lazycfg`` (it imports `lazycfg.hydra.store`) never does."""
    if name == "explain_refused":
        from lazycfg.hydra import overrides as module
    elif name == "write_json_atomically":
        from lazycfg.hydra import callback as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)
