"""The planner of `lazycfg.instantiate`: check the whole tree, compile one program.

`plan` walks any config once, top-down with an explicit stack (no recursion limit), carrying
Hydra's inherited flags (``_recursive_``, ``_convert_``). The tree may hold plain dicts, lists
and tuples (Hydra configs), `Lazy` nodes, and structured ``DictConfig`` nodes (read key by key,
their ``object_type`` kept). Every target is resolved and judged by the safety policy, every call
is bound against its target's signature and every needed ``???`` is recorded: all problems are
collected as `Problem` records before anything is built.

The program is the list of steps in post-order (first argument first), each a record of its
kind (`lazycfg.instantiate.steps`) that `lazycfg.instantiate.run` runs. What makes it fast is in the plan:

- leaves (numbers, strings, None) are put straight into their parent's argument dict or
  container, so a node whose arguments are leaves is one step;
- binding is checked once per call shape (target, partial, argument names, positional count) and
  the verdict cached; nodes made by `lazycfg.lazy` were bound when they were defined;
- a `Lazy` node reached twice is one step, built once and shared.

A string holding ``${`` in a tree that is not resolved raises `NeedsOmegaConf` before anything is
built: the caller resolves the tree with OmegaConf and plans it again.
"""

from __future__ import annotations

from typing import Any

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import ARGS_KEY, Lazy, Place, format_place
from lazycfg.emit import renames
from lazycfg.instantiate.bind import bind, close_view
from lazycfg.instantiate.containers import plan_container
from lazycfg.instantiate.engine import (
    MISSING,
    NOT_ARGUMENTS,
    STATIC,
    TARGET,
    NeedsOmegaConf,
    call_problem,
    freeze,
    is_omega,
    judge_target,
    object_problem,
)
from lazycfg.instantiate.nodes import flags, queue_arguments, visit_lazy
from lazycfg.instantiate.problems import (
    BINDING_KIND,
    INTERPOLATION_KIND,
    Problem,
    args_problem,
    missing_problem,
    problem_at,
    where,
)
from lazycfg.instantiate.steps import (
    ARGS_LIST,
    ARGS_SLOT,
    CALL_ARGS,
    CHECK,
    ROOT_FLAGS,
    ArgsList,
    CallStep,
    Children,
    Program,
    ValueStep,
    Walk,
    children,
)
from lazycfg.safety.policy import DISCOVERY_TARGETS, Policy

_new = object.__new__
_NO_KIDS: Any = ()  # (as in `visit_lazy`: a call with nothing to fill has no lists)


def plan(
    root: Any,
    policy: Policy,
    mode: str,
    recursive: Any,
    partial: Any,
    call_args: tuple[Any, ...] = (),
    python: bool = False,
    resolved: bool = False,
    strict: bool = False,
) -> Program:
    """Check ``root`` whole and compile it; see the module docstring.

    ``mode``/``recursive``/``partial``: the root's flags (already taken out of a root dict).
    ``python``: the tree is Python (lazy nodes), so tuples stay tuples. ``resolved``: its
    interpolations are already resolved. ``strict``: values are checked against annotations.
    """
    walk = Walk(policy, call_args, python, resolved, strict)
    if type(recursive) is not bool or type(partial) is not bool:  # the root's, from the call
        mode, recursive, partial = flags(walk, {}, None, mode, recursive, partial)
    _visit(walk, root, children([], [], None, mode, recursive, partial, True), None, None)
    work = walk.work
    steps = walk.steps
    seen = walk.seen
    pop = work.pop
    while work:
        item = work[-1]
        if type(item) is not Children:  # a step whose children are all closed: close it
            pop()
            if strict:
                close_view(item)
                if type(item) is CallStep and item.how & CHECK:
                    bind(walk, item)
            item.result = len(steps)  # its result's index when run
            steps.append(item)
            continue
        pairs = item.pairs
        if not pairs:  # every child visited (the parent's step is next on the stack)
            pop()
            continue
        slot, value = pairs.pop()
        kind = type(value)
        if kind is Lazy:  # the lazy-tree fast path (a subclass goes through _visit)
            shared = seen.get(id(value))
            if shared is not None:
                item.kids.append((slot, shared))
            else:
                visit_lazy(walk, value, item, slot, (item.path, slot))
        elif kind is dict:  # a config dict's fast path (`_visit`'s first case)
            _visit_dict(walk, value, None, item, slot, (item.path, slot))
        else:
            _visit(walk, value, item, slot, (item.path, slot))
    return walk


def _visit(walk: Walk, value: Any, at: Children, slot: Any, path: Place) -> None:
    """Plan one value of ``at`` (its parent's children) at ``slot``."""
    kind = type(value)
    if kind is dict:
        _visit_dict(walk, value, None, at, slot, path)
    elif kind is list or kind is tuple:
        plan_container(walk, at, slot, path, at.mode, at.recursive, value, enumerate(value), kind)
    elif isinstance(value, Lazy):
        shared = walk.seen.get(id(value))
        if shared is not None:
            at.kids.append((slot, shared))
        else:
            visit_lazy(walk, value, at, slot, path)
    elif is_omega(value):
        walk.frozen = None  # an OmegaConf node may change: not cached
        if value._is_none():
            at.kids.append((slot, value_step(walk, None)))
        elif hasattr(value, "keys"):
            items, object_type = _omega_items(walk, value, path)
            _visit_dict(walk, items, object_type, at, slot, path)
        else:
            items, _ = _omega_items(walk, value, path)
            plan_container(
                walk, at, slot, path, at.mode, at.recursive, None, enumerate(items.values()), list
            )
    elif kind is ArgsList:  # a config's ``_args_`` list, unpacked as Hydra unpacks it
        value = value.value
        plan_container(
            walk, at, slot, path, at.mode, at.recursive, value, enumerate(value), ARGS_LIST
        )
    else:  # a leaf the parent could not put inline: ``???``, an interpolation, an object
        at.kids.append((slot, _leaf(walk, value, path)))


def _leaf(walk: Walk, value: Any, path: Place) -> ValueStep:
    if type(value) is str:
        if value == MISSING:
            walk.problems.append(missing_problem(path))
        elif not walk.resolved and "${" in value:
            raise NeedsOmegaConf
    elif type(value) not in STATIC:
        problem = object_problem(value, walk.policy, walk.resolved)
        if problem:
            walk.problems.append(problem_at(path, problem))
    return value_step(walk, value)


def value_step(walk: Walk, value: Any) -> ValueStep:
    """A leaf that is a step of its own, closed at once (it has no children)."""
    steps = walk.steps
    step = ValueStep(value, len(steps))
    steps.append(step)
    return step


def _omega_items(walk: Walk, value: Any, path: Place) -> tuple[dict[Any, Any], Any]:
    """A DictConfig/ListConfig's (key -> value) and object_type; ``???`` kept as the string,
    containers kept as nodes (read when visited), a failing interpolation a problem."""
    from omegaconf.errors import OmegaConfBaseException

    out: dict[Any, Any] = {}
    keys = list(value.keys()) if hasattr(value, "keys") else range(len(value))
    for key in keys:
        child = value._get_node(key)
        if child._is_missing():
            out[key] = MISSING
        elif child._is_none():
            out[key] = None
        elif hasattr(child, "_get_node") and not child._is_interpolation():
            out[key] = child
        else:
            try:
                out[key] = value[key]
            except OmegaConfBaseException as exc:
                walk.problems.append(
                    Problem(where((path, key)), INTERPOLATION_KIND, str(exc), cause=exc)
                )
                out[key] = None
    return out, getattr(value._metadata, "object_type", None)


def _visit_dict(
    walk: Walk, fields: dict[Any, Any], object_type: Any, at: Children, slot: Any, path: Place
) -> None:
    """A config dict (or a DictConfig's items, with its ``object_type``): a call when it has
    a ``_target_``, else a container."""
    mode, rec, part = at.mode, at.recursive, at.partial
    if at.is_root:  # the root's flags came with the call (Hydra pops them from the root)
        if not ROOT_FLAGS.isdisjoint(fields):
            fields = {k: v for k, v in fields.items() if k not in ROOT_FLAGS}
    elif not ROOT_FLAGS.isdisjoint(fields):
        mode, rec, part = flags(walk, fields, path, mode, rec, part)
    if walk.frozen is not None and type(fields) is dict:
        walk.frozen.append(freeze(fields))
    if TARGET not in fields:
        plan_container(walk, at, slot, path, mode, rec, fields, fields.items(), dict, object_type)
        return
    target = fields[TARGET]
    if type(target) is str:  # a string's verdict is cached on the policy, as a lazy node's
        try:
            fn, written, problem = walk.targets[target]
        except KeyError:
            verdict = judge_target(target, walk.policy)
            fn, written, problem = walk.policy.keep_target(target, verdict)
    else:
        fn, written, problem = judge_target(target, walk.policy)
    if problem is not None or written in DISCOVERY_TARGETS:
        problem = call_problem(fields, part, fn, written, problem, walk.policy)
        if problem:
            walk.problems.append(problem_at(path, problem))
    if not problem and fn is not None and renames.declared():
        fields = _renamed(walk, fn, fields, path)
    # A refused target's call is not bound: its problem is the target.
    _call(walk, fn, written, fields, at, slot, path, part, mode, rec, not problem)


def _renamed(walk: Walk, fn: Any, fields: dict[Any, Any], path: Place) -> dict[Any, Any]:
    """Old argument names read under their new ones (`lazycfg.renamed`), with a warning; a
    config giving both names is a problem of this node."""
    try:
        return renames.apply_renames(fn, fields, lambda: format_place(path))
    except ConfigError as exc:
        walk.problems.append(problem_at(path, (BINDING_KIND, str(exc.problems[0]), "")))
        return fields


def _call(
    walk: Walk,
    fn: Any,
    written: str,
    fields: dict[Any, Any],
    at: Children,
    slot: Any,
    path: Place,
    part: Any,
    mode: str,
    rec: Any,
    check: bool,
) -> None:
    """Plan a config dict's call: leaves inline, other arguments queued as children; the
    dict's flags are skipped and ``_args_`` stays among the kwargs, as in Hydra."""
    kwargs: dict[Any, Any] = {}
    pending: list[tuple[Any, Any]] = []
    resolved = walk.resolved
    for key, value in fields.items():
        if key in NOT_ARGUMENTS:
            continue
        kind = type(value)
        if kind is str:
            if value == MISSING:
                if not part:  # Hydra leaves a missing argument of a partial to its caller
                    walk.problems.append(missing_problem((path, key)))
                continue
            if not resolved and "${" in value:
                raise NeedsOmegaConf
        elif kind not in STATIC:
            pending.append((key, value))
        kwargs[key] = value
    how = CHECK if check and fn is not None else 0
    if ARGS_KEY in kwargs:
        how |= ARGS_SLOT
        raw_args = kwargs[ARGS_KEY]
        if not isinstance(raw_args, list | tuple | str) and not is_omega(raw_args):
            walk.problems.append(args_problem(path, raw_args))
    if at.is_root and walk.call_args:
        how |= CALL_ARGS
    step = _new(CallStep)  # made inline, as in `visit_lazy` (see `steps._new`)
    step.fn = fn
    step.args = ()
    step.kwargs = kwargs
    step.arg_kids = _NO_KIDS  # a config's positional arguments are its _args_ (a kwarg)
    step.kwarg_kids = [] if pending else _NO_KIDS
    step.partial = part
    step.path = path
    step.written = written
    step.how = how
    step.mode = mode
    at.kids.append((slot, step))
    if how & CHECK and not walk.strict:  # strict: bound when closed, with argument views
        bind(walk, step)
    walk.work.append(step)
    if pending:
        queue_arguments(walk, step, pending, [], path, mode, rec)
