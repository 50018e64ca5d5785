"""Problems found before anything is built, as records, and the messages they carry.

A `Problem` is where (the config path), what kind, Hydra's own message for it (what
``hydra.utils.instantiate`` would raise, so code matching Hydra's text matches lazycfg's) and
lazycfg's detail after it (the cause, did-you-mean, how to fix it). `check_failed` turns all the
problems of a tree into one error.

Config paths are the walk's `lazycfg.core.node.Place`: linked lists ``(parent, key)``, None at
the root, one tuple per child (a 10,000-deep chain costs linear time), spelled for messages only.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from lazycfg.check.signature import bind_problems
from lazycfg.core.node import ARGS_KEY, Place, format_place
from lazycfg.core.problems import (
    ARGS_KIND,
    BINDING_KIND,
    FLAG_KIND,
    INTERPOLATION_KIND,
    MISSING_KIND,
    POLICY_KIND,
    TARGET_KIND,
    UNBOUND_KIND,
    VALUE_KIND,
    Problem,
)

__all__ = [  # the record and its kinds live in the core; the engine imports them from here
    "ARGS_KIND",
    "BINDING_KIND",
    "FLAG_KIND",
    "INTERPOLATION_KIND",
    "MISSING_KIND",
    "POLICY_KIND",
    "TARGET_KIND",
    "UNBOUND_KIND",
    "VALUE_KIND",
    "Problem",
]


def callable_name(fn: Any) -> str:
    """``module.qualname``, the name Hydra shows for a callable target."""
    if callable(fn) and hasattr(fn, "__qualname__"):
        # a method descriptor (``builtins.list.append``) has its class's module, not its own
        module = getattr(fn, "__module__", None)
        if module is None:
            module = getattr(getattr(fn, "__objclass__", None), "__module__", None)
        return f"{module}.{fn.__qualname__}"
    return repr(fn)


def where(path: Place) -> str:
    """A problem's config path: ``model.layers[0]``, or ``""`` at the root."""
    return format_place(path) if path else ""


# A verdict on one target or value, before it has a path: (kind, Hydra's message, detail),
# and for a failed import the exception Hydra chains.
Verdict: TypeAlias = "tuple[Any, ...]"


def problem_at(path: Place, verdict: Verdict) -> Problem:
    kind, message, detail, *cause = verdict
    return Problem(where(path), kind, message, detail, cause=cause[0] if cause else None)


def policy_verdict(reason: str | None) -> Verdict | None:
    return None if reason is None else (POLICY_KIND, reason, "")


def missing_problem(path: Place) -> Problem:
    """A ``???`` value the construction needs, with the message OmegaConf gives Hydra."""
    key = path[1] if path else None
    at = where(path)
    if type(key) is int:
        message = f"Missing value at index {key}"
    else:
        message = f"Missing mandatory value: {at}"
    return Problem(at, MISSING_KIND, message, "missing mandatory value (???)")


def flag_problem(path: Place, flag: str, value: Any) -> Problem:
    name = flag.strip("_")
    return Problem(
        where(path),
        FLAG_KIND,
        f"Instantiation: {flag} flag must be a bool, got {type(value)}",
        f"set {flag} to true or false ({name})",
    )


def args_problem(path: Place, value: Any) -> Problem:
    return Problem(
        where(path),
        ARGS_KIND,
        f"Unsupported _args_ type: '{type(value).__name__}'. value: '{value}'",
        "give _args_ as a list",
    )


def check_failed(problems: list[Problem]) -> Exception:
    """The one error for everything the check pass found (nothing was built). Its type is also
    the OmegaConf error Hydra raises first: an interpolation's, else a ``???`` value's."""
    from lazycfg.instantiate import errors

    unset = {p.path for p in problems if p.kind == MISSING_KIND}
    if unset:
        # A ``???`` argument is left out of the call it belongs to, so binding that call also
        # finds the argument missing: one problem, reported once, as the ``???``.
        problems = [p for p in problems if not (p.kind == UNBOUND_KIND and p.path in unset)]
    causes = [p.cause for p in problems if p.kind == INTERPOLATION_KIND]
    kind: type[errors.InstantiateCheckError] = errors.InstantiateCheckError
    if causes:
        kind = errors.InterpolationProblemError
        if all(isinstance(c, errors.InterpolationKeyError) for c in causes):
            kind = errors.MissingKeyInterpolationError
    elif unset:
        kind = errors.MissingValuesError
    count = len(problems)
    error = kind(
        problems, f"cannot instantiate: {count} problem{'s' * (count != 1)}, nothing was built"
    )
    error.__cause__ = next((p.cause for p in problems if p.cause is not None), None)
    return error


def bind_messages(
    fn: Any,
    args: tuple[Any, ...],
    kwargs: dict[Any, Any],
    partial: bool,
    path: Place,
    strict: bool = False,
) -> list[Problem]:
    """`bind_problems` of one call as problems at their config paths. Not ``strict``: only
    what is certain to fail when the target is called (Hydra builds a value whose type does
    not match its annotation, and a partial's arguments are checked when it is called)."""
    node = where(path)
    out: list[Problem] = []
    for key in kwargs:
        if type(key) is not str:
            text = f"argument name {key!r} is not a string; keyword arguments must be strings"
            out.append(_call_problem(fn, partial, node, BINDING_KIND, text))
    if out:
        kwargs = {k: v for k, v in kwargs.items() if type(k) is str}
    if partial and not strict:
        return out
    for found in bind_problems(fn, args, kwargs, partial=partial, strict=strict):
        kind = UNBOUND_KIND if found.kind == UNBOUND_KIND else BINDING_KIND
        argument = found.argument
        if argument is None or found.path != _path_of(argument):
            # about the whole call, or an item inside an argument: at the node, said in full
            at, text = node, str(found)
        elif type(argument) is int:  # an item of ``*args``: ``_args_[1]`` at the node's path
            at, text = where(((path, ARGS_KEY), argument)), found.detail
        else:
            at, text = where((path, argument)), found.detail
        out.append(_call_problem(fn, partial, node, kind, text, at))
    return out


def _path_of(argument: str | int) -> str:
    return f"{ARGS_KEY}[{argument}]" if type(argument) is int else str(argument)


def _call_problem(
    fn: Any, partial: bool, node: str, kind: str, text: str, at: str | None = None
) -> Problem:
    """A binding problem: Hydra's message for the failed call it predicts, then lazycfg's."""
    name = callable_name(fn)
    at = node if at is None else at
    short = at.rpartition(".")[2] if at != node else ""
    error = TypeError(f"{short}: {text}" if short else text)
    if partial:
        message = f"Error in creating partial({name}, ...) object:\n{error!r}"
    else:
        message = f"Error in call to target '{name}':\n{error!r}"
    return Problem(at, kind, message, text, node)
