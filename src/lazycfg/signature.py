"""Binding arguments to a target's signature and checking their types, cached per target.

The first call of a target inspects its signature once and compiles a `Spec`: parameter names,
which are required, and a checker per annotated parameter. A checker accepts the common cases
with one ``isinstance`` and asks pydantic only when that fails, so a validated node costs a few
microseconds. Values a type checker cannot see through are accepted: interpolations (``${...}``),
Hydra's ``???``, and lazy nodes whose target returns a compatible class.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePath
from typing import Any

from lazycfg.errors import did_you_mean
from lazycfg.node import Lazy

Checker = Callable[[Any], "str | None"]  # returns a problem description or None

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@dataclass(frozen=True, slots=True)
class Spec:
    """What a target accepts. ``names is None`` means the signature is unknown: accept all."""

    names: frozenset[str] | None
    positional: tuple[str, ...]
    keyword_only: frozenset[str]
    required: tuple[str, ...]
    var_positional: bool
    var_keyword: bool
    checkers: dict[str, Checker]
    defaults: dict[str, Any]


_UNKNOWN = Spec(None, (), frozenset(), (), True, True, {}, {})
_specs: dict[Any, Spec] = {}


def spec_of(target: Any) -> Spec:
    """The cached `Spec` of a callable (an unknown spec for strings and opaque builtins)."""
    try:
        return _specs[target]
    except KeyError:
        pass
    except TypeError:
        return _build_spec(target)
    spec = _build_spec(target)
    _specs[target] = spec
    return spec


def positional_names(target: Any) -> tuple[str, ...] | None:
    spec = spec_of(target)
    return None if spec.names is None else spec.positional


def _build_spec(target: Any) -> Spec:
    if isinstance(target, str) or not callable(target):
        return _UNKNOWN
    try:
        sig = inspect.signature(target)
    except (ValueError, TypeError):
        return _UNKNOWN
    hints = _type_hints(target)
    positional: list[str] = []
    keyword_only: set[str] = set()
    required: list[str] = []
    checkers: dict[str, Checker] = {}
    defaults: dict[str, Any] = {}
    var_pos = var_kw = False
    for name, param in sig.parameters.items():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            var_pos = True
            continue
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            var_kw = True
            continue
        if param.kind in _POSITIONAL:
            positional.append(name)
        else:
            keyword_only.add(name)
        if param.default is inspect.Parameter.empty:
            required.append(name)
        else:
            defaults[name] = param.default
        annotation = hints.get(name, param.annotation)
        checker = checker_for(annotation)
        if checker is not None:
            checkers[name] = checker
    names = frozenset(positional) | keyword_only
    return Spec(
        names,
        tuple(positional),
        frozenset(keyword_only),
        tuple(required),
        var_pos,
        var_kw,
        checkers,
        defaults,
    )


def _type_hints(target: Any) -> dict[str, Any]:
    owner = target.__init__ if isinstance(target, type) else target
    try:
        return typing.get_type_hints(owner)
    except Exception:  # unresolvable forward references: fall back to raw annotations
        return {}


# --- value checks ------------------------------------------------------------------------------


def _is_opaque(value: Any) -> bool:
    """Values whose type only exists later: interpolations and Hydra's missing marker."""
    return isinstance(value, str) and ("${" in value or value == "???")


def _contains_opaque(value: Any) -> bool:
    from lazycfg.node import walk

    return any(isinstance(v, Lazy) or _is_opaque(v) for _, v in walk(value))


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return str(annotation).replace("typing.", "")


def _lazy_result_type(node: Lazy[Any]) -> Any:
    """The class a node builds, when that is known (None otherwise)."""
    target = node._lazy_target
    if node._lazy_partial or isinstance(target, str):
        return None
    if isinstance(target, type):
        return target
    try:
        hint = typing.get_type_hints(target).get("return")
    except Exception:
        return None
    return hint if isinstance(hint, type) else None


def _classes_of(annotation: Any) -> tuple[type, ...] | None:
    """The plain classes an annotation admits, or None when it is not that simple."""
    if annotation is None or annotation is type(None):
        return (type(None),)
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return (annotation,)
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        out: list[type] = []
        for arg in typing.get_args(annotation):
            classes = _classes_of(arg)
            if classes is None:
                return None
            out.extend(classes)
        return tuple(out)
    return None


_adapters: dict[Any, Any] = {}


def _pydantic_check(annotation: Any, value: Any) -> bool | None:
    """True/False from pydantic; None when pydantic cannot judge this annotation."""
    from pydantic import ConfigDict, TypeAdapter, ValidationError

    try:
        adapter = _adapters[annotation]
    except KeyError:
        try:
            adapter = TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))
        except Exception:
            adapter = None
        _adapters[annotation] = adapter
    except TypeError:  # unhashable annotation
        return None
    if adapter is None:
        return None
    try:
        result = adapter.validate_python(value)
    except ValidationError:
        return False
    except Exception:
        return None
    # Lax mode would turn "3" into 3; Hydra would pass the string, so refuse that coercion.
    if type(value) is str and type(result) is not str and not isinstance(result, (PurePath, Enum)):
        return False
    return True


def checker_for(annotation: Any) -> Checker | None:
    """A checker for values of a parameter annotated ``annotation`` (None: accept anything)."""
    if annotation is inspect.Parameter.empty or annotation is Any or annotation is object:
        return None
    if isinstance(annotation, str | typing.ForwardRef | typing.TypeVar):
        return None
    classes = _classes_of(annotation)
    fast: tuple[type, ...] = ()
    if classes is not None:
        fast = classes + ((int,) if float in classes and int not in classes else ())
        fast = fast + ((int, float) if complex in classes else ())
        fast = fast + ((str,) if any(issubclass(c, PurePath) for c in classes) else ())

    def check(value: Any) -> str | None:
        if fast and isinstance(value, fast):
            return None
        if isinstance(value, Lazy):
            built = _lazy_result_type(value)
            if built is None or classes is None:
                return None
            if any(isinstance(c, type) and issubclass(built, c) for c in classes):
                return None
            return f"expected {_type_name(annotation)}, got a lazy {built.__qualname__}"
        if _is_opaque(value):
            return None
        if isinstance(value, list | tuple | dict) and _contains_opaque(value):
            return None
        if classes is not None and all(_plain(c) for c in classes):
            return f"expected {_type_name(annotation)}, got {type(value).__name__} {value!r:.60}"
        verdict = _pydantic_check(annotation, value)
        if verdict is False:
            return f"expected {_type_name(annotation)}, got {type(value).__name__} {value!r:.60}"
        return None

    return check


def _plain(cls: type) -> bool:
    """Classes where isinstance is the whole truth (no pydantic coercion worth trying)."""
    return cls.__module__ == "builtins" or issubclass(cls, Enum)


# --- binding -----------------------------------------------------------------------------------


def bind_problems(
    target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, partial: bool
) -> list[str]:
    """Every problem with calling ``target(*args, **kwargs)``, as ``argument: problem`` lines."""
    spec = spec_of(target)
    if spec.names is None:
        return []
    problems: list[str] = []
    npos = len(spec.positional)
    if len(args) > npos and not spec.var_positional:
        problems.append(
            f"takes {npos} positional argument{'s' * (npos != 1)} "
            f"({', '.join(spec.positional) or 'none'}) but {len(args)} were given"
        )
    by_position = spec.positional[: len(args)]
    checkers = spec.checkers
    for name, value in zip(by_position, args, strict=False):
        if name in kwargs:
            problems.append(f"{name}: given both by position and by keyword")
        check = checkers.get(name)
        if check is not None:
            problem = check(value)
            if problem:
                problems.append(f"{name}: {problem}")
    names = spec.names
    for name, value in kwargs.items():
        if name not in names:
            if not spec.var_keyword:
                problems.append(f"{name}: unexpected keyword argument{did_you_mean(name, names)}")
            continue
        check = checkers.get(name)
        if check is not None:
            problem = check(value)
            if problem:
                problems.append(f"{name}: {problem}")
    if not partial:
        for name in spec.required:
            if name not in kwargs and name not in by_position:
                problems.append(f"{name}: missing required argument")
    return problems
