"""Lazy tree <-> plain Hydra config: emitting, reading back, renamed arguments."""

from lazycfg.emit.renames import apply_renames, new_name

__all__ = ["apply_renames", "new_name"]
