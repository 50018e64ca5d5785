"""Which targets a config may name: a default policy that always holds, and an allow-list.

Configs that come from outside (a shared YAML file, a model hub, a command line) choose what code
runs. The default policy refuses, whatever way a target is reached (``_target_``, the ``path`` of
Hydra's ``get_object``/``get_method``/``get_class``, a class or function value, a callable a target
returned):

- by name, before anything is imported: everything the installed Hydra's own target policy
  refuses (asked, not copied: `lazycfg.safety.hydra`), and lazycfg's own list of targets that run
  code, start processes (``asyncio`` subprocesses, ``pty``, ``multiprocessing``...), load pickles,
  delete or overwrite files, or change the environment; private (``_x``) names of the standard
  library; lazycfg's own modules, so no config can reach this policy's state;
- by what the object is, after import (`lazycfg.safety.kinds`): unbound methods and descriptors,
  methods bound to shared objects (``os.environ.update``), special methods, metaclasses, and
  modules or shared containers handed to a config.

``HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE`` (entries joined by ``:``) admits the named targets the
name lists refuse, exactly the written or canonical name, as Hydra does; it never admits what the
object rules, Hydra's protected references or lazycfg's internals refuse.

``allow=[...]`` narrows further: module prefixes (``"sklearn"``, ``"torch.nn"``), dotted names
(``"mypkg.models.Net"``) or fnmatch patterns (``"torch.optim.*"``). The written path is judged
before it is imported, so nothing outside the allow-list is imported or run (an enum's
``_missing_`` included); after import, the defining path of the object must match as well.
``pathlib`` path classes (how lazycfg writes a ``Path`` value) and Hydra's ``get_*`` helpers
(judged by their ``path``) pass the allow-list; the default policy still applies to them.

Verdicts are cached per policy; a policy is one per (allow-list, override), see `policy_for`.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from lazycfg.core.caches import WeakCache, put_bounded
from lazycfg.safety import hydra as safety_hydra
from lazycfg.safety.kinds import kind_problem, shared_method, value_problem

OVERRIDE_ENV = "HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE"

# lazycfg's own additions to Hydra's lists, by canonical name (``os.*``, not ``posix.*``).
BLOCKED_NAMES = frozenset(
    {
        *("builtins.open", "io.open", "_io.open", "io.FileIO", "_io.FileIO", "codecs.open"),
        *("builtins.input", "builtins.breakpoint", "builtins.globals", "builtins.iter"),
        *("builtins.getattr", "builtins.setattr", "builtins.delattr", "builtins.object"),
        *("os.open", "os.write", "os.ftruncate", "os.link", "os.symlink", "os.mkfifo"),
        *("os.mknod", "os.utime", "os.getcwd", "os.register_at_fork", "os.abort", "os._exit"),
        *("shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.copymode"),
        *("shutil.copystat", "shutil.make_archive", "shutil.unpack_archive", "os.putenv"),
        *("functools.reduce", "types.FunctionType", "types.CodeType", "types.MethodType"),
        *("weakref.finalize", "threading.settrace", "threading.setprofile"),
    }
)
BLOCKED_PREFIXES = (
    *("os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.kill", "os.plock"),
    *("subprocess.", "_posixsubprocess.", "_winapi.", "asyncio.subprocess."),
    *("asyncio.create_subprocess_", "pty.", "multiprocessing.", "_multiprocessing."),
    *("concurrent.futures.", "webbrowser.", "signal.", "_signal.", "atexit.", "site."),
    *("pickle.", "_pickle.", "marshal.", "shelve.", "dill.", "cloudpickle.", "copyreg."),
    *("joblib.load", "pandas.read_pickle", "runpy.", "ctypes.", "_ctypes.", "code.", "codeop."),
    *("importlib.", "_imp.", "imp.", "zipimport.", "pkgutil.", "inspect.", "gc.", "pdb."),
    *("bdb.", "sys.", "yaml.load", "yaml.unsafe", "yaml.full_load", "logging.config."),
    *("timeit.", "unittest.mock.", "hydra._internal."),
)
# Hydra's helpers that return the object a ``path`` argument names: the path is the real target.
DISCOVERY_TARGETS = frozenset(
    {
        "hydra.utils.get_class",
        "hydra.utils.get_method",
        "hydra.utils.get_object",
        "hydra.utils.get_static_method",
        "hydra._internal.utils._locate",
    }
)
# lazycfg writes a Path value as a call of its class: these only make path objects, so the
# allow-list does not apply to them (the rest of the policy does).
PATH_CLASSES = frozenset(
    f"pathlib.{name}"
    for name in ("Path", "PurePath", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath")
)
# The only lazycfg objects a config may name: classes meant to be written in Hydra configs.
LAZYCFG_CONFIG_TARGETS = frozenset(
    {"lazycfg.callback.LogConfig", "lazycfg.hydra.callback.LogConfig"}
)
_IN_PLACE = frozenset(
    f"{module}.{dunder[0]}i{op}{dunder[1]}"
    for module in ("operator", "_operator")
    for dunder in (("", ""), ("__", "__"))
    for op in (
        *("add", "and", "concat", "floordiv", "lshift", "mod", "mul", "matmul", "or", "pow"),
        *("rshift", "sub", "truediv", "xor"),
    )
)


def is_blocked(name: str) -> bool:
    """Whether a dotted name is on a name blocklist (Hydra's or lazycfg's); overridable."""
    canonical = safety_hydra.canonical(name)
    return (
        canonical in BLOCKED_NAMES
        or canonical in _IN_PLACE
        or canonical.startswith(BLOCKED_PREFIXES)
        or safety_hydra.blocks(name)
    )


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


def private_stdlib(written: str) -> bool:
    """Whether a written path names a private (``_x``) module or attribute of the standard
    library: such helpers are not APIs, and some run shell commands
    (``_osx_support._read_output``, ``uuid._get_command_stdout``). Judged on the written path
    only: public names defined in private modules (``io.StringIO``) stay callable."""
    parts = written.split(".")
    if parts[0] not in _STDLIB:
        return False
    return any(p[:1] == "_" and not (p[:2] == p[-2:] == "__") for p in parts)


def _is_lazycfg(name: str) -> bool:
    return (name == "lazycfg" or name.startswith("lazycfg.")) and (
        name not in LAZYCFG_CONFIG_TARGETS
    )


def blocklisted_message(name: str, written: str) -> str:
    """Hydra's text for a blocklisted target (``name``, reached by the path ``written``)."""
    note = "" if name == written else f" (resolved from '{written}')"
    return (
        f"Target '{name}'{note} is blocklisted and cannot be instantiated from config\n"
        "to prevent security vulnerabilities, set env var\n"
        f"{OVERRIDE_ENV}={name}:<other allowlisted targets> to bypass"
    )


def _matches(name: str, pattern: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern or name.startswith(pattern + ".")


# Bounds of a policy's caches keyed by dotted names, which come from configs.
NAMES_KEPT = TARGETS_KEPT = 4096


class Policy:
    """The targets one ``instantiate`` call admits; verdicts cached per name and per object.

    ``override`` is the set of ``HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE`` entries (read from the
    environment when not given). ``targets`` and ``callables`` are caches the engine fills:
    a dotted path -> (callable, written name, problem); a callable target -> (written name,
    problem), kept while the callable lives (a value holding the callable would keep it).
    """

    __slots__ = ("_names", "_results", "_verdicts", "allow", "callables", "override", "targets")

    def __init__(self, allow: Iterable[str] | None, override: Iterable[str] | None = None) -> None:
        if isinstance(allow, str):
            allow = [allow]
        self.allow: tuple[str, ...] | None = None if allow is None else tuple(allow)
        if override is None:
            override = os.environ.get(OVERRIDE_ENV, "").split(":")
        self.override = frozenset(entry for entry in override if entry)
        # Verdicts by dotted name (bounded: names come from configs), and by object (weakly:
        # object -> {written name -> verdict}), so no verdict keeps a user's callable alive.
        self._names: dict[str, str | None] = {}
        self._verdicts: WeakCache[dict[str, str | None]] = WeakCache(2048)
        self._results: WeakCache[dict[str, str | None]] = WeakCache(2048)
        self.targets: dict[str, tuple[Any, str, Any]] = {}  # filled by `keep_target`
        self.callables: WeakCache[tuple[str, Any]] = WeakCache(4096)

    def keep_target(self, target: str, verdict: tuple[Any, str, Any]) -> tuple[Any, str, Any]:
        """Keep the engine's verdict on a dotted path in `targets` (bounded); the verdict."""
        return put_bounded(self.targets, target, verdict, TARGETS_KEPT)

    def allows(self, name: str) -> bool:
        """Whether the allow-list (if any) admits the dotted ``name``."""
        return self.allow is None or any(_matches(name, p) for p in self.allow)

    def _name_problem(self, name: str, written: str, internals: bool = True) -> str | None:
        """The name lists' verdict on ``name`` (``written`` when reached by another path);
        ``internals``: refuse lazycfg's own objects too (not for what a target returned)."""
        broken = safety_hydra.broken()
        if broken is not None:
            return broken
        protected = safety_hydra.protected_reference(name)
        if protected is not None:
            return protected
        if internals and _is_lazycfg(name):
            return (
                f"target {name!r} is part of lazycfg itself; a config may not name lazycfg's "
                "internals (its safety policy among them)"
            )
        if not is_blocked(name):
            return None
        admitted = self.override
        if name in admitted or written in admitted or safety_hydra.canonical(name) in admitted:
            return None
        return blocklisted_message(name, written)

    def admit_name(self, written: str) -> str | None:
        """The verdict on a dotted target string before anything is imported: the name lists,
        lazycfg's internals and the allow-list. None when it may be imported."""
        try:
            return self._names[written]
        except KeyError:
            pass
        verdict = self._name_problem(written, written)
        if verdict is None and private_stdlib(written) and written not in self.override:
            verdict = (
                f"target {written!r} is a private name of the standard library: its helpers are "
                "not APIs and some run shell commands; name the public function or class"
            )
        if verdict is None and self.allow is not None and not self.allows(written):
            if written not in DISCOVERY_TARGETS and written not in PATH_CLASSES:
                verdict = self._outside(written)
        return put_bounded(self._names, written, verdict, NAMES_KEPT)

    def _outside(self, name: str) -> str:
        assert self.allow is not None
        return (
            f"target {name!r} is not in the allow-list {list(self.allow)}; "
            f"add {name.rsplit('.', 1)[0]!r} (or the full name) to allow= if you trust it"
        )

    def problem(self, written: str, obj: Any) -> str | None:
        """Why ``obj`` (reached by the dotted path ``written``) may not run, or None."""
        return _cached(self._verdicts, obj, written, self._judge)

    def _judge(self, written: str, obj: Any) -> str | None:
        verdict = self.admit_name(written)
        if verdict is not None:
            return verdict
        real = safety_hydra.identity(obj)
        if real != safety_hydra.canonical(written):
            verdict = self._name_problem(real, written)
            if verdict is not None:
                return verdict
        if not callable(obj):  # a value (``get_object``): no code of its own to allow
            return value_problem(obj, written) or safety_hydra.protected_result(obj, written)
        # A method bound to a shared object, named exactly in allow=: the caller trusts it.
        trusted = self.allow is not None and written in self.allow and shared_method(obj)
        exempt = written in DISCOVERY_TARGETS or (written in PATH_CLASSES and real in PATH_CLASSES)
        if not (exempt or trusted) and not self.allows(real):
            return self._outside(real)
        return None if trusted else kind_problem(obj, written)

    def result_problem(self, written: str, result: Any) -> str | None:
        """Why a callable a target returned (say ``getattr(os, "system")``) may not be kept;
        cached per function (a partial is judged by the function it calls)."""
        for _ in range(64):
            if not isinstance(result, functools.partial):
                break
            result = result.func
        try:  # (the usual hit inline; a bound method is kept under its parts: `_cached`)
            return self._results.by_id[id(result)][written]
        except KeyError:
            return _cached(self._results, result, written, self._judge_result)

    def _judge_result(self, written: str, result: Any) -> str | None:
        real = safety_hydra.identity(result)
        problem = (
            self._name_problem(real, real, internals=False)
            or safety_hydra.protected_result(result, written)
            or kind_problem(result, real, returned=True)
        )
        return None if problem is None else f"target {written!r} returned {real}: {problem}"


def _cached(
    cache: WeakCache[dict[str, str | None]],
    obj: Any,
    written: str,
    judge: Callable[[str, Any], str | None],
) -> str | None:
    """``judge(written, obj)``, kept per object while it lives (an unhashable object without
    weak references is judged every time)."""
    verdicts = cache.by_id.get(id(obj)) or cache.get(obj)  # (the usual hit inline)
    if verdicts is None:
        verdicts = cache.put(obj, {})
    try:
        return verdicts[written]
    except KeyError:
        return put_bounded(verdicts, written, judge(written, obj), 64)


# One policy per (allow-list, override value); bounded, since allow-lists are the caller's.
_policies: dict[tuple[tuple[str, ...] | None, Any], Policy] = {}
POLICIES_KEPT = 64
_ENV_KEY = os.environ.encodekey(OVERRIDE_ENV)


def _override_value() -> Any:
    """The raw value of the override variable, read without decoding (one dict lookup: this
    runs on every ``instantiate`` call)."""
    try:
        return os.environ._data.get(_ENV_KEY)  # pyright: ignore[reportAttributeAccessIssue]
    except AttributeError:  # os.environ replaced by a plain mapping
        return os.environ.get(OVERRIDE_ENV)


def policy_for(allow: Iterable[str] | None) -> Policy:
    """The policy for one ``instantiate`` call: one per allow-list and per value of
    ``HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE``, so its verdicts can be cached."""
    names = None if allow is None else ((allow,) if isinstance(allow, str) else tuple(allow))
    key = (names, _override_value())
    policy = _policies.get(key)
    if policy is None:
        made = Policy(names, os.environ.get(OVERRIDE_ENV, "").split(":"))
        policy = put_bounded(_policies, key, made, POLICIES_KEPT)
    return policy


def identity(obj: Any) -> str:
    """``module.qualname`` of what ``obj`` is, whatever name reached it (Hydra's naming)."""
    return safety_hydra.identity(obj)
