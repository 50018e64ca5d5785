"""The planner of `lazycfg.instantiate`: check the whole tree, compile one program.

`plan` walks any config once, top-down with an explicit stack (no recursion limit), carrying
Hydra's inherited flags (``_recursive_``, ``_convert_``). The tree may hold plain dicts, lists
and tuples (Hydra configs), `Lazy` nodes, and structured ``DictConfig`` nodes (read key by key,
their ``object_type`` kept). Every target is resolved and judged by the safety policy, every call
is bound against its target's signature and every needed ``???`` is recorded: all problems are
collected as `Problem` records before anything is built.

The program is the list of steps in post-order (first argument first), each a list whose last
slot receives the built value (see `lazycfg.construct_run`). What makes it fast is in the plan:

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

from lazycfg.construct import (
    CONVERT,
    MISSING,
    NOT_ARGUMENTS,
    PARTIAL,
    RECURSIVE,
    TARGET,
    NeedsOmegaConf,
    call_problem,
    convert_mode,
    holds_interpolation,
    is_omega,
    judge_target,
    lazy_target,
    object_problem,
)
from lazycfg.construct_problems import (
    INTERPOLATION_KIND,
    KeyPath,
    Problem,
    args_problem,
    bind_messages,
    flag_problem,
    missing_problem,
    problem_at,
    where,
)
from lazycfg.node import ARGS_KEY, Lazy
from lazycfg.safety import DISCOVERY_TARGETS, Policy
from lazycfg.signature import spec_of

# Step codes. Layouts (the built value always in the last slot):
#   [CALL, fn, args, kwargs, arg_kids, kwarg_kids, part, path, written, how, mode, view, result]
#   [DICT, values, kids, mode, object_type, view, result]
#   [LIST, values, kids, mode, how, view, result]
#   [VALUE, view, result]        an object leaf, judged; also a lone leaf at the root
#   [RAW, value, mode, view, result]   configuration handed unbuilt to a non-recursive target
# ``kids`` pair a slot (key or index) with the child's step; ``how`` holds flags: for a call
# `_ARGS_SLOT` (``_args_`` is among kwargs) and `_CALL_ARGS` (call-time args replace them), for
# a list `_TUPLE` (stays a tuple) and `_ARGS_LIST` (an ``_args_`` value); `_CHECK`: bind the call.
CALL, DICT, LIST, VALUE, RAW = range(5)
_ARGS_SLOT, _CALL_ARGS, _TUPLE, _ARGS_LIST, _CHECK = 1, 2, 4, 8, 16

_STATIC = frozenset({int, float, bool, type(None), bytes, complex})
_ROOT_FLAGS = frozenset({PARTIAL, RECURSIVE, CONVERT})


class Program:
    """A checked tree: its steps in build order and the problems found (run only if none)."""

    __slots__ = ("steps", "problems")

    def __init__(self) -> None:
        self.steps: list[list[Any]] = []
        self.problems: list[Problem] = []


class _Walk:
    """The state of one planning walk."""

    __slots__ = (
        "policy", "targets", "call_args", "python", "resolved", "strict", "out", "work", "seen"
    )  # fmt: skip

    def __init__(
        self, policy: Policy, call_args: tuple[Any, ...], python: bool, resolved: bool, strict: bool
    ) -> None:
        self.policy = policy
        self.targets: dict[Any, Any] = policy.targets
        self.call_args = call_args
        self.python = python
        self.resolved = resolved
        self.strict = strict
        self.out = Program()
        # Work items: (value, kids of the parent, slot, path, mode, recursive, partial, is_root)
        # or a step to close.
        self.work: list[Any] = []
        self.seen: dict[int, list[Any]] = {}  # Lazy node id -> its step


def plan(
    root: Any,
    policy: Policy,
    *,
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
    walk = _Walk(policy, call_args, python, resolved, strict)
    if type(recursive) is not bool or type(partial) is not bool:  # the root's, from the call
        mode, recursive, partial = _flags(walk, {}, (), mode, recursive, partial)
    holder: list[tuple[Any, list[Any]]] = []
    work = walk.work
    work.append((root, holder, None, (), mode, recursive, partial, True))
    steps = walk.out.steps
    seen = walk.seen
    pop = work.pop
    while work:
        item = pop()
        if type(item) is list:
            if strict:
                _close_view(item)
                if item[0] == CALL and item[9] & _CHECK:
                    _bind(walk, item)
            steps.append(item)
            continue
        value = item[0]
        if type(value) is Lazy:  # the lazy-tree fast path (a subclass goes through _visit)
            shared = seen.get(id(value))
            if shared is not None:
                item[1].append((item[2], shared))
            else:
                _visit_lazy(walk, value, item[1], item[2], item[3], item[4], item[5], item[7])
            continue
        _visit(walk, *item)
    return walk.out


def _visit(
    walk: _Walk,
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
            _visit_lazy(walk, value, parent_kids, slot, path, mode, rec, is_root)
    elif is_omega(value):
        if value._is_none():
            parent_kids.append((slot, [VALUE, None, None]))
        elif hasattr(value, "keys"):
            items, object_type = _omega_items(walk, value, path)
            _visit_dict(walk, items, object_type, parent_kids, slot, path, mode, rec, part, is_root)
        else:
            items, _ = _omega_items(walk, value, path)
            pairs = enumerate(items.values())
            _container(walk, LIST, None, pairs, parent_kids, slot, path, mode, rec, list)
    else:  # a leaf the parent could not put inline: ``???``, an interpolation, an object
        parent_kids.append((slot, _leaf(walk, value, path)))


def _leaf(walk: _Walk, value: Any, path: KeyPath) -> list[Any]:
    if type(value) is str:
        if value == MISSING:
            walk.out.problems.append(missing_problem(path))
        elif not walk.resolved and "${" in value:
            raise NeedsOmegaConf
    elif type(value) not in _STATIC:
        problem = object_problem(value, walk.policy, walk.resolved)
        if problem:
            walk.out.problems.append(problem_at(path, problem))
    return [VALUE, value, value]


def _omega_items(walk: _Walk, value: Any, path: KeyPath) -> tuple[dict[Any, Any], Any]:
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
                walk.out.problems.append(
                    Problem(where((path, key)), INTERPOLATION_KIND, str(exc), cause=exc)
                )
                out[key] = None
    return out, getattr(value._metadata, "object_type", None)


def _flags(walk: _Walk, fields: Any, path: KeyPath, mode: str, rec: Any, part: Any) -> tuple:
    """A dict's own flags over the inherited ones, with Hydra's checks of their types."""
    if CONVERT in fields:
        mode = convert_mode(fields[CONVERT])
    if RECURSIVE in fields:
        rec = fields[RECURSIVE]
    if PARTIAL in fields:
        part = fields[PARTIAL]
    problems = walk.out.problems
    if type(rec) is not bool:
        problems.append(flag_problem(path, RECURSIVE, rec))
        rec = True
    if type(part) is not bool:
        problems.append(flag_problem(path, PARTIAL, part))
        part = False
    return mode, rec, part


def _visit_dict(
    walk: _Walk,
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
        if not _ROOT_FLAGS.isdisjoint(fields):
            fields = {k: v for k, v in fields.items() if k not in _ROOT_FLAGS}
    elif not _ROOT_FLAGS.isdisjoint(fields):
        mode, rec, part = _flags(walk, fields, path, mode, rec, part)
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
            fn, written, problem = walk.targets[target] = judge_target(target, walk.policy)
    else:
        fn, written, problem = judge_target(target, walk.policy)
    if problem is not None or written in DISCOVERY_TARGETS:
        problem = call_problem(fields, part, fn, written, problem, walk.policy)
        if problem:
            walk.out.problems.append(problem_at(path, problem))
    _call(walk, fn, written, fields, parent_kids, slot, path, mode, rec, part, is_root, True)


def _visit_lazy(
    walk: _Walk,
    node: Lazy[Any],
    parent_kids: list[Any],
    slot: Any,
    path: KeyPath,
    mode: str,
    rec: Any,
    is_root: bool,
) -> None:
    """A lazy node: its own args tuple and kwargs dict when they hold only leaves (copied only
    when children fill them). Nodes made by lazy()/partial() were bound when defined."""
    meta = node._lazy_meta
    check = True
    if meta:
        options = meta.get("options")
        if options:
            mode, rec, _ = _flags(walk, options, path, mode, rec, False)
        check = "where" not in meta
    if is_root and walk.call_args:
        check = True
    part = node._lazy_partial
    try:  # the verdict cached per target on the policy (lazy_target fills it)
        fn, written, problem = walk.targets[node._lazy_target]
    except (KeyError, TypeError):
        fn, written, problem = lazy_target(node, walk.policy)
    if problem is not None or written in DISCOVERY_TARGETS:
        problem = call_problem(node, part, fn, written, problem, walk.policy)
        if problem:
            walk.out.problems.append(problem_at(path, problem))
    kwargs: dict[str, Any] = node._lazy_kwargs
    args: Any = node._lazy_args
    pending: list[tuple[Any, Any]] = []
    resolved = walk.resolved
    missing = False
    for key, value in kwargs.items():
        kind = type(value)
        if kind in _STATIC:
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
    if args:
        positional = len(pending)
        for index, value in enumerate(args):
            kind = type(value)
            if kind in _STATIC:
                continue
            if kind is not str or value == MISSING or not resolved and "${" in value:
                pending.append(((ARGS_KEY, index), value))
        if len(pending) > positional:
            args = list(args)
    how = _CHECK if check and fn is not None else 0
    if is_root and walk.call_args:
        how |= _CALL_ARGS
    kids: Any = ([], []) if pending else ((), ())
    step = [CALL, fn, args, kwargs, kids[0], kids[1], part, path, written, how, mode, None, None]
    parent_kids.append((slot, step))
    walk.seen[id(node)] = step
    if how & _CHECK and not walk.strict:  # strict: bound when closed, with argument views
        _bind(walk, step)
    work = walk.work
    work.append(step)
    if not pending:
        return
    if not rec:
        _queue_arguments(walk, step, pending, path, mode, rec)
        return
    arg_kids, kwarg_kids = kids  # (inline: this is the lazy-tree hot path)
    for key, value in reversed(pending):
        if type(key) is tuple:
            index = key[1]
            work.append(
                (value, arg_kids, index, ((path, ARGS_KEY), index), mode, rec, False, False)
            )
        else:
            work.append((value, kwarg_kids, key, (path, key), mode, rec, False, False))


def _without_missing(
    walk: _Walk, kwargs: dict[str, Any], part: Any, path: KeyPath
) -> dict[str, Any]:
    """A node's kwargs without its ``???`` values, each a problem unless the node is a partial
    (Hydra leaves a missing argument of a partial to its caller)."""
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if type(value) is str and value == MISSING:
            if not part:
                walk.out.problems.append(missing_problem((path, key)))
        else:
            out[key] = value
    return out


def _call(
    walk: _Walk,
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
                    walk.out.problems.append(missing_problem((path, key)))
                continue
            if not resolved and "${" in value:
                raise NeedsOmegaConf
        elif kind not in _STATIC:
            pending.append((key, value))
        kwargs[key] = value
    how = _CHECK if check and fn is not None else 0
    if ARGS_KEY in kwargs:
        how |= _ARGS_SLOT
        raw_args = kwargs[ARGS_KEY]
        if not isinstance(raw_args, list | tuple | str) and not is_omega(raw_args):
            walk.out.problems.append(args_problem(path, raw_args))
    if is_root and walk.call_args:
        how |= _CALL_ARGS
    step = [CALL, fn, (), kwargs, [], [], part, path, written, how, mode, None, None]
    parent_kids.append((slot, step))
    if how & _CHECK and not walk.strict:  # strict: bound when closed, with argument views
        _bind(walk, step)
    work = walk.work
    work.append(step)
    if pending:
        _queue_arguments(walk, step, pending, path, mode, rec)
    return step


def _queue_arguments(
    walk: _Walk, step: list[Any], pending: list[tuple[Any, Any]], path: KeyPath, mode: str, rec: Any
) -> None:
    """Queue a call's arguments that are not leaves: children to build, or raw configuration
    for a non-recursive call. A positional argument's slot is ``(ARGS_KEY, index)``."""
    arg_kids, kwarg_kids = step[4], step[5]
    work = walk.work
    if not rec:
        if not walk.resolved and any(holds_interpolation(v) for _, v in pending):
            raise NeedsOmegaConf  # passed unbuilt, but resolved first, as Hydra does
        for key, value in reversed(pending):
            kids, key = (arg_kids, key[1]) if type(key) is tuple else (kwarg_kids, key)
            raw = [RAW, value, mode, value, None]
            kids.append((key, raw))
            work.append(raw)
        return
    for key, value in reversed(pending):
        if type(key) is tuple:  # a positional argument of a lazy node
            child_path = ((path, ARGS_KEY), key[1])
            work.append((value, arg_kids, key[1], child_path, mode, rec, False, False))
        elif key == ARGS_KEY and type(value) in (list, tuple):
            _args_list(walk, value, kwarg_kids, (path, key), mode, rec)
        else:
            work.append((value, kwarg_kids, key, (path, key), mode, rec, False, False))


def _args_list(
    walk: _Walk, value: Any, kids: list[Any], path: KeyPath, mode: str, rec: Any
) -> None:
    """A config's ``_args_`` list: a list step marked so it is unpacked as Hydra unpacks it."""
    _container(walk, LIST, value, enumerate(value), kids, ARGS_KEY, path, mode, rec, _ARGS_LIST)


def _container(
    walk: _Walk,
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
    ``extra`` is the dict's object_type, or the list's kind (or `_ARGS_LIST`)."""
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
        elif kind not in _STATIC:
            pending.append((key, value))
        if code == DICT:
            values[key] = value
        else:
            values.append(value)
    if code == DICT:
        step = [DICT, values, kids, mode, extra, None, None]
    else:
        how = _ARGS_LIST if extra is _ARGS_LIST else 0
        if extra is tuple and walk.python:
            how |= _TUPLE
        step = [LIST, values, kids, mode, how, None, None]
    parent_kids.append((slot, step))
    work = walk.work
    work.append(step)
    for key, value in reversed(pending):
        work.append((value, kids, key, (path, key), mode, rec, False, False))


# --- binding -----------------------------------------------------------------------------------

# (target, partial, strict, argument names, positional count) -> True when every call of that
# shape binds (or, strict, needs its values checked: False); keyed per shape, not per node.
_shapes: dict[tuple[Any, ...], bool] = {}


def _binds(fn: Any, part: bool, keys: tuple[Any, ...], nargs: int) -> bool:
    """Whether every call of this shape binds, judged from the names alone."""
    spec = spec_of(fn)
    if spec.names is None:
        return True  # an unknown signature accepts every call
    if part or not all(type(key) is str for key in keys):
        return part and all(type(key) is str for key in keys)
    if nargs > len(spec.positional) and not spec.var_positional:
        return False
    given = set(keys) | set(spec.positional[:nargs])
    if len(given) != len(keys) + min(nargs, len(spec.positional)):
        return False  # an argument given by position and by keyword
    if not spec.required_set.issubset(given) or not spec.positional_only.isdisjoint(keys):
        return False
    return spec.var_keyword or spec.names.issuperset(keys)


def _bind(walk: _Walk, step: list[Any]) -> None:
    """Bind one call: by its shape's cached verdict unless strict, else through `bind_messages`
    with the views of its arguments (a child call seen as a stub of what it builds)."""
    fn, args, kwargs, part, how = step[1], step[2], step[3], step[6], step[9]
    names = tuple(kwargs)
    if how & _ARGS_SLOT:
        raw = kwargs[ARGS_KEY]
        names = tuple(k for k in names if k != ARGS_KEY)
        nargs = len(raw) if isinstance(raw, list | tuple | str) or is_omega(raw) else 0
    else:
        nargs = len(args)
    if how & _CALL_ARGS:
        nargs = len(walk.call_args)
    if not walk.strict:
        key = (fn, part, names, nargs)
        try:
            fine = _shapes[key]
        except KeyError:
            fine = _shapes[key] = _binds(fn, part, names, nargs)
        except TypeError:  # an unhashable callable
            fine = _binds(fn, part, names, nargs)
        if fine:
            return
        view_args: tuple[Any, ...] = (None,) * nargs
        view_kwargs = {k: kwargs[k] for k in names}
    else:
        view_args, view_kwargs = _call_views(walk, step)
    walk.out.problems.extend(bind_messages(fn, view_args, view_kwargs, part, step[7], walk.strict))


def _call_views(walk: _Walk, step: list[Any]) -> tuple[tuple[Any, ...], dict[Any, Any]]:
    """The arguments of a call as a strict check sees them (children closed before)."""
    kwargs = dict(step[3])
    for key, kid in step[5]:
        kwargs[key] = kid[-2]
    args: Any = list(step[2])
    for index, kid in step[4]:
        args[index] = kid[-2]
    if step[9] & _ARGS_SLOT:
        args = kwargs.pop(ARGS_KEY)
        args = args if isinstance(args, list | tuple | str) else ()
    if step[9] & _CALL_ARGS:
        args = walk.call_args
    return tuple(args), kwargs


def _close_view(step: list[Any]) -> None:
    """Set a closed step's view (second to last slot), for strict checks of its parent."""
    code = step[0]
    if code == CALL:
        fn, written, part = step[1], step[8], step[6]
        step[-2] = Lazy(fn if fn is not None else written, (), {}, part)
    elif code == DICT or code == LIST:
        view: Any = dict(step[1]) if code == DICT else list(step[1])
        for key, kid in step[2]:
            view[key] = kid[-2]
        step[-2] = view
