"""Defaults-list entries that name configs relative to the file's folder, made absolute.

Hydra's file repository joins a relative entry to the parent's group and lets the operating
system resolve it, so ``../default`` in ``solver/sub/fast.yaml`` loads ``solver/default.yaml``.
The ConfigStore walks names segment by segment and has no ``..``: the converted side names the
same config by its absolute path (``/solver/default``), which both repositories read alike.
"""

from __future__ import annotations

import posixpath
from typing import Any

_KEYWORDS = ("override ", "optional ")


def absolute_defaults(defaults: list[Any], group: str) -> list[Any]:
    """``defaults`` with every ``.``/``..`` path (entry or group key) made absolute from
    ``group`` (the folder of the file they are written in); other entries as written."""
    out: list[Any] = []
    for item in defaults:
        if isinstance(item, str):
            out.append(_absolute(item, group))
        elif isinstance(item, dict) and len(item) == 1:
            ((key, value),) = item.items()
            out.append({_absolute(key, group) if isinstance(key, str) else key: value})
        else:
            out.append(item)
    return out


def _absolute(entry: str, group: str) -> str:
    """One entry (``[override |optional ]path[@package]``) with its path made absolute."""
    flags = ""
    rest = entry
    for word in _KEYWORDS:
        if rest.startswith(word):
            flags, rest = flags + word, rest[len(word) :].lstrip()
    path, at, package = rest.partition("@")
    parts = path.split("/")
    if path.startswith("/") or not {".", ".."} & set(parts):
        return entry
    joined = posixpath.normpath(posixpath.join(group, path)) if group else posixpath.normpath(path)
    if joined.startswith(".."):
        return entry  # above the tree: Hydra cannot load it either; the check shows its error
    return f"{flags}/{joined}{at}{package}"


def absolute_loaded(loaded: Any, group: str) -> Any:
    """A config as the verifier reads it (package, defaults as Hydra parsed them, body) with
    its relative defaults paths made absolute as the writer writes them."""
    if not isinstance(loaded, dict) or not isinstance(loaded.get("defaults"), list):
        return loaded
    defaults = []
    for item in loaded["defaults"]:
        item = dict(item)
        for key in ("path", "group"):
            if isinstance(item.get(key), str):
                item[key] = _absolute(item[key], group)
        defaults.append(item)
    return {**loaded, "defaults": defaults}
