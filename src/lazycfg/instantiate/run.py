"""The executor of `lazycfg.instantiate`: run a checked program, step by step, in build order.

Each step of `lazycfg.instantiate.plan` finds its children's values at their steps' ``result``
indices, so a shared `Lazy` node's step is run once and every parent gets the same object.
Containers follow Hydra's ``_convert_`` rules: under ``none`` a dict or list becomes a
``DictConfig`` or ``ListConfig`` (a structured dict keeps its ``object_type``; ``object`` turns
it into an instance), and a call's OmegaConf arguments are converted to plain containers under
the other modes, as Hydra's ``_convert_node`` does.
"""

from __future__ import annotations

import functools
from typing import Any

from lazycfg.core.node import ARGS_KEY, Lazy, Place, place_path
from lazycfg.instantiate.engine import call_failed, refuse_callable_result
from lazycfg.instantiate.omega import new_dict, new_list
from lazycfg.instantiate.steps import (
    ARGS_LIST,
    ARGS_SLOT,
    CALL_ARGS,
    TUPLE,
    CallStep,
    DictStep,
    ListStep,
    RawStep,
    Step,
)
from lazycfg.safety.policy import Policy


def run(steps: list[Step], call_args: tuple[Any, ...], policy: Policy, prefix: Place = None) -> Any:
    """Build every step in order and return the root's value. The steps are not changed (a
    cached program runs again): results go to a list, a step's ``result`` is its index there,
    and the containers a step fills are copies. ``prefix``: where the program's root stands,
    for the paths of errors."""
    make_partial = functools.partial
    omega = _omega_types()
    results: list[Any] = []
    done = results.append
    for step in steps:
        if type(step) is CallStep:
            args = step.args
            kwargs = step.kwargs
            kwarg_kids = step.kwarg_kids
            how = step.how
            if kwarg_kids or how & ARGS_SLOT:
                kwargs = dict(kwargs)
                if step.mode == "none":
                    for key, kid in kwarg_kids:
                        kwargs[key] = results[kid.result]
                else:  # Hydra's _convert_node on each argument
                    mode = step.mode
                    for key, kid in kwarg_kids:
                        value = results[kid.result]
                        kwargs[key] = to_plain(value, mode) if type(value) in omega else value
                if how & ARGS_SLOT:
                    args = kwargs.pop(ARGS_KEY)
            if step.arg_kids:
                args = list(args)
                for index, kid in step.arg_kids:
                    args[index] = results[kid.result]
            if how & CALL_ARGS:
                args = call_args
            fn = step.fn
            try:
                result = make_partial(fn, *args, **kwargs) if step.partial else fn(*args, **kwargs)
            except Exception as exc:
                raise call_failed(fn, step.partial, joined(prefix, step.path), exc) from exc
            if callable(result):
                refuse_callable_result(policy, step.written, result, joined(prefix, step.path))
            done(result)
        elif type(step) is DictStep:
            done(_dict(step, results))
        elif type(step) is ListStep:
            done(_list(step, results))
        elif type(step) is RawStep:
            done(_raw(step.value, step.mode))
        else:  # a ValueStep
            done(step.value)
    return results[-1]


def _dict(step: DictStep, results: list[Any]) -> Any:
    values = dict(step.values)
    for key, kid in step.kids:
        values[key] = results[kid.result]
    mode, object_type = step.mode, step.object_type
    if mode == "all" or (mode != "none" and object_type in (None, dict)):
        return values
    return dict_node(values, mode, object_type)


def _list(step: ListStep, results: list[Any]) -> Any:
    values = list(step.values)
    for index, kid in step.kids:
        values[index] = results[kid.result]
    if step.mode == "none" and (step.kids or not step.how & ARGS_LIST):
        # (an ``_args_`` list of leaves unpacks the same without the ListConfig)
        return new_list(values)
    return tuple(values) if step.how & TUPLE else values


def joined(prefix: Place, path: Place) -> Place:
    """``path`` (from a program's root) placed under ``prefix``."""
    if prefix is None:
        return path
    for key in place_path(path):
        prefix = (prefix, key)
    return prefix


def omega_container(value: Any) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.create(value, flags={"allow_objects": True})


def dict_node(values: dict[Any, Any], mode: str, object_type: Any) -> Any:
    """A dict as Hydra returns it under ``none`` (or a structured one under partial/object)."""
    from omegaconf import OmegaConf

    if object_type is None:
        return new_dict(values)
    cfg = OmegaConf.create({}, flags={"allow_objects": True})
    for key, value in values.items():
        cfg[key] = value
    cfg._metadata.object_type = object_type
    if mode == "object":
        return OmegaConf.to_object(cfg)
    return cfg


@functools.cache  # one value (no arguments): nothing to bound
def _omega_types() -> frozenset[type]:
    from omegaconf import DictConfig, ListConfig

    return frozenset({DictConfig, ListConfig})


def to_plain(value: Any, mode: str) -> Any:
    """Hydra's ``_convert_node``: an OmegaConf config as plain containers under a mode."""
    from omegaconf import DictConfig, ListConfig

    if not isinstance(value, DictConfig | ListConfig):
        return value
    from omegaconf import OmegaConf, SCMode

    if mode == "all":
        return OmegaConf.to_container(value, resolve=True)
    if mode == "partial":
        return OmegaConf.to_container(
            value, resolve=True, structured_config_mode=SCMode.DICT_CONFIG
        )
    if mode == "object":
        return OmegaConf.to_container(
            value, resolve=True, structured_config_mode=SCMode.INSTANTIATE
        )
    return value


def _raw(value: Any, mode: str) -> Any:
    """A config handed unbuilt to a non-recursive target: DictConfig under none, else plain."""
    if isinstance(value, Lazy):
        from lazycfg.emit.convert import to_dict

        value = to_dict(value)
    if type(value) in (dict, list, tuple):
        value = omega_container(value)
    return to_plain(value, mode)
