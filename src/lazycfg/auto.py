"""``@factory``: plain functions whose calls become a lazy config.

At decoration time the function's source is rewritten (`lazycfg.autorewrite`) so that every
call goes through `_dispatch`, which decides at run time, by a few fixed rules, whether the
call runs now (eager) or becomes a validated `Lazy` node:

- eager: builtins (``range``, ``len``, ``dict``, ``print``...) and ``typing``; lazycfg's own
  API; callables marked with `eager`; methods called on plain values (``"a,b".split(",")``);
  other factories, which are inlined (their result is part of the tree);
  functions defined inside a factory body (their calls are rewritten too);
- lazy: every other class or function (a classmethod of a class counts as a constructor).

Direct uses of a factory's parameters are recorded in the nodes (``_lazy_meta["knobs"]``:
relative path inside the node -> `KnobToken`) so that `lazycfg.knobs` can link them.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from lazycfg.build import _LazyCall, make_node
from lazycfg.errors import ConfigError
from lazycfg.node import Lazy, target_name, walk
from lazycfg.reprs import value_repr
from lazycfg.targets import import_path

P = ParamSpec("P")
R = TypeVar("R")

FACTORY_ATTR = "__lazycfg_factory__"
_EAGER_ATTR = "__lazycfg_eager__"
_EAGER_MODULES = frozenset({"builtins", "typing"})
_MENTIONS_LAZY = re.compile(r"\bLazy\b")

RULES = (
    "in a factory, calls of classes and functions become lazy nodes; these run at once: "
    "builtins (range, len, dict...), lazycfg's API (lazy, partial, replace...), "
    "functions marked @lazycfg.eager (or called as eager(f)(...)), methods of plain values, "
    "functions defined inside the factory, and other factories"
)


class KnobWarning(UserWarning):
    """A factory parameter whose effect a Hydra override cannot reproduce (derived use)."""


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


class _Knob:
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


@dataclass
class _Frame:
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
    """Filled while `lazycfg.knobs` runs a factory: its own frame and every derived use."""

    top: _Frame | None = None
    derived: list[tuple[KnobToken, str, int, str]] = field(default_factory=list)


class _State(threading.local):
    def __init__(self) -> None:
        self.stack: list[_Frame] = []
        self.recording: Recording | None = None


STATE = _State()
# Code of functions and lambdas defined inside factory bodies: calling one runs it (its own calls
# are rewritten too), since a function local to a factory can never be a config target.
NESTED_CODES: set[types.CodeType] = set()
# Classes and functions already found to be importable, non-eager targets (the common case).
_LAZY_TARGETS: weakref.WeakSet[Any] = weakref.WeakSet()


# --- the decorators ----------------------------------------------------------------------------


def factory(fn: Callable[P, R]) -> Callable[P, R]:
    """Make ``fn`` a config factory: calling it builds a lazy tree instead of objects.

    Every call in the body becomes a checked `Lazy` node, except the eager ones (builtins,
    lazycfg's API, `eager` callables, methods of plain values, other factories), so::

        @factory
        def rf(n_estimators: int = 3000) -> Experiment:
            return Experiment(model=RandomForestClassifier(n_estimators=n_estimators))

        exp = instantiate(rf())  # constructed here, not above

    Type checkers see ``fn`` unchanged. For methods, put ``@classmethod``/``@staticmethod``
    above ``@factory``. The source must be readable (not a REPL); use `lazycfg.lazy` there.
    """
    if isinstance(fn, classmethod | staticmethod):  # tolerated below the method decorator too
        return type(fn)(factory(fn.__func__))  # type: ignore[return-value]
    if getattr(fn, FACTORY_ATTR, None) is not None:
        return fn
    if not isinstance(fn, types.FunctionType):
        raise ConfigError(
            [f"@factory takes a function defined with `def`, got {value_repr(fn, 200)}"],
            "invalid @factory",
        )
    if hasattr(fn, "__wrapped__"):
        raise ConfigError(
            [
                f"{fn.__qualname__} is already wrapped by another decorator; put @factory "
                "directly above `def` (other decorators above it)"
            ],
            "invalid @factory",
        )
    from lazycfg.autorewrite import HELPERS, rewrite

    rewritten = rewrite(fn)
    NESTED_CODES.update(rewritten.nested)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True))
    helpers: dict[str, Any] = dict(
        zip(HELPERS, (_call, _callattr, _knob, _call_k, _callattr_k, _value), strict=True)
    )
    closure = tuple(
        cells[name] if name in cells else types.CellType(helpers[name])
        for name in rewritten.code.co_freevars
    )
    body = types.FunctionType(rewritten.code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    body.__kwdefaults__ = fn.__kwdefaults__
    info = FactoryInfo(
        fn.__qualname__,
        rewritten.filename,
        rewritten.firstline,
        rewritten.lastline,
        rewritten.derived,
        body,
        fn,
    )

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        return _run(info, args, kwargs)

    setattr(run, FACTORY_ATTR, info)
    return run  # type: ignore[return-value]


def eager(fn: Callable[P, R]) -> Callable[P, R]:
    """Mark a callable to run while a factory builds its config (instead of becoming a node).

    Use it as a decorator on your own helper functions, or at a call site for anything
    else: ``eager(np.linspace)(0, 1, 5)``. The mark is on the returned wrapper only, so
    ``eager(f)`` never changes how ``f`` behaves elsewhere.
    """
    if isinstance(fn, Lazy) or not callable(fn):
        raise ConfigError(
            [f"eager() takes a function or class, got {value_repr(fn, 200)}"], "invalid eager"
        )

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    setattr(run, _EAGER_ATTR, True)
    return run  # type: ignore[return-value]


def factory_config(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """The plain Hydra config dict of ``fn(**kwargs)`` with its knobs linked.

    Each parameter's first direct use holds the value; later direct uses are relative
    interpolations to it, so a Hydra override of that path equals calling ``fn`` with the new
    value. Uses an override cannot reproduce are reported with a `KnobWarning`.
    """
    from lazycfg.knobs import factory_config as build

    return build(fn, **kwargs)


def knob_paths(fn: Callable[..., Any], /, **kwargs: Any) -> dict[str, str]:
    """``{parameter: dotted override path}`` for the parameters of ``fn`` that are knobs."""
    from lazycfg.knobs import knob_paths as paths

    return paths(fn, **kwargs)


def factory_info(fn: Any) -> FactoryInfo | None:
    """The `FactoryInfo` of a factory (or a method bound to one), None for anything else."""
    return getattr(fn, FACTORY_ATTR, None)


# --- running a factory -------------------------------------------------------------------------


def _run(info: FactoryInfo, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    frame = _Frame(info)
    if any(type(a) is _Knob for a in args) or any(type(v) is _Knob for v in kwargs.values()):
        args, kwargs = _forwarded(info, frame, args, kwargs)
    state = STATE
    recording = state.recording
    if recording is not None:
        if recording.top is None:
            recording.top = frame
        for param, uses in info.derived.items():
            token = frame.token(param)
            recording.derived.extend((token, info.filename, u.line, u.what) for u in uses)
    state.stack.append(frame)
    try:
        return info.body(*args, **kwargs)
    except TypeError as exc:
        if type(exc) is TypeError and _MENTIONS_LAZY.search(str(exc)):
            raise _lazy_misuse(info, exc) from None
        raise
    finally:
        state.stack.pop()


def _forwarded(
    info: FactoryInfo, frame: _Frame, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Unwrap knob markers passed into a factory; their parameters keep the caller's token."""
    import inspect

    sig = inspect.signature(info.original)
    plain_args = tuple(a.value if type(a) is _Knob else a for a in args)
    plain_kwargs = {k: v.value if type(v) is _Knob else v for k, v in kwargs.items()}
    try:
        bound = sig.bind(*args, **kwargs).arguments
    except TypeError:
        return plain_args, plain_kwargs  # the call itself will raise the usual error
    for name, value in bound.items():
        if type(value) is _Knob:
            frame.tokens[name] = value.token
    return plain_args, plain_kwargs


def _lazy_misuse(info: FactoryInfo, exc: TypeError) -> ConfigError:
    line = _line_in(info, exc.__traceback__)
    return _misuse_error(str(exc), info.qualname, f"{info.filename}:{line}")


def _misuse_error(detail: str, qualname: str, where: str) -> ConfigError:
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
    return _misuse_error(detail, qualname, f"{caller.f_code.co_filename}:{caller.f_lineno}")


def _lazy_inside(value: Any) -> Lazy[Any] | None:
    """The first lazy node in ``value`` (itself, or inside its lists, tuples and dicts)."""
    if isinstance(value, Lazy):
        return value
    kind = type(value)
    if kind is list or kind is tuple or kind is dict:
        return next((v for _, v in walk(value) if isinstance(v, Lazy)), None)
    return None


def _line_in(info: FactoryInfo, tb: types.TracebackType | None) -> int:
    line = info.firstline
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == info.filename and info.firstline <= tb.tb_lineno <= info.lastline:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# --- the helpers the rewritten code calls ------------------------------------------------------


def _knob(param: str, value: Any) -> _Knob:
    return _Knob(value, STATE.stack[-1].token(param))


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
        if kind is _Knob:
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
    if getattr(fn, _EAGER_ATTR, False) or getattr(fn, "__code__", None) in NESTED_CODES:
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
    meta = {"knobs": knobs} if knobs else None
    if type(fn) is _LazyCall:  # lazy(X)(...) inside a factory: locate it at the user's line
        return make_node(fn.target, args, kwargs, partial=fn.partial, depth=depth, meta=meta)
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
    if (kind is type or kind is types.FunctionType) and fn in _LAZY_TARGETS:
        return make_node(fn, args, kwargs, partial=False, depth=depth, meta=meta)
    if getattr(fn, FACTORY_ATTR, None) is not None or _is_eager(fn) or not callable(fn):
        if knobs and STATE.recording is not None:
            _record_eager_use(fn, knobs, depth - 1)
        if id(fn) in _VALUE_USES:
            _check_value_use(fn, args, kwargs, depth - 1)
        return fn(*args, **kwargs)
    _check_importable(fn, depth)
    if kind is type or kind is types.FunctionType:
        _LAZY_TARGETS.add(fn)
    return make_node(fn, args, kwargs, partial=False, depth=depth, meta=meta)


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
