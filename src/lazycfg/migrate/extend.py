"""Configs that extend another through their defaults list, written as a call of it.

``trainer/cpu.yaml`` holding ``defaults: [default]`` and two keys is Hydra's way of saying
"the default trainer, with these changed". The writer says it the Python way: ``cpu()`` calls
``default()`` and changes what differs, and the config keeps no defaults list. That holds only
where Hydra puts the base's content where the config's own goes and merges the two as
OmegaConf does; so a config is taken only when its defaults list names one config beside
``_self_``, and the base has no defaults list of its own. A sibling of its group may be named
any way (``default``, ``default@_here_``, ``/trainer/default@_here_``) when both have the same
``# @package``; a config of another group (``/model/base@_here_``, imported from that group's
module) only with ``@_here_``, or ``../model/base`` when both are ``# @package _global_``
(else Hydra puts it elsewhere). An import that would close a cycle between group modules is
not made (`ImportGraph`): that config stays literal. The check proves each one: the config
loaded must equal the merge of the two as Hydra read them (`expected_load`), and the config
composed alone (``compose("trainer/cpu")``) must be equal on both sides; a config whose check
fails is written literally by a second pass (`lazycfg.migrate.migrate`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from lazycfg.migrate.readers import Source

SELF = "_self_"


@dataclass(frozen=True)
class Extension:
    """A config written as a call of ``base``: the merged body, and how the merge went."""

    base: Source
    body: Any  # the config as Hydra composes it: the base's body merged with its own
    self_first: bool  # ``[_self_, base]``: the base's values win


def extension(source: Source, configs: dict[str, Source]) -> Extension | None:
    """The config ``source`` extends through its defaults list (see the module doc), or None;
    ``configs`` by config path."""
    defaults = source.defaults
    if not defaults or not isinstance(source.body, dict | None):
        return None
    named = [(i, d) for i, d in enumerate(defaults) if d != SELF]
    if len(named) != 1 or not isinstance(named[0][1], str) or defaults.count(SELF) > 1:
        return None
    index, entry = named[0]
    path, _, package = entry.partition("@")
    if package not in ("", "_here_") or path.startswith(("override ", "optional ")):
        return None
    if path.startswith("/") and package != "_here_":
        return None  # an absolute entry lands at its own group's package, under the config's
    base = configs.get(_config_path(path, source.group) or "")
    if base is None or base is source or not isinstance(base.body, dict | None):
        return None
    if base.defaults not in (None, [], [SELF]) or not _same_place(source, base, package):
        return None
    self_first = SELF in defaults and defaults.index(SELF) < index
    body = merged(base.body or {}, source.body or {}, self_first)
    if body is None or _target_changed(base.body or {}, source.body or {}):
        return None
    return Extension(base, body, self_first)


def _same_place(source: Source, base: Source, package: str) -> bool:
    """Whether Hydra puts ``base``'s content where ``source``'s own goes (see the module doc)."""
    if package:  # @_here_
        return True
    if base.group != source.group and base.package != "_global_":
        return False
    return base.package == source.package


def _config_path(path: str, group: str) -> str | None:
    """The config path a defaults entry names from ``group``; None when it leaves the tree."""
    full = path[1:] if path.startswith("/") else posixpath.join(group, path)
    full = posixpath.normpath(full)
    return None if full.startswith(("..", "/")) or full == "." else full


class ImportGraph:
    """The imports between group modules the writer makes (group -> groups it imports; the
    root ``""`` is ``__init__``, which imports every group module), kept free of cycles: a
    module importing one that imports it back fails half-initialised."""

    def __init__(self, groups: list[str]) -> None:
        self.edges: dict[str, set[str]] = {g: set() for g in groups}
        self.edges[""] = {g for g in groups if g}

    def closes_cycle(self, importer: str, imported: str) -> bool:
        """Whether ``importer`` importing ``imported`` would close a cycle."""
        seen, stack = set(), [imported]
        while stack:
            group = stack.pop()
            if group == importer:
                return True
            if group not in seen:
                seen.add(group)
                stack.extend(self.edges.get(group, ()))
        return False

    def add(self, importer: str, imported: str) -> None:
        self.edges.setdefault(importer, set()).add(imported)


def merged(base: Any, own: Any, self_first: bool) -> Any:
    """``own`` merged onto ``base`` as Hydra merges a defaults list (``base`` onto ``own`` when
    ``_self_`` comes first), as plain data; None when OmegaConf refuses the merge."""
    from omegaconf import OmegaConf

    first, second = (own, base) if self_first else (base, own)
    try:
        node = OmegaConf.merge(OmegaConf.create(first), OmegaConf.create(second))
        return OmegaConf.to_container(node, resolve=False)
    except Exception:  # a dict onto a scalar, say: Hydra fails alike; written literally
        return None


def _target_changed(base: Any, own: Any) -> bool:
    """Whether ``own`` gives a node of ``base`` another ``_target_``: then it is another call,
    not the base's, and a call of the base does not say it."""
    stack = [(base, own)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            if "_target_" in a and "_target_" in b and a["_target_"] != b["_target_"]:
                return True
            stack.extend((a[k], b[k]) for k in b if k in a)
    return False


def expected_load(loads: dict[str, Any], path: str, base: str, self_first: bool) -> Any:
    """What the converted config must load as: no defaults list, and its body merged with the
    base's, both as Hydra's repository read them (``loads``, by config path)."""
    own, other = loads[path], loads.get(base)
    if "error" in own or not isinstance(other, dict) or "error" in other:
        return own
    body = merged(other["body"], own["body"], self_first)
    return {**own, "defaults": [], "body": body}
