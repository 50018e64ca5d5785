"""The plain-config pass of `lazycfg.instantiate`: Hydra dicts and lists, one check walk, then one
build loop, with the results, problems and problem order of the generic engine.

Plain configs are what Hydra passes around (``_target_`` dicts, lists, leaves), usually many
nodes of a few shapes. The generic engine (`lazycfg.construct_check`) compiles one instruction
per value, a frame per container and a signature stub per call; this pass handles a node whose
arguments are all leaves in one step: the leaves are checked inline, the call is bound at once
(its arguments are its views) and the step keeps the argument dict the target gets. Targets are
resolved and judged by the policy once per call of this pass, signature binding goes through the
per-target cached `Spec`, and call stubs (what a parent's signature check sees of a child node)
are made once per (target, partial).

All problems are collected before anything is built, in the generic engine's order: a node's
target and ``???`` arguments when it is reached, its children depth-first, its binding when its
children are done. What this pass does not handle raises before anything is built: an
interpolation raises `NeedsOmegaConf`; a `Lazy` value, an OmegaConf value, ``_recursive_``
other than ``True``, ``_partial_`` that is not a bool, or a flag in a dict without ``_target_``
raise `Fallback` (the caller uses the generic engine, which reports or handles them).
"""

from __future__ import annotations

import functools
from typing import Any

from lazycfg.construct import (
    CONVERT,
    MISSING,
    NOT_ARGUMENTS,
    PARTIAL,
    RECURSIVE,
    TARGET,
    KeyPath,
    NeedsOmegaConf,
    bind_messages,
    call_failed,
    call_problem,
    check_failed,
    convert_mode,
    fmt_path,
    judge_target,
    object_problem,
    refusal_line,
    refuse_callable_result,
)
from lazycfg.construct_build import dict_node, omega_container
from lazycfg.construct_lazy import Fallback
from lazycfg.node import ARGS_KEY, Lazy
from lazycfg.safety import DISCOVERY_TARGETS, Policy
from lazycfg.signature import spec_of

_STATIC = frozenset({int, float, bool, type(None), bytes})
_CONTAINERS = frozenset({dict, list, tuple})

# Step layouts (lists, the built value in the last slot):
#   call:      [_CALL, fn, kwargs, kids, part, path, written, args_slot, use_call_args, view, result]
#   container: [_DICT or _LIST, values, kids, mode, as_tuple, viewed then view, result]
# ``kids`` pairs a slot of ``kwargs``/``values`` with the child's step; a pending leaf that
# still has to be judged in depth-first order is a [_LEAF, value, path, view, value] step.
_CALL, _DICT, _LIST, _LEAF = range(4)


def build_plain_tree(
    root: Any,
    policy: Policy,
    *,
    mode: str,
    recursive: Any,
    partial: Any,
    call_args: tuple[Any, ...],
    python: bool,
) -> Any:
    """Check the plain config ``root`` (a dict or list, root flags already popped), then build.

    Raises the check error listing every problem, `NeedsOmegaConf` or `Fallback` before
    anything is built; a target's own error is Hydra's ``InstantiationException``.
    """
    order, problems, missing = check_plain(
        root,
        policy,
        mode=mode,
        recursive=recursive,
        partial=partial,
        call_args=call_args,
        python=python,
    )
    if problems:
        raise check_failed(problems, missing)
    return _build(order, call_args, policy)


def check_plain(
    root: Any,
    policy: Policy,
    *,
    mode: str,
    recursive: Any,
    partial: Any,
    call_args: tuple[Any, ...],
    python: bool,
) -> tuple[list[list[Any]], list[str], bool]:
    """The check walk: (steps in build order, problems, whether a ``???`` was among them)."""
    if recursive is not True or type(partial) is not bool:
        raise Fallback
    problems: list[str] = []
    missing = False
    order: list[list[Any]] = []
    verdicts = policy.targets
    holder: list[tuple[Any, list[Any]]] = []
    # Work items: (value, kids of the parent step, slot, path, mode, is_root, viewed), or a step
    # to close; ``viewed``: a call above will bind against this value, so it needs a view.
    work: list[Any] = [(root, holder, None, (), mode, True, False)]
    pop = work.pop
    while work:
        item = pop()
        if type(item) is list:
            code = item[0]
            if code == _CALL:
                if item[3]:  # has children: bind now that their views are known
                    _bind_closed(item, call_args, problems)
            elif item[5]:  # replace the flag by the view
                values = item[1]
                view = dict(values) if code == _DICT else list(values)
                for slot, kid in item[2]:
                    view[slot] = _view_of(kid)
                item[5] = view
            order.append(item)
            continue
        value, parent_kids, slot, path, mode, is_root, viewed = item
        kind = type(value)
        if kind is dict and (is_root or TARGET in value):
            if not is_root:
                if CONVERT in value:
                    mode = convert_mode(value[CONVERT])
                if RECURSIVE in value and value[RECURSIVE] is not True:
                    raise Fallback
                part = value.get(PARTIAL, False)
                if type(part) is not bool:
                    raise Fallback
            else:
                part = partial
            if TARGET not in value:  # the root dict holds no target: a plain container
                step, pending = _container(value, kind, path, mode, python, viewed)
                parent_kids.append((slot, step))
                work.append(step)
                work.extend(reversed(pending))
                continue
            target = value[TARGET]
            if type(target) is str:
                # A string target's verdict is the same for a lazy node: share the policy's cache.
                try:
                    fn, written, problem = verdicts[target]
                except KeyError:
                    fn, written, problem = verdicts[target] = judge_target(target, policy)
            else:
                fn, written, problem = judge_target(target, policy)
            if problem is not None or written in DISCOVERY_TARGETS:
                problem = call_problem(value, part, fn, written, problem, policy)
                if problem:
                    problems.append(refusal_line(path, problem))
            kwargs: dict[Any, Any] = {}
            kids: list[tuple[Any, list[Any]]] = []
            pending: list[Any] = []
            for key, arg in value.items():
                if key in NOT_ARGUMENTS:
                    continue
                arg_kind = type(arg)
                if arg_kind in _STATIC:
                    kwargs[key] = arg
                elif arg_kind is str:
                    if arg == MISSING:
                        if part:
                            continue  # Hydra leaves a missing argument of a partial to its caller
                        problems.append(f"{fmt_path((path, key))}: missing mandatory value (???)")
                        missing = True
                        continue
                    if "${" in arg:
                        raise NeedsOmegaConf
                    kwargs[key] = arg
                else:
                    kwargs[key] = arg
                    pending.append(_child(arg, arg_kind, kids, key, (path, key), mode, True))
            args_slot = ARGS_KEY in kwargs
            if args_slot:
                raw_args = kwargs[ARGS_KEY]
                if not isinstance(raw_args, list | tuple | str):
                    problems.append(
                        f"{fmt_path(path)}: unsupported _args_ type {type(raw_args).__name__} "
                        f"({raw_args!r:.40}); give a list"
                    )
            use_call_args = is_root and bool(call_args)
            step = [_CALL, fn, kwargs, kids, part, path, written, args_slot, use_call_args, None,
                    None]  # fmt: skip
            parent_kids.append((slot, step))
            if pending:
                work.append(step)
                work.extend(reversed(pending))
            else:
                if fn is not None:
                    _bind(step, kwargs, call_args, problems)
                order.append(step)
            continue
        if kind in _CONTAINERS:
            step, pending = _container(value, kind, path, mode, python, viewed)
            parent_kids.append((slot, step))
            work.append(step)
            work.extend(reversed(pending))
            continue
        # A pending leaf: a class, function or other object, judged in depth-first order.
        leaf = [_LEAF, value, path, value, value]
        if kind is str:  # only ``???`` inside a container reaches here
            problems.append(f"{fmt_path(path)}: missing mandatory value (???)")
            missing = True
        else:
            problem = object_problem(value, policy, False)
            if problem:
                problems.append(f"{fmt_path(path)}: {problem}")
        parent_kids.append((slot, leaf))
    return order, problems, missing


def _child(
    value: Any,
    kind: type,
    kids: list[tuple[Any, list[Any]]],
    slot: Any,
    path: KeyPath,
    mode: str,
    viewed: bool,
) -> tuple[Any, ...]:
    """A work item for an argument or item that is not a plain leaf."""
    if kind is Lazy or isinstance(value, Lazy):
        raise Fallback
    if kind not in _CONTAINERS and type(value).__module__.startswith("omegaconf."):
        raise Fallback
    return (value, kids, slot, path, mode, False, viewed)


def _container(
    value: Any, kind: type, path: KeyPath, mode: str, python: bool, viewed: bool
) -> tuple[list[Any], list[Any]]:
    """A dict without ``_target_``, a list or a tuple: its step and its pending children."""
    kids: list[tuple[Any, list[Any]]] = []
    pending: list[Any] = []
    if kind is dict:
        if not NOT_ARGUMENTS.isdisjoint(value):
            raise Fallback  # a flag without a target: the generic engine's rules
        values: Any = dict(value)
        pairs: Any = value.items()
        code = _DICT
    else:
        values = list(value)
        pairs = enumerate(value)
        code = _LIST
    for key, item in pairs:
        item_kind = type(item)
        if item_kind in _STATIC:
            continue
        if item_kind is str:
            if item == MISSING:
                pending.append((item, kids, key, (path, key), mode, False, viewed))
            elif "${" in item:
                raise NeedsOmegaConf
            continue
        pending.append(_child(item, item_kind, kids, key, (path, key), mode, viewed))
    as_tuple = python and kind is tuple
    return [code, values, kids, mode, as_tuple, viewed, None], pending


def _view_of(step: list[Any]) -> Any:
    """What a parent's signature check sees of a child: a stub of a call, else its view."""
    code = step[0]
    if code == _CALL:
        return _stub(step[1], step[6], step[4])
    if code == _LEAF:
        return step[3]
    return step[5]


_stubs: dict[tuple[Any, str, bool], Lazy[Any]] = {}


def _stub(fn: Any, written: str, part: bool) -> Lazy[Any]:
    """A node of a call's target with no arguments (what annotations are checked against);
    one per (target, partial), as nothing changes a stub."""
    key = (fn, written, part)
    try:
        return _stubs[key]
    except KeyError:
        stub = _stubs[key] = Lazy(fn if fn is not None else written, (), {}, part)
        return stub
    except TypeError:  # an unhashable callable
        return Lazy(fn if fn is not None else written, (), {}, part)


# (target, partial, argument names) -> the quick test of each argument, or _ANY_VALUE when the
# signature is unknown, or None when this call shape needs the full `bind_problems`.
_quick_tests: dict[tuple[Any, bool, tuple[Any, ...]], Any] = {}
_ANY_VALUE: Any = ()
_NO_TEST: Any = object()


def _shape_tests(fn: Any, part: bool, keys: tuple[Any, ...]) -> Any:
    spec = spec_of(fn)
    if spec.names is None:
        return _ANY_VALUE  # bind_problems accepts every call of an unknown signature
    if not (part or spec.required_set.issubset(keys)):
        return None
    tests = tuple(spec.accepts.get(key, _NO_TEST) for key in keys)
    return None if any(test is _NO_TEST for test in tests) else tests


def _bind(
    step: list[Any], view: dict[Any, Any], call_args: tuple[Any, ...], problems: list[str]
) -> None:
    """Bind one call; a keyword-only call of a known shape whose values all pass their quick
    tests is fine (the quick path of `bind_problems`), anything else asks `bind_messages`."""
    fn, part = step[1], step[4]
    if not step[7] and not step[8]:
        key = (fn, part, tuple(view))
        try:
            tests = _quick_tests[key]
        except KeyError:
            tests = _quick_tests[key] = _shape_tests(fn, part, key[2])
        except TypeError:  # an unhashable callable
            tests = None
        if tests is not None:
            for test, value in zip(tests, view.values(), strict=False):
                if test is None:
                    continue
                if type(test) is tuple:
                    if isinstance(value, test):
                        continue
                    break
                if not test(value):
                    break
            else:
                return
        args: tuple[Any, ...] = ()
    elif step[8]:
        args = tuple(call_args)
        if step[7]:
            view = dict(view)
            del view[ARGS_KEY]
    else:
        view = dict(view)
        args_view = view.pop(ARGS_KEY)
        args = tuple(args_view) if isinstance(args_view, list | tuple | str) else ()
    found = bind_messages(fn, args, view, part, step[5])
    if found:
        problems.extend(found)


def _bind_closed(step: list[Any], call_args: tuple[Any, ...], problems: list[str]) -> None:
    if step[1] is None:
        return
    view = dict(step[2])
    for slot, kid in step[3]:
        view[slot] = _view_of(kid)
    _bind(step, view, call_args, problems)


def _build(order: list[list[Any]], call_args: tuple[Any, ...], policy: Policy) -> Any:
    partial = functools.partial
    for step in order:
        code = step[0]
        if code == _CALL:
            _, fn, kwargs, kids, part, path, written, args_slot, use_call_args, _, _ = step
            for key, kid in kids:
                kwargs[key] = kid[-1]
            args = kwargs.pop(ARGS_KEY) if args_slot else ()
            if use_call_args:
                args = call_args
            try:
                result = partial(fn, *args, **kwargs) if part else fn(*args, **kwargs)
            except Exception as exc:
                raise call_failed(fn, part, path, exc) from exc
            if callable(result):
                refuse_callable_result(policy, written, result, path)
            step[-1] = result
        else:
            values, kids, mode = step[1], step[2], step[3]
            for key, kid in kids:
                values[key] = kid[-1]
            if code == _DICT:
                if mode == "none":
                    step[-1] = dict_node(tuple(values), list(values.values()), mode, None)
                else:
                    step[-1] = values
            elif mode == "none":
                step[-1] = omega_container(values)
            else:
                step[-1] = tuple(values) if step[4] else values
    return order[-1][-1]
