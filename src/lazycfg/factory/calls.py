"""What the calls in a `@factory` body run: the eager-or-lazy decision, made at run time.

`lazycfg.factory.decorator` rewrites every call in a factory body into one of the helpers here
(`HELPER_FUNCTIONS`); `_dispatch` runs eager calls now and turns the rest into validated `Lazy`
nodes, refusing uses of a node as a value (type checks, formatting, method calls). The state of
the running factory calls (`STATE`) lives here too, since the helpers read it on every call.
"""

from __future__ import annotations

import functools
import sys
import threading
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lazycfg.core.caches import WeakCache
from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Lazy, Meta, target_name, walk
from lazycfg.core.targets import import_path
from lazycfg.define import Partial, _checked_target, _LazyCall, make_node

FACTORY_ATTR = "__lazycfg_factory__"
EAGER_ATTR = "__lazycfg_eager__"
_EAGER_MODULES = frozenset({"builtins", "typing"})

RULES = (
    "in a factory, calls of classes and functions become lazy nodes; these run at once: "
    "builtins (range, len, dict...), lazycfg's API (lazy, partial, replace...), "
    "functions marked @lazycfg.eager (or called as eager(f)(...)), methods of plain values, "
    "functions defined inside the factory, and other factories"
)


class KnobToken:
    """One parameter of one factory call; forwarded unchanged into inner factories."""

    __slots__ = ("factory", "param")

    def __init__(self, factory: str, param: str) -> None:
        self.factory = factory
        self.param = param

    def __reduce__(self) -> tuple[Any, ...]:
        return (KnobToken, (self.factory, self.param))

    def __repr__(self) -> str:
        return f"KnobToken({self.factory}.{self.param})"


class KnobValue:
    """A parameter's value passed directly as an argument (only ever seen by the helpers)."""

    __slots__ = ("value", "token")

    def __init__(self, value: Any, token: KnobToken) -> None:
        self.value = value
        self.token = token


@dataclass
class FactoryInfo:
    """What a factory wrapper knows about the function it rewrote."""

    qualname: str
    filename: str
    firstline: int
    lastline: int
    derived: dict[str, list[Any]]  # param -> [autorewrite.DerivedUse]
    body: Callable[..., Any]
    original: Callable[..., Any]
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # direct uses


@dataclass
class Frame:
    """One running factory call."""

    info: FactoryInfo
    tokens: dict[str, KnobToken] = field(default_factory=dict)

    def token(self, param: str) -> KnobToken:
        token = self.tokens.get(param)
        if token is None:
            token = self.tokens[param] = KnobToken(self.info.qualname, param)
        return token


@dataclass
class Recording:
    """Filled while `lazycfg.factory.knobs` runs a factory: its own frame and every derived use."""

    top: Frame | None = None
    derived: list[tuple[KnobToken, str, int, str]] = field(default_factory=list)
    lines: dict[str, int | None] = field(default_factory=dict)  # param -> line of its held use


class _State(threading.local):
    def __init__(self) -> None:
        self.stack: list[Frame] = []
        self.recording: Recording | None = None


STATE = _State()


class _CodeSet(WeakCache[bool]):
    """Code objects, each kept while it lives (its factory holds it): ``id(code) in .by_id``."""

    __slots__ = ()

    def update(self, codes: Iterable[types.CodeType]) -> None:
        for code in codes:
            self.put(code, True)


# Code of functions and lambdas defined inside factory bodies: calling one runs it (its own calls
# are rewritten too), since a function local to a factory can never be a config target. Never
# bounded: a live code object dropped from here would be taken for a config target.
NESTED_CODES = _CodeSet(None)
_NESTED_CODE_IDS = NESTED_CODES.by_id
# Classes and functions already found to be importable, non-eager targets (the common case),
# while they live: ``id(fn) in _LAZY_TARGET_IDS``.
_LAZY_TARGETS: WeakCache[bool] = WeakCache(4096)
_LAZY_TARGET_IDS = _LAZY_TARGETS.by_id


def misuse_error(detail: str, qualname: str, where: str) -> ConfigError:
    return ConfigError(
        [
            f"a lazy node was used as a value while the config was built ({detail}); {RULES}. "
            "A node's result does not exist yet, so it cannot be used in arithmetic, "
            "comparisons, iteration, indexing, isinstance/type checks or string formatting "
            "(str, repr, format, f-strings, %): read an argument instead (node.n_estimators), "
            "move the work into a target that runs at instantiate, or mark a function that "
            "must run now with @lazycfg.eager"
        ],
        f"in factory {qualname} at {where}",
    )


def _refuse_value_use(node: Lazy[Any], what: str, caller: types.FrameType) -> ConfigError:
    """The misuse error for a type check or formatting of ``node``, at the caller's line."""
    qualname = STATE.stack[-1].info.qualname if STATE.stack else caller.f_code.co_name
    detail = f"{what} of a lazy {target_name(node)} node"
    return misuse_error(detail, qualname, f"{caller.f_code.co_filename}:{caller.f_lineno}")


def _lazy_inside(value: Any) -> Lazy[Any] | None:
    """The first lazy node in ``value`` (itself, or inside its lists, tuples and dicts)."""
    if isinstance(value, Lazy):
        return value
    kind = type(value)
    if kind is list or kind is tuple or kind is dict:
        return next((v for _, v in walk(value) if isinstance(v, Lazy)), None)
    return None


# --- the helpers the rewritten code calls ------------------------------------------------------


def _knob(param: str, value: Any) -> KnobValue:
    return KnobValue(value, STATE.stack[-1].token(param))


def _value(value: Any) -> Any:
    """A value formatted into a string (f-string field, ``%`` operand): never a lazy node."""
    node = _lazy_inside(value)
    if node is not None:
        raise _refuse_value_use(node, "string formatting", sys._getframe(1))
    return value


def _call(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    return _dispatch(fn, args, kwargs, None)


def _call_k(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    if getattr(fn, FACTORY_ATTR, None) is not None:
        return fn(*args, **kwargs)  # the inner factory takes over the markers
    args, kwargs, knobs = _unwrap(args, kwargs)
    return _dispatch(fn, args, kwargs, knobs)


def _callattr(obj: Any, name: str, /, *args: Any, **kwargs: Any) -> Any:
    if type(obj) is str and name in _STR_FORMATTERS:
        _check_formatted(f"str.{name}()", args, kwargs, sys._getframe(1))
    return _dispatch(_method(obj, name), args, kwargs, None)


def _callattr_k(obj: Any, name: str, /, *args: Any, **kwargs: Any) -> Any:
    if type(obj) is str and name in _STR_FORMATTERS:
        plain_args, plain_kwargs, _ = _unwrap(args, kwargs)
        _check_formatted(f"str.{name}()", plain_args, plain_kwargs, sys._getframe(1))
    fn = _method(obj, name)
    if getattr(fn, FACTORY_ATTR, None) is not None:
        return fn(*args, **kwargs)
    args, kwargs, knobs = _unwrap(args, kwargs)
    return _dispatch(fn, args, kwargs, knobs)


def _method(obj: Any, name: str) -> Any:
    if isinstance(obj, Lazy):
        caller = sys._getframe(2)
        raise ConfigError(
            [
                f"cannot call .{name}() on a lazy {target_name(obj)} node: nothing is "
                f"constructed while a factory builds its config; {RULES}. Call .{name}() on the "
                "built object after instantiate, or wrap the step in a function that takes the "
                "object and make that the target"
            ],
            f"at {caller.f_code.co_filename}:{caller.f_lineno}",
        )
    return getattr(obj, name)


def _unwrap(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any], dict[tuple[Any, ...], KnobToken]]:
    """Replace knob markers by their values, noting where each was (path inside the node)."""
    knobs: dict[tuple[Any, ...], KnobToken] = {}

    def plain(value: Any, where: tuple[Any, ...]) -> Any:
        kind = type(value)
        if kind is KnobValue:
            knobs[where] = value.token
            return value.value
        if kind is list or kind is tuple:
            items = [plain(v, (*where, i)) for i, v in enumerate(value)]
            return items if kind is list else tuple(items)
        if kind is dict:
            return {k: plain(v, (*where, k)) for k, v in value.items()}
        return value

    new_args = tuple(plain(a, ("_args_", i)) for i, a in enumerate(args))
    new_kwargs = {k: plain(v, (k,)) for k, v in kwargs.items()}
    return new_args, new_kwargs, knobs


# Eager builtins that would silently misjudge or stringify a lazy node (isinstance(node, Model) is
# False; str(node) is its repr): keyed by id, since any callable may reach the check.
_TYPE_CHECKS = {id(f): f.__name__ for f in (isinstance, issubclass, type, callable)}
_FORMATTERS = {
    id(f): f"{f.__qualname__}()" for f in (str, repr, ascii, format, str.format, str.format_map)
}
_STR_FORMATTERS = frozenset({"format", "format_map"})
_VALUE_USES = frozenset(_TYPE_CHECKS) | frozenset(_FORMATTERS)


def _check_value_use(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], depth: int) -> None:
    key = id(fn)
    if key in _TYPE_CHECKS:
        # Only the checked object itself: isinstance([node], list) and isinstance(x, Lazy) are fine.
        checked = args[0] if args else None
        asks_for_lazy = len(args) > 1 and _names_lazy(args[1])
        if isinstance(checked, Lazy) and not asks_for_lazy:
            raise _refuse_value_use(checked, f"{_TYPE_CHECKS[key]}()", sys._getframe(depth + 1))
    elif key in _FORMATTERS:
        _check_formatted(_FORMATTERS[key], args, kwargs, sys._getframe(depth + 1))


def _check_formatted(
    what: str, args: tuple[Any, ...], kwargs: dict[str, Any], caller: types.FrameType
) -> None:
    for value in (*args, *kwargs.values()):
        node = _lazy_inside(value)
        if node is not None:
            raise _refuse_value_use(node, what, caller)


def _names_lazy(classinfo: Any) -> bool:
    """True when an isinstance() class argument includes `Lazy` (asking about nodes is fine)."""
    options = classinfo if type(classinfo) is tuple else (classinfo,)
    return any(isinstance(c, type) and issubclass(c, Lazy) for c in options)


def _is_eager(fn: Any) -> bool:
    if getattr(fn, EAGER_ATTR, False) or id(getattr(fn, "__code__", None)) in _NESTED_CODE_IDS:
        return True
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        if not isinstance(owner, type):
            return True  # a method of a plain value: "a,b".split(","), items.append(x)
        module = getattr(owner, "__module__", None)  # a classmethod: a constructor, unless ours
    else:
        module = getattr(fn, "__module__", None)
        if module is None:  # str.upper and other method descriptors
            module = getattr(getattr(fn, "__objclass__", None), "__module__", None)
    if not isinstance(module, str):
        return False
    return module in _EAGER_MODULES or module == "lazycfg" or module.startswith("lazycfg.")


def _dispatch(
    fn: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    knobs: dict[tuple[Any, ...], KnobToken] | None,
) -> Any:
    # Frames: make_node -> _dispatch -> one helper -> the factory body.
    depth = 3
    meta = Meta(knobs=knobs) if knobs else None
    if type(fn) is _LazyCall:  # lazy(X)(...) inside a factory: locate it at the user's line
        return make_node(fn.target, args, kwargs, partial=fn.partial, depth=depth, meta=meta)
    if (fn is functools.partial or fn is Partial) and args:
        return _partial_node(args, kwargs, knobs, depth + 1)
    if isinstance(fn, Lazy):
        caller = sys._getframe(depth - 1)
        raise ConfigError(
            [
                f"a lazy {target_name(fn)} node was called; nodes are configs, not objects, "
                "while a factory runs. Pass it as an argument instead (it is built first at "
                "instantiate), or use lazycfg.partial for a callable"
            ],
            f"at {caller.f_code.co_filename}:{caller.f_lineno}",
        )
    kind = type(fn)
    if (kind is type or kind is types.FunctionType) and id(fn) in _LAZY_TARGET_IDS:
        return make_node(fn, args, kwargs, partial=False, depth=depth, meta=meta)
    if getattr(fn, FACTORY_ATTR, None) is not None or _is_eager(fn) or not callable(fn):
        if knobs and STATE.recording is not None:
            _record_eager_use(fn, knobs, depth - 1)
        if id(fn) in _VALUE_USES:
            _check_value_use(fn, args, kwargs, depth - 1)
        return fn(*args, **kwargs)
    _check_importable(fn, depth)
    if kind is type or kind is types.FunctionType:
        _LAZY_TARGETS.put(fn, True)
    return make_node(fn, args, kwargs, partial=False, depth=depth, meta=meta)


def _partial_node(
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    knobs: dict[tuple[Any, ...], KnobToken] | None,
    depth: int,
) -> Lazy[Any]:
    """``functools.partial(AdamW, lr=lr)`` (or `Partial`) in a factory: a partial node of AdamW.

    The first argument is the target, so knob paths of later positional arguments move down one.
    """
    target = _checked_target(args[0], "partial", depth)
    if knobs:
        knobs = {
            (("_args_", path[1] - 1, *path[2:]) if path[0] == "_args_" else path): token
            for path, token in knobs.items()
            if path[:2] != ("_args_", 0)
        }
    meta = Meta(knobs=knobs) if knobs else None
    return make_node(target, args[1:], kwargs, partial=True, depth=depth, meta=meta)


def _record_eager_use(fn: Any, knobs: dict[tuple[Any, ...], KnobToken], depth: int) -> None:
    recording = STATE.recording
    assert recording is not None
    caller = sys._getframe(depth + 1)
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    for token in knobs.values():
        recording.derived.append(
            (
                token,
                caller.f_code.co_filename,
                caller.f_lineno,
                f"passed to {name}(), which runs while the config is built",
            )
        )


def _check_importable(fn: Any, depth: int) -> None:
    try:
        import_path(fn)
    except ConfigError as exc:
        caller = sys._getframe(depth)
        raise ConfigError(
            [
                f"{exc.problems[0]}; a call inside a factory becomes a config node whose target "
                "must be importable. If it should run now instead, mark it with @lazycfg.eager "
                f"({RULES})"
            ],
            f"invalid call at {caller.f_code.co_filename}:{caller.f_lineno}",
        ) from None


# The helpers in the order of `lazycfg.factory.rewrite.HELPERS` (the names the rewritten code calls).
HELPER_FUNCTIONS = (_call, _callattr, _knob, _call_k, _callattr_k, _value)
