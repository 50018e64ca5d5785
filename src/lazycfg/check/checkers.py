"""Checkers: compiling a parameter's annotation into a fast test of the values it takes.

A checker accepts the common cases with one ``isinstance`` (`fast_accepts`, compiled once per
annotation from plain classes, unions, Literal and the common containers) and asks pydantic only
when that fails, so a validated node costs a few microseconds. Values a type checker cannot see
through are accepted: interpolations (``${...}``), Hydra's ``???``, and lazy nodes whose target
returns a compatible class.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Callable
from enum import Enum
from pathlib import PurePath
from typing import Any

from lazycfg.check.shape import UNJUDGED, shape_check
from lazycfg.core.caches import put_bounded
from lazycfg.core.node import Lazy
from lazycfg.core.reprs import value_repr

Checker = Callable[[Any], "str | None"]  # returns a problem description or None
Accepts = Callable[[Any], bool]  # True only when a value surely fits


def _is_opaque(value: Any) -> bool:
    """Values whose type only exists later: interpolations and Hydra's missing marker."""
    return isinstance(value, str) and ("${" in value or value == "???")


def _contains_opaque(value: Any) -> bool:
    from lazycfg.core.node import walk

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


# Annotation -> pydantic TypeAdapter (None: pydantic cannot judge it). Keyed by equality
# (``list[int]`` is made anew by every ``def``) and the adapter holds its annotation, so a weak
# key could never go: bounded instead.
_adapters: dict[Any, Any] = {}
_ADAPTERS_KEPT = 512


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
        put_bounded(_adapters, annotation, adapter, _ADAPTERS_KEPT)
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
    accepts = fast_accepts(annotation)
    shape = shape_check(annotation, item_checker)

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
        if shape is not None:
            verdict = shape(value)
            if verdict is not UNJUDGED:
                return verdict
        if classes is not None and all(_plain(c) for c in classes):
            return (
                f"expected {_type_name(annotation)}, got {type(value).__name__} {value_repr(value)}"
            )
        if isinstance(value, list | tuple | dict) and _contains_opaque(value):
            return None  # known only when built
        verdict = _pydantic_check(annotation, value)
        if verdict is False:
            return (
                f"expected {_type_name(annotation)}, got {type(value).__name__} {value_repr(value)}"
            )
        return None

    return check


# Annotation -> its checker, which holds the annotation: bounded, as `_adapters`.
_item_checkers: dict[Any, Checker | None] = {}
_ITEM_CHECKERS_KEPT = 2048


def item_checker(annotation: Any) -> Checker | None:
    """`checker_for`, cached per annotation: the checkers of items inside containers."""
    try:
        return _item_checkers[annotation]
    except KeyError:
        return put_bounded(_item_checkers, annotation, checker_for(annotation), _ITEM_CHECKERS_KEPT)
    except TypeError:  # unhashable annotation
        return checker_for(annotation)


_SEQUENCES: dict[Any, tuple[type, ...]] = {
    list: (list,),
    set: (set,),
    frozenset: (frozenset,),
    collections.abc.Sequence: (list, tuple),
    collections.abc.Iterable: (list, tuple),
    collections.abc.Collection: (list, tuple),
}
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def numeric_tower(cls: type) -> tuple[type, ...]:
    """The classes whose instances a parameter annotated ``cls`` takes, as type checkers do."""
    if cls is float:
        return (float, int)
    if cls is complex:
        return (complex, float, int)
    if issubclass(cls, PurePath):
        return (cls, str)  # Hydra hands paths over as strings from YAML
    return (cls,)


def exact_types(annotation: Any) -> frozenset[type]:
    """Types whose instances surely fit a plain-class annotation (empty when not that simple)."""
    if annotation is type(None) or (
        isinstance(annotation, type) and not typing.get_args(annotation)
    ):
        return frozenset(numeric_tower(annotation))
    return frozenset()


def fast_accepts(annotation: Any) -> Accepts | None:
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
        fast = numeric_tower(annotation)
        return lambda value: isinstance(value, fast)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _union_accepts(args)
    if origin is typing.Literal:
        options = [(type(arg), arg) for arg in args]
        return lambda value: (type(value), value) in options
    if origin in _SEQUENCES and len(args) == 1:
        return _sequence_accepts(_SEQUENCES[origin], args[0])
    if origin is tuple and args:
        return _tuple_accepts(args)
    if origin in _MAPPINGS and len(args) == 2:
        key, item = fast_accepts(args[0]), fast_accepts(args[1])
        if key is None or item is None:
            return None
        return lambda value: (
            type(value) is dict and all(key(k) and item(v) for k, v in value.items())
        )
    return None


def _union_accepts(members: tuple[Any, ...]) -> Accepts | None:
    # Plain classes merge into one isinstance; the rest (generics, Literal) are tried after.
    classes: tuple[type, ...] = ()
    others: list[Accepts] = []
    for member in members:
        if member is Any or member is object:
            return lambda value: True
        if member is type(None) or (isinstance(member, type) and not typing.get_args(member)):
            classes += numeric_tower(member)
            continue
        part = fast_accepts(member)
        if part is None:
            return None
        others.append(part)
    if not others:
        return lambda value: isinstance(value, classes)
    if len(others) == 1:
        only = others[0]
        return lambda value: isinstance(value, classes) or only(value)
    return lambda value: isinstance(value, classes) or any(m(value) for m in others)


def _sequence_accepts(kinds: tuple[type, ...], item_annotation: Any) -> Accepts | None:
    item = fast_accepts(item_annotation)
    if item is None:
        return None
    exact = exact_types(item_annotation)
    if exact:  # the usual case, list[int]: one C-level pass over the element types
        return lambda value: (
            isinstance(value, kinds)
            and (exact.issuperset(map(type, value)) or all(map(item, value)))
        )
    return lambda value: isinstance(value, kinds) and all(map(item, value))


def _tuple_accepts(args: tuple[Any, ...]) -> Accepts | None:
    if len(args) == 2 and args[1] is Ellipsis:
        item = fast_accepts(args[0])
        if item is None:
            return None
        return lambda value: type(value) is tuple and all(map(item, value))
    items = [fast_accepts(arg) for arg in args]
    if any(i is None for i in items):
        return None
    fixed = [i for i in items if i is not None]
    return lambda value: (
        type(value) is tuple
        and len(value) == len(fixed)
        and all(i(v) for i, v in zip(fixed, value, strict=True))
    )


def _plain(cls: type) -> bool:
    """Classes where isinstance is the whole truth (no pydantic coercion worth trying)."""
    return cls.__module__ == "builtins" or issubclass(cls, Enum)
