"""Tracking: flatten, unflatten, diff and fingerprint configs. (Issue 7; stub.)"""

from __future__ import annotations

from typing import Any


def flatten(x: Any, *, full: bool = False) -> dict[str, Any]:
    """``{"model.n_estimators": 3000, ...}`` for a lazy tree, dict or DictConfig."""
    raise NotImplementedError


def unflatten(flat: dict[str, Any]) -> Any:
    """The nested config of a flattened one."""
    raise NotImplementedError


def diff(a: Any, b: Any) -> Any:
    """Changed, added and removed paths between two configs."""
    raise NotImplementedError


def fingerprint(x: Any) -> str:
    """A stable short hash of the emitted config."""
    raise NotImplementedError
