"""Check first, build second: the vocabulary of `lazycfg.instantiate`'s engine.

The engine is one planner and one executor: `lazycfg.instantiate.plan` walks any config once with
an explicit stack (no recursion limit), checks everything and compiles a post-order program;
`lazycfg.instantiate.run` runs that program only when the check found no problem, so a bad config
constructs nothing. This module holds what both use: the special keys, config paths, and the
judging of targets (import, safety policy) with its caches. `lazycfg.instantiate.problems` holds
the problem records and their messages; `lazycfg.instantiate.read` reads OmegaConf configs.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from lazycfg.core.caches import put_bounded
from lazycfg.core.node import ARGS_KEY, Lazy, Place, format_place
from lazycfg.instantiate.problems import (
    POLICY_KIND,
    TARGET_KIND,
    Verdict,
    callable_name,
    policy_verdict,
    problem_at,
)
from lazycfg.safety.policy import DISCOVERY_TARGETS, Policy

TARGET, PARTIAL, RECURSIVE, CONVERT = "_target_", "_partial_", "_recursive_", "_convert_"
NOT_ARGUMENTS = frozenset({TARGET, PARTIAL, RECURSIVE, CONVERT})
MISSING = "???"
MODES = frozenset({"none", "partial", "object", "all"})
LEAF_TYPES = frozenset({str, int, float, bool, type(None), bytes})
# Leaves that are values whatever the context: never a target, a node, a config or ``${``.
STATIC = frozenset({int, float, bool, type(None), bytes, complex})


def freeze(container: Any) -> tuple[Any, ...]:
    """A list or dict with its items as they are now (keys and values for a dict)."""
    if type(container) is dict:
        return (container, tuple(container), tuple(container.values()))
    return (container, tuple(container), None)


def holds(root: Any, found: Callable[[Any], bool], *, into_nodes: bool = False) -> bool:
    """Whether ``found(leaf)`` is true of a value anywhere in ``root``: dicts, lists and tuples
    are searched (explicit stack), and a lazy node's arguments too when ``into_nodes`` (else a
    node is a value like any other). `STATIC` leaves are skipped: no test is true of them."""
    stack = [root]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in STATIC:
            continue
        if kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif into_nodes and isinstance(item, Lazy):
            stack.extend(item._lazy_args)
            stack.extend(item._lazy_kwargs.values())
        elif found(item):
            return True
    return False


def is_interpolation(value: Any) -> bool:
    """Whether ``value`` is a string holding ``${``."""
    return type(value) is str and "${" in value


def holds_interpolation(value: Any) -> bool:
    """Whether a string holding ``${`` is anywhere in ``value`` (dicts, lists, tuples, nodes)."""
    return holds(value, is_interpolation, into_nodes=True)


class NeedsOmegaConf(Exception):
    """The plain fast path met an interpolation or a structured config: resolve first."""


def convert_mode(value: Any) -> str:
    """Hydra's ``_convert_`` as one of none/partial/object/all (any other value acts as none)."""
    value = getattr(value, "value", value)  # hydra.types.ConvertMode
    if isinstance(value, str) and value.lower() in MODES:
        return value.lower()
    return "none"


# Dotted path -> (the object it names, problem). Bounded: paths come from configs (a bad one
# per call would grow it), and each holds the object its module holds.
_located: dict[str, tuple[Any, Verdict | None]] = {}
_LOCATED_KEPT = 4096


def _locate_failed(target: str, detail: str) -> Verdict:
    message = (
        f"Error locating target '{target}', set env var HYDRA_FULL_ERROR=1 to see chained "
        "exception."
    )
    cause: BaseException | None = None
    try:  # the exception Hydra chains (the import already failed: nothing new runs)
        from hydra._internal.utils import _locate

        _locate(target)
    except Exception as exc:
        cause = exc
    return TARGET_KIND, message, detail, cause


def _not_callable(target: Any, detail: str) -> Verdict:
    kind = type(target).__name__
    kind = {"dict": "DictConfig", "list": "ListConfig", "tuple": "ListConfig"}.get(kind, kind)
    return TARGET_KIND, f"Expected a callable target, got '{target}' of type '{kind}'", detail


def resolve_target(target: Any) -> tuple[Any, str, Verdict | None]:
    """(callable, written name, problem) for a ``_target_`` value; cached per dotted path.
    Call `judge_target` instead: it asks the policy about a dotted path before importing it."""
    if isinstance(target, str):
        hit = _located.get(target)
        if hit is None:
            from lazycfg.core.errors import ConfigError
            from lazycfg.core.targets import import_unjudged

            problem: Verdict | None = None
            try:
                fn = import_unjudged(target)  # judge_target judged it before and judges after
                if not callable(fn):
                    problem = _not_callable(fn, f"{target!r} names a {type(fn).__name__}; "
                                            "name a class or function")  # fmt: skip
            except ConfigError as exc:
                fn, problem = None, _locate_failed(target, str(exc.problems[0]))
            hit = put_bounded(_located, target, (fn, problem), _LOCATED_KEPT)
        return hit[0], target, hit[1]
    if callable(target):
        return target, callable_name(target), None
    detail = "_target_ must be a dotted path or a callable"
    return None, repr(target), _not_callable(target, detail)


def is_structured(value: Any) -> bool:
    """Whether ``value`` is a structured config: a dataclass or attrs class, or an instance."""
    kind = value if isinstance(value, type) else type(value)
    return hasattr(kind, "__dataclass_fields__") or hasattr(kind, "__attrs_attrs__")


def is_omega(value: Any) -> bool:
    """Whether ``value`` is one of OmegaConf's configs or nodes."""
    return type(value).__module__.startswith("omegaconf.")


def call_failed(fn: Any, partial: bool, path: Place, exc: Exception) -> Exception:
    """Hydra's error for a target that raised: the target, the cause and the ``full_key``."""
    from hydra.errors import InstantiationException

    name = callable_name(fn)
    if partial:
        msg = f"Error in creating partial({name}, ...) object:\n{exc!r}"
    else:
        msg = f"Error in call to target '{name}':\n{exc!r}"
    if path:
        msg += f"\nfull_key: {format_place(path)}"
    return InstantiationException(msg)


def refuse_callable_result(policy: Policy, written: Any, result: Any, path: Place) -> None:
    """Raise if a target returned a callable the policy refuses (called only for callables)."""
    problem = policy.result_problem(written, result)
    if problem:
        from lazycfg.instantiate.errors import InstantiateCheckError

        raise InstantiateCheckError([problem_at(path, (POLICY_KIND, problem, ""))])


def lazy_target(node: Lazy[Any], policy: Policy) -> tuple[Any, str, Verdict | None]:
    """(callable, written name, problem) for a node's target, the policy's verdict included;
    cached per target on the policy (a callable weakly), so a warm check is a dict lookup."""
    target = node._lazy_target
    hit = policy.callables.by_id.get(id(target))
    if hit is not None:
        return target, hit[0], hit[1]
    if isinstance(target, str):
        try:
            return policy.targets[target]
        except KeyError:
            return policy.keep_target(target, _judge_lazy_target(node, policy))
    hit = policy.callables.get(target)
    if hit is not None:
        return target, hit[0], hit[1]
    fn, written, problem = _judge_lazy_target(node, policy)
    if fn is target:  # (the callable itself is not kept: the entry would keep it alive)
        policy.callables.put(target, (written, problem))
    return fn, written, problem


def _judge_lazy_target(node: Lazy[Any], policy: Policy) -> tuple[Any, str, Verdict | None]:
    target = node._lazy_target
    if isinstance(target, str):
        return judge_target(target, policy)
    fn, written, problem = resolve_target(target)
    if problem is None:
        from lazycfg.core.node import target_name

        written = target_name(node)
        problem = policy_verdict(policy.problem(written, fn))
    return fn, written, problem


def judge_target(target: Any, policy: Policy) -> tuple[Any, str, Verdict | None]:
    """A written target resolved, with the policy's verdict on it; a dotted path is judged by
    the policy before it is imported."""
    if isinstance(target, str):
        refused = policy.admit_name(target)
        if refused is not None:
            return None, target, (POLICY_KIND, refused, "")
    fn, written, problem = resolve_target(target)
    if problem is None:
        problem = policy_verdict(policy.problem(written, fn))
    return fn, written, problem


def object_problem(value: Any, policy: Policy, resolved: bool) -> Verdict | None:
    """Checks on an object leaf: classes and functions must pass the policy; a structured
    config needs OmegaConf first (`NeedsOmegaConf`) unless the tree is already resolved."""
    if isinstance(value, type | types.FunctionType | types.BuiltinFunctionType):
        from lazycfg.safety.policy import identity

        return policy_verdict(policy.problem(identity(value) or repr(value), value))
    if not resolved and is_structured(value):
        raise NeedsOmegaConf
    return None


def discovery_problem(fields: dict[Any, Any], policy: Policy) -> Verdict | None:
    """``get_object(path=...)``: the path is the real target, so it passes the same checks."""
    args = fields.get(ARGS_KEY)
    path = args[0] if isinstance(args, list | tuple) and args else fields.get("path")
    if not isinstance(path, str):
        return (
            POLICY_KIND,
            "the path of hydra.utils.get_* must be a literal dotted string",
            "",
        )
    _, _, problem = judge_target(path, policy)
    if problem is not None and problem[0] == TARGET_KIND and problem[1].startswith("Expected"):
        return None  # get_object may fetch any object, callable or not
    return problem


def call_problem(
    value: Any, partial: Any, fn: Any, written: str, problem: Verdict | None, policy: Policy
) -> Verdict | None:
    """The final verdict on one call's target: a ``get_object``-style target is judged by its
    ``path``. ``value`` is the config dict or the lazy node. Callers skip this when ``problem``
    is None and the target is no discovery target, which keeps it off the per-node fast path."""
    if problem is None and written in DISCOVERY_TARGETS:
        fields = value
        if isinstance(value, Lazy):
            fields = {ARGS_KEY: value._lazy_args, **value._lazy_kwargs}
        problem = discovery_problem(fields, policy)
    return problem
