"""The register of renamed and removed arguments, and what a signature check says about them.

`lazycfg.renamed` and `lazycfg.removed` (`lazycfg.emit.renames`, which applies the changes to
configs) write here. The register sits beside the signatures because both say what a target
takes: a call that still uses an old name (``lazy(MLP)(dropout=0.1)`` after ``dropout`` became
``p_drop``) is told the new name by the signature check itself. The register holds its targets
weakly: declaring a rename never keeps a class or function alive.
"""

from __future__ import annotations

import weakref
from typing import Any

REMOVED: Any = None  # the new name of a removed argument


class Changes:
    """Old argument name -> new name (`REMOVED` for a removed one), for one target."""

    __slots__ = ("names",)

    def __init__(self) -> None:
        self.names: dict[str, str | None] = {}


# Classes and functions are keyed weakly; the few callables that take no weak reference
# (some builtins) by their dotted name, a string, so nothing is ever kept alive.
_by_target: weakref.WeakKeyDictionary[Any, Changes] = weakref.WeakKeyDictionary()
_by_name: dict[str, Changes] = {}
# The plain dict under _by_target, for `declared`: its truth is one C call, where the weak
# dictionary's own ``__len__`` is Python (an entry whose key just died may stay a moment, so
# `declared` may say yes for nothing: the lookup it lets through then finds no change).
_by_target_entries: dict[Any, Changes] = vars(_by_target)["data"]


def name_of(target: Any) -> str:
    """``module.qualname`` of a target, as rename messages name it."""
    module = getattr(target, "__module__", None) or "?"
    return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def changes_for(target: Any, *, create: bool) -> Changes | None:
    """The changes declared on ``target`` itself (made empty when ``create``)."""
    try:
        found = _by_target.get(target)
        if found is None and create:
            found = _by_target[target] = Changes()
        return found
    except TypeError:  # no weak reference to this callable
        name = name_of(target)
        if create:
            return _by_name.setdefault(name, Changes())
        return _by_name.get(name)


def declared() -> bool:
    """Whether any rename or removal is declared (one check on instantiate's per-node path)."""
    return bool(_by_name) or bool(_by_target_entries)


def lookup(target: Any) -> dict[str, str | None]:
    """Every change declared for ``target`` (a class also takes its bases' declarations)."""
    if not (_by_target or _by_name):
        return {}
    owners = getattr(target, "__mro__", (target,)) if isinstance(target, type) else (target,)
    found: dict[str, str | None] = {}
    for owner in reversed(owners):
        entry = changes_for(owner, create=False)
        if entry is not None:
            found.update(entry.names)
    return found


def new_name(target: Any, old: str) -> str | None:
    """The name ``old`` was renamed to (following chains), or None: for messages."""
    changes = lookup(target)
    name, seen = old, {old}
    while True:
        following = changes.get(name)
        if following is None or following in seen:
            break
        name = following
        seen.add(name)
    return None if name == old else name


def renamed_hint(target: Any, old: str) -> str:
    """What to say after "unexpected keyword argument" when ``target`` renamed or removed
    ``old`` (``; pkg.MLP renamed 'dropout' to 'p_drop': write p_drop=...``), else ``""``."""
    changes = lookup(target)
    if old not in changes:
        return ""
    new = new_name(target, old)
    if new is None:
        return f"; {name_of(target)} no longer takes {old!r}: leave it out"
    return f"; {name_of(target)} renamed {old!r} to {new!r}: write {new}=..."
