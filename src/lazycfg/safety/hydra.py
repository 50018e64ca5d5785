"""Hydra's own target policy, called (not copied) where the installed hydra-core has one.

hydra-core 1.3.8 ships ``hydra._internal.target_policy``: blocklists of targets that run code,
start processes or delete data, the ``posix.``/``nt.`` aliases of ``os``, references into
implementation state (``hydra._internal``, ``__globals__``, ``f_locals``), and a digest that
proves its lists were not changed at run time. lazycfg asks those functions, under a policy
snapshot taken once and checked against Hydra's digest, so it refuses by name at least what the
installed Hydra refuses. Older 1.3.x releases without that module contribute nothing here;
lazycfg's own lists (`lazycfg.safety.policy`) still apply.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable, Iterator
from typing import Any

_OS_ALIASES = (
    ("posix.", "os."),
    ("nt.", "os."),
    ("posixpath.", "os.path."),
    ("ntpath.", "os.path."),
)


# The functions of ``hydra._internal.target_policy`` this module calls.
_USED = (
    "_EXPECTED_TARGET_POLICY_DIGEST",
    "_validated_target_policy",
    "_target_policy_context",
    "_get_os_alias_target",
    "_get_policy_alias_target",
    "_is_blocklisted_target",
    "_reject_protected_reference",
    "_reject_protected_result",
    "_get_resolved_target_name_for_check",
)


def _load() -> tuple[Any, Any]:
    """Hydra's policy module and its validated snapshot; (None, message) when it is missing
    (an older hydra-core) and (module, message) when Hydra's own integrity check fails."""
    try:
        from hydra._internal import target_policy as policy
        from hydra.errors import InstantiationException
    except ImportError:
        return None, None
    if not all(hasattr(policy, name) for name in _USED):
        return None, None  # a 1.3.x release with a different layout: lazycfg's lists apply
    try:
        return policy, policy._validated_target_policy(policy._EXPECTED_TARGET_POLICY_DIGEST)
    except InstantiationException as exc:
        return policy, str(exc)


_state: tuple[Any, Any] | None = None


def _policy() -> tuple[Any, Any]:
    """Hydra's policy module and snapshot, loaded on first use: importing Hydra's instantiate
    machinery costs about 120 ms, which ``import lazycfg`` should not pay. A list changed
    before that first use still fails Hydra's own integrity check."""
    global _state
    if _state is None:
        _state = _load()
    return _state


@contextlib.contextmanager
def _active() -> Iterator[None]:
    module, snapshot = _policy()
    if module is None or isinstance(snapshot, str):
        yield
        return
    with module._target_policy_context(snapshot):
        yield


def broken() -> str | None:
    """Hydra's integrity-check message when its policy lists were changed at run time."""
    _, snapshot = _policy()
    return snapshot if isinstance(snapshot, str) else None


def canonical(name: str) -> str:
    """The security identity of a dotted name: ``posix.system`` -> ``os.system`` (Hydra's
    aliases: ``os`` for ``posix``/``nt``, ``builtins.property`` for its spellings...)."""
    module, _ = _policy()
    if module is None:
        for private, public in _OS_ALIASES:
            if name.startswith(private):
                return public + name[len(private) :]
        return name
    return module._get_policy_alias_target(module._get_os_alias_target(name))


def blocks(name: str) -> bool:
    """Whether Hydra's lists (blocklist, execution targets, prefixes) name ``name``."""
    module, _ = _policy()
    if module is None:
        return False
    with _active():
        return bool(
            module._is_blocklisted_target(name) or module._is_blocklisted_target(canonical(name))
        )


def _refusal(check: Callable[..., None], *args: Any) -> str | None:
    from hydra.errors import InstantiationException

    with _active():
        try:
            check(*args)
        except InstantiationException as exc:
            return str(exc)
    return None


def protected_reference(name: str) -> str | None:
    """Hydra's refusal of a name that reaches implementation state (``hydra._internal``,
    ``__globals__``, ``__code__``, ``f_locals``...), or None."""
    module, _ = _policy()
    if module is None:
        return None
    return _refusal(module._reject_protected_reference, name, "")


def protected_result(value: Any, written: str) -> str | None:
    """Hydra's refusal of a value a config may not hold: frames, code objects, module
    namespaces, ``sys.modules``, Hydra's own state; None when Hydra lets it through."""
    module, _ = _policy()
    if module is None:
        return None
    return _refusal(module._reject_protected_result, value, written, "")


def identity(obj: Any) -> str:
    """``module.qualname`` of what ``obj`` really is, as Hydra names it for its checks
    (partials and ``__call__`` wrappers unwrapped, ``os`` aliases made canonical)."""
    module, _ = _policy()
    if module is not None:
        with _active():
            return canonical(module._get_resolved_target_name_for_check(obj))
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        kind = type(obj)
        module, qualname = kind.__module__, kind.__qualname__
    return f"{module}.{qualname}"
