"""Checking a composed Hydra config, and the command-line overrides behind it, against targets.

Two moments, two functions:

- `check_config` runs on the config Hydra composed for a job, before the task builds anything:
  every ``_target_`` is imported and each node's arguments are checked against its signature
  (`lazycfg.from_config`), and each problem names the override that caused it.
- `explain_refused` runs after Hydra itself refused an override while composing (a key that is
  not in the config: ``model.n_estimatorz=5``) and adds what Hydra cannot know: the target's
  nearest parameter name and its type.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from hydra.errors import CompactHydraException

from lazycfg.errors import ConfigError, did_you_mean
from lazycfg.node import Lazy, format_path, walk


class OverrideError(ConfigError, CompactHydraException):
    """A composed Hydra config that does not fit its targets' signatures.

    A `ConfigError`, and a Hydra "compact" error so that Hydra prints the message alone, without
    a traceback of the checking machinery.
    """

    def __init__(self, problems: list[str], header: str = "invalid config") -> None:
        self.header = header
        super().__init__(problems, header)

    def __reduce__(self) -> tuple[Any, ...]:
        # Launchers pickle a failed job's exception back to the parent (joblib, submitit).
        return (OverrideError, (self.problems, self.header))

    def __str__(self) -> str:
        return f"{super().__str__()}\n{_HINT}"


_HINT = "Fix the config or the override; `--cfg job` prints the composed config."


def _overrides_by_key(overrides: list[str]) -> dict[str, str]:
    """``{"model.n_estimators": "model.n_estimators=abc"}`` for a job's task overrides."""
    out: dict[str, str] = {}
    for text in overrides:
        key = text.split("=", 1)[0].lstrip("+~")
        out[key.split("@", 1)[0]] = text
    return out


def _blame(problem: str, overrides: dict[str, str]) -> str:
    """A problem line, with the override that set that key when there is one."""
    override = overrides.get(problem.split(":", 1)[0])
    return problem if override is None else f"{problem}  [from override {override!r}]"


_RESERVED = ("_target_", "_args_", "_partial_", "_recursive_", "_convert_")


def _expected(target: Any, name: str) -> str:
    """``int`` or ``default 100``: what a parameter takes, for messages."""
    from lazycfg.signature import spec_of

    try:
        param = inspect.signature(target).parameters[name]
    except (KeyError, TypeError, ValueError):
        return "?"
    if param.annotation is not inspect.Parameter.empty:
        annotation = param.annotation
        return (
            annotation
            if isinstance(annotation, str)
            else getattr(annotation, "__name__", str(annotation))
        )
    default = spec_of(target).defaults.get(name, inspect.Parameter.empty)
    if default is inspect.Parameter.empty:
        return "any value"
    return f"{type(default).__name__}, like its default {default!r}"


def unannotated_number_problems(tree: Any) -> list[str]:
    """Strings given where an unannotated parameter defaults to a number.

    Many libraries (scikit-learn among them) do not annotate constructor parameters, so the
    signature check has no type to go by. A string where the default is an int or a float is
    almost always a typo on the command line (``model.n_estimators=abc``); a bool or None default
    says too little, and a string default often admits numbers too, so neither is judged.
    """
    from lazycfg.signature import spec_of

    problems: list[str] = []
    for path, node in walk(tree):
        if not isinstance(node, Lazy) or isinstance(node._lazy_target, str):
            continue
        spec = spec_of(node._lazy_target)
        for name, value in node._lazy_kwargs.items():
            if type(value) is not str or name in spec.checkers or "${" in value:
                continue
            default = spec.defaults.get(name)
            if type(default) in (int, float) and value != "???":
                problems.append(
                    f"{format_path((*path, name))}: expected a number "
                    f"({_expected(node._lazy_target, name)}), got str {value!r:.60}"
                )
    return problems


def check_config(cfg: Any, overrides: list[str] | None = None) -> None:
    """Raise `OverrideError` when ``cfg`` (a composed task config) does not fit its targets.

    Interpolations are resolved first where they can be (``${model.n_estimators}``); what cannot
    be resolved yet is accepted as is. ``overrides`` (Hydra's ``hydra.overrides.task``) lets the
    message name the override behind each problem.
    """
    from omegaconf import DictConfig, ListConfig

    from lazycfg.emit import from_config

    data, problems = _resolved(cfg) if isinstance(cfg, DictConfig | ListConfig) else (cfg, [])
    try:
        problems += unannotated_number_problems(from_config(data))
    except ConfigError as exc:
        problems += exc.problems
    except Exception as exc:  # a shape from_config does not expect: reported, not a traceback
        problems.append(f"<root>: cannot be read as a config ({type(exc).__name__}: {exc})")
    if problems:
        by_key = _overrides_by_key(overrides or [])
        header = "the composed config does not fit its targets (nothing was built)"
        raise OverrideError([_blame(p, by_key) for p in problems], header)


def _resolved(cfg: Any) -> tuple[Any, list[str]]:
    """``cfg`` as plain data with its interpolations resolved where they can be.

    An interpolation to a key the composed config lacks is a problem (a typo in the override,
    usually). Any other failure (a resolver the task registers itself, say) leaves the
    interpolation as written, for the task to resolve.
    """
    from omegaconf import DictConfig, ListConfig, OmegaConf
    from omegaconf.errors import InterpolationKeyError

    try:
        return OmegaConf.to_container(cfg, resolve=True), []
    except Exception:
        pass
    data: Any = OmegaConf.to_container(cfg, resolve=False)
    problems: list[str] = []
    for path, value in list(walk(data)):
        if not (isinstance(value, str) and "${" in value):
            continue
        try:
            node = cfg
            for key in path:
                node = node[key]
            resolved = (
                OmegaConf.to_container(node, resolve=True)
                if isinstance(node, DictConfig | ListConfig)
                else node
            )
        except InterpolationKeyError as exc:
            problems.append(f"{format_path(path)}: {value!r} cannot be resolved: {_why(cfg, exc)}")
            continue
        except Exception:
            continue
        container: Any = data
        for key in path[:-1]:
            container = container[key]
        container[path[-1]] = resolved
    return data, problems


_MISSING_KEY = re.compile(r"Interpolation key '([A-Za-z_][\w.]*)' not found")


def _why(cfg: Any, exc: Exception) -> str:
    """The nearest-name line for an interpolation to a missing key, else OmegaConf's words."""
    match = _MISSING_KEY.search(str(exc))
    near = _nearest(cfg, match.group(1)) if match else None
    return near or str(exc).splitlines()[0]


# --- keys Hydra refused while composing ----------------------------------------------------------

_CHANGE = re.compile(r"^([A-Za-z_][\w.]*)=")


def _nearest(cfg: Any, key: str) -> str | None:
    """What to say about ``key`` (dotted) when it is missing from ``cfg``; None if present."""
    from omegaconf import DictConfig

    from lazycfg.signature import spec_of
    from lazycfg.targets import locate

    node = cfg
    parts = key.split(".")
    for depth, part in enumerate(parts):
        if not isinstance(node, DictConfig):
            return None
        if part in node:
            node = node[part]
            continue
        if part in _RESERVED:  # not a parameter; Hydra's own message says to add it with +
            return None
        where = ".".join(parts[:depth])
        options: list[str] = [str(k) for k in node.keys() if not str(k).startswith("_")]
        target = node.get("_target_") if depth else None
        owner = repr(where) if where else "the config"
        if isinstance(target, str):
            try:
                fn = locate(target)
            except ConfigError:
                fn = None
            names = spec_of(fn).names if fn is not None else None
            if names:
                options = sorted(names)
                owner = f"{where!r} ({target})"
                close = did_you_mean(part, options)
                if close:
                    name = close.split("'")[1]
                    close = f"{close[:-2]}: {_expected(fn, name)}?)"
                return f"{key}: {owner} has no parameter {part!r}{close}"
        return f"{key}: {owner} has no key {part!r}{did_you_mean(part, options)}"
    return None


def explain_refused(
    config_dir: str | None, config_name: str | None, overrides: list[str]
) -> list[str]:
    """Did-you-mean lines for ``key=value`` overrides whose key is not in the composed config.

    Composes the config again with Hydra's compose API, leaving out the plain ``key=value``
    overrides (the only kind Hydra refuses for an unknown key), and looks each key up.
    ``config_dir=None`` composes from the ConfigStore alone (an app with ``config_path=None``).
    Returns nothing when the config cannot be composed this way (sweeps of config groups).
    """
    from hydra import compose, initialize, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    plain = [o for o in overrides if _CHANGE.match(o) and not o.startswith("hydra.")]
    rest = [o for o in overrides if o not in plain]
    GlobalHydra.instance().clear()  # the failed run may have left it initialized
    try:
        with (
            initialize(config_path=None, version_base=None)
            if config_dir is None
            else initialize_config_dir(config_dir=config_dir, version_base=None)
        ):
            cfg = compose(config_name=config_name, overrides=rest)
    except Exception:
        return []
    lines = []
    for override in plain:
        match = _CHANGE.match(override)
        assert match is not None
        line = _nearest(cfg, match.group(1))
        if line:
            lines.append(f"{line}  [from override {override!r}]")
    return lines
