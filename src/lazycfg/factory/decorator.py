"""``@factory``: plain functions whose calls become a lazy config.

At decoration time the function's source is rewritten (`lazycfg.factory.rewrite`) so that every
call goes through `lazycfg.factory.calls`, which decides at run time, by a few fixed rules, whether the
call runs now (eager) or becomes a validated `Lazy` node:

- eager: builtins (``range``, ``len``, ``dict``, ``print``...) and ``typing``; lazycfg's own
  API; callables marked with `eager`; methods called on plain values (``"a,b".split(",")``);
  other factories, which are inlined (their result is part of the tree);
  functions defined inside a factory body (their calls are rewritten too);
- lazy: every other class or function (a classmethod of a class counts as a constructor).

Direct uses of a factory's parameters are recorded in the nodes (``_lazy_meta.knobs``:
relative path inside the node -> `KnobToken`) so that `lazycfg.factory.knobs` can link them.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Lazy
from lazycfg.core.reprs import value_repr
from lazycfg.core.views import VIEWS
from lazycfg.factory.calls import (
    EAGER_ATTR,
    FACTORY_ATTR,
    HELPER_FUNCTIONS,
    NESTED_CODES,
    RULES,
    STATE,
    FactoryInfo,
    Frame,
    KnobToken,
    KnobValue,
    Recording,
    misuse_error,
)

# Also the names other modules import from here (lazycfg.factory.knobs, lazycfg.hydra.store).
__all__ = [
    "FACTORY_ATTR",
    "RULES",
    "STATE",
    "FactoryInfo",
    "KnobToken",
    "KnobWarning",
    "Recording",
    "eager",
    "factory",
    "factory_info",
]

P = ParamSpec("P")
R = TypeVar("R")

_MENTIONS_LAZY = re.compile(r"\bLazy\b")


class KnobWarning(UserWarning):
    """A factory parameter whose effect a Hydra override cannot reproduce (derived use)."""


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
    from lazycfg.factory.rewrite import HELPERS, rewrite
    from lazycfg.factory.rewrite_cache import cached_rewrite

    rewritten = cached_rewrite(fn, rewrite)  # the source's own rewrite, kept between runs
    NESTED_CODES.update(rewritten.nested)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True))
    helpers: dict[str, Any] = dict(zip(HELPERS, HELPER_FUNCTIONS, strict=True))
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
        rewritten.examples,
    )

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        return _run(info, args, kwargs)

    setattr(run, FACTORY_ATTR, info)
    # A notebook cell ending in the factory shows the config it stores (lazycfg.track.notebook,
    # installed from the top of the package: see lazycfg.core.views).
    run._repr_html_ = functools.partial(_factory_html, run)  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


def _factory_html(fn: Callable[..., Any]) -> str | None:
    render = VIEWS.factory_html
    return None if render is None else render(fn)


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

    setattr(run, EAGER_ATTR, True)
    return run  # type: ignore[return-value]


def factory_info(fn: Any) -> FactoryInfo | None:
    """The `FactoryInfo` of a factory (or a method bound to one), None for anything else."""
    return getattr(fn, FACTORY_ATTR, None)


# --- running a factory -------------------------------------------------------------------------


def _run(info: FactoryInfo, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    frame = Frame(info)
    if any(type(a) is KnobValue for a in args) or any(
        type(v) is KnobValue for v in kwargs.values()
    ):
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
    info: FactoryInfo, frame: Frame, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Unwrap knob markers passed into a factory; their parameters keep the caller's token."""
    import inspect

    sig = inspect.signature(info.original)
    plain_args = tuple(a.value if type(a) is KnobValue else a for a in args)
    plain_kwargs = {k: v.value if type(v) is KnobValue else v for k, v in kwargs.items()}
    try:
        bound = sig.bind(*args, **kwargs).arguments
    except TypeError:
        return plain_args, plain_kwargs  # the call itself will raise the usual error
    for name, value in bound.items():
        if type(value) is KnobValue:
            frame.tokens[name] = value.token
    return plain_args, plain_kwargs


def _lazy_misuse(info: FactoryInfo, exc: TypeError) -> ConfigError:
    line = _line_in(info, exc.__traceback__)
    return misuse_error(str(exc), info.qualname, f"{info.filename}:{line}")


def _line_in(info: FactoryInfo, tb: types.TracebackType | None) -> int:
    line = info.firstline
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == info.filename and info.firstline <= tb.tb_lineno <= info.lastline:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
