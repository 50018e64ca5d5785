"""Helpers of the migrate tests: small YAML trees written on disk, and values compared by type."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: YAML text}`` under ``root`` (dedented) and return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def typed(x: object) -> object:
    """Values with their types, so 1, 1.0 and True differ (and nan equals nan)."""
    if isinstance(x, dict):
        return {(type(k).__name__, k): typed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [typed(v) for v in x]
    return (type(x).__name__, repr(x))
