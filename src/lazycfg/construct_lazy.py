"""The lazy-tree pass of `lazycfg.instantiate`: one check walk, then one build loop.

Nodes made by `lazycfg.lazy`/`partial` were bound against their target's signature when they
were defined, so this pass checks only what could not be checked then: the safety policy's
verdict on every target (cached per target), string targets and other nodes without a defining
line (resolved and bound here, as the generic pass binds them), ``???`` values, class and
function values, and the ``path`` of Hydra's ``get_object``-style helpers. All problems are
collected before anything is built.

The walk keeps an explicit stack (no recursion limit) and emits the steps in post-order, in the
order the generic engine builds them (first argument first). A step is a list: a call is
``[fn, args, kwargs, arg_kids, kwarg_kids, partial, written, path, result]``, a container is
``[value, kids, result]``; ``kids`` pairs a slot with the child's step. A call whose arguments
hold no node or container is made with the node's own args tuple and kwargs dict. A shared node
is one step, so it is built once and shared; containers are copied per place (targets get fresh
lists and dicts, as from Hydra) and tuples stay tuples.

What this pass does not handle raises before anything is built: an interpolation string raises
`NeedsOmegaConf` (the caller resolves the tree with OmegaConf); a node's ``_convert_: none`` or
``_recursive_: False``, a dict holding ``_target_`` or a flag, and OmegaConf values raise
`Fallback` (the caller uses the generic engine, `lazycfg.construct_check.plan`).
"""

from __future__ import annotations

import functools
from typing import Any

from lazycfg.construct import (
    CONVERT,
    MISSING,
    NOT_ARGUMENTS,
    RECURSIVE,
    KeyPath,
    NeedsOmegaConf,
    bind_messages,
    call_failed,
    call_problem,
    check_failed,
    convert_mode,
    fmt_path,
    is_omega,
    lazy_target,
    object_problem,
    refusal_line,
    refuse_callable_result,
)
from lazycfg.node import ARGS_KEY, Lazy
from lazycfg.safety import DISCOVERY_TARGETS, Policy

_STATIC = frozenset({int, float, bool, type(None), bytes, complex})
_CONTAINERS = frozenset({list, tuple, dict})


class Fallback(Exception):
    """The tree needs the generic engine (see the module docstring); nothing was built."""


def build_lazy_tree(root: Lazy[Any], policy: Policy) -> Any:
    """Check the lazy tree ``root`` (default ``_convert_``: all), then build it.

    Raises the check error listing every problem, `NeedsOmegaConf` or `Fallback` before
    anything is built; a target's own error is Hydra's ``InstantiationException``.
    """
    order, problems, missing = _check(root, policy)
    if problems:
        raise check_failed(problems, missing)
    return _build(order, policy)


def _check(root: Lazy[Any], policy: Policy) -> tuple[list[list[Any]], list[str], bool]:
    problems: list[str] = []
    missing = False
    order: list[list[Any]] = []
    seen: dict[int, list[Any]] = {}
    holder: list[tuple[Any, list[Any]]] = []
    targets = policy.targets  # the verdicts lazy_target caches
    # Work items: (value, kids of the parent step, slot, path), or a step to close.
    work: list[Any] = [(root, holder, None, ())]
    while work:
        item = work.pop()
        if type(item) is list:
            order.append(item)
            continue
        value, parent_kids, slot, path = item
        kind = type(value)
        pending: list[tuple[Any, list[Any], Any, KeyPath]] = []
        if kind in _CONTAINERS:
            kids: list[tuple[Any, list[Any]]] = []
            step: list[Any] = [value, kids, None]
            parent_kids.append((slot, step))
            work.append(step)
            if kind is dict:
                if not NOT_ARGUMENTS.isdisjoint(value):
                    raise Fallback
                pairs: Any = value.items()
            else:
                pairs = enumerate(value)
            missing |= _scan(pairs, kids, path, pending, problems, policy)
            work.extend(reversed(pending))
            continue
        shared = seen.get(id(value))
        if shared is not None:
            parent_kids.append((slot, shared))
            continue
        node: Lazy[Any] = value
        meta = node._lazy_meta
        if meta:
            options = meta.get("options")
            if options and (
                options.get(RECURSIVE, True) is not True
                or (CONVERT in options and convert_mode(options[CONVERT]) == "none")
            ):
                raise Fallback
        try:
            fn, written, problem = targets[node._lazy_target]
        except (KeyError, TypeError):  # first time this target is met, or unhashable
            fn, written, problem = lazy_target(node, policy)
        args = node._lazy_args
        kwargs = node._lazy_kwargs
        part = node._lazy_partial
        if problem is not None or written in DISCOVERY_TARGETS:
            problem = call_problem(node, part, fn, written, problem, policy)
            if problem:
                problems.append(refusal_line(path, problem))
        if part and kwargs and any(type(v) is str and v == MISSING for v in kwargs.values()):
            # Hydra leaves a missing argument of a partial to its caller (a missing argument
            # of any other call is reported by _scan).
            kwargs = {k: v for k, v in kwargs.items() if not (type(v) is str and v == MISSING)}
        arg_kids: list[tuple[Any, list[Any]]] = []
        kwarg_kids: list[tuple[Any, list[Any]]] = []
        step = [fn, args, kwargs, arg_kids, kwarg_kids, part, written, path, None]
        seen[id(node)] = step
        parent_kids.append((slot, step))
        work.append(step)
        if args:
            missing |= _scan(enumerate(args), arg_kids, (path, ARGS_KEY), pending, problems, policy)
        if kwargs:
            missing |= _scan(kwargs.items(), kwarg_kids, path, pending, problems, policy)
        work.extend(reversed(pending))
        if fn is not None and not (meta and "where" in meta):
            # Not made by lazy()/partial() (a string target, a node read back): bind it now.
            args_view = tuple(_view(v, policy) for v in args)
            kwargs_view = {
                k: _view(v, policy)
                for k, v in kwargs.items()
                if not (type(v) is str and v == MISSING)
            }
            problems.extend(bind_messages(fn, args_view, kwargs_view, part, path))
    return order, problems, missing


def _scan(
    pairs: Any,
    kids: list[tuple[Any, list[Any]]],
    path: KeyPath,
    pending: list[tuple[Any, list[Any], Any, KeyPath]],
    problems: list[str],
    policy: Policy,
) -> bool:
    """Check the leaves among ``pairs``; queue nodes and containers. True if a ``???`` was met."""
    missing = False
    for key, value in pairs:
        kind = type(value)
        if kind in _STATIC:
            continue
        if kind is str:
            if value == MISSING:
                problems.append(f"{fmt_path((path, key))}: missing mandatory value (???)")
                missing = True
            elif "${" in value:
                raise NeedsOmegaConf
            continue
        if kind is Lazy or kind in _CONTAINERS or isinstance(value, Lazy):
            pending.append((value, kids, key, (path, key)))
        elif is_omega(value):
            raise Fallback
        else:
            problem = object_problem(value, policy, False)
            if problem:
                problems.append(f"{fmt_path((path, key))}: {problem}")
    return missing


def _view(value: Any, policy: Policy) -> Any:
    """What the signature check sees of an argument: nodes as stubs of what they build,
    containers as lists and dicts of views (built with an explicit stack)."""
    if isinstance(value, Lazy):
        return _stub(value, policy)
    if type(value) not in _CONTAINERS:
        return value
    out: Any = {} if type(value) is dict else []
    stack: list[tuple[Any, Any]] = [(value, out)]
    while stack:
        source, target = stack.pop()
        target: Any
        pairs = source.items() if type(source) is dict else enumerate(source)
        for key, item in pairs:
            if isinstance(item, Lazy):
                item = _stub(item, policy)
            elif type(item) in _CONTAINERS:
                copy: Any = {} if type(item) is dict else []
                stack.append((item, copy))
                item = copy
            if isinstance(target, dict):
                target[key] = item
            else:
                target.append(item)
    return out


def _stub(node: Lazy[Any], policy: Policy) -> Lazy[Any]:
    fn, written, _ = lazy_target(node, policy)
    return Lazy(fn if fn is not None else written, (), {}, node._lazy_partial)


def _build(order: list[list[Any]], policy: Policy) -> Any:
    partial = functools.partial
    for step in order:
        if len(step) == 3:  # a container, copied
            value, kids, _ = step
            if type(value) is dict:
                built: Any = dict(value)
                for key, kid in kids:
                    built[key] = kid[-1]
            else:
                built = list(value)
                for index, kid in kids:
                    built[index] = kid[-1]
                if type(value) is tuple:
                    built = tuple(built)
            step[2] = built
            continue
        fn, args, kwargs, arg_kids, kwarg_kids, part, written, path, _ = step
        if arg_kids:
            args = list(args)
            for index, kid in arg_kids:
                args[index] = kid[-1]
        if kwarg_kids:
            kwargs = dict(kwargs)
            for key, kid in kwarg_kids:
                kwargs[key] = kid[-1]
        try:
            result = partial(fn, *args, **kwargs) if part else fn(*args, **kwargs)
        except Exception as exc:
            raise call_failed(fn, part, path, exc) from exc
        if callable(result):
            refuse_callable_result(policy, written, result, path)
        step[8] = result
    return order[-1][-1]
