"""Which targets a config may name: a default blocklist that always holds, and an allow-list.

Configs that come from outside (a shared YAML file, a model hub) choose what code runs. The
blocklist refuses targets that run arbitrary code, spawn processes, load pickles or delete files,
whatever way they are reached: as ``_target_``, as the ``path`` of Hydra's ``get_object`` /
``get_method`` / ``get_class``, or as a class or function value. It includes Hydra's own target
policy lists when the installed Hydra has them, so lazycfg is never laxer than Hydra by name.

``allow=[...]`` narrows further: module prefixes (``"sklearn"``, ``"torch.nn"``), dotted names
(``"mypkg.models.Net"``) or fnmatch patterns (``"torch.optim.*"``). A target is allowed when both
the path written in the config and the defining module path of the object it resolves to match.
Verdicts are cached per target, so checking costs one dict lookup per node once warm.

Values that lazycfg itself writes as calls are judged as the values they are, so a config is
admitted the same way whether it is a lazy tree or the dict it emits: ``pathlib`` path classes
and enum member lookups (an `enum.Enum` subclass called with one positional argument) pass the
allow-list; the blocklist still applies to them. Hydra's ``get_class``/``get_method``/
``get_object`` are judged by their ``path``.
"""

from __future__ import annotations

import enum
import fnmatch
import pathlib
import types
from collections.abc import Iterable
from typing import Any

BLOCKED_NAMES = frozenset(
    {
        "builtins.eval",
        "builtins.exec",
        "builtins.compile",
        "builtins.__import__",
        "builtins.open",
        "io.open",
        "_io.open",
        "builtins.input",
        "builtins.breakpoint",
        "builtins.globals",
        "builtins.locals",
        "builtins.vars",
        "builtins.getattr",
        "builtins.setattr",
        "builtins.delattr",
        "builtins.exit",
        "builtins.quit",
        "os.system",
        "os.popen",
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.removedirs",
        "os.rename",
        "os.replace",
        "os.kill",
        "os.killpg",
        "os.fork",
        "os.putenv",
        "os.unsetenv",
        "os.chmod",
        "os.chown",
        "os.chdir",
        "os.truncate",
        "shutil.rmtree",
        "shutil.move",
        "shutil.chown",
        "importlib.import_module",
        "importlib.reload",
        "functools.reduce",
        "operator.attrgetter",
        "operator.methodcaller",
        "operator.call",
        "types.FunctionType",
        "types.CodeType",
        "dataclasses.make_dataclass",
        "typing.get_type_hints",
    }
)

BLOCKED_PREFIXES = (
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "subprocess.",
    "pty.",
    "pickle.",
    "_pickle.",
    "marshal.",
    "shelve.",
    "dill.",
    "cloudpickle.",
    "runpy.",
    "ctypes.",
    "code.",
    "codeop.",
    "importlib.",
    "inspect.",
    "gc.",
    "pdb.",
    "bdb.",
    "sys.",
    "yaml.load",
    "yaml.unsafe",
    "yaml.full_load",
    "logging.config.",
    "multiprocessing.",
    "concurrent.futures.",
    "timeit.",
    "webbrowser.",
    "hydra._internal.",
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
# allow-list does not apply to them (the blocklist still does).
PATH_CLASSES = frozenset(
    {
        pathlib.Path,
        pathlib.PurePath,
        pathlib.PosixPath,
        pathlib.WindowsPath,
        pathlib.PurePosixPath,
        pathlib.PureWindowsPath,
    }
)

_OS_ALIASES = (("posix.", "os."), ("nt.", "os."), ("posixpath.", "os.path."))


def _hydra_policy() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """Hydra's own blocklists when this Hydra ships them (1.3.8 does); empty otherwise."""
    try:
        from hydra._internal import target_policy as policy
    except Exception:
        return frozenset(), (), frozenset()
    names = getattr(policy, "DEFAULT_BLOCKLISTED_MODULES", frozenset()) | getattr(
        policy, "UNCONTROLLED_EXECUTION_TARGETS", frozenset()
    )
    prefixes = tuple(getattr(policy, "UNCONTROLLED_EXECUTION_TARGET_PREFIXES", ()))
    exceptions = frozenset(getattr(policy, "UNCONTROLLED_EXECUTION_TARGET_PREFIX_EXCEPTIONS", ()))
    return frozenset(names), prefixes, exceptions


_hydra_lists: tuple[frozenset[str], tuple[str, ...], frozenset[str]] | None = None


def canonical(name: str) -> str:
    """``posix.system`` -> ``os.system``: the public module name of OS functions."""
    for private, public in _OS_ALIASES:
        if name.startswith(private):
            return public + name[len(private) :]
    return name


def identity(obj: Any) -> str | None:
    """``module.qualname`` where ``obj`` is defined (what it is, whatever name reached it)."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        owner = type(obj)
        module, qualname = owner.__module__, owner.__qualname__
    return canonical(f"{module}.{qualname}")


def is_blocked(name: str) -> bool:
    """Whether a dotted name is on the default blocklist (lazycfg's and Hydra's)."""
    global _hydra_lists
    if _hydra_lists is None:
        _hydra_lists = _hydra_policy()
    hydra_names, hydra_prefixes, hydra_exceptions = _hydra_lists
    name = canonical(name)
    if name in BLOCKED_NAMES or name in hydra_names:
        return True
    if name.startswith(BLOCKED_PREFIXES):
        return True
    return name not in hydra_exceptions and name.startswith(hydra_prefixes)


def _is_path_class(obj: Any) -> bool:
    return isinstance(obj, type) and obj in PATH_CLASSES


def blocked_problem(written: str, obj: Any) -> str | None:
    """Why ``obj`` (reached as ``written``) is on the default blocklist, or None."""
    real = identity(obj)
    for name in (written, real):
        if name is not None and is_blocked(name):
            shown = name if name == written else f"{name} (reached as {written!r})"
            return (
                f"target {shown} is blocked: it can run arbitrary code, start processes or "
                "delete data; call it from Python code, not from a config"
            )
    return None


def _matches(name: str, pattern: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern or name.startswith(pattern + ".")


class Policy:
    """The targets one ``instantiate`` call admits; verdicts cached per (written path, object)."""

    __slots__ = ("allow", "_verdicts", "targets")

    def __init__(self, allow: Iterable[str] | None) -> None:
        if isinstance(allow, str):
            allow = [allow]
        self.allow: tuple[str, ...] | None = None if allow is None else tuple(allow)
        self._verdicts: dict[Any, str | None] = {}
        # A lazy node's target -> (callable, written name, problem); filled by the engine.
        self.targets: dict[Any, tuple[Any, str, str | None]] = {}

    def allows(self, name: str) -> bool:
        return self.allow is None or any(_matches(name, p) for p in self.allow)

    def admit_name(self, written: str) -> str | None:
        """Why the dotted path ``written`` may not even be imported, or None (judged before any
        import)."""
        return None

    def problem(self, written: str, obj: Any) -> str | None:
        """Why ``obj`` (reached by the dotted path ``written``) may not run, or None."""
        key: Any = (written, obj)
        try:
            return self._verdicts[key]
        except KeyError:
            pass
        except TypeError:  # unhashable callable: do not cache
            return self._judge(written, obj)
        verdict = self._judge(written, obj)
        self._verdicts[key] = verdict
        return verdict

    def _judge(self, written: str, obj: Any) -> str | None:
        blocked = blocked_problem(written, obj)
        if blocked is not None:
            return blocked
        if self.allow is None or written in DISCOVERY_TARGETS or _is_path_class(obj):
            return None
        real = identity(obj)
        for name in (written, real):
            if name is not None and not self.allows(name):
                return (
                    f"target {name!r} is not in the allow-list {list(self.allow)}; "
                    f"add {name.rsplit('.', 1)[0]!r} (or the full name) to allow= if you trust it"
                )
        return None

    def lookup_problem(
        self, written: str, obj: Any, problem: str, nargs: int, others: bool, partial: bool
    ) -> str | None:
        """``problem`` reconsidered for an enum member lookup (``Color("red")``, how lazycfg
        writes an enum value): one positional argument, nothing else, not a partial. Such a
        call only looks a member up, so only the blocklist applies to it."""
        if (
            nargs == 1
            and not others
            and not partial
            and isinstance(obj, type)
            and issubclass(obj, enum.Enum)
        ):
            return blocked_problem(written, obj)
        return problem

    def result_problem(self, written: str, result: Any) -> str | None:
        """Why a callable a target returned (say ``getattr(os, "system")``) may not be kept."""
        if not isinstance(result, type | types.FunctionType | types.BuiltinFunctionType):
            return None
        real = identity(result)
        if real is not None and is_blocked(real):
            return f"target {written!r} returned {real}, which is blocked"
        return None
