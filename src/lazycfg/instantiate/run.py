"""The executor of `lazycfg.instantiate`: run a checked program, step by step, in build order.

Each step of `lazycfg.instantiate.plan` finds its children's values in their steps' last slots,
so a shared `Lazy` node's step is run once and every parent gets the same object. Containers
follow Hydra's ``_convert_`` rules: under ``none`` a dict or list becomes a ``DictConfig`` or
``ListConfig`` (a structured dict keeps its ``object_type``; ``object`` turns it into an
instance), and a call's OmegaConf arguments are converted to plain containers under the other
modes, as Hydra's ``_convert_node`` does.
"""

from __future__ import annotations

import functools
from typing import Any

from lazycfg.core.node import ARGS_KEY, Lazy
from lazycfg.instantiate.engine import call_failed, refuse_callable_result
from lazycfg.instantiate.omega import new_dict, new_list
from lazycfg.instantiate.problems import KeyPath
from lazycfg.instantiate.steps import (
    ARGS_LIST,
    ARGS_SLOT,
    CALL,
    CALL_ARGS,
    DICT,
    LIST,
    RAW,
    TUPLE,
)
from lazycfg.safety.policy import Policy


def run(
    steps: list[list[Any]], call_args: tuple[Any, ...], policy: Policy, prefix: KeyPath = ()
) -> Any:
    """Build every step in order and return the root's value. The steps are not changed (a
    cached program runs again): results go to a list, a step's last slot is its index there,
    and the containers a step fills are copies. ``prefix``: where the program's root stands,
    for the paths of errors."""
    make_partial = functools.partial
    omega = _omega_types()
    results: list[Any] = []
    done = results.append
    for step in steps:
        code = step[0]
        if code == CALL:
            _, fn, args, kwargs, arg_kids, kwarg_kids, part, path, written, how, mode, _, _ = step
            if kwarg_kids or how & ARGS_SLOT:
                kwargs = dict(kwargs)
                if mode == "none":
                    for key, kid in kwarg_kids:
                        kwargs[key] = results[kid[-1]]
                else:  # Hydra's _convert_node on each argument
                    for key, kid in kwarg_kids:
                        value = results[kid[-1]]
                        kwargs[key] = to_plain(value, mode) if type(value) in omega else value
                if how & ARGS_SLOT:
                    args = kwargs.pop(ARGS_KEY)
            if arg_kids:
                args = list(args)
                for index, kid in arg_kids:
                    args[index] = results[kid[-1]]
            if how & CALL_ARGS:
                args = call_args
            try:
                result = make_partial(fn, *args, **kwargs) if part else fn(*args, **kwargs)
            except Exception as exc:
                raise call_failed(fn, part, joined(prefix, path), exc) from exc
            if callable(result):
                refuse_callable_result(policy, written, result, joined(prefix, path))
            done(result)
        elif code == DICT:
            _, values, kids, mode, object_type, _, _ = step
            values = dict(values)
            for key, kid in kids:
                values[key] = results[kid[-1]]
            if mode == "all" or (mode != "none" and object_type in (None, dict)):
                done(values)
            else:
                done(dict_node(values, mode, object_type))
        elif code == LIST:
            done(_list(step, results))
        elif code == RAW:
            done(_raw(step[1], step[2]))
        else:  # VALUE
            done(step[1])
    return results[-1]


def _list(step: list[Any], results: list[Any]) -> Any:
    _, values, kids, mode, how, _, _ = step
    values = list(values)
    for index, kid in kids:
        values[index] = results[kid[-1]]
    if mode == "none" and (kids or not how & ARGS_LIST):
        # (an ``_args_`` list of leaves unpacks the same without the ListConfig)
        return new_list(values)
    return tuple(values) if how & TUPLE else values


def joined(prefix: KeyPath, path: KeyPath) -> KeyPath:
    """``path`` (from a program's root) placed under ``prefix``."""
    if not prefix:
        return path
    keys = []
    while path:
        path, key = path
        keys.append(key)
    for key in reversed(keys):
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
