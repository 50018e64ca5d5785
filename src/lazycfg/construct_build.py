"""The build pass of `lazycfg.instantiate`: run a checked program bottom-up with a value stack."""

from __future__ import annotations

import functools
from typing import Any

from lazycfg.construct import (
    CALL,
    DICT,
    LIST,
    MEMO,
    PUSH,
    Plan,
    call_failed,
    refuse_callable_result,
)
from lazycfg.node import ARGS_KEY, Lazy
from lazycfg.safety import Policy


def omega_container(value: Any) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.create(value, flags={"allow_objects": True})


def _to_plain(value: Any, mode: str) -> Any:
    """Hydra's ``_convert_node``: an OmegaConf config as plain containers under a mode."""
    from omegaconf import DictConfig, ListConfig, OmegaConf, SCMode

    if not isinstance(value, DictConfig | ListConfig):
        return value
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
        from lazycfg.emit import to_dict

        value = to_dict(value)
    if type(value) in (dict, list, tuple):
        value = omega_container(value)
    return _to_plain(value, mode)


def dict_node(keys: tuple[Any, ...], values: list[Any], mode: str, object_type: Any) -> Any:
    if mode == "all" or (mode != "none" and object_type in (None, dict)):
        return dict(zip(keys, values, strict=True))
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({}, flags={"allow_objects": True})
    for key, value in zip(keys, values, strict=True):
        cfg[key] = value
    cfg._metadata.object_type = object_type
    if mode == "object":
        return OmegaConf.to_object(cfg)
    return cfg


def execute(program: Plan, call_args: tuple[Any, ...], policy: Policy) -> Any:
    """Run a checked plan: build every value bottom-up and return the root's."""
    stack: list[Any] = []
    push = stack.append
    memo: dict[int, Any] = {}
    shared = program.shared
    omega = program.omega
    for op in program.ops:
        code = op[0]
        if code == PUSH:
            push(op[1])
        elif code == CALL:
            _, fn, keys, part, mode, where, written, memo_key, use_call_args = op
            n = len(keys)
            if n:
                kwargs = dict(zip(keys, stack[-n:], strict=True))
                del stack[-n:]
                if omega:
                    kwargs = {k: _to_plain(v, mode) for k, v in kwargs.items()}
                args = kwargs.pop(ARGS_KEY, ())
            else:
                kwargs, args = {}, ()
            if use_call_args:
                args = call_args
            try:
                if part:
                    result = functools.partial(fn, *args, **kwargs)
                else:
                    result = fn(*args, **kwargs)
            except Exception as exc:
                raise call_failed(fn, part, where, exc) from exc
            if callable(result):
                refuse_callable_result(policy, written, result, where)
            if memo_key is not None and memo_key in shared:
                memo[memo_key] = result
            push(result)
        elif code == DICT:
            _, keys, mode, object_type = op
            n = len(keys)
            values = stack[-n:] if n else []
            if n:
                del stack[-n:]
            push(dict_node(keys, values, mode, object_type))
        elif code == LIST:
            _, n, mode, as_tuple = op
            values = stack[-n:] if n else []
            if n:
                del stack[-n:]
            if mode == "none":
                push(omega_container(values))
            else:
                push(tuple(values) if as_tuple else values)
        elif code == MEMO:
            push(memo[op[1]])
        else:  # RAW
            push(_raw(op[1], op[2]))
    return stack[-1]
