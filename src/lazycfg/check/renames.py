"""The register of renamed and removed arguments, and what a signature check says about them.

`lazycfg.renamed` and `lazycfg.removed` (`lazycfg.emit.renames`, which applies the changes to
configs) write here. The register sits beside the signatures because both say what a target
takes: a call that still uses an old name (``lazy(MLP)(dropout=0.1)`` after ``dropout`` became
``p_drop``) is told the new name by the signature check itself. The register holds its targets
weakly: declaring a rename never keeps a class or function alive.
"""

from __future__ import annotations

from typing import Any

from lazycfg.core.caches import WeakCache

REMOVED: Any = None  # the new name of a removed argument


class Changes:
    """Old argument name -> new name (`REMOVED` for a removed one), for one target."""

    __slots__ = ("names",)

    def __init__(self) -> None:
        self.names: dict[str, str | None] = {}


# Declarations, not a cache: one entry per target the code declares changes for, held while
# the target lives (a bound method by its object and function, a callable that takes no weak
# reference by equality), so declaring a change never keeps a class or function alive.
_changes: WeakCache[Changes] = WeakCache(None)


def name_of(target: Any) -> str:
    """``module.qualname`` of a target, as rename messages name it."""
    module = getattr(target, "__module__", None) or "?"
    return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def changes_for(target: Any, *, create: bool) -> Changes | None:
    """The changes declared on ``target`` itself (made empty when ``create``)."""
    found = _changes.get(target)
    if found is None and create:
        found = _changes.put(target, Changes())
        if _changes.get(target) is not found:  # neither weakly referable nor hashable
            raise TypeError(f"cannot declare argument changes on {name_of(target)}")
    return found


def declared() -> bool:
    """Whether any rename or removal is declared (one check on instantiate's per-node path:
    two plain dicts' truth, no Python call)."""
    return bool(_changes.by_id) or bool(_changes.others)


def lookup(target: Any) -> dict[str, str | None]:
    """Every change declared for ``target`` (a class also takes its bases' declarations)."""
    if not declared():
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
