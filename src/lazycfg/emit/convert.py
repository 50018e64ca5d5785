"""Lazy tree <-> plain Hydra config (dict, DictConfig, YAML).

What is emitted is plain Hydra: ``_target_``, ``_args_``, ``_partial_`` plus arguments. Values
that YAML cannot hold are written as tiny target nodes that ``hydra.utils.instantiate`` turns
back into the value itself, and `from_config` recognises them:

- a class: ``{_target_: hydra.utils.get_class, path: pkg.Cls}``
- a function: ``{_target_: hydra.utils.get_method, path: pkg.fn}``
- an enum member: ``{_target_: pkg.Color, _args_: [value]}``
- a path: ``{_target_: pathlib.Path, _args_: [str]}``
"""

from __future__ import annotations

import enum
import inspect
import pathlib
from collections.abc import Iterable
from typing import Any

from lazycfg.check.leaves import PRIMITIVE, PRIMITIVE_TYPES, leaf_problem
from lazycfg.core.errors import ConfigError
from lazycfg.core.node import (
    ARGS_KEY,
    Key,
    Lazy,
    Meta,
    Path,
    Place,
    fold_at,
    format_path,
    format_place,
    place_path,
)
from lazycfg.core.problems import ARGS_KIND, FLAG_KIND, TARGET_KIND, VALUE_KIND, Problem
from lazycfg.core.targets import import_path
from lazycfg.emit.read import (
    CREATE_FRAMES,
    NOT_A_VALUE,
    Resolver,
    omegaconf_call,
    plain_data,
    read_value,
)

TARGET, PARTIAL, RECURSIVE, CONVERT = "_target_", "_partial_", "_recursive_", "_convert_"
META_KEYS = (TARGET, ARGS_KEY, PARTIAL, RECURSIVE, CONVERT)
_GET_CLASS, _GET_METHOD = "hydra.utils.get_class", "hydra.utils.get_method"


def encode_leaf(value: Any, path: Path = ()) -> Any:
    """A leaf as plain config data (see the module docstring)."""
    if type(value) in PRIMITIVE_TYPES:
        return value
    if isinstance(value, enum.Enum):  # before primitives: IntEnum and StrEnum members are both
        return {TARGET: import_path(type(value)), ARGS_KEY: [value.value]}
    if isinstance(value, pathlib.PurePath):
        return {TARGET: "pathlib.Path", ARGS_KEY: [str(value)]}
    if isinstance(value, PRIMITIVE):
        # A subclass of a primitive (numpy.float64): YAML holds only the plain value.
        plain: type[Any] = next(t for t in (bool, int, float, str) if isinstance(value, t))
        return plain(value)
    if isinstance(value, type):
        return {TARGET: _GET_CLASS, "path": import_path(value)}
    if inspect.isroutine(value):
        return {TARGET: _GET_METHOD, "path": import_path(value)}
    problem = leaf_problem(value) or f"{type(value).__name__} cannot be written to a config"
    raise ConfigError([Problem(format_path(path), VALUE_KIND, "", problem)], "cannot emit config")


def options(node: Lazy[Any]) -> dict[str, Any]:
    meta = node._lazy_meta
    return (meta.options or {}) if meta is not None else {}


def _target_path(node: Lazy[Any]) -> str:
    target = node._lazy_target
    return target if isinstance(target, str) else import_path(target)


def _defaults(node: Lazy[Any], given: set[str]) -> list[tuple[str, Any]]:
    """The target's defaults, encoded, for parameters the node leaves out (full signature).

    A default that no config can hold (a sentinel object, a dataclass ``default_factory``) is
    left out: the target applies it anyway, and there is nothing faithful to write.
    """
    from lazycfg.check.signature import spec_of

    spec = spec_of(node._lazy_target)
    skip = set(spec.positional[: len(node._lazy_args)]) | given
    out = []
    for name, default in spec.defaults.items():
        if name in skip:
            continue
        try:
            out.append((name, to_dict(default)))
        except ConfigError:
            continue
    return out


def to_dict(x: Any, *, full: bool = False) -> Any:
    """The plain Hydra config of a lazy tree: dicts, lists and primitives.

    With ``full=True`` every parameter of every target is written, defaults included, so that
    a logged config records what a library default was at the time. A partial's defaults are
    written too (AdamW's ``betas`` and ``eps``): the full config is for the record; build from
    the config as written, since a caller passing one of them by position would collide.
    """

    def emit(value: Any, at: Place, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            if type(value) in PRIMITIVE_TYPES:
                return value
            try:
                return encode_leaf(value)
            except ConfigError:  # again, with the path spelled out (only now: it costs a walk)
                return encode_leaf(value, place_path(at))
        kind = type(value)
        if kind is dict:
            return dict(kids)
        if kind is list or kind is tuple:
            return [v for _, v in kids]
        node: Lazy[Any] = value
        out: dict[str, Any] = {TARGET: _target_path(node)}
        if node._lazy_partial:
            out[PARTIAL] = True
        out.update(options(node))
        out.update((str(k), v) for k, v in kids)
        if full:  # a partial's too: what the call used unless its caller passed them
            out.update(_defaults(node, set(node._lazy_kwargs)))
        return out

    return fold_at(x, emit)


def to_config(x: Any, *, full: bool = False) -> Any:
    """The tree as an ``omegaconf.DictConfig`` (``ListConfig`` for a list at the top)."""
    from omegaconf import OmegaConf

    data = to_dict(x, full=full)
    return omegaconf_call(lambda: OmegaConf.create(data), data, "to_config", CREATE_FRAMES)


def to_yaml(x: Any, *, full: bool = False) -> str:
    """The tree as Hydra YAML text."""
    from omegaconf import OmegaConf

    data = to_dict(x, full=full)
    return omegaconf_call(
        lambda: OmegaConf.to_yaml(OmegaConf.create(data)), data, "to_yaml", CREATE_FRAMES
    )


_CONVERT_MODES = ("none", "partial", "object", "all")


def reserved_key_problems(reserved: dict[str, Any], path: Path) -> list[Problem]:
    """What Hydra's instantiate would refuse in a node's ``_args_``/``_partial_``/... values."""
    problems = []
    for key, value in reserved.items():
        text = None
        if key == ARGS_KEY:
            if not isinstance(value, list | tuple):
                text = (
                    "must be a list of positional arguments, "
                    f"got {type(value).__name__} {value!r:.40}"
                )
        elif key in (PARTIAL, RECURSIVE):
            if not isinstance(value, bool):
                text = f"must be true or false, got {type(value).__name__} {value!r:.40}"
        elif key == CONVERT:
            mode = value.value if isinstance(value, enum.Enum) else value  # hydra's ConvertMode
            if not isinstance(mode, str) or mode.lower() not in _CONVERT_MODES:
                text = f"must be one of {', '.join(_CONVERT_MODES)}; got {value!r:.40}"
        if text is not None:
            kind = ARGS_KIND if key == ARGS_KEY else FLAG_KIND
            problems.append(Problem(format_path((*path, key)), kind, "", text))
    return problems


def from_config(
    cfg: Any, *, resolve_targets: bool = True, allow: Iterable[str] | str | None = None
) -> Any:
    """A lazy tree from a config (dict, list, DictConfig, ListConfig or YAML text).

    Targets are imported and each node is checked against its target's signature; every
    problem is reported with its config path. Reading builds nothing and calls no target: each
    ``_target_`` is judged by the safety policy (blocklist; ``allow=`` as in ``instantiate``)
    before it is imported, enum members are looked up without calling their class, and only
    pathlib's own classes make paths (see `lazycfg.emit.read`). With ``resolve_targets=False``
    targets stay dotted strings and nothing is imported (for configs you do not trust or
    cannot import).
    """
    problems: list[Problem] = []
    resolver = Resolver(allow)

    def decode(value: Any, at: Place, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        if type(value) is list or type(value) is tuple:
            return [v for _, v in kids]
        fields: dict[Any, Any] = dict(kids)
        if TARGET not in fields:
            return fields
        try:
            return _read_node(fields, at, resolver, resolve_targets)
        except ConfigError as exc:
            problems.extend(exc.records)
            # Hydra's missing marker stands in for the broken value, so the parent node is
            # still checked for its own mistakes without a follow-on error about this one.
            return "???"

    tree = fold_at(plain_data(cfg), decode)
    if problems:
        raise ConfigError(problems, "invalid config")
    return tree


def _read_node(fields: dict[Any, Any], at: Place, resolver: Resolver, resolve_targets: bool) -> Any:
    """One ``_target_`` dict (children already read) as a node or the value it stands for.

    Raises `ConfigError` whose problems name their full config paths.
    """
    target = fields.pop(TARGET)
    reserved = {k: fields.pop(k) for k in (ARGS_KEY, PARTIAL, RECURSIVE, CONVERT) if k in fields}
    if reserved_key_problems(reserved, ()):  # spelled out with the path only when needed
        raise ConfigError(reserved_key_problems(reserved, place_path(at)))
    partial = reserved.pop(PARTIAL, False)
    args = tuple(reserved.pop(ARGS_KEY, ()))
    meta = Meta(options=reserved) if reserved else None
    if not isinstance(target, str):
        problem = f"_target_ must be a dotted path string, got {target!r}"
        raise ConfigError([Problem(format_place(at), TARGET_KIND, "", problem)])
    if not resolve_targets:
        return Lazy(target, args, fields, partial, meta)
    try:
        if target in (_GET_CLASS, _GET_METHOD) and set(fields) == {"path"} and not args:
            return resolver(fields["path"])
        fn = resolver(target)
        if len(args) == 1 and not fields and not partial and not meta:
            value = read_value(fn, target, args[0])
            if value is not NOT_A_VALUE:
                return value
    except ConfigError as exc:  # the target's own problem, said at the node
        place = format_place(at)
        raise ConfigError([Problem(place, TARGET_KIND, "", p) for p in exc.problems]) from None
    from lazycfg.define import make_node
    from lazycfg.emit.renames import apply_renames

    fields = apply_renames(fn, fields, lambda: place_path(at))
    try:
        return make_node(fn, args, fields, partial=partial, meta=meta, locate_caller=False)
    except ConfigError as exc:  # each argument's problem at its full config path
        path = place_path(at)
        prefix = format_path(path) if path else ""
        raise ConfigError([p.under(prefix) for p in exc.records]) from None
