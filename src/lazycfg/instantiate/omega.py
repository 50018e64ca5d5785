"""The OmegaConf containers Hydra's default ``_convert_: none`` returns, made without the per-item
machinery of ``OmegaConf.create``.

Under ``none`` every list and dict of a result is a ``ListConfig``/``DictConfig``, and
``OmegaConf.create`` spends most of an instantiate there (about 70 µs for a list of four
objects): each item is validated, wrapped and set through several layers. For the containers
instantiate makes, whose items are leaves and built objects (no dicts, lists, nodes or
structured configs), the result is known exactly: a container whose ``_content`` holds one
``AnyNode`` per item, keyed and parented as ``OmegaConf.create`` keys and parents them. `new_list`
and `new_dict` lay that out directly; anything else goes to ``OmegaConf.create``.

This relies on OmegaConf 2.3's node layout. `_layout_holds` compares a probe made both ways once
per process; if they differ (another OmegaConf), every container goes to ``OmegaConf.create``.
"""

from __future__ import annotations

import functools
from typing import Any

from lazycfg.instantiate.engine import is_omega, is_structured

_FLAGS = {"allow_objects": True}
_KEYS = frozenset({str, int})


def _plain_item(value: Any) -> bool:
    """Whether ``OmegaConf.create`` would hold ``value`` in an ``AnyNode`` as it is."""
    if isinstance(value, dict | list | tuple) or is_structured(value):
        return False  # (a structured config becomes a DictConfig)
    return not is_omega(value)  # a node: moved, not wrapped


def new_list(values: list[Any]) -> Any:
    """``OmegaConf.create(values, flags={"allow_objects": True})``."""
    from omegaconf import OmegaConf

    if not _layout_holds() or not all(_plain_item(v) for v in values):
        return OmegaConf.create(values, flags=dict(_FLAGS))
    return _list_laid_out(values)


def new_dict(values: dict[Any, Any]) -> Any:
    """``OmegaConf.create(values, flags={"allow_objects": True})`` of a dict."""
    from omegaconf import OmegaConf

    if (
        not _layout_holds()
        or not all(type(k) in _KEYS for k in values)
        or not all(_plain_item(v) for v in values.values())
    ):
        return OmegaConf.create(values, flags=dict(_FLAGS))
    return _dict_laid_out(values)


def _container(cls: type, object_type: type, key_type: Any) -> Any:
    from omegaconf.base import ContainerMetadata

    container: Any = object.__new__(cls)
    container.__dict__.update(
        _metadata=ContainerMetadata(
            ref_type=Any,
            object_type=object_type,
            optional=True,
            key=None,
            flags=dict(_FLAGS),
            key_type=key_type,
            element_type=Any,
        ),
        _parent=None,
        _flags_cache=None,
    )
    return container


def _node(value: Any, key: Any, parent: Any) -> Any:
    from omegaconf.base import Metadata
    from omegaconf.nodes import AnyNode

    node: Any = object.__new__(AnyNode)
    node.__dict__.update(
        _metadata=Metadata(ref_type=Any, object_type=None, optional=True, key=key, flags={}),
        _parent=parent,
        _flags_cache=None,
        _val=value,
    )
    return node


@functools.cache  # one value (no arguments): nothing to bound
def _layout_holds() -> bool:
    """Whether containers laid out here equal what ``OmegaConf.create`` makes (checked once)."""
    from omegaconf import OmegaConf

    probe = object()
    items = [1, "x", None, "???", "${a}", probe]
    try:
        pairs = [
            (OmegaConf.create(items, flags=dict(_FLAGS)), _list_laid_out(items)),
            (
                OmegaConf.create(dict(enumerate(items)), flags=dict(_FLAGS)),
                _dict_laid_out(dict(enumerate(items))),
            ),
        ]
        return all(_same_layout(made, ours) for made, ours in pairs)
    except Exception:  # any other OmegaConf: never lay containers out by hand
        return False


def _list_laid_out(values: list[Any]) -> Any:
    from omegaconf import ListConfig

    container = _container(ListConfig, list, int)
    container.__dict__["_content"] = [_node(v, i, container) for i, v in enumerate(values)]
    return container


def _dict_laid_out(values: dict[Any, Any]) -> Any:
    from omegaconf import DictConfig

    container = _container(DictConfig, dict, Any)
    container.__dict__["_content"] = {k: _node(v, k, container) for k, v in values.items()}
    return container


def _same_layout(made: Any, ours: Any) -> bool:
    if type(made) is not type(ours) or made.__dict__.keys() != ours.__dict__.keys():
        return False
    if made._metadata != ours._metadata:
        return False
    theirs_content, our_content = made.__dict__["_content"], ours.__dict__["_content"]
    keys = theirs_content.keys() if isinstance(theirs_content, dict) else range(len(theirs_content))
    if list(keys) != list(our_content.keys() if isinstance(our_content, dict) else keys):
        return False
    for key in keys:
        a, b = theirs_content[key], our_content[key]
        if type(a) is not type(b) or a.__dict__.keys() != b.__dict__.keys():
            return False
        if a._metadata != b._metadata or a._val is not b._val:
            return False
        if a._get_parent() is not made or b._get_parent() is not ours:
            return False
    return made == ours
