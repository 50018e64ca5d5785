"""Reading a ``DictConfig``/``ListConfig`` for `lazycfg.instantiate` through OmegaConf's own nodes.

``OmegaConf.to_container(cfg, resolve=True)`` is about half the time of instantiating a
DictConfig. `read_config` walks the config's nodes instead (explicit stack, no recursion limit):
a value node gives its value, and only a value that holds an interpolation is resolved, by
OmegaConf, at its place (so relative and absolute keys and resolvers mean what they mean in the
YAML). A failing interpolation is a `Problem`, reported with the others. A structured node (a
dataclass or attrs ``object_type``) is kept as the node: the planner reads it key by key, as its
``object_type`` decides what ``_convert_`` makes of it.

This depends on OmegaConf 2.3's node layout (``_content``); `read_config` checks it and falls
back to ``to_container`` for anything else (`lazycfg.instantiate.read.fallback`).
"""

from __future__ import annotations

from typing import Any

from lazycfg.core.node import Place
from lazycfg.instantiate.engine import MISSING, is_omega
from lazycfg.instantiate.problems import INTERPOLATION_KIND, Problem, where


class Special(Exception):
    """Met an interpolation or a structured node while asked to read only plain configs."""


def read_config(cfg: Any, *, plain_only: bool = False) -> tuple[Any, list[Problem]]:
    """``cfg`` as plain dicts and lists (structured nodes kept), with the interpolation problems.

    ``plain_only``: raise `Special` at the first interpolation or structured node instead (the
    caller then merges call-time kwargs the way OmegaConf does).
    """
    if not _layout_known(cfg):
        return fallback(cfg), []
    problems: list[Problem] = []
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, Place]] = [(cfg, holder, 0, None)]
    while stack:
        node, into, slot, path = stack.pop()
        content = node.__dict__["_content"]
        if content is None or type(content) is str:  # None, ``???`` or an interpolation
            into[slot] = _whole(node, content, path, problems, plain_only)
            continue
        if type(content) is dict:
            object_type = node._metadata.object_type
            if object_type is not None and object_type is not dict:
                if plain_only:
                    raise Special
                into[slot] = node
                continue
            out: Any = {}
            pairs: Any = content.items()
        else:
            out = [None] * len(content)
            pairs = enumerate(content)
        into[slot] = out
        for key, child in pairs:
            if "_content" in child.__dict__:  # a container node (its place kept in order)
                out[key] = None
                stack.append((child, out, key, (path, key)))
                continue
            value = child._val
            if type(value) is str and (value == MISSING or "${" in value):
                if value != MISSING:
                    if plain_only:
                        raise Special
                    value = _resolve(node, key, (path, key), problems, stack, out)
            out[key] = value
    return holder[0], problems


def _resolve(
    parent: Any,
    key: Any,
    path: Place,
    problems: list[Problem],
    stack: list[tuple[Any, Any, Any, Place]],
    into: Any,
) -> Any:
    """The value an interpolation resolves to, at its place; a container is read in turn."""
    from omegaconf.errors import OmegaConfBaseException

    try:
        value = parent[key]
    except OmegaConfBaseException as exc:
        problems.append(Problem(where(path), INTERPOLATION_KIND, str(exc), cause=exc))
        return None
    if is_omega(value):
        stack.append((value, into, key, path))
        return None  # read in turn
    return value


def _whole(node: Any, content: Any, path: Place, problems: list[Problem], plain_only: bool) -> Any:
    """A container that is None, ``???`` or an interpolation as a whole."""
    if content is None:
        return None
    if content == MISSING:
        return MISSING
    if plain_only:
        raise Special
    from omegaconf.errors import OmegaConfBaseException

    try:
        return fallback(node)
    except OmegaConfBaseException as exc:
        problems.append(Problem(where(path), INTERPOLATION_KIND, str(exc), cause=exc))
        return None


def fallback(cfg: Any) -> Any:
    """What `read_config` reads, the slow way: one ``to_container`` (structured nodes kept)."""
    from omegaconf import OmegaConf, SCMode

    return OmegaConf.to_container(cfg, resolve=True, structured_config_mode=SCMode.DICT_CONFIG)


def _layout_known(cfg: Any) -> bool:
    """Whether ``cfg`` has OmegaConf 2.3's layout (children kept in ``_content``)."""
    from omegaconf import DictConfig, ListConfig

    return isinstance(cfg, DictConfig | ListConfig) and "_content" in cfg.__dict__
