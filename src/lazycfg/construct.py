"""Check first, build second: the vocabulary shared by the passes behind `lazycfg.instantiate`.

The engine is three modules over this one: `lazycfg.construct_check` walks any config once with an
explicit stack (no recursion limit), checks everything and compiles a flat post-order program;
`lazycfg.construct_build` runs that program only when the check found no problem, so a bad config
constructs nothing; `lazycfg.construct_lazy` is a specialised single pass for lazy trees, whose
nodes were already checked against their signatures when they were defined.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

from lazycfg.node import ARGS_KEY, Lazy, format_path
from lazycfg.safety import DISCOVERY_TARGETS, Policy
from lazycfg.signature import bind_problems

TARGET, PARTIAL, RECURSIVE, CONVERT = "_target_", "_partial_", "_recursive_", "_convert_"
NOT_ARGUMENTS = frozenset({TARGET, PARTIAL, RECURSIVE, CONVERT})
MISSING = "???"
MODES = frozenset({"none", "partial", "object", "all"})
LEAF_TYPES = frozenset({str, int, float, bool, type(None), bytes})

# Program instructions (tuples; the first item is the opcode).
PUSH, DICT, LIST, CALL, MEMO, RAW = range(6)


# A config path as a linked list ``(parent, key)``, ``()`` at the root: O(1) per child, so a
# 10,000-deep chain costs linear time; formatted only when a message needs it.
KeyPath = tuple[Any, ...]


def fmt_path(path: KeyPath) -> str:
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


def is_structured(value: Any) -> bool:
    kind = type(value)
    return hasattr(kind, "__dataclass_fields__") or hasattr(kind, "__attrs_attrs__")


def is_omega(value: Any) -> bool:
    return type(value).__module__.startswith("omegaconf.")


def call_failed(fn: Any, partial: bool, path: KeyPath, exc: Exception) -> Exception:
    """Hydra's error for a target that raised: the target, the cause and the ``full_key``."""
    from hydra.errors import InstantiationException

    name = callable_name(fn)
    if partial:
        msg = f"Error in creating partial({name}, ...) object:\n{exc!r}"
    else:
        msg = f"Error in call to target '{name}':\n{exc!r}"
    if path:
        msg += f"\nfull_key: {fmt_path(path)}"
    return InstantiationException(msg)


def refuse_callable_result(policy: Policy, written: Any, result: Any, path: KeyPath) -> None:
    """Raise if a target returned a callable the policy refuses (called only for callables)."""
    problem = policy.result_problem(written, result)
    if problem:
        from lazycfg.instantiate_errors import InstantiateCheckError

        raise InstantiateCheckError([f"{fmt_path(path)}: {problem}"])


_UNSET = ": missing mandatory value (???)"
_UNBOUND = ": missing required argument"


def check_failed(problems: list[str], missing: bool) -> Exception:
    """The one error for everything the check pass found (nothing was built)."""
    from lazycfg.instantiate_errors import InstantiateCheckError, MissingValuesError

    kind = MissingValuesError if missing else InstantiateCheckError
    if missing:
        # A ``???`` argument is left out of the call it belongs to, so binding that call also
        # finds the argument missing: one problem, reported once, as the ``???``.
        unset = {p[: -len(_UNSET)] for p in problems if p.endswith(_UNSET)}
        problems = [
            p for p in problems if not (p.endswith(_UNBOUND) and p[: -len(_UNBOUND)] in unset)
        ]
    count = len(problems)
    return kind(
        problems, f"cannot instantiate: {count} problem{'s' * (count != 1)}, nothing was built"
    )


def lazy_target(node: Lazy[Any], policy: Policy) -> tuple[Any, str, str | None]:
    """(callable, written name, problem) for a node's target, the policy's verdict included;
    cached per target on the policy, so a warm check is one dict lookup per node."""
    target = node._lazy_target
    cache = policy.targets
    try:
        return cache[target]
    except KeyError:
        pass
    except TypeError:  # unhashable callable: judged every time
        return _judge_lazy_target(node, policy)
    verdict = cache[target] = _judge_lazy_target(node, policy)
    return verdict


def _judge_lazy_target(node: Lazy[Any], policy: Policy) -> tuple[Any, str, str | None]:
    target = node._lazy_target
    if isinstance(target, str) and (refused := policy.admit_name(target)) is not None:
        return None, target, refused  # judged before import: nothing of it runs
    fn, written, problem = resolve_target(target)
    if problem is None:
        if not isinstance(node._lazy_target, str):
            from lazycfg.node import target_name

            written = target_name(node)
        problem = policy.problem(written, fn)
    return fn, written, problem


def object_problem(value: Any, policy: Policy, resolved: bool) -> str | None:
    """Checks on an object leaf: classes and functions must pass the policy; a structured
    config needs OmegaConf first (`NeedsOmegaConf`) unless the tree is already resolved."""
    if isinstance(value, type | types.FunctionType | types.BuiltinFunctionType):
        from lazycfg.safety import identity

        return policy.problem(identity(value) or repr(value), value)
    if not resolved and is_structured(value):
        raise NeedsOmegaConf
    return None


def discovery_problem(fields: dict[Any, Any], policy: Policy) -> str | None:
    """``get_object(path=...)``: the path is the real target, so it passes the same checks."""
    args = fields.get(ARGS_KEY)
    path = args[0] if isinstance(args, list | tuple) and args else fields.get("path")
    if not isinstance(path, str):
        return "the path of hydra.utils.get_* must be a literal dotted string"
    from lazycfg.errors import ConfigError
    from lazycfg.targets import locate

    try:
        locate(path, policy)
    except ConfigError as exc:
        return exc.problems[0]
    return None


def call_problem(
    value: Any, partial: Any, fn: Any, written: str, problem: str | None, policy: Policy
) -> str | None:
    """The final verdict on one call's target: a ``get_object``-style target is judged by its
    ``path``. ``value`` is the config dict or the lazy node. Callers skip this when ``problem``
    is None and the target is no discovery target, which keeps it off the per-node fast path."""
    if problem is None and written in DISCOVERY_TARGETS:
        fields = value
        if isinstance(value, Lazy):
            fields = {ARGS_KEY: value._lazy_args, **value._lazy_kwargs}
        problem = discovery_problem(fields, policy)
    return problem


def refusal_line(path: KeyPath, problem: str) -> str:
    """One refused target as a problem line; Hydra's own (multi-line) text keeps the
    ``full_key`` line Hydra ends it with."""
    where = fmt_path(path)
    if "\n" in problem and path:
        return f"{where}: {problem}\nfull_key: {where}"
    return f"{where}: {problem}"


def judge_target(target: Any, policy: Policy) -> tuple[Any, str, str | None]:
    """A written target resolved, with the policy's verdict on it (a string is judged before
    it is imported, so a refused one runs no import-time code)."""
    if isinstance(target, str) and (refused := policy.admit_name(target)) is not None:
        return None, target, refused
    fn, written, problem = resolve_target(target)
    if problem is None:
        problem = policy.problem(written, fn)
    return fn, written, problem


def bind_messages(
    fn: Any, args: tuple[Any, ...], kwargs: dict[Any, Any], partial: bool, path: KeyPath
) -> list[str]:
    """`bind_problems` of one call, each problem prefixed with its config path."""
    out: list[str] = []
    for line in bind_problems(fn, args, kwargs, partial=partial):
        name, sep, rest = line.partition(":")
        if sep and name in kwargs or sep and name.isidentifier():
            out.append(f"{fmt_path((path, name))}:{rest}")
        elif sep and name.startswith(_ARGS_ITEM) and name[len(_ARGS_ITEM) : -1].isdigit():
            # an item of ``*args``: ``_args_[1]`` at the node's path
            index = int(name[len(_ARGS_ITEM) : -1])
            out.append(f"{fmt_path(((path, ARGS_KEY), index))}:{rest}")
        else:
            out.append(f"{fmt_path(path)}: {line}")
    return out


_ARGS_ITEM = f"{ARGS_KEY}["
