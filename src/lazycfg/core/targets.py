"""Target paths: the shortest public import path of an object, and resolving a path back.

Hydra writes a target as a dotted string. We emit the shortest *public* path that resolves to
the same object (``sklearn.ensemble.RandomForestClassifier``, not ``sklearn.ensemble._forest``),
so emitted YAML reads like what a person would write and survives a library moving its
internals. Objects that cannot be imported back (lambdas, ``<locals>`` classes) are refused.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from lazycfg.core.caches import WeakCache
from lazycfg.core.errors import TargetError
from lazycfg.safety.policy import Policy, policy_for

# Object -> its import path, while the object lives (a path holds no reference to it).
_paths: WeakCache[str] = WeakCache(4096)


def _lookup(module: Any, qualname: str) -> Any:
    obj = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _same(found: Any, obj: Any) -> bool:
    """Identity, except that bound methods (classmethods) are made anew on every access."""
    if found is obj:
        return True
    func = getattr(obj, "__func__", None)
    return (
        func is not None
        and getattr(found, "__func__", None) is func
        and getattr(found, "__self__", None) is getattr(obj, "__self__", None)
    )


def import_path(obj: Any) -> str:
    """The shortest public dotted path ``import``-able back to ``obj`` itself (cached)."""
    path = _paths.by_id.get(id(obj)) or _paths.get(obj)
    if path is None:
        path = _paths.put(obj, _compute_path(obj))
    return path


def _compute_path(obj: Any) -> str:
    module_name, qualname = _written_name(obj)
    module = sys.modules.get(module_name)
    if module is None:
        module = importlib.import_module(module_name)
    try:
        if not _same(_lookup(module, qualname), obj):
            raise AttributeError
    except AttributeError:
        by_name = _builtin_by_name(obj, module_name)
        if by_name is not None:
            return by_name
        raise TargetError(
            [
                f"{module_name}.{qualname} does not resolve back to {obj!r}; "
                "give it a module-level name"
            ],
            "unimportable target",
        ) from None
    return _public_path(obj, module_name, qualname) or f"{module_name}.{qualname}"


def _written_name(obj: Any) -> tuple[str, str]:
    """``obj``'s (module, qualname) as its definition wrote them; refused when Hydra could not
    import it back (no names, a lambda, a class or function defined inside a function)."""
    module_name = getattr(obj, "__module__", None)
    owner = getattr(obj, "__self__", None)
    if module_name is None and isinstance(owner, types.ModuleType):
        module_name = owner.__name__  # some C functions name only the module bound as __self__
    qualname = getattr(obj, "__qualname__", None)
    if not module_name or not qualname:
        raise TargetError(
            [
                f"{obj!r} has no __module__/__qualname__, so it cannot be named as a "
                "target; pass a module-level class or function"
            ],
            "unimportable target",
        )
    if "<locals>" in qualname or "<lambda>" in qualname:
        raise TargetError(
            [
                f"{module_name}.{qualname} is defined inside a function (or is a lambda) and cannot "
                "be imported back by Hydra; move it to module level"
            ],
            "unimportable target",
        )
    return module_name, qualname


def _public_path(obj: Any, module_name: str, qualname: str) -> str | None:
    """A shorter public path to ``obj`` than its defining module's, or None."""
    parts = module_name.split(".")
    if parts[0].startswith("_") and not parts[0].startswith("__"):
        # A private top-level package re-exported by its public twin (_pytest -> pytest).
        public = sys.modules.get(parts[0].lstrip("_"))
        try:
            if public is not None and _lookup(public, qualname) is obj:
                return f"{public.__name__}.{qualname}"
        except AttributeError:
            pass
    # Try the public parents first, shortest first: sklearn, sklearn.ensemble, ...
    for end in range(1, len(parts)):
        if parts[end - 1].startswith("_"):
            break
        parent = sys.modules.get(".".join(parts[:end]))
        if parent is None:
            continue
        try:
            if _same(_lookup(parent, qualname), obj):
                return f"{'.'.join(parts[:end])}.{qualname}"
        except AttributeError:
            continue
    return None


def _builtin_by_name(obj: Any, module_name: str) -> str | None:
    """``module.name`` for a builtin whose qualname is its defining class's, or None.

    ``torch.zeros`` is a method of ``torch._VariableFunctionsClass`` (its ``__qualname__``) that
    torch exports as ``torch.zeros``: search the public parents of its module, shortest first,
    for an attribute of the same ``__name__`` that is the very object.
    """
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str) or not name.isidentifier():
        return None
    parts = module_name.split(".")
    for end in range(1, len(parts) + 1):
        if parts[end - 1].startswith("_") and end < len(parts):
            break
        parent = sys.modules.get(".".join(parts[:end]))
        if parent is not None and _same(getattr(parent, name, None), obj):
            return f"{'.'.join(parts[:end])}.{name}"
    return None


def locate(path: str, policy: Policy | None = None) -> Any:
    """Import the object a dotted path names (Hydra's ``_locate`` rules, with a clear error).

    ``policy`` (the default policy when None) judges the string before anything is imported,
    so a refused path runs no module's import-time code, and the object after."""
    parts = _parts(path)
    if policy is None:
        policy = policy_for(None)
    refused = policy.admit_name(path)
    if refused is not None:
        raise TargetError([refused], "refused target")
    obj = _import(path, parts)
    refused = policy.problem(path, obj)
    if refused is not None:
        raise TargetError([refused], "refused target")
    return obj


def import_unjudged(path: str) -> Any:
    """The object a dotted path names, with no verdict of the policy: for a caller that judges
    the string itself before (``Policy.admit_name``) and the object after (``Policy.problem``),
    as `lazycfg.instantiate` does with the policy of its own call."""
    return _import(path, _parts(path))


def _parts(path: str) -> list[str]:
    if not path or not isinstance(path, str):
        raise TargetError([f"target must be a non-empty dotted path, got {path!r}"])
    parts = path.split(".")
    if any(not p for p in parts):
        raise TargetError([f"{path!r} is not a valid dotted path (empty part)"])
    return parts


def _import(path: str, parts: list[str]) -> Any:
    """The object ``path`` names, importing its longest importable module prefix."""
    module: Any = None
    found = 0
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        try:
            module = importlib.import_module(name)
            found = end
            break
        except ModuleNotFoundError as exc:
            if exc.name is not None and not name.startswith(exc.name) and name != exc.name:
                raise TargetError(
                    [f"importing {name!r} for target {path!r} failed: {exc}"]
                ) from exc
            continue
        except Exception as exc:  # an import that fails inside the module itself
            raise TargetError(
                [f"importing {name!r} for target {path!r} raised {type(exc).__name__}: {exc}"]
            ) from exc
    if module is None:
        raise TargetError(
            [
                f"cannot import {path!r}: no module named {parts[0]!r}; "
                "check the spelling or install the package"
            ]
        )
    obj = module
    for i in range(found, len(parts)):
        try:
            obj = getattr(obj, parts[i])
        except AttributeError:
            from lazycfg.core.errors import did_you_mean

            hint = did_you_mean(parts[i], [n for n in dir(obj) if not n.startswith("_")])
            raise TargetError(
                [
                    f"cannot import {path!r}: {'.'.join(parts[:i])!r} has no "
                    f"attribute {parts[i]!r}{hint}"
                ]
            ) from None
    return obj
