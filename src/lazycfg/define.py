"""``lazy`` and ``partial``: calls that are checked now and made later."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

from lazycfg.check.leaves import leaf_problem
from lazycfg.check.signature import bind_problems, positional_names
from lazycfg.core.caches import WeakCache
from lazycfg.core.errors import ConfigError, TargetError
from lazycfg.core.node import ARGS_KEY, CHECKED, Lazy, Meta, Path, format_path, target_name, where
from lazycfg.core.problems import TYPE_KIND, UNBOUND_KIND, VALUE_KIND, Problem
from lazycfg.core.targets import import_path

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

_new_meta = tuple.__new__
_SIMPLE = frozenset((int, float, str, bool, type(None)))


def value_problems(argument: str | int, value: Any) -> list[Problem]:
    """Problems with serializing one argument's value (and everything inside it), at paths
    under the argument (its name, or the index of an argument given by position).

    Nested lazy nodes are not entered: each was checked when it was made. Strings holding
    ``${`` must parse as OmegaConf interpolations.
    """
    kind = type(value)
    name = argument if type(argument) is str else f"{ARGS_KEY}[{argument}]"
    if kind is str:
        problem = interpolation_problem(value)
        return [Problem(name, VALUE_KIND, "", problem, argument=argument)] if problem else []
    if kind in _SIMPLE or isinstance(value, Lazy):
        return []
    if (kind is list or kind is tuple) and _SIMPLE.issuperset(map(type, value)):
        if not any(type(v) is str and "${" in v for v in value):
            return []
    problems = []
    stack: list[tuple[Path, Any]] = [((name,), value)]
    while stack:
        path, item = stack.pop()
        kind = type(item)
        if kind is str:
            problem = interpolation_problem(item)
        elif kind in _SIMPLE or isinstance(item, Lazy):
            continue
        else:
            if kind is list or kind is tuple:
                stack.extend(((*path, i), v) for i, v in enumerate(item))
            elif kind is dict:
                stack.extend(((*path, k), v) for k, v in item.items())
            problem = leaf_problem(item)
        if problem:
            problems.append(Problem(format_path(path), VALUE_KIND, "", problem, argument=argument))
    return problems


def interpolation_problem(text: str) -> str | None:
    """Why a string holding ``${`` is not a valid OmegaConf interpolation, or None."""
    if "${" not in text:
        return None
    try:
        from omegaconf.errors import GrammarParseError
        from omegaconf.grammar_parser import parse
    except ImportError:  # pragma: no cover - omegaconf is a dependency
        return None
    try:
        parse(text)
    except GrammarParseError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "does not parse"
        return (
            f"malformed interpolation {text!r:.60} ({reason}); write ${{key.path}} or "
            "${resolver:args}, or escape a literal as \\${"
        )
    return None


def _needs_value_check(value: Any) -> bool:
    kind = type(value)
    return kind not in _SIMPLE or (kind is str and "${" in value)


def _any_needs_value_check(values: Any) -> bool:
    # The usual call (numbers, plain strings) costs one C-level pass over the types and a
    # substring test per string.
    if not _SIMPLE.issuperset(map(type, values)):
        return True
    for value in values:
        if type(value) is str and "${" in value:
            return True
    return False


def make_node(
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    partial: bool,
    depth: int = 2,
    meta: Meta | None = None,
    locate_caller: bool = True,
) -> Lazy[Any]:
    """Validate a call and return its node; raise `ConfigError` listing every problem.

    The node records the ``file:line`` of the frame ``depth`` levels up (the user's call) unless
    ``locate_caller`` is false (nodes read back from a config have no defining line).
    """
    problems = bind_problems(target, args, kwargs, partial=partial)
    found: list[Problem] = []  # problems of values that cannot be written (or parsed)
    bad: set[str | int] = set()  # their arguments, as bind_problems names them
    if args and _any_needs_value_check(args):
        names = positional_names(target) or ()
        for i, value in enumerate(args):
            if _needs_value_check(value):
                here = value_problems(i, value)
                if here:
                    found += here
                    bad.add(names[i] if i < len(names) else i)
    if _any_needs_value_check(kwargs.values()):
        for name, value in kwargs.items():
            if _needs_value_check(value):
                here = value_problems(name, value)
                if here:
                    found += here
                    bad.add(name)
    if found:  # a type problem on top of a value's own would say it twice: left out
        problems = [p for p in problems if not (p.kind == TYPE_KIND and p.argument in bad)]
        problems += found
    if problems and not partial and all(p.kind == UNBOUND_KIND for p in problems):
        problems = _suggest_partial(target, args, kwargs, problems, in_python=locate_caller)
    if locate_caller:
        frame = sys._getframe(depth)
        located = (frame.f_code.co_filename, frame.f_lineno)
        if meta is None:  # Meta(located, True), without the named tuple's Python-level __new__
            meta = _new_meta(Meta, (located, True, None, None, None))
        else:
            meta = meta._replace(where=located, checked=True)
        if problems:
            header = f"invalid call of {_name(target)} at {located[0]}:{located[1]}"
            raise ConfigError(problems, header)
    elif problems:
        raise ConfigError(problems, f"invalid call of {_name(target)}")
    else:  # read from a config: checked as well, with no line of its own
        meta = CHECKED if meta is None else meta._replace(checked=True)
    return Lazy(target, args, kwargs, partial, meta)


def _suggest_partial(
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    problems: list[Problem],
    *,
    in_python: bool,
) -> list[Problem]:
    """Missing arguments only: say how to leave them for later, with the call as written."""
    from lazycfg.core.reprs import value_repr

    missing = ", ".join(p.path for p in problems)
    if in_python:
        short = getattr(target, "__name__", None) or _name(target)
        given = [value_repr(a, 40) for a in args] + [
            f"{k}={value_repr(v, 40)}" for k, v in kwargs.items()
        ]
        how = f"make it a partial: Partial({', '.join([short, *given])})"
    else:
        how = "add _partial_: true to this node"
    hint = (
        f"; to pass {missing} when the object is built (an optimizer gets "
        f"model.parameters() then), {how}"
    )
    last = problems[-1]
    return [*problems[:-1], last._replace(detail=last.detail + hint)]


def _name(target: Any) -> str:
    try:
        return import_path(target)
    except Exception:
        return repr(target)


class _LazyCall:
    __slots__ = ("target", "partial")

    def __init__(self, target: Any, partial: bool) -> None:
        self.target = target
        self.partial = partial

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return make_node(self.target, args, kwargs, partial=self.partial)

    def __repr__(self) -> str:
        return f"{'partial' if self.partial else 'lazy'}({_name(self.target)})"


def _checked_target(fn: Any, api: str, depth: int = 2) -> Any:
    """``fn`` if Hydra can import it back; otherwise an error at the line ``depth`` frames up."""
    problem: str | Problem | None = None
    if isinstance(fn, Lazy) or not callable(fn):
        problem = f"{api}() takes a class or function, got {fn!r:.60}"
    else:
        try:
            import_path(fn)  # refuse lambdas and local classes now, at the line that wrote them
        except ConfigError as exc:
            problem = exc.records[0]
    if problem is None:
        return fn
    frame = sys._getframe(depth)
    raise TargetError([problem], f"invalid {api}() at {frame.f_code.co_filename}:{frame.f_lineno}")


# Targets already checked, while they live: ``lazy(RF)`` in a loop costs a dict lookup and a
# small wrapper (a kept wrapper would hold its target, so the target could never go).
_checked: WeakCache[bool] = WeakCache(4096)
_checked_by_id = _checked.by_id


def _wrapper(fn: Any, is_partial: bool) -> Any:
    if id(fn) in _checked_by_id or _checked.get(fn):
        return _LazyCall(fn, is_partial)
    call = _LazyCall(_checked_target(fn, "partial" if is_partial else "lazy", 3), is_partial)
    _checked.put(fn, True)
    return call


def lazy(fn: Callable[P, R]) -> Callable[P, R]:
    """Return ``fn`` made lazy: calling it checks the arguments and returns a `Lazy` node.

    The static type is ``fn``'s own, so pyright and mypy check keyword names and types, and
    ``instantiate`` of the node has ``fn``'s return type::

        model = lazy(RandomForestClassifier)(n_estimators=3000)
        rf = instantiate(model)  # a RandomForestClassifier
    """
    if id(fn) in _checked_by_id:  # (`_wrapper`'s usual case inline: one call less)
        return _LazyCall(fn, False)  # pyright: ignore[reportReturnType]
    return _wrapper(fn, False)


def partial(fn: Callable[P, R]) -> Callable[..., Callable[..., R]]:
    """Like `lazy`, but instantiates to ``functools.partial(fn, ...)`` (Hydra's ``_partial_``).

    Required arguments may be left out; they are supplied when the partial is called. Statically
    the node is what it builds, a ``Callable[..., R]`` (so ``partial(Adam)(lr=0.1)`` fits a
    parameter annotated ``Callable[..., Optimizer]``). Its arguments are checked at run time
    only: a static check would flag every required argument left for later.
    """
    return _wrapper(fn, True)


def _checked_partial(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    """`Partial` at run time: a validated partial node of ``fn`` with these arguments."""
    target = _wrapper(fn, True).target
    return make_node(target, args, kwargs, partial=True)


Partial = cast("type[functools.partial[Any]]", _checked_partial)
"""A partial node checked by pyright and mypy: ``Partial(AdamW, lr=1e-3, weight_decay=0.01)``.

The same node as ``partial(AdamW)(lr=1e-3, ...)`` (it builds ``functools.partial(AdamW, ...)``,
Hydra's ``_partial_: true``), written in one call. Statically it is ``functools.partial``
itself, which both checkers special-case: every keyword's name and type is checked against
``AdamW``, required arguments may be left for later, and the result fits a parameter
annotated ``Callable[..., Optimizer]``. Inside a `factory`, ``functools.partial(AdamW, ...)``
makes the same node.
"""


def replace(node: T, changes: functools.partial[T] | None = None, /, **kwargs: Any) -> T:
    """A validated copy of a lazy node with some arguments changed (like dataclasses.replace).

    Two forms; the second is checked by pyright and mypy::

        replace(model, dropout=0.2)                    # checked when it runs
        replace(model, Partial(MLP, dropout=0.2))      # also checked statically

    A type checker sees ``model`` as the ``MLP`` it builds, and a type does not carry its
    constructor's parameters, so ``**kwargs`` cannot be typed from the node. Written as a
    partial call of the node's target, the changes are checked keyword by keyword against the
    target (and, by mypy, the target against the node). Arguments given by position are
    replaced in place when named.
    """
    if not isinstance(node, Lazy):
        raise ConfigError(
            [f"replace() takes a lazy node, got {type(node).__name__}"], "invalid replace"
        )
    if changes is not None:
        kwargs = {**_changes_of(node, changes), **kwargs}
    return _replaced(node, kwargs)


def _changes_of(node: Lazy[Any], changes: Any) -> dict[str, Any]:
    """The keywords of ``Partial(Target, ...)`` (or ``functools.partial``) given to replace."""
    if isinstance(changes, Lazy) and changes._lazy_partial:
        target, args, kwargs = changes._lazy_target, changes._lazy_args, changes._lazy_kwargs
    elif isinstance(changes, functools.partial):
        target, args, kwargs = changes.func, changes.args, changes.keywords
    else:
        raise ConfigError(
            [
                f"replace(node, changes): changes must be Partial({target_name(node)}, ...), "
                f"got {type(changes).__name__}"
            ],
            "invalid replace",
        )
    same = target is node._lazy_target or (
        isinstance(node._lazy_target, str) and _name(target) == node._lazy_target
    )
    problems = []
    if not same:
        short = target_name(node).rpartition(".")[2]
        problems.append(
            f"the changes are for {_name(target)} but the node calls {target_name(node)}; "
            f"write replace(node, Partial({short}, ...))"
        )
    if args:
        problems.append("give the changes by keyword (Partial(Target, name=value))")
    if problems:
        raise ConfigError(problems, "invalid replace")
    return dict(kwargs)


def _replaced(node: Lazy[Any], changes: dict[str, Any]) -> Any:
    args = list(node._lazy_args)
    kwargs = dict(node._lazy_kwargs)
    names = positional_names(node._lazy_target) or ()
    for name, value in changes.items():
        if name in names and names.index(name) < len(args):
            args[names.index(name)] = value
        else:
            kwargs[name] = value
    meta = None if node._lazy_meta is None else node._lazy_meta.for_variant()
    if isinstance(node._lazy_target, str):
        return Lazy(node._lazy_target, tuple(args), kwargs, node._lazy_partial, meta)
    try:
        return make_node(
            node._lazy_target,
            tuple(args),
            kwargs,
            partial=node._lazy_partial,
            depth=3,  # the line that called replace (make_node < _replaced < replace < caller)
            meta=meta,
        )
    except ConfigError as exc:
        origin = where(node)
        frame = sys._getframe(2)
        raise ConfigError(
            exc.problems,
            f"invalid replace of {target_name(node)} at {frame.f_code.co_filename}:"
            f"{frame.f_lineno}" + (f" (node defined at {origin})" if origin else ""),
        ) from None
