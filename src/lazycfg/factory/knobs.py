"""Knobs: a factory's parameters, linked in its emitted config so overrides equal calls.

Hydra passes every non-underscore key of a ``_target_`` node to the target, so a knob cannot be
an extra key. Instead one *direct* use of each parameter (the parameter itself passed as a call
argument, or as an element of a list/dict literal so passed) holds the value, and every other
direct use is a relative interpolation to it (``${..trainer.epochs}``; relative, so it still
works under whatever package a store places the config). Overriding that path then gives
exactly the config of calling the factory with that value.

Which use holds the value is decided by name, never by dict order or by which use the body
reaches first (`canonical`): a use under a key named like the parameter (``epochs`` ->
``trainer.epochs``, not ``scheduler.T_max``), the shortest path first, then the first in sorted
order. Overriding another use would cut its link, so `linked_override_problems` refuses it,
naming the key to override instead (`lazycfg.app` runs it in every job).

Any other use (``hidden * 2``, an f-string, a condition, a local variable, an eager call) is
*derived*: no override can redo it, so `factory_config` warns with a `KnobWarning` naming the
factory, the parameter, the line and what to do.
"""

from __future__ import annotations

import inspect
import linecache
import warnings
from collections.abc import Callable
from typing import Any

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Key, Lazy, Path, fold
from lazycfg.factory.decorator import STATE, KnobToken, KnobWarning, Recording, factory_info

Use = tuple[Path, str]  # (path of a direct use, parameter name)


def factory_config(fn: Callable[..., Any], /, **kwargs: Any) -> dict[str, Any]:
    """The plain Hydra config dict of ``fn(**kwargs)`` with knob uses linked (module doc).

    Warns with `KnobWarning` for every use of a parameter an override cannot reproduce.
    """
    config, paths, recording, params = _linked(fn, kwargs)
    _warn_derived(fn, recording, params, paths)
    return config


def linked_config(fn: Callable[..., Any], /) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """`factory_config` of ``fn``'s defaults, and its links.

    The links map each use that is an interpolation (dotted path) to ``(parameter, dotted path
    of the use holding the value)``.
    """
    config, paths, recording, params = _linked(fn, {})
    _warn_derived(fn, recording, params, paths)
    links = {
        key: (param, dotted(paths[param])) for key, param in _interpolated(config, paths).items()
    }
    return config, links


def canonical(param: str, uses: list[Path]) -> Path:
    """The use of ``param`` that holds its value: named like it, shortest, first in order."""

    def rank(path: Path) -> tuple[bool, int, tuple[str, ...]]:
        names = [key for key in path if isinstance(key, str)]
        return (not names or names[-1] != param, len(path), tuple(map(str, path)))

    return min(uses, key=rank)


def knob_paths(fn: Callable[..., Any], /, **kwargs: Any) -> dict[str, str]:
    """``{parameter: dotted override path}`` for each parameter of ``fn`` with a direct use.

    ``fn(**kwargs)`` is run once to find the paths; no warnings are issued.
    """
    _, paths, _, _ = _linked(fn, kwargs)
    return {param: dotted(path) for param, path in paths.items()}


def dotted(path: Path) -> str:
    """A Hydra override key: ``("model", "layers", 0)`` -> ``model.layers.0``."""
    return ".".join(str(k) for k in path)


def relative_interpolation(src: Path, dst: Path) -> str:
    """The OmegaConf interpolation, placed at ``src``, that refers to the value at ``dst``.

    One dot is the container of ``src``; each further dot goes one level up.
    """
    container = src[:-1]
    common = 0
    while common < min(len(container), len(dst)) and container[common] == dst[common]:
        common += 1
    dots = "." * (1 + len(container) - common)
    return "${" + dots + dotted(dst[common:]) + "}"


# --- internals ---------------------------------------------------------------------------------


def _record(fn: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[Any, Recording]:
    if factory_info(fn) is None:
        name = getattr(fn, "__qualname__", repr(fn))
        raise ConfigError(
            [f"{name} is not a @factory function; decorate it with @lazycfg.factory"],
            "factory_config needs a factory",
        )
    outer = STATE.recording
    recording = STATE.recording = Recording()
    try:
        tree = fn(**kwargs)
    finally:
        STATE.recording = outer
    return tree, recording


def _linked(
    fn: Callable[..., Any], kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Path], Recording, set[str]]:
    from lazycfg.emit.convert import to_dict

    tree, recording = _record(fn, kwargs)
    if not isinstance(tree, Lazy | dict):
        raise ConfigError(
            [
                f"{getattr(fn, '__qualname__', fn)} returned {type(tree).__name__}; a factory "
                "stored as a Hydra config must return a lazy node or a dict"
            ],
            "factory_config needs a dict config",
        )
    params = set(inspect.signature(fn).parameters)
    top = recording.top
    mine = {id(t): t.param for t in top.tokens.values() if t.param in params} if top else {}
    config = _unshared(to_dict(tree))
    uses: dict[str, list[Path]] = {}
    for path, param in _direct_uses(tree, mine):
        uses.setdefault(param, []).append(path)
    held = {param: canonical(param, paths) for param, paths in uses.items()}
    recording.lines = {param: _node_line(tree, path) for param, path in held.items()}
    for param, paths in uses.items():
        for path in paths:
            if path != held[param]:
                _set(config, path, relative_interpolation(path, held[param]))
    return config, held, recording, params


def _interpolated(config: Any, held: dict[str, Path]) -> dict[str, str]:
    """``{dotted path: parameter}`` of the uses `_linked` made interpolations to ``held``."""
    from lazycfg.core.node import walk

    out: dict[str, str] = {}
    for path, value in walk(config):
        if isinstance(value, str) and value.startswith("${."):
            for param, target in held.items():
                if value == relative_interpolation(path, target):
                    out[dotted(path)] = param
    return out


def _direct_uses(tree: Any, mine: dict[int, str]) -> list[Use]:
    """Every direct use of the top factory's parameters, in config order, shared nodes in
    every place they appear."""

    def uses(value: Any, path: Path, kids: list[tuple[Key, Any]] | None) -> list[Use]:
        if kids is None:
            return []
        own: dict[Key, list[Use]] = {}
        meta = value._lazy_meta if isinstance(value, Lazy) else None
        if meta is not None and meta.knobs is not None:
            knobs: dict[tuple[Key, ...], KnobToken] = meta.knobs
            for rel, token in knobs.items():
                param = mine.get(id(token))
                if param is not None:
                    own.setdefault(rel[0], []).append((rel, param))
        out: list[Use] = []
        for key, kid_uses in kids:
            out.extend(own.pop(key, ()))
            out.extend(((key, *p), param) for p, param in kid_uses)
        return out

    return fold(tree, uses)


def _unshared(config: Any) -> Any:
    """A copy in which no dict or list appears twice (to_dict shares a shared node's dict)."""

    def copy(value: Any, path: Path, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        return dict(kids) if type(value) is dict else [v for _, v in kids]

    return fold(config, copy)


def _set(config: Any, path: Path, value: Any) -> None:
    container = config
    for key in path[:-1]:
        container = container[key]
    container[path[-1]] = value


def _held_example(examples: list[tuple[int, str]], line: int | None) -> tuple[int, str] | None:
    """The call, among those passing a parameter, that made the use holding its value."""
    return next((e for e in examples if e[0] == line), None)


def _node_line(tree: Any, path: Path) -> int | None:
    """The defining line of the innermost node on ``path`` (where a knob's value is passed)."""
    from lazycfg.core.node import ARGS_KEY, where

    line = None
    value = tree
    for key in path:
        if isinstance(value, Lazy):
            here = where(value)
            line = int(here.rsplit(":", 1)[1]) if here else line
            value = value._lazy_args if key == ARGS_KEY else value._lazy_kwargs.get(str(key))
        elif isinstance(value, dict | list | tuple):
            try:
                value = value[key]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                return line
        else:
            return line
    return line


def _warn_derived(
    fn: Callable[..., Any], recording: Recording, params: set[str], paths: dict[str, Path]
) -> None:
    top = recording.top
    info = factory_info(fn)
    if top is None or info is None:
        return
    mine = {id(t): t.param for t in top.tokens.values() if t.param in params}
    examples = {u.param: u.example for uses in info.derived.values() for u in uses if u.example}
    seen: set[tuple[str, str, int]] = set()
    for token, filename, line, what in recording.derived:
        param = mine.get(id(token))
        if param is None or (param, filename, line) in seen:
            continue
        seen.add((param, filename, line))
        path = paths.get(param)
        source = linecache.getline(filename, line).strip()
        quoted = f" (`{source}`)" if source else ""
        direct = _held_example(info.examples.get(param, []), recording.lines.get(param))
        if direct is not None:
            like = f", as line {direct[0]} does (`{direct[1]}`)"
        elif param in examples:
            like = f" (on this line: `{examples[param]}`)"
        else:
            like = ""
        if path is None:
            effect = f"it has no direct use, so no override can change {param!r}"
            fix = (
                f"pass {param} itself as an argument of a call{like} to make it a knob, and "
                "compute the rest in the target; or accept that it is fixed in the stored config"
            )
        else:
            effect = f"overriding {dotted(path)} will not update this use"
            fix = (
                f"pass {param} itself as an argument of a call{like}, and compute the rest in "
                f"the target; or accept that overriding {dotted(path)} won't update it"
            )
        message = (
            f"factory {info.qualname} ({info.filename}:{info.firstline}): parameter {param!r} "
            f"is {what} at {filename}:{line}{quoted}; {effect}. Fix: {fix}"
        )
        warnings.warn_explicit(KnobWarning(message), KnobWarning, filename, line)


# --- the override check for linked uses ---------------------------------------------------------

# (group or None, name) -> (package prefix, {linked path: (parameter, canonical path)}, label).
# Not a cache but a record of the ConfigStore's own entries (one per stored name, replaced when
# stored again), holding strings only: as bounded as the store itself.
_LINKS: dict[tuple[str | None, str], tuple[str, dict[str, tuple[str, str]], str]] = {}


def package_prefix(group: str | None, package: str | None) -> str:
    """Where Hydra puts a stored config's keys: ``model`` for group ``model`` and no package."""
    group_key = group.strip("/").replace("/", ".") if group else ""
    if package is None:
        return group_key
    prefix = package.replace("_group_", group_key)
    if prefix == "_global_" or prefix.startswith("_global_."):
        prefix = prefix[len("_global_") :]
    return prefix.strip(".")


def record_links(
    group: str | None, name: str, package: str | None, links: dict[str, tuple[str, str]]
) -> None:
    """Remember a stored factory's links so a job can refuse overrides that would cut them."""
    key = (group.strip("/") if group else None, name)
    label = f"{key[0]}/{name}" if key[0] else name
    if links:
        _LINKS[key] = (package_prefix(group, package), links, label)
    else:
        _LINKS.pop(key, None)


def links_snapshot() -> dict[Any, Any]:
    """Every recorded link (for a launcher's worker process, see `lazycfg.hydra.task.Task`)."""
    return dict(_LINKS)


def restore_links(links: dict[Any, Any]) -> None:
    """Add links recorded in another process; this process's own records win."""
    for key, value in links.items():
        _LINKS.setdefault(key, value)


def linked_override_problems(
    overrides: list[str], choices: dict[str, Any], config_name: str | None = None
) -> list[str]:
    """Overrides of a use that only links to a knob (its value lives elsewhere).

    ``choices`` is Hydra's ``hydra.runtime.choices`` (group -> chosen config name) and
    ``config_name`` the primary config's name: together they say which stored factories the
    job's config came from.
    """
    keys = {}
    for text in overrides:
        if text.startswith("~") or "=" not in text:
            continue
        keys.setdefault(text.split("=", 1)[0].lstrip("+").split("@", 1)[0], text)
    if not keys:
        return []
    chosen: list[tuple[str | None, str]] = [(None, config_name)] if config_name else []
    for group, name in choices.items():
        names = name if isinstance(name, list) else [name]
        chosen += [(group, n) for n in names if isinstance(n, str)]
    problems = []
    for entry in chosen:
        if entry not in _LINKS:
            continue
        prefix, links, label = _LINKS[entry]
        for path, (param, held) in links.items():
            full = f"{prefix}.{path}" if prefix else path
            if full in keys:
                where = f"{prefix}.{held}" if prefix else held
                problems.append(
                    f"{full}: is knob {param!r} of {label}, whose value lives at {where}; "
                    f"override {where} instead, which sets every use of {param!r}  "
                    f"[from override {keys[full]!r}]"
                )
    return problems
