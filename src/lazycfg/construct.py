"""Check first, build second: the engine behind `lazycfg.instantiate`.

`plan` walks the config once, top-down with an explicit stack (no recursion limit), carrying
Hydra's inherited flags (``_recursive_``, ``_convert_``). It resolves every target, asks the
safety policy about it, checks every call against the target's signature (cached `Spec`s) and
records ``???`` values, collecting *all* problems. It emits a flat post-order program; `execute`
runs that program with a value stack only when the plan has no problems, so a bad config
constructs nothing. A `Lazy` node reached twice is built once and shared (as in Fiddle).

The tree may hold plain dicts and lists (Hydra configs), `Lazy` nodes (their ``_args_`` is a
tuple child, like `lazycfg.node.children` lays them out) and, for structured configs only,
OmegaConf ``DictConfig``/``ListConfig`` nodes, which are read key by key.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from lazycfg.node import ARGS_KEY, Lazy, format_path
from lazycfg.safety import DISCOVERY_TARGETS, Policy
from lazycfg.signature import bind_problems

TARGET, PARTIAL, RECURSIVE, CONVERT = "_target_", "_partial_", "_recursive_", "_convert_"
NOT_ARGUMENTS = frozenset({TARGET, PARTIAL, RECURSIVE, CONVERT})
MISSING = "???"
MODES = frozenset({"none", "partial", "object", "all"})
_LEAF_TYPES = frozenset({str, int, float, bool, type(None), bytes})

# Program instructions (tuples; the first item is the opcode).
PUSH, DICT, LIST, CALL, MEMO, RAW = range(6)


# A config path as a linked list ``(parent, key)``, ``()`` at the root: O(1) per child, so a
# 10,000-deep chain costs linear time; formatted only when a message needs it.
KeyPath = tuple[Any, ...]


def _fmt(path: KeyPath) -> str:
    keys: list[Any] = []
    while path:
        path, key = path
        keys.append(key)
    return format_path(tuple(reversed(keys)))


class NeedsOmegaConf(Exception):
    """The plain fast path met an interpolation or a structured config: resolve first."""


@dataclass
class Plan:
    ops: list[tuple[Any, ...]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    missing: bool = False
    shared: set[int] = field(default_factory=set)
    omega: bool = False  # some container is built as an OmegaConf config (mode "none")


def convert_mode(value: Any) -> str:
    """Hydra's ``_convert_`` as one of none/partial/object/all (any other value acts as none)."""
    value = getattr(value, "value", value)  # hydra.types.ConvertMode
    if isinstance(value, str) and value.lower() in MODES:
        return value.lower()
    return "none"


def callable_name(fn: Any) -> str:
    """``module.qualname``, the name Hydra shows for a callable target."""
    if callable(fn) and hasattr(fn, "__qualname__"):
        return f"{fn.__module__}.{fn.__qualname__}"
    return repr(fn)


_located: dict[str, tuple[Any, str | None]] = {}


def resolve_target(target: Any) -> tuple[Any, str, str | None]:
    """(callable, written name, problem) for a ``_target_`` value; cached per dotted path."""
    if isinstance(target, str):
        hit = _located.get(target)
        if hit is None:
            from lazycfg.errors import ConfigError
            from lazycfg.targets import locate

            try:
                fn = locate(target)
                problem = None
                if not callable(fn):
                    problem = (
                        f"target {target!r} is a {type(fn).__name__}, not a callable; "
                        "name a class or function"
                    )
            except ConfigError as exc:
                fn, problem = None, exc.problems[0]
            hit = (fn, problem)
            _located[target] = hit
        return hit[0], target, hit[1]
    if callable(target):
        return target, callable_name(target), None
    return None, repr(target), f"_target_ must be a dotted path or a callable, got {target!r}"


def _is_structured(value: Any) -> bool:
    kind = type(value)
    return hasattr(kind, "__dataclass_fields__") or hasattr(kind, "__attrs_attrs__")


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


def _is_omega(value: Any) -> bool:
    return type(value).__module__.startswith("omegaconf.")


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
        if kind in _LEAF_TYPES:
            if kind is str:
                if value == MISSING:
                    problems.append(f"{_fmt(path)}: missing mandatory value (???)")
                    out.missing = True
                elif not resolved and "${" in value:
                    raise NeedsOmegaConf
            ops.append((PUSH, value))
            views.append(value)
            continue
        if kind is dict or kind is list or (kind is tuple) or isinstance(value, Lazy):
            pass
        elif _is_omega(value):
            if not value._is_none():
                out.omega = True
        else:
            _leaf(value, path, policy, problems, resolved)
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
            problems.append(f"{_fmt(path)}: _recursive_ must be a bool, got {type(rec).__name__}")
            rec = True
        if type(part) is not bool:
            problems.append(f"{_fmt(path)}: _partial_ must be a bool, got {type(part).__name__}")
            part = False
        if TARGET not in fields:
            if mode == "none" or (mode != "all" and object_type not in (None, dict)):
                out.omega = True
            frame = _Frame((DICT, tuple(fields), mode, object_type), len(items), None, None, path)
            work.append(frame)
            work.extend((v, (path, k), mode, rec, False, False) for k, v in reversed(items))
            continue
        fn, written, problem = resolve_target(fields[TARGET])
        if problem is None:
            problem = policy.problem(written, fn)
        if problem is None and written in DISCOVERY_TARGETS:
            problem = _discovery_problem(fields, policy)
        if problem:
            problems.append(f"{_fmt(path)}: {problem}")
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


def _leaf(value: Any, path: KeyPath, policy: Policy, problems: list[str], resolved: bool) -> None:
    """Checks on an object leaf: classes and functions must pass the policy."""
    import types

    if isinstance(value, type | types.FunctionType | types.BuiltinFunctionType):
        from lazycfg.safety import identity

        name = identity(value) or repr(value)
        problem = policy.problem(name, value)
        if problem:
            problems.append(f"{_fmt(path)}: {problem}")
    elif not resolved and _is_structured(value):
        raise NeedsOmegaConf


def _discovery_problem(fields: dict[Any, Any], policy: Policy) -> str | None:
    """``get_object(path=...)``: the path is the real target, so it passes the same checks."""
    args = fields.get(ARGS_KEY)
    path = args[0] if isinstance(args, list | tuple) and args else fields.get("path")
    if not isinstance(path, str):
        return "the path of hydra.utils.get_* must be a literal dotted string"
    from lazycfg.errors import ConfigError
    from lazycfg.targets import locate

    try:
        obj = locate(path)
    except ConfigError as exc:
        return exc.problems[0]
    return policy.problem(path, obj)


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
    fn, written, problem = resolve_target(node._lazy_target)
    if problem is None:
        if not isinstance(node._lazy_target, str):
            from lazycfg.node import target_name

            written = target_name(node)
        problem = policy.problem(written, fn)
    if problem:
        out.problems.append(f"{_fmt(path)}: {problem}")
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
            out.problems.append(f"{_fmt((path, key))}: missing mandatory value (???)")
            out.missing = True
            continue
        kept.append((key, value))
    args_given = any(k == ARGS_KEY for k, _ in kept)
    if args_given:
        raw_args = dict(kept)[ARGS_KEY]
        if not isinstance(raw_args, list | tuple | str) and not _is_omega(raw_args):
            out.problems.append(
                f"{_fmt(path)}: unsupported _args_ type {type(raw_args).__name__} "
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
        for line in bind_problems(fn, args, kwargs, partial=op[3]):
            name, sep, rest = line.partition(":")
            if sep and name in kwargs or sep and name.isidentifier():
                problems.append(f"{_fmt((frame.path, name))}:{rest}")
            else:
                problems.append(f"{_fmt(frame.path)}: {line}")
    ops.append(op)
    if frame.stub is not None:
        views.append(frame.stub)
    elif op[0] == LIST:
        views.append(kids)
    else:
        views.append(dict(zip(op[1], kids, strict=True)))


# --- building ----------------------------------------------------------------------------------


def _omega_container(value: Any) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.create(value, flags={"allow_objects": True})


def _to_plain(value: Any, mode: str) -> Any:
    """Hydra's ``_convert_node``: an OmegaConf config as plain containers under a mode."""
    from omegaconf import DictConfig, ListConfig, OmegaConf, SCMode

    if not isinstance(value, DictConfig | ListConfig):
        return value
    if mode == "all":
        return OmegaConf.to_container(value, resolve=True)
    if mode == "partial":
        return OmegaConf.to_container(
            value, resolve=True, structured_config_mode=SCMode.DICT_CONFIG
        )
    if mode == "object":
        return OmegaConf.to_container(
            value, resolve=True, structured_config_mode=SCMode.INSTANTIATE
        )
    return value


def _raw(value: Any, mode: str) -> Any:
    """A config handed unbuilt to a non-recursive target: DictConfig under none, else plain."""
    if isinstance(value, Lazy):
        from lazycfg.emit import to_dict

        value = to_dict(value)
    if type(value) in (dict, list, tuple):
        value = _omega_container(value)
    return _to_plain(value, mode)


def _dict_node(keys: tuple[Any, ...], values: list[Any], mode: str, object_type: Any) -> Any:
    if mode == "all" or (mode != "none" and object_type in (None, dict)):
        return dict(zip(keys, values, strict=True))
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({}, flags={"allow_objects": True})
    for key, value in zip(keys, values, strict=True):
        cfg[key] = value
    cfg._metadata.object_type = object_type
    if mode == "object":
        return OmegaConf.to_object(cfg)
    return cfg


def _call_failed(op: tuple[Any, ...], exc: Exception) -> Exception:
    from hydra.errors import InstantiationException

    name = callable_name(op[1])
    if op[3]:
        msg = f"Error in creating partial({name}, ...) object:\n{exc!r}"
    else:
        msg = f"Error in call to target '{name}':\n{exc!r}"
    if op[5]:
        msg += f"\nfull_key: {_fmt(op[5])}"
    return InstantiationException(msg)


def execute(program: Plan, call_args: tuple[Any, ...], policy: Policy) -> Any:
    """Run a checked plan: build every value bottom-up and return the root's."""
    stack: list[Any] = []
    push = stack.append
    memo: dict[int, Any] = {}
    shared = program.shared
    omega = program.omega
    for op in program.ops:
        code = op[0]
        if code == PUSH:
            push(op[1])
        elif code == CALL:
            _, fn, keys, part, mode, where, written, memo_key, use_call_args = op
            n = len(keys)
            if n:
                kwargs = dict(zip(keys, stack[-n:], strict=True))
                del stack[-n:]
                if omega:
                    kwargs = {k: _to_plain(v, mode) for k, v in kwargs.items()}
                args = kwargs.pop(ARGS_KEY, ())
            else:
                kwargs, args = {}, ()
            if use_call_args:
                args = call_args
            try:
                if part:
                    result = functools.partial(fn, *args, **kwargs)
                else:
                    result = fn(*args, **kwargs)
            except Exception as exc:
                raise _call_failed(op, exc) from exc
            if callable(result):
                problem = policy.result_problem(written, result)
                if problem:
                    from lazycfg.instantiate_errors import InstantiateCheckError

                    raise InstantiateCheckError([f"{_fmt(where)}: {problem}"])
            if memo_key is not None and memo_key in shared:
                memo[memo_key] = result
            push(result)
        elif code == DICT:
            _, keys, mode, object_type = op
            n = len(keys)
            values = stack[-n:] if n else []
            if n:
                del stack[-n:]
            push(_dict_node(keys, values, mode, object_type))
        elif code == LIST:
            _, n, mode, as_tuple = op
            values = stack[-n:] if n else []
            if n:
                del stack[-n:]
            if mode == "none":
                push(_omega_container(values))
            else:
                push(tuple(values) if as_tuple else values)
        elif code == MEMO:
            push(memo[op[1]])
        else:  # RAW
            push(_raw(op[1], op[2]))
    return stack[-1]
