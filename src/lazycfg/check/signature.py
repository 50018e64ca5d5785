"""Binding arguments to a target's signature, cached per target.

The first call of a target inspects its signature once and compiles a `Spec`: parameter names,
which are required, and a checker per annotated parameter (`lazycfg.check.checkers`), so a validated
node costs a few microseconds. `bind_problems` lists every problem with one call.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from dataclasses import dataclass
from typing import Any

from lazycfg.check.checkers import (
    Accepts,
    Checker,
    checker_for,
    exact_types,
    fast_accepts,
    numeric_tower,
)
from lazycfg.core.caches import WeakCache
from lazycfg.core.errors import did_you_mean

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
        elif exact_types(annotation):
            accepts[name] = numeric_tower(annotation)  # tested inline with isinstance
        else:
            quick = fast_accepts(annotation)
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


# --- binding -----------------------------------------------------------------------------------

_NO_QUICK_TEST: Any = object()  # a parameter without a quick test: take the full path


def bind_problems(
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    partial: bool,
    strict: bool = True,
) -> list[str]:
    """Every problem with calling ``target(*args, **kwargs)``, as ``argument: problem`` lines.
    ``strict``: values are checked against the annotations too (else only the binding)."""
    spec = spec_of(target)
    if spec.names is None:
        return []
    if not strict:
        checkers: dict[str, Checker] = {}
        var_positional_check = var_keyword_check = None
        if not args and (partial or spec.required_set.issubset(kwargs)):
            names = spec.names
            if spec.var_keyword or all(n in names for n in kwargs):
                if not spec.positional_only or spec.positional_only.isdisjoint(kwargs):
                    return []
    else:
        checkers = spec.checkers
        var_positional_check = spec.var_positional_check
        var_keyword_check = spec.var_keyword_check
    if strict and not args and (partial or spec.required_set.issubset(kwargs)):
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
    positional_only = spec.positional_only
    for name, value in zip(by_position, args, strict=False):
        if name in kwargs and not (name in positional_only and spec.var_keyword):
            problems.append(f"{name}: given both by position and by keyword")
        check = checkers.get(name)
        if check is not None:
            problem = check(value)
            if problem:
                problems.append(_at(name, problem))
    if var_positional_check is not None:
        for i in range(npos, len(args)):
            problem = var_positional_check(args[i])
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
            elif var_keyword_check is not None:
                problem = var_keyword_check(value)
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
