"""Short ``class_path`` names (``class_path: ClassificationTask``), resolved to dotted paths.

jsonargparse accepts a class's bare name when the class is a subclass of the annotated base
that it has imported; a converted ``_target_`` needs the full path. Two places to search, as
jsonargparse does:

- the base a parameter is annotated with, when the node is an argument of another class_path
  node whose class imports (``backbone: Backbone`` in ``Net.__init__``): the subclasses of
  ``Backbone`` (recursively, ``__subclasses__``) that are imported;
- what the user names with ``--class-module``: a module (``my_project.tasks``, imported; a
  class defined or imported there) or a base class (``my_project.tasks.BaseTask``, whose
  imported subclasses are searched).

A short name never imports anything: it is only compared with the ``__name__`` of classes
already imported (by the modules the user named, or by a dotted target's own module). Two
classes of that name are an error listing both; a name found nowhere while there was a place
to search is an error with the names that come close.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import typing
from collections.abc import Iterator, Sequence
from typing import Any


class ClassNameError(ValueError):
    """A module that cannot be imported, or a short name that is ambiguous or unknown."""


def _named(name: str) -> Any:
    """The module ``name``, or the class it names (``pkg.mod.Base``); imported."""
    # Not cached here: sys.modules is the cache, and a copy would keep a module it dropped.
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        parent, _, attr = name.rpartition(".")
        if exc.name != name or not parent:  # the module exists but fails, or names no parent
            raise _unimportable(name, exc) from None
        try:
            value = getattr(importlib.import_module(parent), attr, None)
        except Exception:
            raise _unimportable(name, exc) from None
        if not isinstance(value, type):
            raise _unimportable(name, exc) from None
        return value
    except Exception as exc:  # any failure of the user's module is a message, not a traceback
        raise _unimportable(name, exc) from None


def _unimportable(name: str, exc: BaseException) -> ClassNameError:
    return ClassNameError(
        f"--class-module {name!r} cannot be imported ({type(exc).__name__}: {exc}); "
        "name a module, or a class in one"
    )


def check_modules(modules: Sequence[str]) -> None:
    """Import every module (or class) to search, so a bad name is refused before reading."""
    for name in modules:
        _named(name)


def named_bases(modules: Sequence[str]) -> tuple[type, ...]:
    """The classes among the ``--class-module`` names (bases whose subclasses are searched)."""
    return tuple(v for v in map(_named, modules) if isinstance(v, type))


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _subclasses(base: type) -> Iterator[type]:
    """``base`` and its imported subclasses, recursively, as jsonargparse lists them (no class
    defined inside a function, none on a private path)."""
    seen: set[int] = set()
    stack = [base]
    while stack:
        cls = stack.pop()
        if id(cls) in seen:
            continue
        seen.add(id(cls))
        if "<locals>" not in cls.__qualname__ and "._" not in _path(cls):
            yield cls
        stack.extend(reversed(cls.__subclasses__()))


def annotated_bases(target: Any, parameter: str) -> tuple[type, ...]:
    """The classes in the annotation of ``parameter`` of class ``target`` (an imported class):
    ``Backbone``, ``Backbone | None``, ``list[Backbone]`` all give ``(Backbone,)``."""
    if not isinstance(target, type):
        return ()
    try:
        hints = typing.get_type_hints(target.__init__)
    except Exception:  # unresolvable string annotations: read the signature as written
        try:
            param = inspect.signature(target).parameters.get(parameter)
        except (TypeError, ValueError):
            return ()
        hints = {} if param is None else {parameter: param.annotation}
    found: list[type] = []
    stack = [hints.get(parameter)]
    while stack:
        hint = stack.pop()
        if (
            isinstance(hint, type)
            and typing.get_origin(hint) is None
            and hint.__module__ != "builtins"
        ):
            found.append(hint)
        stack.extend(typing.get_args(hint))
    return tuple(dict.fromkeys(found))


def resolve(name: str, modules: Sequence[str], bases: Sequence[type] = ()) -> str | None:
    """The dotted path of class ``name`` (a bare name), or None when there is nowhere to look.

    ``bases`` come from the parent's annotation: when given, only their subclasses count (a
    class jsonargparse would refuse there is not a match). Otherwise the ``modules`` named by
    the user are searched: classes in each module, subclasses of each class named. Raises
    `ClassNameError` for a name with two candidates, or with none where there was a search.
    """
    if "." in name or not (modules or bases):
        return None
    where = [_named(m) for m in modules] if not bases else []
    roots = list(bases) + [w for w in where if isinstance(w, type)]
    candidates: dict[str, type] = {}
    for root in roots:
        for cls in _subclasses(root):
            candidates.setdefault(_path(cls), cls)
    for module in (w for w in where if not isinstance(w, type)):
        for value in vars(module).values():
            if isinstance(value, type) and "<locals>" not in value.__qualname__:
                candidates.setdefault(_path(value), value)
    matches = sorted(p for p, c in candidates.items() if c.__name__ == name)
    concrete = [p for p in matches if not inspect.isabstract(candidates[p])]
    matches = concrete or matches  # jsonargparse prefers a class it can instantiate
    searched = _searched(bases, modules)
    if len(matches) > 1:
        raise ClassNameError(
            f"class_path {name!r} is ambiguous: {', '.join(matches)} ({searched}); "
            "write the full path of the one meant"
        )
    if matches:
        return matches[0]
    names = sorted({c.__name__ for c in candidates.values()})
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ClassNameError(f"class_path {name!r} is not found among {searched}{hint}")


def _searched(bases: Sequence[type], modules: Sequence[str]) -> str:
    if bases:
        names = ", ".join(_path(b) for b in bases)
        return f"the imported subclasses of {names} (the parameter's annotation)"
    return f"the classes of --class-module {', '.join(modules)}"
