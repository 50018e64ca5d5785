"""The planner of `lazycfg.instantiate`: check the whole tree, compile one program.

`plan` walks any config once, top-down with an explicit stack (no recursion limit), carrying
Hydra's inherited flags (``_recursive_``, ``_convert_``). The tree may hold plain dicts, lists
and tuples (Hydra configs), `Lazy` nodes, and structured ``DictConfig`` nodes (read key by key,
their ``object_type`` kept). Every target is resolved and judged by the safety policy, every call
is bound against its target's signature and every needed ``???`` is recorded: all problems are
collected as `Problem` records before anything is built.

The program is the list of steps in post-order (first argument first), each a list whose last
slot receives the built value (see `lazycfg.instantiate.run`). What makes it fast is in the plan:

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
from lazycfg.core.node import ARGS_KEY, Lazy
from lazycfg.emit import renames
from lazycfg.instantiate.bind import bind, close_view
from lazycfg.instantiate.engine import (
    MISSING,
    NOT_ARGUMENTS,
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
    KeyPath,
    Problem,
    args_problem,
    fmt_path,
    missing_problem,
    problem_at,
    where,
)
from lazycfg.instantiate.steps import (
    ARGS_LIST,
    ARGS_SLOT,
    CALL,
    CALL_ARGS,
    CHECK,
    DICT,
    LIST,
    ROOT_FLAGS,
    STATIC,
    TUPLE,
    VALUE,
    Program,
    Walk,
)
from lazycfg.safety.policy import DISCOVERY_TARGETS, Policy


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
        mode, recursive, partial = flags(walk, {}, (), mode, recursive, partial)
    holder: list[tuple[Any, list[Any]]] = []
    work = walk.work
    work.append((root, holder, None, (), mode, recursive, partial, True))
    steps = walk.steps
    seen = walk.seen
    pop = work.pop
    while work:
        item = pop()
        if type(item) is list:
            if strict:
                close_view(item)
                if item[0] == CALL and item[9] & CHECK:
                    bind(walk, item)
            item[-1] = len(steps)  # its result's index when run
            steps.append(item)
            continue
        value = item[0]
        if type(value) is Lazy:  # the lazy-tree fast path (a subclass goes through _visit)
            shared = seen.get(id(value))
            if shared is not None:
                item[1].append((item[2], shared))
            else:
                visit_lazy(walk, item)
            continue
        _visit(walk, *item)
    return walk


def _visit(
    walk: Walk,
    value: Any,
    parent_kids: list[Any],
    slot: Any,
    path: KeyPath,
    mode: str,
    rec: Any,
    part: Any,
    is_root: bool,
) -> None:
    kind = type(value)
    if kind is dict:
        _visit_dict(walk, value, None, parent_kids, slot, path, mode, rec, part, is_root)
    elif kind is list or kind is tuple:
        _container(walk, LIST, value, enumerate(value), parent_kids, slot, path, mode, rec, kind)
    elif isinstance(value, Lazy):
        shared = walk.seen.get(id(value))
        if shared is not None:
            parent_kids.append((slot, shared))
        else:
            visit_lazy(walk, (value, parent_kids, slot, path, mode, rec, part, is_root))
    elif is_omega(value):
        walk.frozen = None  # an OmegaConf node may change: not cached
        if value._is_none():
            parent_kids.append((slot, value_step(walk, None)))
        elif hasattr(value, "keys"):
            items, object_type = _omega_items(walk, value, path)
            _visit_dict(walk, items, object_type, parent_kids, slot, path, mode, rec, part, is_root)
        else:
            items, _ = _omega_items(walk, value, path)
            pairs = enumerate(items.values())
            _container(walk, LIST, None, pairs, parent_kids, slot, path, mode, rec, list)
    else:  # a leaf the parent could not put inline: ``???``, an interpolation, an object
        parent_kids.append((slot, _leaf(walk, value, path)))


def _leaf(walk: Walk, value: Any, path: KeyPath) -> list[Any]:
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


def value_step(walk: Walk, value: Any) -> list[Any]:
    """A leaf that is a step of its own, closed at once (it has no children)."""
    steps = walk.steps
    step = [VALUE, value, len(steps)]
    steps.append(step)
    return step


def _omega_items(walk: Walk, value: Any, path: KeyPath) -> tuple[dict[Any, Any], Any]:
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
    walk: Walk,
    fields: dict[Any, Any],
    object_type: Any,
    parent_kids: list[Any],
    slot: Any,
    path: KeyPath,
    mode: str,
    rec: Any,
    part: Any,
    is_root: bool,
) -> None:
    if is_root:  # the root's flags came with the call (Hydra pops them from the root)
        if not ROOT_FLAGS.isdisjoint(fields):
            fields = {k: v for k, v in fields.items() if k not in ROOT_FLAGS}
    elif not ROOT_FLAGS.isdisjoint(fields):
        mode, rec, part = flags(walk, fields, path, mode, rec, part)
    if walk.frozen is not None and type(fields) is dict:
        walk.frozen.append(freeze(fields))
    if TARGET not in fields:
        _container(
            walk, DICT, fields, fields.items(), parent_kids, slot, path, mode, rec, object_type
        )
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
    _call(walk, fn, written, fields, parent_kids, slot, path, mode, rec, part, is_root, not problem)


def _renamed(walk: Walk, fn: Any, fields: dict[Any, Any], path: KeyPath) -> dict[Any, Any]:
    """Old argument names read under their new ones (`lazycfg.renamed`), with a warning; a
    config giving both names is a problem of this node."""
    try:
        return renames.apply_renames(fn, fields, lambda: fmt_path(path))
    except ConfigError as exc:
        walk.problems.append(problem_at(path, (BINDING_KIND, str(exc.problems[0]), "")))
        return fields


def _call(
    walk: Walk,
    fn: Any,
    written: str,
    fields: dict[Any, Any],
    parent_kids: list[Any],
    slot: Any,
    path: KeyPath,
    mode: str,
    rec: Any,
    part: Any,
    is_root: bool,
    check: bool,
) -> list[Any]:
    """Plan a config dict's call: leaves inline, other arguments queued as children (or raw);
    the dict's flags are skipped and ``_args_`` stays among the kwargs, as in Hydra."""
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
    if is_root and walk.call_args:
        how |= CALL_ARGS
    step = [CALL, fn, (), kwargs, [], [], part, path, written, how, mode, None, None]
    parent_kids.append((slot, step))
    if how & CHECK and not walk.strict:  # strict: bound when closed, with argument views
        bind(walk, step)
    work = walk.work
    work.append(step)
    if pending:
        queue_arguments(walk, step, pending, path, mode, rec)
    return step


def args_list(walk: Walk, value: Any, kids: list[Any], path: KeyPath, mode: str, rec: Any) -> None:
    """A config's ``_args_`` list: a list step marked so it is unpacked as Hydra unpacks it."""
    _container(walk, LIST, value, enumerate(value), kids, ARGS_KEY, path, mode, rec, ARGS_LIST)


def _container(
    walk: Walk,
    code: int,
    source: Any,
    pairs: Any,
    parent_kids: list[Any],
    slot: Any,
    path: KeyPath,
    mode: str,
    rec: Any,
    extra: Any,
) -> None:
    """A dict without ``_target_`` or a list: leaves inline, the rest queued as children.
    ``extra`` is the dict's object_type, or the list's kind (or `ARGS_LIST`)."""
    if type(source) is list and walk.frozen is not None:
        walk.frozen.append(freeze(source))
    kids: list[tuple[Any, list[Any]]] = []
    values: Any = {} if code == DICT else []
    pending: list[tuple[Any, Any]] = []
    for key, value in pairs:
        kind = type(value)
        if kind is str:
            if value == MISSING:
                pending.append((key, value))
            elif not walk.resolved and "${" in value:
                raise NeedsOmegaConf
        elif kind not in STATIC:
            pending.append((key, value))
            value = None  # filled when run (a program holds no child)
        if code == DICT:
            values[key] = value
        else:
            values.append(value)
    if code == DICT:
        step = [DICT, values, kids, mode, extra, None, None]
    else:
        how = ARGS_LIST if extra is ARGS_LIST else 0
        if extra is tuple and walk.python:
            how |= TUPLE
        step = [LIST, values, kids, mode, how, None, None]
    parent_kids.append((slot, step))
    work = walk.work
    work.append(step)
    for key, value in reversed(pending):
        work.append((value, kids, key, (path, key), mode, rec, False, False))
