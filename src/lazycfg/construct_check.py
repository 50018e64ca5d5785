"""The check pass of `lazycfg.instantiate` for any config: check everything, compile a program.

`plan` walks the config once, top-down with an explicit stack (no recursion limit), carrying
Hydra's inherited flags (``_recursive_``, ``_convert_``). It resolves every target, asks the
safety policy about it, checks every call against the target's signature (cached `Spec`s) and
records ``???`` values, collecting *all* problems. It emits a flat post-order program for
`lazycfg.construct_build.execute`. A `Lazy` node reached twice is compiled once (a ``MEMO`` op
refers back to it), so it is built once and shared (as in Fiddle).

The tree may hold plain dicts and lists (Hydra configs), `Lazy` nodes (their ``_args_`` is a
tuple child, like `lazycfg.node.children` lays them out) and, for structured configs only,
OmegaConf ``DictConfig``/``ListConfig`` nodes, which are read key by key.
"""

from __future__ import annotations

from typing import Any

from lazycfg.construct import (
    CALL,
    CONVERT,
    DICT,
    LEAF_TYPES,
    LIST,
    MEMO,
    MISSING,
    NOT_ARGUMENTS,
    PARTIAL,
    PUSH,
    RAW,
    RECURSIVE,
    TARGET,
    KeyPath,
    NeedsOmegaConf,
    Plan,
    bind_messages,
    call_problem,
    convert_mode,
    fmt_path,
    is_omega,
    judge_target,
    lazy_target,
    object_problem,
    refusal_line,
)
from lazycfg.node import ARGS_KEY, Lazy
from lazycfg.safety import DISCOVERY_TARGETS, Policy


def _omega_items(value: Any) -> tuple[list[tuple[Any, Any]], Any]:
    """(key, value) pairs of a DictConfig/ListConfig and its object_type; ``???`` kept as is."""
    out: list[tuple[Any, Any]] = []
    keys = list(value.keys()) if hasattr(value, "keys") else list(range(len(value)))
    for key in keys:
        child = value._get_node(key)
        if child._is_missing():
            out.append((key, MISSING))
        elif child._is_none():
            out.append((key, None))
        elif hasattr(child, "_get_node"):  # a container: keep it, read it when visited
            out.append((key, child))
        else:
            out.append((key, value[key]))
    object_type = getattr(value._metadata, "object_type", None)
    return out, object_type


class _Frame:
    """A container or call whose children are being planned."""

    __slots__ = ("op", "nviews", "stub", "check", "path")

    def __init__(self, op: tuple[Any, ...], nviews: int, stub: Any, check: Any, path: KeyPath):
        self.op = op
        self.nviews = nviews
        self.stub = stub
        self.check = check
        self.path = path


def plan(
    root: Any,
    *,
    policy: Policy,
    mode: str,
    recursive: bool,
    partial: bool,
    call_args: tuple[Any, ...],
    python: bool,
    resolved: bool,
) -> Plan:
    """Check the whole tree and compile it; see the module docstring.

    ``python``: the tree is Python (lazy nodes), so tuples stay tuples. ``resolved``: the
    interpolations are already resolved (otherwise meeting one raises `NeedsOmegaConf`).
    """
    out = Plan()
    ops = out.ops
    problems = out.problems
    seen_lazy: set[int] = set()
    views: list[Any] = []  # one check view per planned value, for signature checks
    # Work items: ("v", value, path, mode, recursive, partial, is_root) or a _Frame to close.
    work: list[Any] = [(root, (), mode, recursive, partial, True)]
    while work:
        item = work.pop()
        if type(item) is _Frame:
            _close(item, views, ops, problems)
            continue
        if type(item) is _Raw:
            ops.append((RAW, item.value, item.mode))
            views.append(item.value)
            if item.mode == "none":
                out.omega = True
            continue
        value, path, mode, rec, part, is_root = item
        kind = type(value)
        if kind in LEAF_TYPES:
            if kind is str:
                if value == MISSING:
                    problems.append(f"{fmt_path(path)}: missing mandatory value (???)")
                    out.missing = True
                elif not resolved and "${" in value:
                    raise NeedsOmegaConf
            ops.append((PUSH, value))
            views.append(value)
            continue
        if kind is dict or kind is list or (kind is tuple) or isinstance(value, Lazy):
            pass
        elif is_omega(value):
            if not value._is_none():
                out.omega = True
        else:
            problem = object_problem(value, policy, resolved)
            if problem:
                problems.append(f"{fmt_path(path)}: {problem}")
            ops.append((PUSH, value))
            views.append(value)
            continue

        is_list = kind is list or kind is tuple
        object_type: Any = None
        if isinstance(value, Lazy):
            if id(value) in seen_lazy:
                out.shared.add(id(value))
                ops.append((MEMO, id(value)))
                views.append(value)
                continue
            seen_lazy.add(id(value))
            _plan_lazy(value, path, mode, rec, is_root, call_args, policy, out, work)
            continue
        if kind is dict:
            items: list[tuple[Any, Any]] = list(value.items())
        elif is_list:
            items = list(enumerate(value))
        else:
            items, object_type = _omega_items(value)
            is_list = object_type is None and not hasattr(value, "keys")
        if is_list:
            if mode == "none":
                out.omega = True
            frame = _Frame(
                (LIST, len(items), mode, python and kind is tuple), len(items), None, None, path
            )
            work.append(frame)
            work.extend((v, (path, k), mode, rec, False, False) for k, v in reversed(items))
            continue
        fields = dict(items)
        if not is_root:
            mode = convert_mode(fields[CONVERT]) if CONVERT in fields else mode
            rec = fields[RECURSIVE] if RECURSIVE in fields else rec
            part = fields[PARTIAL] if PARTIAL in fields else part
        if type(rec) is not bool:
            problems.append(
                f"{fmt_path(path)}: _recursive_ must be a bool, got {type(rec).__name__}"
            )
            rec = True
        if type(part) is not bool:
            problems.append(
                f"{fmt_path(path)}: _partial_ must be a bool, got {type(part).__name__}"
            )
            part = False
        if TARGET not in fields:
            if mode == "none" or (mode != "all" and object_type not in (None, dict)):
                out.omega = True
            frame = _Frame((DICT, tuple(fields), mode, object_type), len(items), None, None, path)
            work.append(frame)
            work.extend((v, (path, k), mode, rec, False, False) for k, v in reversed(items))
            continue
        fn, written, problem = judge_target(fields[TARGET], policy)
        if problem is not None or written in DISCOVERY_TARGETS:
            problem = call_problem(fields, part, fn, written, problem, policy)
            if problem:
                problems.append(refusal_line(path, problem))
        arguments = [(k, v) for k, v in items if k not in NOT_ARGUMENTS]
        _plan_call(
            fn,
            written,
            arguments,
            path,
            mode,
            rec,
            part,
            is_root,
            call_args,
            None,
            True,
            out,
            work,
        )
    return out


def _plan_lazy(
    node: Lazy[Any],
    path: KeyPath,
    mode: str,
    rec: bool,
    is_root: bool,
    call_args: tuple[Any, ...],
    policy: Policy,
    out: Plan,
    work: list[Any],
) -> None:
    meta = node._lazy_meta
    options = meta.get("options") if meta else None
    if options:
        mode = convert_mode(options[CONVERT]) if CONVERT in options else mode
        rec = options.get(RECURSIVE, rec)
    fn, written, problem = lazy_target(node, policy)
    if problem is not None or written in DISCOVERY_TARGETS:
        problem = call_problem(node, node._lazy_partial, fn, written, problem, policy)
        if problem:
            out.problems.append(refusal_line(path, problem))
    arguments: list[tuple[Any, Any]] = list(node._lazy_kwargs.items())
    if node._lazy_args:
        arguments.insert(0, (ARGS_KEY, node._lazy_args))
    # Nodes made by lazy()/partial() were checked against the signature when defined.
    checked = bool(meta and "where" in meta) and not (is_root and call_args)
    _plan_call(
        fn,
        written,
        arguments,
        path,
        mode,
        rec,
        node._lazy_partial,
        is_root,
        call_args,
        id(node),
        not checked,
        out,
        work,
    )


def _plan_call(
    fn: Any,
    written: str,
    arguments: list[tuple[Any, Any]],
    path: KeyPath,
    mode: str,
    rec: bool,
    part: bool,
    is_root: bool,
    call_args: tuple[Any, ...],
    memo: int | None,
    check: bool,
    out: Plan,
    work: list[Any],
) -> None:
    kept: list[tuple[Any, Any]] = []
    for key, value in arguments:
        if type(value) is str and value == MISSING:
            if part:
                continue  # Hydra leaves a missing argument of a partial to its caller
            out.problems.append(f"{fmt_path((path, key))}: missing mandatory value (???)")
            out.missing = True
            continue
        kept.append((key, value))
    args_given = any(k == ARGS_KEY for k, _ in kept)
    if args_given:
        raw_args = dict(kept)[ARGS_KEY]
        if not isinstance(raw_args, list | tuple | str) and not is_omega(raw_args):
            out.problems.append(
                f"{fmt_path(path)}: unsupported _args_ type {type(raw_args).__name__} "
                f"({raw_args!r:.40}); give a list"
            )
    use_call_args = is_root and bool(call_args)
    keys = tuple(k for k, _ in kept)
    op = (CALL, fn, keys, part, mode, path, written, memo, use_call_args)
    stub = Lazy(fn if fn is not None else written, (), {}, part)
    frame = _Frame(
        op,
        len(kept),
        stub,
        (fn, call_args if use_call_args else None) if check and fn is not None else None,
        path,
    )
    work.append(frame)
    if rec:
        work.extend((v, (path, k), mode, rec, False, False) for k, v in reversed(kept))
    else:
        work.extend(_Raw(value, mode) for _, value in reversed(kept))


class _Raw:
    """A value passed to a non-recursive target as configuration, not built."""

    __slots__ = ("value", "mode")

    def __init__(self, value: Any, mode: str) -> None:
        self.value = value
        self.mode = mode


def _close(
    frame: _Frame, views: list[Any], ops: list[tuple[Any, ...]], problems: list[str]
) -> None:
    n = frame.nviews
    kids = views[len(views) - n :] if n else []
    if n:
        del views[len(views) - n :]
    op = frame.op
    if frame.check is not None:
        fn, call_args = frame.check
        keys = op[2]
        kwargs = dict(zip(keys, kids, strict=True))
        args_view = kwargs.pop(ARGS_KEY, ())
        if call_args is not None:
            args = tuple(call_args)
        elif isinstance(args_view, list | tuple | str):
            args = tuple(args_view)
        else:  # already reported as an unsupported _args_ type
            args = ()
        problems.extend(bind_messages(fn, args, kwargs, op[3], frame.path))
    ops.append(op)
    if frame.stub is not None:
        views.append(frame.stub)
    elif op[0] == LIST:
        views.append(kids)
    else:
        views.append(dict(zip(op[1], kids, strict=True)))
