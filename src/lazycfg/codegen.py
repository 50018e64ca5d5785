"""Config tree -> readable Python source. (Issue 6; stub.)"""

from __future__ import annotations

from typing import Any


def to_python(x: Any, *, name: str = "config") -> str:
    """Python source of a factory that returns ``x`` (a lazy tree, dict or DictConfig)."""
    raise NotImplementedError
