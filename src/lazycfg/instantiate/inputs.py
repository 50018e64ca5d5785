"""Call-time inputs of `lazycfg.instantiate`: kwargs merged into a config as OmegaConf merges them.

`merge` is ``OmegaConf.merge(base, override)`` on plain trees, copying only the dicts on the
merge path (the rest of the config is shared, not deep-copied). `prepare_kwargs` is Hydra's
``_prepare_input_dict_or_list`` for the kwargs; `needs_omegaconf` tells when only OmegaConf can
merge them (a value that is a config, a structured config or an interpolation).
"""

from __future__ import annotations

from typing import Any

from lazycfg.core.node import ARGS_KEY, Lazy
from lazycfg.instantiate.engine import (
    MISSING,
    PARTIAL,
    TARGET,
    callable_name,
    holds,
    is_omega,
    is_structured,
)

_ABSENT = object()


def lazy_fields(node: Lazy[Any]) -> dict[str, Any]:
    """A node as the fields of its Hydra config, one level deep (children stay nodes)."""
    fields: dict[str, Any] = {TARGET: node._lazy_target}
    if node._lazy_args:
        fields[ARGS_KEY] = node._lazy_args
    if node._lazy_partial:
        fields[PARTIAL] = True
    if node._lazy_meta is not None and node._lazy_meta.options:
        fields.update(node._lazy_meta.options)
    fields.update(node._lazy_kwargs)
    return fields


def prepare_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Hydra's ``_prepare_input_dict_or_list``: callable ``_target_`` values, at any depth of
    the kwargs' dicts and lists, become dotted strings; lazy nodes become their configs."""
    stack: list[tuple[Any, Any]] = []
    out: dict[str, Any] = {}
    stack.append((kwargs, out))
    while stack:
        source, into = stack.pop()
        pairs = source.items() if type(source) is dict else enumerate(source)
        for key, value in pairs:
            value: Any
            if key == TARGET and callable(value) and type(source) is dict:
                value = callable_name(value)
            elif isinstance(value, Lazy):
                from lazycfg.emit.convert import to_dict

                value = to_dict(value)
            elif type(value) is dict or type(value) is list:
                copy: Any = {} if type(value) is dict else [None] * len(value)  # pyright: ignore[reportArgumentType]
                stack.append((value, copy))
                value = copy
            into[key] = value
    return out


def needs_omegaconf(kwargs: dict[str, Any]) -> bool:
    """Whether merging ``kwargs`` needs OmegaConf: a value is a config, a structured config,
    or holds an interpolation."""
    return holds(kwargs, _needs_omegaconf)


def _needs_omegaconf(value: Any) -> bool:
    if type(value) is str:
        return "${" in value
    return is_omega(value) or is_structured(value) or isinstance(value, type)


def merge(base: dict[Any, Any], override: dict[str, Any]) -> dict[Any, Any]:
    """``OmegaConf.merge(base, override)`` on plain trees: dicts merge key by key, anything else
    replaces, ``???`` keeps what was there. Copies only the dicts on the merge path."""
    out = dict(base)
    if not override:
        return out
    stack: list[tuple[dict[Any, Any], dict[Any, Any]]] = [(out, override)]
    while stack:
        target, changes = stack.pop()
        for key, value in changes.items():
            value: Any
            old = target.get(key, _ABSENT)
            if type(value) is str and value == MISSING and old is not _ABSENT:
                continue
            if type(value) is dict and old is not _ABSENT:
                if isinstance(old, Lazy):
                    old = lazy_fields(old)
                if type(old) is dict:
                    merged = dict(old)
                    target[key] = merged
                    stack.append((merged, value))
                    continue
                if isinstance(old, list | tuple):
                    from omegaconf.errors import ConfigTypeError

                    raise ConfigTypeError(f"Cannot merge DictConfig with ListConfig (key {key!r})")
            elif isinstance(value, list | tuple) and type(old) is dict:
                from omegaconf.errors import ConfigTypeError

                raise ConfigTypeError(f"Cannot merge DictConfig with ListConfig (key {key!r})")
            target[key] = list(value) if type(value) is tuple else value
    return out
