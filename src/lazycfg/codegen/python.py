"""Config tree -> readable Python source: ``@factory`` functions that return the same config.

`to_python` turns a lazy tree, a dict or a DictConfig (a logged config, say) back into code.
Each ``_target_`` node whose target imports, is written at its public path and passes the
target's signature check becomes an ordinary call (``Adam(lr=0.001)``, ``partial(Adam)(...)``)
with a real import; any other node stays a dict with its ``_target_`` string, exactly as given,
and is listed in `Generated.kept` with the reason. Interpolations and resolvers stay strings.
Comments can be attached by config path, so a migrated file keeps its notes.
"""

from __future__ import annotations

import inspect
import keyword
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from lazycfg.codegen.module import (
    ARGS,
    PARTIAL,
    TARGET,
    Module,
)
from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Key, Lazy, Meta, Path, format_path

_OPTIONS = ("_recursive_", "_convert_")
_GETTERS = ("hydra.utils.get_class", "hydra.utils.get_method")


@dataclass(frozen=True)
class Kept:
    """A target node left as a ``_target_`` string, and why."""

    path: str
    target: str
    reason: str
    key: Path = ()  # the config path as keys, for looking up where the node was written
    where: str = ""  # ``file:line`` of the node in its source, when known


def plain(x: Any) -> Any:
    """A lazy tree, DictConfig or container as plain Hydra data."""
    if type(x).__module__.startswith("omegaconf"):
        from omegaconf import OmegaConf

        return OmegaConf.to_container(x, resolve=False)
    if _is_plain(x):
        return x  # already Hydra data: nothing to convert (and no walk that copies paths)
    from lazycfg.emit.convert import to_dict

    return to_dict(x)


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _is_plain(x: Any) -> bool:
    """Whether ``x`` holds only dicts, lists, tuples and scalars (one pass, no recursion)."""
    stack = [x]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict:
            stack.extend(value.values())
            if not all(type(k) in _LEAVES for k in value):
                return False
        elif kind is list or kind is tuple:
            stack.extend(value)
        elif kind not in _LEAVES:
            return False
    return True


def _rebuild(root: Any, decide: Any) -> Any:
    """Rebuild plain data bottom-up: ``decide(value, path, kids)`` once per dict, list or
    tuple, with ``path()`` building its config path only when asked: linear at any depth."""
    if type(root) not in (dict, list, tuple):
        return root
    # Frames: [value, key under its parent, pending (key, child) pairs, next index, done].
    stack: list[list[Any]] = [[root, None, _pairs(root), 0, []]]
    while True:
        frame = stack[-1]
        value, _, pairs, index, done = frame
        if index < len(pairs):
            frame[3] += 1
            key, child = pairs[index]
            if type(child) in (dict, list, tuple):
                stack.append([child, key, _pairs(child), 0, []])
            else:
                done.append((key, child))
            continue
        result = decide(value, lambda: tuple(f[1] for f in stack[1:]), done)
        stack.pop()
        if not stack:
            return result
        stack[-1][4].append((frame[1], result))


def _pairs(value: Any) -> list[tuple[Key, Any]]:
    return list(value.items()) if type(value) is dict else list(enumerate(value))


def resolve(data: Any, *, imports: bool = True, where: Path = ()) -> tuple[Any, list[Kept]]:
    """Plain config data -> a tree of validated `Lazy` calls where possible (see module doc).

    Nodes that stay strings are `Lazy` nodes with a string target whose ``meta.kept`` holds
    the original dict, so parents can still be checked and the dict is written as given.
    """
    kept: list[Kept] = []

    def decide(value: Any, at: Callable[[], Path], kids: list[tuple[Key, Any]]) -> Any:
        if type(value) is list or type(value) is tuple:
            return [v for _, v in kids]
        fields = dict(kids)
        target = fields.get(TARGET)
        if not isinstance(target, str):
            return fields
        path = at()
        here = format_path((*where, *path))
        if not imports:
            kept.append(Kept(here, target, "not imported (--no-import)", (*where, *path)))
            return _kept(target, fields)
        obj, reason = _import_exact(target)
        if reason is None and target in _GETTERS:
            value = _getter_value(target, fields)
            if value is not None:
                return value  # the class or function itself: checked and written as such
        if reason is None:
            reason = _shape_problem(fields)
        if reason is None:
            try:
                return _checked_call(obj, fields)
            except ConfigError as exc:
                reason = "; ".join(dict.fromkeys(map(_readable, exc.problems)))  # each once
            except Exception as exc:  # a target whose signature cannot be read
                reason = f"cannot be checked: {type(exc).__name__}: {exc}"
        kept.append(Kept(here, target, reason or "unknown", (*where, *path)))
        return _kept(target, fields)

    return _rebuild(data, decide), kept


# Reprs of classes and functions in a checker's message, shown by name (no memory address).
_REPRS = re.compile(r"<(?:function|class) '?([\w.]+)'?(?: at 0x[0-9a-f]+)?>")


def _readable(problem: str) -> str:
    return _REPRS.sub(r"\1", problem)


def _getter_value(target: str, fields: dict[Any, Any]) -> Any:
    """The class (``get_class``) or function (``get_method``) a getter node names, or None.

    Only when writing the object back gives the same node: a class under ``get_method`` (or a
    function under ``get_class``) would be emitted with the other getter, so it stays a node.
    """
    path = fields.get("path")
    if set(fields) != {TARGET, "path"} or not isinstance(path, str):
        return None
    obj, why = _import_exact(path)
    if why is not None:
        return None
    wanted = isinstance(obj, type) if target == _GETTERS[0] else inspect.isroutine(obj)
    return obj if wanted else None


def _kept(target: str, fields: dict[Any, Any]) -> Lazy[Any]:
    kwargs = {str(k): v for k, v in fields.items() if k != TARGET}
    return Lazy(target, (), kwargs, False, Meta(kept=fields))


def _import_exact(path: str) -> tuple[Any, str | None]:
    """The object a dotted path names, if it imports and that path is its public one."""
    from lazycfg.core.targets import import_path, locate

    if "." not in path:  # a bare name imports only a module, never a callable: import nothing
        return None, "a bare name, not a dotted path (write the full path of the class)"
    try:
        obj = locate(path)
    except Exception as exc:
        return None, f"does not import here ({str(exc).split('; ')[0].split(': ')[-1]})"
    try:
        public = import_path(obj)
    except Exception:
        return None, "imports, but cannot be named back as a module-level object"
    if public != path:
        return None, f"imports, but its public path is {public} (kept as written)"
    return obj, None


def _shape_problem(fields: dict[Any, Any]) -> str | None:
    """Why a node's keys cannot be written as a plain call, or None."""
    if any(k in fields for k in _OPTIONS):
        return "uses _recursive_/_convert_ (kept as a dict)"
    if PARTIAL in fields and fields[PARTIAL] is not True:
        return "has _partial_ other than true (kept as a dict)"
    if ARGS in fields and (not isinstance(fields[ARGS], list) or not fields[ARGS]):
        return "has an empty or non-list _args_ (kept as a dict)"
    bad = [k for k in fields if k not in (TARGET, PARTIAL, ARGS) and not _is_name(k)]
    if bad:
        return f"argument {bad[0]!r} is not a Python identifier (kept as a dict)"
    return None


def _checked_call(fn: Any, fields: dict[Any, Any]) -> Lazy[Any]:
    from lazycfg.define import make_node

    kwargs = {k: v for k, v in fields.items() if k not in (TARGET, PARTIAL, ARGS)}
    args = tuple(fields.get(ARGS, ()))
    # No caller location: the node comes from config data, not from a line of lazycfg.
    return make_node(fn, args, kwargs, partial=fields.get(PARTIAL) is True, locate_caller=False)


def _is_name(key: Any) -> bool:
    """A keyword argument name that Python reads back as itself (NFKC leaves it unchanged)."""
    return (
        isinstance(key, str)
        and key.isidentifier()
        and not keyword.iskeyword(key)
        and unicodedata.normalize("NFKC", key) == key
    )


def ruff_format(sources: dict[str, str] | None = None, directory: FilePath | None = None) -> bool:
    """Format files in ``directory`` (or one ``source`` via stdin) with ruff; False if absent."""
    ruff = FilePath(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.exists() else [sys.executable, "-m", "ruff"]
    # --no-cache: formatting a package leaves no .ruff_cache in the current directory.
    args = ["format", "--quiet", "--no-cache", "--line-length", "100"]
    try:
        if directory is not None:
            done = subprocess.run([*command, *args, str(directory)], capture_output=True)
            return done.returncode == 0
        assert sources is not None
        for key, text in sources.items():
            done = subprocess.run(
                [*command, *args, "--stdin-filename", "config.py", "-"],
                input=text,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                return False
            sources[key] = done.stdout
        return True
    except OSError:
        return False


def generate(
    x: Any, *, name: str = "config", imports: bool = True, format: bool = True
) -> tuple[str, list[Kept]]:
    """`to_python` plus the list of nodes kept as strings."""
    tree, kept = resolve(plain(x), imports=imports)
    module = Module()
    module.add_factory(module.reserve(name), tree)
    out = {"source": module.source()}
    if format:
        ruff_format(out)
    return out["source"], kept


def to_python(x: Any, *, name: str = "config", imports: bool = True) -> str:
    """Python source of a ``@factory`` function ``name`` returning ``x``'s config.

    ``x`` is a lazy tree, dict or DictConfig. Targets that import become calls with real
    imports; others stay ``_target_`` dicts (``imports=False`` keeps every target a string and
    imports nothing). Exec the source and call the factory to get the same config back.
    """
    return generate(x, name=name, imports=imports)[0]
