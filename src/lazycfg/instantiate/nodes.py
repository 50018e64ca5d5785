"""Planning a `Lazy` node, and what a config dict's call shares with it: its flags and the
queueing of its arguments (children to build, or raw configuration for a non-recursive call).
Part of `lazycfg.instantiate.plan`."""

from __future__ import annotations

from typing import Any

from lazycfg.core.node import ARGS_KEY, Lazy, Place
from lazycfg.instantiate.bind import bind
from lazycfg.instantiate.containers import args_list
from lazycfg.instantiate.engine import (
    CONVERT,
    MISSING,
    PARTIAL,
    RECURSIVE,
    NeedsOmegaConf,
    call_problem,
    convert_mode,
    holds_interpolation,
    lazy_target,
)
from lazycfg.instantiate.problems import (
    flag_problem,
    missing_problem,
    problem_at,
)
from lazycfg.instantiate.steps import (
    CALL_ARGS,
    CHECK,
    STATIC,
    CallStep,
    Pending,
    RawStep,
    Walk,
    new,
)
from lazycfg.safety.policy import DISCOVERY_TARGETS


def flags(walk: Walk, fields: Any, path: Place, mode: str, rec: Any, part: Any) -> tuple:
    """A dict's own flags over the inherited ones, with Hydra's checks of their types."""
    if CONVERT in fields:
        mode = convert_mode(fields[CONVERT])
    if RECURSIVE in fields:
        rec = fields[RECURSIVE]
    if PARTIAL in fields:
        part = fields[PARTIAL]
    problems = walk.problems
    if type(rec) is not bool:
        problems.append(flag_problem(path, RECURSIVE, rec))
        rec = True
    if type(part) is not bool:
        problems.append(flag_problem(path, PARTIAL, part))
        part = False
    return mode, rec, part


def visit_lazy(walk: Walk, item: Pending) -> None:
    """A lazy node (``item`` is its work item), called with its own args and kwargs when they
    hold only leaves (copies otherwise); nodes made by lazy()/partial() were bound when
    defined. A node without children is closed at once (post-order puts it here)."""
    node, parent_kids, slot, path, mode, rec, _, is_root = item
    meta = node._lazy_meta
    check = True
    if meta is not None:
        options = meta.options
        if options:
            mode, rec, _ = flags(walk, options, path, mode, rec, False)
        check = not meta.checked
    if is_root and walk.call_args:
        check = True
    part = node._lazy_partial
    fn, written, problem = lazy_target(node, walk.policy)  # cached on the policy
    if problem is not None or written in DISCOVERY_TARGETS:
        problem = call_problem(node, part, fn, written, problem, walk.policy)
        if problem:
            walk.problems.append(problem_at(path, problem))
            check = False  # a refused target's call is not bound: its problem is the target
    args = node._lazy_args
    kwargs = node._lazy_kwargs
    if (not args or _LEAVES(map(type, args))) and (
        not kwargs or _LEAVES(map(type, kwargs.values()))
    ):
        pending = None
    else:
        args, kwargs, pending = _lazy_arguments(walk, node, part, path)
    how = CHECK if check and fn is not None else 0
    if is_root and walk.call_args:
        how |= CALL_ARGS
    arg_kids, kwarg_kids = ([], []) if pending else ((), ())  # (nothing to fill: no lists)
    step = CallStep(fn, args, kwargs, arg_kids, kwarg_kids, part, path, written, how, mode)
    parent_kids.append((slot, step))
    walk.seen[id(node)] = step
    if how & CHECK and not walk.strict:  # strict: bound when closed, with argument views
        bind(walk, step)
    if not pending:
        _close_leaf(walk, step)
        return
    work = walk.work
    work.append(step)
    if not rec:
        queue_arguments(walk, step, pending, path, mode, rec)
        return
    for key, value in reversed(pending):  # (inline: this is the lazy-tree hot path)
        if type(key) is tuple:
            index = key[1]
            child_path = ((path, ARGS_KEY), index)
            work.append(new(Pending, (value, arg_kids, index, child_path, mode, rec, False, False)))
        else:
            work.append(
                new(Pending, (value, kwarg_kids, key, (path, key), mode, rec, False, False))
            )


def _close_leaf(walk: Walk, step: CallStep) -> None:
    """Close a call without children now (strict: when popped, to bind it with its views)."""
    if walk.strict:
        walk.work.append(step)
    else:
        steps = walk.steps
        step.result = len(steps)
        steps.append(step)


# True when every type is a leaf type that needs no check (numbers, None, bytes)
_LEAVES = STATIC.issuperset


def _lazy_arguments(
    walk: Walk, node: Lazy[Any], part: Any, path: Place
) -> tuple[Any, dict[str, Any], list[tuple[Any, Any]]]:
    """A node's (args, kwargs, arguments to queue): its own tuple and dict when they hold only
    leaves, copies to fill otherwise; a ``???`` left out (a problem unless it is a partial's)."""
    kwargs: dict[str, Any] = node._lazy_kwargs
    args: Any = node._lazy_args
    pending: list[tuple[Any, Any]] = []
    resolved = walk.resolved
    missing = False
    for key, value in kwargs.items():
        kind = type(value)
        if kind in STATIC:
            continue
        if kind is str:
            if value == MISSING:
                missing = True
            elif not resolved and "${" in value:
                raise NeedsOmegaConf
            continue
        pending.append((key, value))
    if missing:
        kwargs = _without_missing(walk, kwargs, part, path)
    elif pending:
        kwargs = dict(kwargs)  # filled with the built values when run
    for key, _ in pending:
        kwargs[key] = None  # (a program holds no child: a kept one would keep it alive)
    if args:
        positional = len(pending)
        for index, value in enumerate(args):
            kind = type(value)
            if kind in STATIC:
                continue
            if kind is not str or value == MISSING or not resolved and "${" in value:
                pending.append(((ARGS_KEY, index), value))
        if len(pending) > positional:
            args = list(args)
            for key, _ in pending[positional:]:
                args[key[1]] = None
    return args, kwargs, pending


def _without_missing(walk: Walk, kwargs: dict[str, Any], part: Any, path: Place) -> dict[str, Any]:
    """A node's kwargs without its ``???`` values, each a problem unless the node is a partial
    (Hydra leaves a missing argument of a partial to its caller)."""
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if type(value) is str and value == MISSING:
            if not part:
                walk.problems.append(missing_problem((path, key)))
        else:
            out[key] = value
    return out


def queue_arguments(
    walk: Walk, step: CallStep, pending: list[tuple[Any, Any]], path: Place, mode: str, rec: Any
) -> None:
    """Queue a call's arguments that are not leaves: children to build, or raw configuration
    for a non-recursive call. A positional argument's slot is ``(ARGS_KEY, index)``."""
    arg_kids, kwarg_kids = step.arg_kids, step.kwarg_kids
    work = walk.work
    if not rec:
        walk.frozen = None  # handed unbuilt, so read when run: not cached
        if not walk.resolved and any(holds_interpolation(v) for _, v in pending):
            raise NeedsOmegaConf  # passed unbuilt, but resolved first, as Hydra does
        for key, value in reversed(pending):
            kids, key = (arg_kids, key[1]) if type(key) is tuple else (kwarg_kids, key)
            raw = RawStep(value, mode)
            kids.append((key, raw))
            work.append(raw)
        return
    for key, value in reversed(pending):
        if type(key) is tuple:  # a positional argument of a lazy node
            child_path = ((path, ARGS_KEY), key[1])
            work.append(
                new(Pending, (value, arg_kids, key[1], child_path, mode, rec, False, False))
            )
        elif key == ARGS_KEY and type(value) in (list, tuple):
            args_list(walk, value, kwarg_kids, (path, key), mode, rec)
        else:
            work.append(
                new(Pending, (value, kwarg_kids, key, (path, key), mode, rec, False, False))
            )
