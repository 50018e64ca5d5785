"""Renamed and removed arguments: old configs still load, with a warning naming the new name.

::

    lazycfg.renamed(MLP, dropout="p_drop")     # MLP's `dropout` is now `p_drop`
    lazycfg.removed(MLP, "momentum")           # MLP no longer takes `momentum`

    @lazycfg.renamed(dropout="p_drop")         # the same, on the target's own definition
    class MLP: ...

A config written before the change (``{_target_: MLP, dropout: 0.1}``) is read by
`lazycfg.from_config`, checked by ``lazycfg.app`` and built with ``p_drop=0.1``, and a
`RenameWarning` says ``model.dropout`` is now ``model.p_drop`` (a removed argument's value is
dropped with a warning). Saving the loaded config again writes the new name.

`apply_renames` is the one function every reader calls: pure (it returns new keyword arguments,
the input is not changed) and cheap when nothing is registered. The registry holds its targets
weakly: declaring a rename never keeps a class or function alive. This module imports nothing
of lazycfg's reading or building, so any of them may call it.
"""

from __future__ import annotations

import inspect
import warnings
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import format_path

C = TypeVar("C", bound=Callable[..., Any])


class RenameWarning(UserWarning):
    """A config used an argument name its target renamed or removed (`renamed`, `removed`)."""


_REMOVED: Any = None  # the new name of a removed argument


class _Changes:
    """Old argument name -> new name (`_REMOVED` for a removed one), for one target."""

    __slots__ = ("names",)

    def __init__(self) -> None:
        self.names: dict[str, str | None] = {}


# Classes and functions are keyed weakly; the few callables that take no weak reference
# (some builtins) by their dotted name, a string, so nothing is ever kept alive. Declarations,
# not a cache: one entry per target the code declares renames for.
_by_target: weakref.WeakKeyDictionary[Any, _Changes] = weakref.WeakKeyDictionary()
_by_name: dict[str, _Changes] = {}


def _name_of(target: Any) -> str:
    module = getattr(target, "__module__", None) or "?"
    return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def _changes_for(target: Any, *, create: bool) -> _Changes | None:
    try:
        found = _by_target.get(target)
        if found is None and create:
            found = _by_target[target] = _Changes()
        return found
    except TypeError:  # no weak reference to this callable
        name = _name_of(target)
        if create:
            return _by_name.setdefault(name, _Changes())
        return _by_name.get(name)


def _parameters(target: Any) -> Mapping[str, inspect.Parameter] | None:
    try:
        return inspect.signature(target).parameters
    except (TypeError, ValueError):
        return None


def _declare(target: Any, changes: dict[str, str | None]) -> None:
    if not callable(target):
        raise TypeError(f"renamed/removed: {target!r} is not a class or function")
    parameters = _parameters(target)
    problems = []
    takes_any = parameters is not None and any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    known = _lookup(target) if (_by_target or _by_name) else {}
    for old, new in changes.items():
        if parameters is None or takes_any:
            continue
        if old in parameters:
            problems.append(f"{old!r} is still a parameter of {_name_of(target)}")
        if new is not None and new not in parameters and new not in known:  # known: a chain
            problems.append(f"{new!r} is not a parameter of {_name_of(target)}")
    if problems:
        raise ConfigError(problems, "invalid rename")
    entry = _changes_for(target, create=True)
    assert entry is not None
    entry.names.update(changes)


@overload
def renamed(target: C, /, **old_to_new: str) -> C: ...
@overload
def renamed(**old_to_new: str) -> Callable[[C], C]: ...
def renamed(target: Any = None, /, **old_to_new: str) -> Any:
    """Declare that ``target``'s argument ``old`` is now called ``new`` (``old="new"``).

    ``renamed(MLP, dropout="p_drop")``, or ``@renamed(dropout="p_drop")`` on the definition.
    Returns the target unchanged. Configs that still say ``dropout`` load as ``p_drop``, with a
    `RenameWarning`; giving both names is an error. Raises `ConfigError` when ``new`` is not a
    parameter of the target or ``old`` still is.
    """
    if target is None:
        return lambda fn: renamed(fn, **old_to_new)
    _declare(target, dict(old_to_new))
    return target


@overload
def removed(name: str, /, *names: str) -> Callable[[C], C]: ...
@overload
def removed(target: C, /, *names: str) -> C: ...
def removed(*args: Any) -> Any:
    """Declare that ``target`` no longer takes the arguments ``names``.

    ``removed(MLP, "momentum")``, or ``@removed("momentum")`` on the definition. Returns the
    target unchanged. A config that still gives ``momentum`` loads without it, with a
    `RenameWarning` naming the value dropped.
    """
    if args and not isinstance(args[0], str):
        _declare(args[0], dict.fromkeys(args[1:], _REMOVED))
        return args[0]
    return lambda fn: removed(fn, *args)


def _lookup(target: Any) -> dict[str, str | None]:
    """Every change declared for ``target`` (a class also takes its bases' declarations)."""
    owners = getattr(target, "__mro__", (target,)) if isinstance(target, type) else (target,)
    found: dict[str, str | None] = {}
    for owner in reversed(owners):
        entry = _changes_for(owner, create=False)
        if entry is not None:
            found.update(entry.names)
    return found


def new_name(target: Any, old: str) -> str | None:
    """The name ``old`` was renamed to (following chains), or None: for messages."""
    changes = _lookup(target) if (_by_target or _by_name) else {}
    name, seen = old, {old}
    while True:
        following = changes.get(name)
        if following is None or following in seen:
            break
        name = following
        seen.add(name)
    return None if name == old else name


def declared() -> bool:
    """Whether any rename or removal is declared (one check on instantiate's per-node path)."""
    return bool(_by_name) or bool(_by_target)


def apply_renames(target: Any, kwargs: dict[str, Any], path: Any = ()) -> dict[str, Any]:
    """``kwargs`` with renamed arguments under their new names and removed ones dropped.

    Warns (`RenameWarning`) once per old name used, naming the config ``path`` (a tuple of
    keys, text, or a function giving either, called only when a warning is due). Returns
    ``kwargs`` itself when nothing applies (the usual case, one check), else a new dict; the
    input is never changed. Raises `ConfigError` when a config gives both an old name and its
    new one.
    """
    if not (_by_target or _by_name) or not kwargs:
        return kwargs
    changes = _lookup(target)
    if not changes or changes.keys().isdisjoint(kwargs):
        return kwargs
    if callable(path):  # spelled only now: a deep tree's paths cost their depth each
        path = path()
    where = path if isinstance(path, str) else format_path(tuple(path))
    out = dict(kwargs)
    for old in [k for k in kwargs if k in changes]:
        value = out.pop(old)
        new = new_name(target, old)
        at = f"{where}.{old}" if where != "<root>" else old
        if changes[old] is None:
            message = f"{at}: {_name_of(target)} no longer takes {old!r}; {value!r:.60} is ignored"
        elif new is None or new in out:
            message = f"{at}: given with its new name {new!r} too; keep {new!r} only"
            raise ConfigError([message], "renamed argument")
        else:
            out[new] = value
            message = (
                f"{at}: {_name_of(target)} renamed {old!r} to {new!r}; read as {new!r} "
                f"(write {new!r} in the config)"
            )
        warnings.warn(RenameWarning(message), stacklevel=2)
    return out
