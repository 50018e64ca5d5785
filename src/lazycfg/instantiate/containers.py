"""Planning a dict without ``_target_`` or a list (`lazycfg.instantiate.plan`): leaves go inline
into the step's values, the rest is queued as children. Shared by the config dicts and lists of
`lazycfg.instantiate.plan` and the ``_args_`` lists of `lazycfg.instantiate.nodes`."""

from __future__ import annotations

from typing import Any

from lazycfg.core.node import Place
from lazycfg.instantiate.engine import MISSING, STATIC, NeedsOmegaConf, freeze
from lazycfg.instantiate.steps import (
    ARGS_LIST,
    TUPLE,
    Children,
    Kids,
    Walk,
    children,
    dict_step,
    list_step,
)


def plan_container(
    walk: Walk,
    at: Children,
    slot: Any,
    path: Place,
    mode: str,
    rec: Any,
    source: Any,
    pairs: Any,
    kind: Any,
    object_type: Any = None,
) -> None:
    """Plan a container of ``pairs`` (key, value) at ``slot`` of ``at``: ``kind`` is ``dict``,
    ``list``, ``tuple`` or `ARGS_LIST`; ``object_type`` a structured dict's. ``source``: the
    list the pairs come from (recorded for a kept program; a dict's is recorded by its caller)."""
    if walk.frozen is not None and type(source) is list:
        walk.frozen.append(freeze(source))
    is_dict = kind is dict
    kids: Kids = []
    values: Any = {} if is_dict else []
    pending: list[tuple[Any, Any]] = []
    resolved = walk.resolved
    for key, value in pairs:
        value_type = type(value)
        if value_type is str:
            if value == MISSING:
                pending.append((key, value))
            elif not resolved and "${" in value:
                raise NeedsOmegaConf
        elif value_type not in STATIC:
            pending.append((key, value))
            value = None  # filled when run (a program holds no child)
        if is_dict:
            values[key] = value
        else:
            values.append(value)
    if is_dict:
        step: Any = dict_step(values, kids, mode, object_type)
    else:
        how = ARGS_LIST if kind is ARGS_LIST else 0
        if kind is tuple and walk.python:
            how |= TUPLE
        step = list_step(values, kids, mode, how)
    at.kids.append((slot, step))
    work = walk.work
    work.append(step)
    if pending:
        pending.reverse()  # (popped from the end: the first child first)
        work.append(children(pending, kids, path, mode, rec))
