"""Registering lazy configs and factories in Hydra's ConfigStore. (Issue 5; stub.)"""

from __future__ import annotations

from typing import Any


def store(obj: Any = None, /, **kwargs: Any) -> Any:
    """Put a factory or lazy node into Hydra's ConfigStore (also a decorator)."""
    raise NotImplementedError
