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
import types
import typing
from typing import Any

from hydra.errors import CompactHydraException

from lazycfg.core.errors import ConfigError, did_you_mean
from lazycfg.core.node import Lazy, format_path, walk
from lazycfg.core.problems import INTERPOLATION_KIND, TYPE_KIND, VALUE_KIND, Problem


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


_LAST_PART = re.compile(r"(\[[^\[\]]*\]|\.[^.\[\]]*)$")


def _blame(problem: Problem, overrides: dict[str, str]) -> str:
    """A problem's line, with the override that set its key (or a key holding it) if any.

    A problem at ``model.hidden[1]`` is blamed on ``model.hidden=[64,'64']``.
    """
    key = problem.path
    while key:
        override = overrides.get(key)
        if override is not None:
            return f"{problem}  [from override {override!r}]"
        shorter = _LAST_PART.sub("", key)
        if shorter == key:
            break
        key = shorter
    return str(problem)


_RESERVED = ("_target_", "_args_", "_partial_", "_recursive_", "_convert_")


def _expected(target: Any, name: str) -> str:
    """``int`` or ``default 100``: what a parameter takes, for messages."""
    from lazycfg.check.signature import spec_of

    try:
        param = inspect.signature(target).parameters[name]
    except (KeyError, TypeError, ValueError):
        return "?"
    if param.annotation is not inspect.Parameter.empty:
        return _annotation_text(param.annotation)
    default = spec_of(target).defaults.get(name, inspect.Parameter.empty)
    if default is inspect.Parameter.empty:
        return "any value"
    return f"{type(default).__name__}, like its default {default!r}"


_QUALIFIED = re.compile(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)")


def _annotation_text(annotation: Any) -> str:
    """``int``, ``tuple[float, float]``, ``type[Module]``: an annotation as a message shows it."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return _QUALIFIED.sub(r"\1", str(annotation))


def unannotated_number_problems(tree: Any) -> list[Problem]:
    """Strings given where an unannotated parameter defaults to a number.

    Many libraries (scikit-learn among them) do not annotate constructor parameters, so the
    signature check has no type to go by. A string where the default is an int or a float is
    almost always a typo on the command line (``model.n_estimators=abc``); a bool or None default
    says too little, and a string default often admits numbers too, so neither is judged.
    """
    from lazycfg.check.signature import spec_of

    problems: list[Problem] = []
    for path, node in walk(tree):
        if not isinstance(node, Lazy) or isinstance(node._lazy_target, str):
            continue
        spec = spec_of(node._lazy_target)
        for name, value in node._lazy_kwargs.items():
            if type(value) is not str or name in spec.checkers or "${" in value:
                continue
            default = spec.defaults.get(name)
            if type(default) in (int, float) and value != "???":
                detail = f"expected a number ({_expected(node._lazy_target, name)}), got str {value!r:.60}"
                problems.append(Problem(format_path((*path, name)), TYPE_KIND, "", detail))
    return problems


def check_config(cfg: Any, overrides: list[str] | None = None) -> None:
    """Raise `OverrideError` when ``cfg`` (a composed task config) does not fit its targets.

    Interpolations are resolved first where they can be (``${model.n_estimators}``); what cannot
    be resolved yet is accepted as is. ``overrides`` (Hydra's ``hydra.overrides.task``) lets the
    message name the override behind each problem.
    """
    from omegaconf import DictConfig, ListConfig

    from lazycfg.emit.convert import from_config

    if isinstance(cfg, DictConfig | ListConfig):
        read_as_current(cfg)
    data, problems = _resolved(cfg) if isinstance(cfg, DictConfig | ListConfig) else (cfg, [])
    try:
        problems += unannotated_number_problems(from_config(data))
    except ConfigError as exc:
        problems += exc.records
    except Exception as exc:  # a shape from_config does not expect: reported, not a traceback
        why = f"cannot be read as a config ({type(exc).__name__}: {exc})"
        problems.append(Problem("<root>", VALUE_KIND, "", why))
    if problems:
        by_key = _overrides_by_key(overrides or [])
        header = "the composed config does not fit its targets (nothing was built)"
        raise OverrideError([_blame(p, by_key) for p in problems], header)


# --- class paths --------------------------------------------------------------------------------

_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_GET_CLASS = "hydra.utils.get_class"


def _takes_a_class(annotation: Any, *, top: bool = True) -> bool:
    """``type``, ``type[X]``, or a union with one and without ``str`` (a string is kept then)."""
    if annotation is type or typing.get_origin(annotation) is type:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and top:
        members = typing.get_args(annotation)
        return str not in members and any(_takes_a_class(m, top=False) for m in members)
    return False


def _class_parameters(target: Any) -> frozenset[str]:
    """The names of ``target``'s parameters annotated to take a class."""
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return frozenset()
    try:
        hints = typing.get_type_hints(target.__init__ if isinstance(target, type) else target)
    except Exception:  # unresolvable forward references: those parameters are not judged
        hints = {}
    return frozenset(
        name for name, p in parameters.items() if _takes_a_class(hints.get(name, p.annotation))
    )


def read_as_current(cfg: Any) -> None:
    """Bring ``cfg`` (a composed DictConfig) up to its targets' current signatures, in place.

    - An argument renamed or removed (`lazycfg.renamed`, `lazycfg.removed`) moves to its new
      name or is dropped, with a `lazycfg.RenameWarning`, so an old run's config still runs.
    - A dotted class path given to a class-typed parameter becomes Hydra's ``get_class`` node:
      ``model.activation=torch.nn.Tanh`` on the command line replaces the config's
      ``{_target_: hydra.utils.get_class, path: ...}`` with the string; where the parameter is
      annotated ``type[...]`` (and takes no ``str``), the string becomes that node again, so
      the check judges the class (safety policy, then its type) and the task builds it.

    Nothing is imported here but the targets the check imports anyway.
    """
    from omegaconf import OmegaConf, open_dict, read_write

    from lazycfg.emit.read import Resolver
    from lazycfg.emit.renames import apply_renames

    data = OmegaConf.to_container(cfg, resolve=False)
    resolver = Resolver(None)
    for path, value in list(walk(data)):
        if not (isinstance(value, dict) and isinstance(value.get("_target_"), str)):
            continue
        try:
            target = resolver(value["_target_"])
        except ConfigError:  # reported by the check itself
            continue
        fields = {k: v for k, v in value.items() if isinstance(k, str) and k not in _RESERVED}
        current = apply_renames(target, fields, path)
        paths = {k: v for k, v in current.items() if isinstance(v, str) and _DOTTED.match(v)}
        classes = (
            {
                k: {"_target_": _GET_CLASS, "path": paths[k]}
                for k in sorted(_class_parameters(target) & paths.keys())
            }
            if paths
            else {}
        )
        if current is fields and not classes:
            continue
        node = cfg
        for key in path:
            node = node[key]
        with read_write(node), open_dict(node):
            for old in fields.keys() - current.keys():
                del node[old]
            for name, item in {**current, **classes}.items():
                if name not in fields or name in classes:
                    node[name] = item


def _resolved(cfg: Any) -> tuple[Any, list[Problem]]:
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
    problems: list[Problem] = []
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
            why = f"{value!r} cannot be resolved: {_why(cfg, exc)}"
            problems.append(Problem(format_path(path), INTERPOLATION_KIND, "", why))
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


def _nearest(cfg: Any, key: str, override: str | None = None) -> str | None:
    """What to say about ``key`` (dotted) when it is missing from ``cfg``; None if present.

    ``override`` (``key=value``) is the override that named the key, for the fix to show.
    """
    from omegaconf import DictConfig

    from lazycfg.check.signature import spec_of
    from lazycfg.core.targets import locate
    from lazycfg.emit.renames import new_name

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
            renamed_to = new_name(fn, part) if fn is not None else None
            if renamed_to is not None:
                fix = key.rsplit(".", 1)[0] + f".{renamed_to}"
                return f"{key}: {target} renamed {part!r} to {renamed_to!r}; override {fix}"
            if names and part in names:  # a parameter the config leaves to its default
                fix = f"add it with {'+' + override!r}" if override else "add it to the config"
                return (
                    f"{key}: {part!r} is a parameter of {target} ({_expected(fn, part)}) "
                    f"but not in the config; {fix}"
                )
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
    kept = [o for o in overrides if o not in plain]
    GlobalHydra.instance().clear()  # the failed run may have left it initialized
    refused: list[str] = []
    try:
        with (
            initialize(config_path=None, version_base=None)
            if config_dir is None
            else initialize_config_dir(config_dir=config_dir, version_base=None)
        ):
            cfg = compose(config_name=config_name, overrides=kept)
            # Group choices (experiment=large) and good changes compose: only the refused
            # ones are explained, on the config the others make.
            for override in plain:
                try:
                    cfg = compose(config_name=config_name, overrides=[*kept, override])
                    kept.append(override)
                except Exception:
                    refused.append(override)
    except Exception:
        return []
    lines = []
    for override in refused:
        match = _CHANGE.match(override)
        assert match is not None
        line = _nearest(cfg, match.group(1), override)
        if line:
            lines.append(f"{line}  [from override {override!r}]")
    return lines
