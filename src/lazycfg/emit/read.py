"""Reading a config without running it: targets judged before import, values looked up.

`lazycfg.from_config` reads a config back into a lazy tree. Reading must not run code that the
config names, so this module holds the three places where it could:

- `resolve`: a ``_target_`` string is judged by the safety policy (the blocklist, and
  ``allow=`` when given) before anything is imported, and the imported object again after;
- `read_value`: the shapes lazycfg writes for enum members and paths are recognised without
  calling the class: an enum member is looked up in the class's own member tables (never
  ``_missing_``), only pathlib's own classes make a path; any other such shape stays a lazy
  node, to be judged and built by ``instantiate`` like every other call;
- `plain_data`: a DictConfig or YAML text becomes plain data through OmegaConf, with a clear
  error when it is nested deeper than OmegaConf can go.
"""

from __future__ import annotations

import enum
import inspect
import pathlib
import sys
from collections.abc import Callable, Iterable
from typing import Any

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Lazy, fold_at, walk_at
from lazycfg.core.targets import locate
from lazycfg.safety.policy import DISCOVERY_TARGETS, Policy, is_blocked

# pathlib's own classes: making a path runs only pathlib's code (a subclass may run anything).
PATHLIB_CLASSES = frozenset(
    {
        pathlib.Path,
        pathlib.PurePath,
        pathlib.PosixPath,
        pathlib.WindowsPath,
        pathlib.PurePosixPath,
        pathlib.PureWindowsPath,
    }
)
_PATH_NAMES = frozenset(f"pathlib.{cls.__name__}" for cls in PATHLIB_CLASSES)
NOT_A_VALUE = object()  # what `read_value` returns for a class that is not an enum or path


# --- targets -------------------------------------------------------------------------------------


def judge_name(policy: Policy, written: str) -> str | None:
    """Why the dotted name ``written`` may not even be imported, or None (nothing is imported).

    The policy's own judgement of a name when it has one (``admit_name``); else the blocklist
    and the allow-list, where path classes and Hydra's discovery helpers (judged by their
    ``path``) pass the allow-list, as they do in ``instantiate``.
    """
    admit = getattr(policy, "admit_name", None)
    if admit is not None:
        return admit(written)
    if is_blocked(written):
        return (
            f"target {written} is blocked: it can run arbitrary code, start processes or "
            "delete data; call it from Python code, not from a config"
        )
    if written in _PATH_NAMES or written in DISCOVERY_TARGETS or policy.allows(written):
        return None
    assert policy.allow is not None
    return (
        f"target {written!r} is not in the allow-list {list(policy.allow)}; nothing was "
        f"imported; add {written.rsplit('.', 1)[0]!r} (or the full name) to allow= if you trust it"
    )


def resolve(policy: Policy, written: str) -> Any:
    """The object ``written`` names, judged by ``policy`` before and after the import.

    Raises `ConfigError` with one problem line when it is refused or cannot be imported.
    """
    problem = judge_name(policy, written)
    if problem is None:
        obj = locate(written)  # raises TargetError (a ConfigError) with its own message
        problem = policy.problem(written, obj)
        if problem is None:
            return obj
    raise ConfigError([problem], "target refused")


class Resolver:
    """The targets of one reading, each judged and imported once (`resolve`)."""

    __slots__ = ("_found", "policy")

    def __init__(self, allow: Iterable[str] | str | None) -> None:
        self.policy = Policy(allow)
        self._found: dict[str, Any] = {}  # written -> object, or the ConfigError it raised

    def __call__(self, written: Any) -> Any:
        if not isinstance(written, str):
            return resolve(self.policy, written)  # refused with a message by `locate`
        try:
            found = self._found[written]
        except KeyError:
            try:
                found = resolve(self.policy, written)
            except ConfigError as exc:
                found = exc
            self._found[written] = found
        if isinstance(found, ConfigError):
            raise ConfigError(found.problems, "target refused")
        return found


# --- enum members and paths ----------------------------------------------------------------------


def enum_member(cls: type[enum.Enum], value: Any) -> Any:
    """The member of ``cls`` whose value is ``value``, or `NOT_A_VALUE`; calls no user code.

    The lookup ``cls(value)`` makes, up to ``_missing_``: the value map, then a scan of the
    members (for unhashable values). A list also matches a tuple value, since YAML has no tuples.
    """
    own = cls.__dict__
    by_value: dict[Any, Any] = own.get("_value2member_map_", {})
    members: dict[str, Any] = own.get("_member_map_", {})
    candidates = [value]
    if type(value) is list:
        candidates.append(tuple(value))
    for candidate in candidates:
        try:
            return by_value[candidate]
        except (KeyError, TypeError):
            pass
        for member in members.values():
            found = member._value_
            if type(found) is type(candidate) and found == candidate:
                return member
    return NOT_A_VALUE


def _plain_missing(cls: type[enum.Enum]) -> bool:
    """Whether ``cls`` keeps `enum.Enum`'s own ``_missing_`` (an unknown value is an error)."""
    own = inspect.getattr_static(cls, "_missing_", None)
    return getattr(own, "__func__", None) is enum.Enum.__dict__["_missing_"].__func__


def read_value(cls: Any, written: str, value: Any) -> Any:
    """``{_target_: written, _args_: [value]}`` read without calling ``cls``.

    An enum member is looked up; a pathlib class makes its path (pathlib's own code); anything
    else (a path subclass, an enum with its own ``_missing_``) stays a lazy node for
    ``instantiate`` to build. Returns `NOT_A_VALUE` when ``cls`` is not such a class.
    Raises `ConfigError` for a value that is surely not a member or a path.
    """
    if not isinstance(cls, type):
        return NOT_A_VALUE
    if isinstance(value, Lazy) or (isinstance(value, str) and ("${" in value or value == "???")):
        # Known only when built (an interpolation, Hydra's missing marker, a call): kept.
        return Lazy(cls, (value,)) if issubclass(cls, enum.Enum | pathlib.PurePath) else NOT_A_VALUE
    if issubclass(cls, enum.Enum):
        member = enum_member(cls, value)
        if member is not NOT_A_VALUE:
            return member
        if _plain_missing(cls) and not issubclass(cls, enum.Flag):
            names = ", ".join(repr(m._value_) for m in cls.__dict__["_member_map_"].values())
            raise ConfigError(
                [
                    f"{written}({value!r}) failed: {value!r} is not a valid {cls.__qualname__}; "
                    f"the values are {names}"
                ]
            )
        return Lazy(cls, (value,))
    if issubclass(cls, pathlib.PurePath):
        if cls not in PATHLIB_CLASSES:
            return Lazy(cls, (value,))
        try:
            return cls(value)
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise ConfigError([f"{written}({value!r}) failed: {exc}"]) from None
    return NOT_A_VALUE


# --- OmegaConf -----------------------------------------------------------------------------------


def depth_of(data: Any) -> int:
    """How many containers deep ``data`` (plain, or a DictConfig/ListConfig) nests, without
    recursion (0 for a leaf)."""
    from omegaconf import DictConfig, ListConfig

    if not isinstance(data, DictConfig | ListConfig):

        def depth(value: Any, at: Any, kids: list[tuple[Any, int]] | None) -> int:
            return 0 if kids is None else 1 + max((d for _, d in kids), default=0)

        return fold_at(data, depth)
    deepest, stack = 0, [(data, 1)]
    node: Any
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if node._is_none() or node._is_missing() or node._is_interpolation():
            continue
        keys = range(len(node)) if isinstance(node, ListConfig) else node.keys()
        for key in keys:
            child = node._get_node(key)
            if isinstance(child, DictConfig | ListConfig):
                stack.append((child, level + 1))
    return deepest


# Python frames OmegaConf 2.3 spends per level of nesting, measured: creating a DictConfig
# (from data or YAML text) about 10, ``to_container`` about 2.
CREATE_FRAMES, READ_FRAMES = 10, 2


def omegaconf_call(fn: Callable[[], Any], data: Any, what: str, frames: int) -> Any:
    """``fn()``, an OmegaConf call on ``data`` that spends about ``frames`` Python frames per
    level, with a clear error where OmegaConf's recursion stops: the depth of ``data`` and the
    limit, not a RecursionError. ``data`` None: the depth is not known (YAML text)."""
    try:
        return fn()
    except RecursionError:
        pass
    limit = sys.getrecursionlimit()
    deep = "nested too deeply"
    if data is not None:
        try:
            deep = f"{depth_of(data)} levels deep"
        except Exception:  # an odd container: the message still says what and why
            pass
    raise ConfigError(
        [
            f"{what}: the config is {deep}, deeper than OmegaConf can go (it recurses about "
            f"{frames} frames per level: near {limit // frames} levels at Python's recursion "
            f"limit {limit}); to_dict, from_config of a dict, flatten, fingerprint and diff "
            "have no depth limit"
        ],
        "config too deep for OmegaConf",
    )


def plain_data(cfg: Any) -> Any:
    """A dict, list, DictConfig, ListConfig or YAML text as plain dicts and lists."""
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(cfg, str):
        # OmegaConf's loader is a safe one: !!python tags are refused, nothing is executed.
        try:
            cfg = omegaconf_call(lambda: OmegaConf.create(cfg), None, "reading YAML", CREATE_FRAMES)
        except ConfigError:
            raise
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            hint = (
                "; python tags (!!python/...) are refused: write a _target_ node instead"
                if "python/" in str(exc)
                else ""
            )
            raise ConfigError([f"cannot read YAML{at}: {first}{hint}"], "invalid config") from None
    if isinstance(cfg, DictConfig | ListConfig):
        container = cfg
        return omegaconf_call(
            lambda: OmegaConf.to_container(container, resolve=False),
            container,
            "reading a DictConfig",
            READ_FRAMES,
        )
    return cfg


def resolved_data(tree: Any) -> Any:
    """``tree`` (plain data) with its interpolations resolved; itself when it has none, or
    when one of them cannot be resolved outside the job."""
    if not any(type(v) is str and "${" in v for _, v in walk_at(tree)):
        return tree
    from omegaconf import OmegaConf

    try:
        return OmegaConf.to_container(OmegaConf.create(tree), resolve=True)
    except Exception:  # a missing key, a task's own resolver, a config too deep for OmegaConf
        return tree
