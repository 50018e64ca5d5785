"""Binding the calls of a plan against their targets' signatures (`lazycfg.instantiate.plan`).

Not strict, a call is refused only when it is certain to fail (an unknown keyword, a missing
required argument, too many positional arguments...), which depends on the argument names and
the positional count alone: the verdict is cached per call shape. Strict, the values are checked
against the annotations too, with each child call seen as a stub of what it builds.
"""

from __future__ import annotations

from typing import Any

from lazycfg.check.signature import spec_of
from lazycfg.core.caches import WeakCache, put_bounded
from lazycfg.core.node import ARGS_KEY, Lazy
from lazycfg.instantiate.engine import is_omega
from lazycfg.instantiate.problems import bind_messages
from lazycfg.instantiate.steps import ARGS_SLOT, CALL_ARGS, CallStep, DictStep, ListStep, Step, Walk

# target -> {(partial, argument names, positional count) -> True when every call of that shape
# binds}; keyed per shape, not per node, and weakly by the target (bounded both ways).
_shapes: WeakCache[dict[tuple[Any, ...], bool]] = WeakCache(2048)
_SHAPES_PER_TARGET = 256
_shapes_by_id = _shapes.by_id


def _binds(fn: Any, part: bool, keys: tuple[Any, ...], nargs: int) -> bool:
    """Whether every call of this shape binds, judged from the names alone."""
    spec = spec_of(fn)
    if spec.names is None:
        return True  # an unknown signature accepts every call
    if part or not all(type(key) is str for key in keys):
        return part and all(type(key) is str for key in keys)
    if nargs > len(spec.positional) and not spec.var_positional:
        return False
    given = set(keys) | set(spec.positional[:nargs])
    if len(given) != len(keys) + min(nargs, len(spec.positional)):
        return False  # an argument given by position and by keyword
    if not spec.required_set.issubset(given) or not spec.positional_only.isdisjoint(keys):
        return False
    return spec.var_keyword or spec.names.issuperset(keys)


def _verdict(fn: Any, part: bool, names: tuple[Any, ...], nargs: int) -> bool:
    """`_binds`, kept for the call shape (the inline lookup in `bind` missed)."""
    shapes = _shapes.get(fn)
    if shapes is None:
        shapes = _shapes.put(fn, {})
    key = (part, names, nargs)
    fine = shapes.get(key)
    if fine is None:
        fine = put_bounded(shapes, key, _binds(fn, part, names, nargs), _SHAPES_PER_TARGET)
    return fine


def bind(walk: Walk, step: CallStep) -> None:
    """Bind one call: by its shape's cached verdict unless strict, else through `bind_messages`
    with the views of its arguments (a child call seen as a stub of what it builds)."""
    fn, kwargs, part, how = step.fn, step.kwargs, step.partial, step.how
    names = tuple(kwargs)
    if how & ARGS_SLOT:
        raw = kwargs[ARGS_KEY]
        names = tuple(k for k in names if k != ARGS_KEY)
        nargs = len(raw) if isinstance(raw, list | tuple | str) or is_omega(raw) else 0
    else:
        nargs = len(step.args)
    if how & CALL_ARGS:
        nargs = len(walk.call_args)
    if not walk.strict:
        try:
            fine = _shapes_by_id[id(fn)][part, names, nargs]
        except KeyError:
            fine = _verdict(fn, part, names, nargs)
        if fine:
            return
        view_args: tuple[Any, ...] = (None,) * nargs
        view_kwargs = {k: kwargs[k] for k in names}
    else:
        view_args, view_kwargs = _call_views(walk, step)
    walk.problems.extend(bind_messages(fn, view_args, view_kwargs, part, step.path, walk.strict))


def _call_views(walk: Walk, step: CallStep) -> tuple[tuple[Any, ...], dict[Any, Any]]:
    """The arguments of a call as a strict check sees them (children closed before)."""
    kwargs = dict(step.kwargs)
    for key, kid in step.kwarg_kids:
        kwargs[key] = kid.view
    args: Any = list(step.args)
    for index, kid in step.arg_kids:
        args[index] = kid.view
    if step.how & ARGS_SLOT:
        args = kwargs.pop(ARGS_KEY)
        args = args if isinstance(args, list | tuple | str) else ()
    if step.how & CALL_ARGS:
        args = walk.call_args
    return tuple(args), kwargs


def close_view(step: Step) -> None:
    """Set a closed step's view, for strict checks of its parent (a leaf's is its value)."""
    if type(step) is CallStep:
        fn = step.fn
        step.view = Lazy(fn if fn is not None else step.written, (), {}, step.partial)
    elif type(step) is DictStep or type(step) is ListStep:
        view: Any = dict(step.values) if type(step) is DictStep else list(step.values)
        for key, kid in step.kids:
            view[key] = kid.view
        step.view = view
