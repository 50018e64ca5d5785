"""Binding arguments to a target's signature, cached per target.

The first call of a target inspects its signature once and compiles a `Spec`: parameter names,
which are required, and a checker per annotated parameter (`lazycfg.check.checkers`), so a validated
node costs a few microseconds. `bind_problems` lists every problem with one call, as `Problem`
records (`lazycfg.core.problems`).
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from dataclasses import dataclass
from itertools import chain
from typing import Any

from lazycfg.check.checkers import (
    Accepts,
    Checker,
    checker_for,
    exact_types,
    fast_accepts,
    numeric_tower,
)
from lazycfg.check.renames import renamed_hint
from lazycfg.core.caches import WeakCache
from lazycfg.core.errors import did_you_mean
from lazycfg.core.node import ARGS_KEY
from lazycfg.core.problems import (
    POSITIONAL_KIND,
    TWICE_KIND,
    TYPE_KIND,
    UNBOUND_KIND,
    UNEXPECTED_KIND,
    Problem,
)

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
# Target -> its Spec, while the target lives. Bounded too, and that is what frees most classes:
# a Spec often reaches its own target (an annotation or default naming anything of the target's
# module leads to the module's globals, which hold the target), so its weak key never dies.
_specs: WeakCache[Spec] = WeakCache(2048)
_specs_by_id = _specs.by_id


def spec_of(target: Any) -> Spec:
    """The cached `Spec` of a callable (an unknown spec for strings and opaque builtins)."""
    spec = _specs_by_id.get(id(target)) or _specs.get(target)
    if spec is None:
        spec = _specs.put(target, _build_spec(target))
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
    read = _read_parameters(sig.parameters, hints)
    field_names = _by_name_fields(target, sig.parameters)
    for alias, field in field_names.items():
        read.keyword_only.add(field)
        if alias in read.checkers:
            read.checkers[field] = read.checkers[alias]
    names = frozenset(read.positional) | read.keyword_only
    # a positional-only name given by keyword takes the slow path: no quick test
    accepts = _quick_tests(names - read.positional_only, sig.parameters, hints, read.checkers)
    for alias, field in field_names.items():
        if alias in accepts:
            accepts[field] = accepts[alias]
    return Spec(
        names,
        tuple(read.positional),
        frozenset(read.keyword_only),
        tuple(read.required),
        read.var_positional,
        read.var_keyword,
        read.checkers,
        read.defaults,
        accepts,
        frozenset(read.required),
        frozenset(read.positional_only),
        read.var_positional_check,
        read.var_keyword_check,
        field_names,
    )


@dataclass(slots=True)
class _Parameters:
    """A signature's parameters as `_build_spec` reads them, before they become a `Spec`."""

    positional: list[str] = dataclasses.field(default_factory=list)
    keyword_only: set[str] = dataclasses.field(default_factory=set)
    positional_only: set[str] = dataclasses.field(default_factory=set)
    required: list[str] = dataclasses.field(default_factory=list)
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    checkers: dict[str, Checker] = dataclasses.field(default_factory=dict)
    var_positional: bool = False
    var_keyword: bool = False
    var_positional_check: Checker | None = None
    var_keyword_check: Checker | None = None


def _read_parameters(parameters: Any, hints: dict[str, Any]) -> _Parameters:
    read = _Parameters()
    for name, param in parameters.items():
        checker = checker_for(hints.get(name, param.annotation))
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            read.var_positional, read.var_positional_check = True, checker
            continue
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            read.var_keyword, read.var_keyword_check = True, checker
            continue
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            read.positional_only.add(name)
        if param.kind in _POSITIONAL:
            read.positional.append(name)
        else:
            read.keyword_only.add(name)
        if param.default is inspect.Parameter.empty:
            read.required.append(name)
        else:
            read.defaults[name] = param.default
        if checker is not None:
            read.checkers[name] = checker
    return read


def _quick_tests(
    names: frozenset[str], parameters: Any, hints: dict[str, Any], checkers: dict[str, Checker]
) -> dict[str, Accepts | tuple[type, ...] | None]:
    """Each parameter's quick test for `bind_problems` (see `Spec.accepts`)."""
    accepts: dict[str, Accepts | tuple[type, ...] | None] = {}
    for name in names:
        param = parameters.get(name)
        if param is None:  # a pydantic field name standing for its alias
            continue
        annotation = hints.get(name, param.annotation)
        if name not in checkers:
            accepts[name] = None
        elif exact_types(annotation):
            accepts[name] = numeric_tower(annotation)  # tested inline with isinstance
        else:
            quick = fast_accepts(annotation)
            if quick is not None:
                accepts[name] = quick
    return accepts


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


# --- binding -----------------------------------------------------------------------------------

_NO_QUICK_TEST: Any = object()  # a parameter without a quick test: take the full path


def bind_problems(
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    partial: bool,
    strict: bool = True,
) -> list[Problem]:
    """Every problem with calling ``target(*args, **kwargs)``, as records whose paths are the
    arguments' (``lr``, ``hidden[1]``, ``_args_[0]``; ``""`` for the call). ``strict``: values
    are checked against the annotations too (else only the binding)."""
    spec = _specs_by_id.get(id(target)) or spec_of(target)  # (the hit inline: a call less)
    names = spec.names
    if names is None:
        return []
    if args:
        if strict and _positional_pass(spec, args, kwargs, partial):
            return []
    elif partial or spec.required_set.issubset(kwargs):
        if not strict:
            if spec.var_keyword or all(n in names for n in kwargs):
                if not spec.positional_only or spec.positional_only.isdisjoint(kwargs):
                    return []
        else:
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
    return _all_problems(spec, target, args, kwargs, partial, strict)


def _positional_pass(
    spec: Spec, args: tuple[Any, ...], kwargs: dict[str, Any], partial: bool
) -> bool:
    """The quick path of `bind_problems` for a call with arguments by position: true when it
    surely binds (no ``*args``, nothing given twice, nothing missing) and every value passes
    its parameter's quick test. False sends the call down the full path, which says why."""
    by_position = spec.positional[: len(args)]
    if len(by_position) != len(args) or spec.field_names:
        return False
    if kwargs and not kwargs.keys().isdisjoint(by_position):
        return False
    if not partial:
        for name in spec.required:
            if name not in by_position and name not in kwargs:
                return False
    accepts = spec.accepts
    pairs: Any = zip(by_position, args, strict=False)  # (as long as each other)
    for name, value in chain(pairs, kwargs.items()) if kwargs else pairs:
        quick: Any = accepts.get(name, _NO_QUICK_TEST)
        if quick is None:
            continue
        if type(quick) is tuple:
            if isinstance(value, quick):
                continue
            return False
        if quick is _NO_QUICK_TEST or not quick(value):
            return False
    return True


def _all_problems(
    spec: Spec,
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    partial: bool,
    strict: bool,
) -> list[Problem]:
    """`bind_problems` past its quick path: every problem, in the order the call reads."""
    names = spec.names
    assert names is not None  # bind_problems returned at once for an unknown signature
    checkers = spec.checkers if strict else {}
    problems = _positional_problems(spec, args, kwargs, checkers, strict)
    by_position = spec.positional[: len(args)]
    var_keyword_check = spec.var_keyword_check if strict else None
    for name, value in kwargs.items():
        if name in spec.positional_only and not (name in by_position and spec.var_keyword):
            if name not in by_position:
                text = "positional-only parameter passed by keyword; pass it by position"
                problems.append(Problem(name, POSITIONAL_KIND, "", text, argument=name))
            continue
        if name not in names or name in spec.positional_only:  # the latter: **kwargs
            if not spec.var_keyword:
                problems.append(_unexpected(target, name, names))
                continue
            check = var_keyword_check
        else:
            check = checkers.get(name)
        if check is not None:
            verdict = check(value)
            if verdict:
                problems.append(_type_problem(name, verdict))
    for alias, field in spec.field_names.items():
        if alias in kwargs and field in kwargs:
            text = f"given both by name and by its alias {alias!r}; keep one"
            problems.append(Problem(field, TWICE_KIND, "", text, argument=field))
    if not partial:
        for name in spec.required:
            if name not in kwargs and name not in by_position:
                if spec.field_names.get(name) not in kwargs:
                    problems.append(Problem(name, UNBOUND_KIND, "", _MISSING, argument=name))
    return problems


_MISSING = "missing required argument"


def _positional_problems(
    spec: Spec,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    checkers: dict[str, Checker],
    strict: bool,
) -> list[Problem]:
    """The problems of the arguments given by position."""
    problems: list[Problem] = []
    npos = len(spec.positional)
    if len(args) > npos and not spec.var_positional:
        text = (
            f"takes {npos} positional argument{'s' * (npos != 1)} "
            f"({', '.join(spec.positional) or 'none'}) but {len(args)} were given"
        )
        problems.append(Problem("", POSITIONAL_KIND, "", text))
    for name, value in zip(spec.positional, args, strict=False):
        if name in kwargs and not (name in spec.positional_only and spec.var_keyword):
            text = "given both by position and by keyword"
            problems.append(Problem(name, TWICE_KIND, "", text, argument=name))
        check = checkers.get(name)
        if check is not None:
            verdict = check(value)
            if verdict:
                problems.append(_type_problem(name, verdict))
    var_positional_check = spec.var_positional_check if strict else None
    if var_positional_check is not None:
        for i in range(npos, len(args)):
            verdict = var_positional_check(args[i])
            if verdict:
                problems.append(_type_problem(i, verdict))
    return problems


def _unexpected(target: Any, name: str, names: frozenset[str]) -> Problem:
    """A keyword the target does not take: the new name when it was renamed, else the nearest."""
    hint = renamed_hint(target, name) or did_you_mean(name, names)
    return Problem(name, UNEXPECTED_KIND, "", f"unexpected keyword argument{hint}", argument=name)


def _type_problem(argument: str | int, verdict: str) -> Problem:
    """A checker's verdict on an argument (its name, or the index of a ``*args`` item) as a
    record. A verdict on an item inside starts with the item's place (``[1]: expected int``),
    which continues the argument's path (``hidden[1]``)."""
    path = argument if type(argument) is str else f"{ARGS_KEY}[{argument}]"
    if verdict[:1] in "[.":
        inside, _, verdict = verdict.partition(": ")
        path += inside
    return Problem(path, TYPE_KIND, "", verdict, argument=argument)
