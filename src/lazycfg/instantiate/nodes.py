"""Planning a `Lazy` node, and what a config dict's call shares with it: its flags and the
queueing of its arguments (children to build, or raw configuration for a non-recursive call).
Part of `lazycfg.instantiate.plan`."""

from __future__ import annotations

from typing import Any

from lazycfg.core.node import ARGS_KEY, Lazy, Place
from lazycfg.instantiate.bind import bind
from lazycfg.instantiate.engine import (
    CONVERT,
    MISSING,
    PARTIAL,
    RECURSIVE,
    STATIC,
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
    ArgsList,
    CallStep,
    Children,
    RawStep,
    Walk,
    children,
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


_new = object.__new__
_NO_KIDS: Any = ()  # a call with nothing to fill has no lists


def visit_lazy(walk: Walk, node: Lazy[Any], at: Children, slot: Any, path: Place) -> None:
    """A lazy node at ``slot`` of ``at``, called with its own args and kwargs when they hold
    only leaves (copies otherwise); nodes made by lazy()/partial() were bound when defined. A
    node without children is closed at once (post-order puts it here)."""
    mode, rec = at.mode, at.recursive
    meta = node._lazy_meta
    check = True
    if meta is not None:
        if meta.options:
            mode, rec, _ = flags(walk, meta.options, path, mode, rec, False)
        check = not meta.checked
    part = node._lazy_partial
    fn, written, problem = lazy_target(node, walk.policy)  # cached on the policy
    if problem is not None or written in DISCOVERY_TARGETS:
        problem = _target_problem(walk, node, part, fn, written, problem, path)
    how = CHECK if check and fn is not None and not problem else 0
    if at.is_root and walk.call_args:  # bound against the call's args (unless refused)
        how = CALL_ARGS | (CHECK if fn is not None and not problem else 0)
    args, kwargs = node._lazy_args, node._lazy_kwargs
    leaves = True  # (a loop: faster than a set test of the types on a few arguments)
    for value in args:
        if type(value) not in STATIC:
            leaves = False
            break
    if leaves and kwargs:
        for value in kwargs.values():
            if type(value) not in STATIC:
                leaves = False
                break
    named = positional = None
    if not leaves:
        args, kwargs, named, positional = _lazy_arguments(walk, node, part, path)
    fill = named or positional  # (no lists where nothing is filled)
    step = _new(CallStep)  # made inline (see `steps._new`): the lazy-tree hot path
    step.fn = fn
    step.args = args
    step.kwargs = kwargs
    step.arg_kids = [] if fill else _NO_KIDS
    step.kwarg_kids = [] if fill else _NO_KIDS
    step.partial = part
    step.path = path
    step.written = written
    step.how = how
    step.mode = mode
    at.kids.append((slot, step))
    walk.seen[id(node)] = step
    if how & CHECK and not walk.strict:  # strict: bound when closed, with argument views
        bind(walk, step)
    if fill or walk.strict:  # closed when popped (strict: to bind it with its views)
        walk.work.append(step)
        if fill:
            queue_arguments(walk, step, named, positional, path, mode, rec)
    else:  # closed now
        step.result = len(walk.steps)
        walk.steps.append(step)


def _target_problem(
    walk: Walk, node: Lazy[Any], part: Any, fn: Any, written: str, problem: Any, path: Place
) -> Any:
    """The final verdict on a node's target (`call_problem`), recorded when there is one."""
    problem = call_problem(node, part, fn, written, problem, walk.policy)
    if problem:
        walk.problems.append(problem_at(path, problem))
    return problem


def _lazy_arguments(
    walk: Walk, node: Lazy[Any], part: Any, path: Place
) -> tuple[Any, dict[str, Any], list[tuple[Any, Any]], list[tuple[Any, Any]]]:
    """A node's (args, kwargs, keyword and positional arguments to queue as (key or index,
    value)): its own tuple and dict when they hold only leaves, copies to fill otherwise; a
    ``???`` left out (a problem unless it is a partial's)."""
    kwargs: dict[str, Any] = node._lazy_kwargs
    args: Any = node._lazy_args
    named: list[tuple[Any, Any]] = []
    positional: list[tuple[Any, Any]] = []
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
        named.append((key, value))
    if missing:
        kwargs = _without_missing(walk, kwargs, part, path)
    elif named:
        kwargs = dict(kwargs)  # filled with the built values when run
    for key, _ in named:
        kwargs[key] = None  # (a program holds no child: a kept one would keep it alive)
    if args:
        for index, value in enumerate(args):
            kind = type(value)
            if kind in STATIC:
                continue
            if kind is not str or value == MISSING or not resolved and "${" in value:
                positional.append((index, value))
        if positional:
            args = list(args)
            for index, _ in positional:
                args[index] = None
    return args, kwargs, named, positional


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
    walk: Walk,
    step: CallStep,
    named: Any,
    positional: Any,
    path: Place,
    mode: str,
    rec: Any,
) -> None:
    """Queue a call's arguments that are not leaves, ``named`` (key, value) then
    ``positional`` (index, value): children to build, or raw configuration for a
    non-recursive call. A config's ``_args_`` list is a list to unpack."""
    work = walk.work
    if not rec:
        walk.frozen = None  # handed unbuilt, so read when run: not cached
        for kids, pending in ((step.arg_kids, positional), (step.kwarg_kids, named)):
            if not pending:
                continue
            if not walk.resolved and any(holds_interpolation(v) for _, v in pending):
                raise NeedsOmegaConf  # passed unbuilt, but resolved first, as Hydra does
            for key, value in reversed(pending):  # (popped: the first one first)
                raw = RawStep(value, mode)
                kids.append((key, raw))
                work.append(raw)
        return
    if positional:  # (under the named ones: visited after them)
        positional.reverse()
        work.append(children(positional, step.arg_kids, (path, ARGS_KEY), mode, rec))
    if named:
        named.reverse()
        if ARGS_KEY in step.kwargs:  # an ``_args_`` list: a list to unpack
            named = [
                (key, ArgsList(value)) if key == ARGS_KEY and type(value) in (list, tuple)
                else (key, value)
                for key, value in named
            ]  # fmt: skip
        work.append(children(named, step.kwarg_kids, path, mode, rec))
