"""Shape checks: containers element by element, and record classes field by field.

The slow path of a checker (`lazycfg.check.checkers`), reached only when the quick ``isinstance`` test
failed. Two jobs pydantic's lax mode does not do the way a config needs:

- A list, tuple or dict is checked item by item with the item's own checker, so a string is
  never taken for a number deep inside (``[32, "64"]`` for ``Sequence[int]``) and the problem
  names the item: ``[1]: expected int, got str '64'``, read after the argument name as
  ``hidden[1]: ...``.
- A dict given where a dataclass, attrs class or pydantic model is expected is checked against
  the class's fields (names, required ones, each field's type) without constructing the class:
  validating it with pydantic would run the class's ``__post_init__`` or validators, user code
  run by merely reading a config.

A shape check returns a problem, None (fits), or `UNJUDGED` when the value is not of the shape
it knows (a dict for ``list[int]``): the caller's other tests decide then.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

from lazycfg.core.caches import WeakCache
from lazycfg.core.errors import did_you_mean
from lazycfg.core.reprs import value_repr

UNJUDGED: Any = object()  # the value is not of a shape this check knows
ShapeCheck = Callable[[Any], Any]  # str (problem) | None (fits) | UNJUDGED
ItemChecker = Callable[[Any], "Callable[[Any], str | None] | None"]

SEQUENCE_ORIGINS = (
    list,
    set,
    frozenset,
    collections.abc.Sequence,
    collections.abc.MutableSequence,
    collections.abc.Iterable,
    collections.abc.Collection,
    collections.abc.Set,
    collections.abc.MutableSet,
)
MAPPING_ORIGINS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def place_of(key: Any) -> str:
    """``.name`` for a string key, ``[1]`` / ``[(1, 2)]`` for others: how a path reads."""
    if isinstance(key, str) and key.isidentifier():
        return f".{key}"
    return f"[{value_repr(key)}]"


def at(place: str, problem: str) -> str:
    """``[1]: problem``, or ``[1][0]: ...`` when the problem is itself about an item inside."""
    return f"{place}{problem}" if problem[:1] in "[." else f"{place}: {problem}"


def type_name(annotation: Any) -> str:
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__qualname__
    return str(annotation).replace("typing.", "").replace("collections.abc.", "")


def shape_check(annotation: Any, item_checker: ItemChecker) -> ShapeCheck | None:
    """The shape check of ``annotation``; None when it has no shape to check.

    ``item_checker`` compiles (and caches) the checker of an item's annotation; items are
    compiled on first use, so a recursive annotation compiles lazily.
    """
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _union_check(annotation, args, item_checker)
    if origin in SEQUENCE_ORIGINS or annotation in SEQUENCE_ORIGINS:
        return _items_check(annotation, args[0] if args else None, item_checker)
    if origin is tuple or annotation is tuple:
        if not args or (len(args) == 2 and args[1] is Ellipsis):
            return _items_check(annotation, args[0] if args else None, item_checker)
        return _fixed_tuple_check(annotation, args, item_checker)
    if origin in MAPPING_ORIGINS or annotation in MAPPING_ORIGINS:
        key, item = args if len(args) == 2 else (None, None)
        return _mapping_check(key, item, item_checker)
    if isinstance(annotation, type) and record_fields(annotation) is not None:
        return _record_check(annotation, item_checker)
    return None


def _first_problem(items: Any, item_checker: ItemChecker, annotation: Any) -> str | None:
    check = None if annotation is None else item_checker(annotation)
    if check is None:
        return None
    for place, item in items:
        problem = check(item)
        if problem:
            return at(place, problem)
    return None


def _items_check(annotation: Any, item: Any, item_checker: ItemChecker) -> ShapeCheck:
    def check(value: Any) -> Any:
        if not isinstance(value, list | tuple | set | frozenset):
            return UNJUDGED  # Hydra hands every sequence over as a list
        items = ((f"[{i}]", v) for i, v in enumerate(value))
        return _first_problem(items, item_checker, item)

    return check


def _fixed_tuple_check(annotation: Any, args: tuple[Any, ...], item_checker: ItemChecker) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return UNJUDGED
        if len(value) != len(args):
            return (
                f"expected {type_name(annotation)} ({len(args)} items), "
                f"got {len(value)} items {value_repr(value)}"
            )
        for i, (arg, item) in enumerate(zip(args, value, strict=True)):
            problem = _first_problem([(f"[{i}]", item)], item_checker, arg)
            if problem:
                return problem
        return None

    return check


def _mapping_check(key: Any, item: Any, item_checker: ItemChecker) -> ShapeCheck:
    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            return UNJUDGED
        keys = ((f"[{value_repr(k)}] (a key)", k) for k in value)
        problem = _first_problem(keys, item_checker, key)
        if problem:
            return problem
        return _first_problem(((place_of(k), v) for k, v in value.items()), item_checker, item)

    return check


def _union_check(annotation: Any, members: tuple[Any, ...], item_checker: ItemChecker) -> Any:
    """A union with a container or record member: fits when one member fits.

    When no member fits, the problem of the one member of the value's own shape is given (so
    ``list[int] | None`` says ``[1]: expected int, got str '64'``); otherwise the union's.
    """
    shaped = [m for m in members if shape_check(m, item_checker) is not None]
    if not shaped:
        return None

    def check(value: Any) -> Any:
        problems: list[str] = []
        for member in members:
            member_check = item_checker(member)
            problem = None if member_check is None else member_check(value)
            if problem is None:
                return None
            if member in shaped and _same_shape(member, value):
                problems.append(problem)
        if len(problems) == 1:
            return problems[0]
        return f"expected {type_name(annotation)}, got {type(value).__name__} {value_repr(value)}"

    return check


def _same_shape(annotation: Any, value: Any) -> bool:
    origin = typing.get_origin(annotation) or annotation
    if isinstance(value, dict):
        return origin in MAPPING_ORIGINS or (
            isinstance(origin, type) and record_fields(origin) is not None
        )
    return isinstance(value, list | tuple | set | frozenset) and (
        origin in SEQUENCE_ORIGINS or origin is tuple
    )


# --- records: dataclasses, attrs classes, pydantic models ----------------------------------------


@dataclasses.dataclass(frozen=True)
class Fields:
    """What a record class takes: key -> annotation, the required keys, and whether others may."""

    types: dict[str, Any]
    required: frozenset[str]
    open: bool  # a pydantic model with extra="allow"


# Class -> its Fields, while the class lives; bounded too, since the fields' annotations may
# reach the class (one naming anything of its module leads to the module's globals).
_fields_cache: WeakCache[Fields | None] = WeakCache(1024)
_UNREAD: Any = object()


def record_fields(cls: type) -> Fields | None:
    """The fields of a dataclass, attrs class or pydantic model (None for any other class)."""
    fields = _fields_cache.by_id.get(id(cls), _UNREAD)
    if fields is _UNREAD:
        fields = _fields_cache.put(cls, _read_fields(cls))
    return fields


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # unresolvable forward references: such fields are not checked
        return {}


def _read_fields(cls: type) -> Fields | None:
    if dataclasses.is_dataclass(cls):
        hints = _hints(cls)
        init = [f for f in dataclasses.fields(cls) if f.init]
        return Fields(
            {f.name: hints.get(f.name, Any) for f in init},
            frozenset(
                f.name
                for f in init
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            ),
            False,
        )
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict) and hasattr(cls, "model_validate"):
        types_: dict[str, Any] = {}
        required: set[str] = set()
        for name, info in model_fields.items():
            alias = getattr(info, "alias", None)
            key = alias if isinstance(alias, str) else name
            types_[key] = info.annotation
            types_.setdefault(name, info.annotation)
            if info.is_required():
                required.add(key)
        config = getattr(cls, "model_config", {})
        return Fields(types_, frozenset(required), config.get("extra") == "allow")
    try:
        import attrs
    except ImportError:  # pragma: no cover - attrs is a dependency
        return None
    if attrs.has(cls):
        hints = _hints(cls)
        init_fields = [a for a in attrs.fields(cls) if a.init]
        return Fields(
            {(a.alias or a.name): hints.get(a.name, Any) for a in init_fields},
            frozenset((a.alias or a.name) for a in init_fields if a.default is attrs.NOTHING),
            False,
        )
    return None


def _record_check(cls: type, item_checker: ItemChecker) -> ShapeCheck:
    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            # Anything else would have to be converted by the class's own code: refused.
            return f"expected {cls.__qualname__}, got {type(value).__name__} {value_repr(value)}"
        fields = record_fields(cls)
        assert fields is not None
        for key, item in value.items():
            annotation = fields.types.get(key) if isinstance(key, str) else None
            if annotation is None:
                if fields.open:
                    continue
                near = did_you_mean(str(key), list(fields.types))
                return f"{place_of(key)}: {cls.__qualname__} has no field {key!r}{near}"
            problem = _first_problem([(place_of(key), item)], item_checker, annotation)
            if problem:
                return problem
        missing = sorted(fields.required - value.keys())
        if missing:
            return f"{place_of(missing[0])}: missing required field of {cls.__qualname__}"
        return None

    return check
