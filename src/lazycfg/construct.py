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
from typing import Any, NamedTuple, TypeAlias

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


class Problem(NamedTuple):
    """One reason a tree cannot be built: where (a formatted config path, ``""`` at the root),
    what kind, Hydra's own message for it (empty when Hydra has none) and lazycfg's detail
    (the cause, did-you-mean, how to fix it)."""

    path: str
    kind: str
    message: str
    detail: str = ""
    full_key: str | None = None  # Hydra's full_key when it is not ``path`` (a call's node)
    cause: BaseException | None = None  # what Hydra chains to its error (a failed import)

    def __str__(self) -> str:
        at = self.path or "<root>"
        if not self.message:
            return f"{at}: {self.detail}"
        text = self.message
        full_key = self.path if self.full_key is None else self.full_key
        if full_key and self.kind in _WITH_FULL_KEY:
            text += f"\nfull_key: {full_key}"
        return f"{text}\n{at}: {self.detail}" if self.detail else text


# Problem kinds. Hydra adds ``full_key: path`` to the messages of the first four.
TARGET_KIND, POLICY_KIND, FLAG_KIND, ARGS_KIND = "target", "policy", "flag", "args"
MISSING_KIND, UNBOUND_KIND, BINDING_KIND, VALUE_KIND = "missing", "unbound", "binding", "value"
_WITH_FULL_KEY = frozenset(
    {TARGET_KIND, POLICY_KIND, FLAG_KIND, ARGS_KIND, UNBOUND_KIND, BINDING_KIND}
)

# A verdict on one target or value, before it has a path: (kind, Hydra's message, detail),
# and for a failed import the exception Hydra chains.
Verdict: TypeAlias = "tuple[Any, ...]"


def where(path: KeyPath) -> str:
    """A problem's config path: ``model.layers[0]``, or ``""`` at the root."""
    return fmt_path(path) if path else ""


def problem_at(path: KeyPath, verdict: Verdict) -> Problem:
    kind, message, detail, *cause = verdict
    return Problem(where(path), kind, message, detail, cause=cause[0] if cause else None)


def holds_interpolation(value: Any) -> bool:
    """Whether a string holding ``${`` is anywhere in ``value`` (dicts, lists, tuples, nodes)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            if "${" in item:
                return True
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif isinstance(item, Lazy):
            stack.extend(item._lazy_args)
            stack.extend(item._lazy_kwargs.values())
    return False


def policy_verdict(reason: str | None) -> Verdict | None:
    return None if reason is None else (POLICY_KIND, reason, "")


def missing_problem(path: KeyPath) -> Problem:
    """A ``???`` value the construction needs, with the message OmegaConf gives Hydra."""
    key = path[1] if path else None
    at = where(path)
    if type(key) is int:
        message = f"Missing value at index {key}"
    else:
        message = f"Missing mandatory value: {at}"
    return Problem(at, MISSING_KIND, message, "missing mandatory value (???)")


def flag_problem(path: KeyPath, flag: str, value: Any) -> Problem:
    name = flag.strip("_")
    return Problem(
        where(path),
        FLAG_KIND,
        f"Instantiation: {flag} flag must be a bool, got {type(value)}",
        f"set {flag} to true or false ({name})",
    )


def args_problem(path: KeyPath, value: Any) -> Problem:
    return Problem(
        where(path),
        ARGS_KIND,
        f"Unsupported _args_ type: '{type(value).__name__}'. value: '{value}'",
        "give _args_ as a list",
    )


class NeedsOmegaConf(Exception):
    """The plain fast path met an interpolation or a structured config: resolve first."""


@dataclass
class Plan:
    ops: list[tuple[Any, ...]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
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


_located: dict[str, tuple[Any, Verdict | None]] = {}


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
            from lazycfg.errors import ConfigError
            from lazycfg.targets import locate

            problem: Verdict | None = None
            try:
                fn = locate(target)
                if not callable(fn):
                    problem = _not_callable(fn, f"{target!r} names a {type(fn).__name__}; "
                                            "name a class or function")  # fmt: skip
            except ConfigError as exc:
                fn, problem = None, _locate_failed(target, str(exc.problems[0]))
            hit = (fn, problem)
            _located[target] = hit
        return hit[0], target, hit[1]
    if callable(target):
        return target, callable_name(target), None
    detail = "_target_ must be a dotted path or a callable"
    return None, repr(target), _not_callable(target, detail)


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

        raise InstantiateCheckError([problem_at(path, (POLICY_KIND, problem, ""))])


def check_failed(problems: list[Problem]) -> Exception:
    """The one error for everything the check pass found (nothing was built)."""
    from lazycfg.instantiate_errors import InstantiateCheckError, MissingValuesError

    unset = {p.path for p in problems if p.kind == MISSING_KIND}
    kind = MissingValuesError if unset else InstantiateCheckError
    if unset:
        # A ``???`` argument is left out of the call it belongs to, so binding that call also
        # finds the argument missing: one problem, reported once, as the ``???``.
        problems = [p for p in problems if not (p.kind == UNBOUND_KIND and p.path in unset)]
    count = len(problems)
    error = kind(
        problems, f"cannot instantiate: {count} problem{'s' * (count != 1)}, nothing was built"
    )
    error.__cause__ = next((p.cause for p in problems if p.cause is not None), None)
    return error


def lazy_target(node: Lazy[Any], policy: Policy) -> tuple[Any, str, Verdict | None]:
    """(callable, written name, problem) for a node's target, the policy's verdict included;
    cached per target on the policy, so a warm check is one dict lookup per node."""
    target = node._lazy_target
    cache: dict[Any, Any] = policy.targets
    try:
        return cache[target]
    except KeyError:
        pass
    except TypeError:  # unhashable callable: judged every time
        return _judge_lazy_target(node, policy)
    verdict = cache[target] = _judge_lazy_target(node, policy)
    return verdict


def _judge_lazy_target(node: Lazy[Any], policy: Policy) -> tuple[Any, str, Verdict | None]:
    target = node._lazy_target
    if isinstance(target, str):
        return judge_target(target, policy)
    fn, written, problem = resolve_target(target)
    if problem is None:
        from lazycfg.node import target_name

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
        from lazycfg.safety import identity

        return policy_verdict(policy.problem(identity(value) or repr(value), value))
    if not resolved and is_structured(value):
        raise NeedsOmegaConf
    return None


def lookup_problem(
    fields: Any, partial: Any, fn: Any, written: str, problem: Verdict, policy: Policy
) -> Verdict | None:
    """A target's ``problem`` reconsidered for an enum member lookup (see
    `lazycfg.safety.Policy.lookup_problem`); ``fields`` is the config dict or the lazy node."""
    if problem[0] != POLICY_KIND:
        return problem
    if isinstance(fields, Lazy):
        args: Any = fields._lazy_args
        others = bool(fields._lazy_kwargs)
    else:
        args = fields.get(ARGS_KEY)
        others = any(k not in NOT_ARGUMENTS and k != ARGS_KEY for k in fields)
    nargs = len(args) if isinstance(args, list | tuple) or is_omega(args) else -1
    found = policy.lookup_problem(written, fn, problem[1], nargs, others, partial is not False)
    return policy_verdict(found)


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
    ``path``, and a refused enum class may still be looked up. ``value`` is the config dict or
    the lazy node. Callers skip this when ``problem`` is None and the target is no discovery
    target, which keeps it off the per-node fast path."""
    if problem is None and written in DISCOVERY_TARGETS:
        fields = value
        if isinstance(value, Lazy):
            fields = {ARGS_KEY: value._lazy_args, **value._lazy_kwargs}
        problem = discovery_problem(fields, policy)
    if problem:
        problem = lookup_problem(value, partial, fn, written, problem, policy)
    return problem


def bind_messages(
    fn: Any,
    args: tuple[Any, ...],
    kwargs: dict[Any, Any],
    partial: bool,
    path: KeyPath,
    strict: bool = False,
) -> list[Problem]:
    """`bind_problems` of one call as problems at their config paths. Not ``strict``: only
    what is certain to fail when the target is called (Hydra builds a value whose type does
    not match its annotation, and a partial's arguments are checked when it is called)."""
    node = where(path)
    out: list[Problem] = []
    for key in kwargs:
        if type(key) is not str:
            text = f"argument name {key!r} is not a string; keyword arguments must be strings"
            out.append(_call_problem(fn, partial, node, BINDING_KIND, text))
    if out:
        kwargs = {k: v for k, v in kwargs.items() if type(k) is str}
    if partial and not strict:
        return out
    for line in bind_problems(fn, args, kwargs, partial=partial, strict=strict):
        name, sep, rest = line.partition(":")
        rest = rest.strip()
        kind = UNBOUND_KIND if rest == "missing required argument" else BINDING_KIND
        if sep and name in kwargs or sep and name.isidentifier():
            at = where((path, name))
        elif sep and name.startswith(_ARGS_ITEM) and name[len(_ARGS_ITEM) : -1].isdigit():
            # an item of ``*args``: ``_args_[1]`` at the node's path
            at = where(((path, ARGS_KEY), int(name[len(_ARGS_ITEM) : -1])))
        else:
            at, rest = node, line
        out.append(_call_problem(fn, partial, node, kind, rest, at))
    return out


def _call_problem(
    fn: Any, partial: bool, node: str, kind: str, text: str, at: str | None = None
) -> Problem:
    """A binding problem: Hydra's message for the failed call it predicts, then lazycfg's."""
    name = callable_name(fn)
    at = node if at is None else at
    short = at.rpartition(".")[2] if at != node else ""
    error = TypeError(f"{short}: {text}" if short else text)
    if partial:
        message = f"Error in creating partial({name}, ...) object:\n{error!r}"
    else:
        message = f"Error in call to target '{name}':\n{error!r}"
    return Problem(at, kind, message, text, node)


_ARGS_ITEM = f"{ARGS_KEY}["
