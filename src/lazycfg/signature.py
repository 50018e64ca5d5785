"""Binding arguments to a target's signature and checking their types, cached per target.

The first call of a target inspects its signature once and compiles a `Spec`: parameter names,
which are required, and a checker per annotated parameter. A checker accepts the common cases
with one ``isinstance`` and asks pydantic only when that fails, so a validated node costs a few
microseconds. Values a type checker cannot see through are accepted: interpolations (``${...}``),
Hydra's ``???``, and lazy nodes whose target returns a compatible class.
"""

from __future__ import annotations

import collections.abc
import dataclasses
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
Accepts = Callable[[Any], bool]  # True only when a value surely fits

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
    # For the quick path of `bind_problems`: every named parameter's quick test (None when the
    # parameter takes anything), and the required names as a set.
    accepts: dict[str, Accepts | tuple[type, ...] | None] = dataclasses.field(default_factory=dict)
    required_set: frozenset[str] = frozenset()
    positional_only: frozenset[str] = frozenset()
    # Checkers of each ``*args`` element and each ``**kwargs`` value, when annotated.
    var_positional_check: Checker | None = None
    var_keyword_check: Checker | None = None
    # Pydantic fields settable by name as well as by alias: alias parameter -> field name.
    field_names: dict[str, str] = dataclasses.field(default_factory=dict)


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
    positional_only: set[str] = set()
    var_pos = var_kw = False
    var_pos_check = var_kw_check = None
    for name, param in sig.parameters.items():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            var_pos = True
            var_pos_check = checker_for(hints.get(name, param.annotation))
            continue
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            var_kw = True
            var_kw_check = checker_for(hints.get(name, param.annotation))
            continue
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            positional_only.add(name)
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
    field_names = _by_name_fields(target, sig.parameters)
    for alias, field in field_names.items():
        keyword_only.add(field)
        if alias in checkers:
            checkers[field] = checkers[alias]
    names = frozenset(positional) | keyword_only
    accepts: dict[str, Accepts | tuple[type, ...] | None] = {}
    for name in names - positional_only:  # a positional-only name given by keyword: slow path
        param = sig.parameters.get(name)
        if param is None:  # a pydantic field name standing for its alias
            continue
        annotation = hints.get(name, param.annotation)
        if name not in checkers:
            accepts[name] = None
        elif _exact_types(annotation):
            accepts[name] = _numeric_tower(annotation)  # tested inline with isinstance
        else:
            quick = _fast_accepts(annotation)
            if quick is not None:
                accepts[name] = quick
    for alias, field in field_names.items():
        if alias in accepts:
            accepts[field] = accepts[alias]
    return Spec(
        names,
        tuple(positional),
        frozenset(keyword_only),
        tuple(required),
        var_pos,
        var_kw,
        checkers,
        defaults,
        accepts,
        frozenset(required),
        frozenset(positional_only),
        var_pos_check,
        var_kw_check,
        field_names,
    )


def _by_name_fields(target: Any, parameters: Any) -> dict[str, str]:
    """Alias parameter -> field name, for pydantic models that also take fields by name."""
    config = getattr(target, "model_config", None)
    fields = getattr(target, "model_fields", None)
    if not isinstance(target, type) or not isinstance(config, dict):
        return {}
    if not isinstance(fields, dict) or not (
        config.get("populate_by_name") or config.get("validate_by_name")
    ):
        return {}
    out: dict[str, str] = {}
    for name, info in fields.items():
        alias = getattr(info, "validation_alias", None) or getattr(info, "alias", None)
        if isinstance(alias, str) and alias != name and alias in parameters:
            if name not in parameters:
                out[alias] = name
    return out


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
    if annotation is Any:  # a class since Python 3.11, but not one isinstance accepts
        return (object,)
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
    accepts = _fast_accepts(annotation)
    lazy_items = _lazy_items_checker(annotation)

    def check(value: Any) -> str | None:
        if accepts is not None and accepts(value):
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
            return None if lazy_items is None else lazy_items(value)
        if classes is not None and all(_plain(c) for c in classes):
            return f"expected {_type_name(annotation)}, got {type(value).__name__} {value!r:.60}"
        verdict = _pydantic_check(annotation, value)
        if verdict is False:
            return f"expected {_type_name(annotation)}, got {type(value).__name__} {value!r:.60}"
        return None

    return check


def _lazy_items_checker(annotation: Any) -> Checker | None:
    """A check of the lazy nodes directly inside a list/tuple/dict value against the element
    (or dict value) classes of ``annotation``; None when those are not plain classes.

    A problem starts with the item's place (``[1]: ...``, ``.key: ...``) so that it reads as
    ``children[1]: expected ...`` after the argument name.
    """
    members = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    found: dict[bool, list[type] | None] = {False: [], True: []}  # is a mapping -> classes
    for member in members:
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin in _SEQUENCES or origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            kind, item = False, args[0] if args else None
        elif origin in _MAPPINGS and len(args) == 2:
            kind, item = True, args[1]
        elif member in (list, tuple, dict) or member in _SEQUENCES or member in _MAPPINGS:
            found[member is dict or member in _MAPPINGS] = None  # bare: items of any type
            continue
        else:
            continue
        classes = None if item is None else _classes_of(item)
        sofar = found[kind]
        found[kind] = None if classes is None or sofar is None else [*sofar, *classes]
    sequence, mapping = found[False], found[True]
    if not sequence and not mapping:
        return None

    def check(value: Any) -> str | None:
        if isinstance(value, dict):
            classes = mapping
            items: Any = (
                (f".{k}" if isinstance(k, str) else f"[{k!r}]", v) for k, v in value.items()
            )
        else:
            classes = sequence
            items = ((f"[{i}]", v) for i, v in enumerate(value))
        if not classes:
            return None
        for place, item in items:
            if isinstance(item, Lazy):
                built = _lazy_result_type(item)
                if built is not None and not any(issubclass(built, c) for c in classes):
                    expected = " | ".join(
                        "None" if c is type(None) else c.__qualname__ for c in classes
                    )
                    return f"{place}: expected {expected}, got a lazy {built.__qualname__}"
        return None

    return check


def _is_union(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin is typing.Union or origin is types.UnionType


_SEQUENCES: dict[Any, tuple[type, ...]] = {
    list: (list,),
    set: (set,),
    frozenset: (frozenset,),
    collections.abc.Sequence: (list, tuple),
    collections.abc.Iterable: (list, tuple),
    collections.abc.Collection: (list, tuple),
}
_NO_QUICK_TEST: Any = object()
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def _numeric_tower(cls: type) -> tuple[type, ...]:
    """The classes whose instances a parameter annotated ``cls`` takes, as type checkers do."""
    if cls is float:
        return (float, int)
    if cls is complex:
        return (complex, float, int)
    if issubclass(cls, PurePath):
        return (cls, str)  # Hydra hands paths over as strings from YAML
    return (cls,)


def _exact_types(annotation: Any) -> frozenset[type]:
    """Types whose instances surely fit a plain-class annotation (empty when not that simple)."""
    if annotation is type(None) or (
        isinstance(annotation, type) and not typing.get_args(annotation)
    ):
        return frozenset(_numeric_tower(annotation))
    return frozenset()


def _fast_accepts(annotation: Any) -> Accepts | None:
    """A quick test that says True only when the value surely fits (False: ask the slow path).

    Compiled once per annotation from plain classes, unions, Literal and the common generic
    containers, so the usual values (``3`` for ``int``, ``[1, 2]`` for ``list[int] | None``)
    never reach pydantic. None when the annotation is beyond it.
    """
    if annotation is Any or annotation is object:
        return lambda value: True
    if annotation is None or annotation is type(None):
        return lambda value: value is None
    if isinstance(annotation, type) and not typing.get_args(annotation):
        fast = _numeric_tower(annotation)
        return lambda value: isinstance(value, fast)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        # Plain classes merge into one isinstance; the rest (generics, Literal) are tried after.
        classes: tuple[type, ...] = ()
        members: list[Accepts] = []
        for arg in args:
            if arg is Any or arg is object:
                return lambda value: True
            if arg is type(None) or (isinstance(arg, type) and not typing.get_args(arg)):
                classes += _numeric_tower(arg)
                continue
            part = _fast_accepts(arg)
            if part is None:
                return None
            members.append(part)
        if not members:
            return lambda value: isinstance(value, classes)
        if len(members) == 1:
            only = members[0]
            return lambda value: isinstance(value, classes) or only(value)
        return lambda value: isinstance(value, classes) or any(m(value) for m in members)
    if origin is typing.Literal:
        options = [(type(arg), arg) for arg in args]
        return lambda value: (type(value), value) in options
    if origin in _SEQUENCES and len(args) == 1:
        kinds = _SEQUENCES[origin]
        item = _fast_accepts(args[0])
        if item is None:
            return None
        exact = _exact_types(args[0])
        if exact:  # the usual case, list[int]: one C-level pass over the element types
            return lambda value: (
                isinstance(value, kinds)
                and (exact.issuperset(map(type, value)) or all(map(item, value)))
            )
        return lambda value: isinstance(value, kinds) and all(map(item, value))
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _fast_accepts(args[0])
            if item is None:
                return None
            return lambda value: type(value) is tuple and all(map(item, value))
        items = [_fast_accepts(arg) for arg in args]
        if any(i is None for i in items):
            return None
        fixed = [i for i in items if i is not None]
        return lambda value: (
            type(value) is tuple
            and len(value) == len(fixed)
            and all(i(v) for i, v in zip(fixed, value, strict=True))
        )
    if origin in _MAPPINGS and len(args) == 2:
        key, item = _fast_accepts(args[0]), _fast_accepts(args[1])
        if key is None or item is None:
            return None
        return lambda value: (
            type(value) is dict and all(key(k) and item(v) for k, v in value.items())
        )
    return None


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
    if not args and (partial or spec.required_set.issubset(kwargs)):
        # The common call, keywords only: done when every value passes its quick test.
        accepts = spec.accepts
        for name, value in kwargs.items():
            quick: Any = accepts.get(name, _NO_QUICK_TEST)
            if quick is None:
                continue
            if type(quick) is tuple:
                if isinstance(value, quick):
                    continue
                break
            if quick is _NO_QUICK_TEST or not quick(value):
                break
        else:
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
    positional_only = spec.positional_only
    for name, value in zip(by_position, args, strict=False):
        if name in kwargs and not (name in positional_only and spec.var_keyword):
            problems.append(f"{name}: given both by position and by keyword")
        check = checkers.get(name)
        if check is not None:
            problem = check(value)
            if problem:
                problems.append(_at(name, problem))
    if spec.var_positional_check is not None:
        for i in range(npos, len(args)):
            problem = spec.var_positional_check(args[i])
            if problem:
                problems.append(_at(f"_args_[{i}]", problem))
    names = spec.names
    for name, value in kwargs.items():
        if name in positional_only and not (name in by_position and spec.var_keyword):
            if name not in by_position:
                problems.append(
                    f"{name}: positional-only parameter passed by keyword; pass it by position"
                )
            continue
        if name not in names or name in positional_only:  # the latter lands in **kwargs
            if not spec.var_keyword:
                problems.append(f"{name}: unexpected keyword argument{did_you_mean(name, names)}")
            elif spec.var_keyword_check is not None:
                problem = spec.var_keyword_check(value)
                if problem:
                    problems.append(_at(name, problem))
            continue
        check = checkers.get(name)
        if check is not None:
            problem = check(value)
            if problem:
                problems.append(_at(name, problem))
    field_names = spec.field_names
    for alias, field in field_names.items():
        if alias in kwargs and field in kwargs:
            problems.append(f"{field}: given both by name and by its alias {alias!r}; keep one")
    if not partial:
        for name in spec.required:
            if name not in kwargs and name not in by_position:
                if field_names.get(name) not in kwargs:
                    problems.append(f"{name}: missing required argument")
    return problems


def _at(name: str, problem: str) -> str:
    """``name: problem``, or ``name[1]: ...`` when the problem is about an item inside."""
    return f"{name}{problem}" if problem[:1] in "[." else f"{name}: {problem}"
