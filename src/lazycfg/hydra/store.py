"""Registering factories, lazy nodes and plain configs in Hydra's ConfigStore.

``store`` writes what it is given as a plain Hydra config (``_target_`` and arguments), so the
ConfigStore holds nothing lazycfg-specific: Hydra composes it with YAML files, overrides it from
the command line and ships it to launcher workers like any other config. The object passed in is
returned unchanged, which is what makes ``store`` usable as a decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Lazy, plain_equal

T = TypeVar("T")

DefaultsItem = str | dict[str, "str | list[str] | None"]


def _check_defaults(defaults: Any, where: str) -> list[Any]:
    """A defaults list as Hydra reads it from YAML; every malformed item reported at once."""
    if not isinstance(defaults, list | tuple):
        raise ConfigError(
            [f"defaults must be a list like ['_self_', {{'model': 'rf'}}], got {defaults!r:.60}"],
            f"invalid store of {where}",
        )
    problems: list[str] = []
    for i, item in enumerate(defaults):
        if isinstance(item, str):
            continue
        if isinstance(item, dict) and len(item) == 1:
            ((key, value),) = item.items()
            if not isinstance(key, str):
                problems.append(f"defaults[{i}]: the group must be a string, got {key!r}")
            elif (
                value is not None
                and not isinstance(value, str)
                and not (isinstance(value, list) and all(isinstance(v, str) for v in value))
            ):
                problems.append(
                    f"defaults[{i}]: {key!r} must choose a config name, a list of names or "
                    f"None, got {value!r:.60}"
                )
            continue
        problems.append(
            f"defaults[{i}]: expected a config name ('_self_', 'db/mysql') or a one-entry dict "
            f"({{'override /model': 'rf'}}), got {item!r:.60}"
        )
    if sum(item == "_self_" for item in defaults) > 1:
        problems.append("defaults: '_self_' may appear only once")
    if problems:
        raise ConfigError(problems, f"invalid defaults list for {where}")
    return list(defaults)


def config_of(obj: Any) -> Any:
    """The plain config ``store`` registers for ``obj`` (a dict, list or DictConfig).

    A factory gives ``lazycfg.factory.knobs.factory_config(fn)`` (its knobs linked by interpolation); a
    lazy node, or a dict or list holding some, is emitted with `lazycfg.to_dict`.
    """
    if isinstance(obj, Lazy | dict | list | tuple):
        from lazycfg.emit.convert import to_dict

        return to_dict(obj)
    if callable(obj) and not isinstance(obj, type):
        from lazycfg.factory.knobs import linked_config

        return linked_config(obj)[0]
    from omegaconf import DictConfig, ListConfig

    if isinstance(obj, DictConfig | ListConfig):
        return obj
    raise ConfigError(
        [
            f"cannot store {type(obj).__name__} {obj!r:.60}; store a @factory function, a lazy "
            "node, a dict or list (which may hold lazy nodes) or a DictConfig"
        ],
        "invalid store",
    )


def _config_and_links(obj: Any) -> tuple[Any, dict[str, tuple[str, str]]]:
    """`config_of`, and for a factory the links of its knobs (`lazycfg.factory.knobs.linked_config`)."""
    from lazycfg.factory.decorator import factory_info

    if factory_info(obj) is None:
        return config_of(obj), {}
    from lazycfg.factory.knobs import linked_config

    return linked_config(obj)


def _check_callable_with_defaults(
    fn: Any, name: str, group: str | None, package: str | None
) -> None:
    """Refuse a factory with a parameter that has no default: store() calls it with none.

    Hydra's ``MISSING`` (``"???"``) is a default like any other: the factory runs with it, the
    stored config holds ``???`` at that knob, and Hydra asks for it on the command line.
    """
    import inspect

    from lazycfg.factory.decorator import factory_info

    info = factory_info(fn)
    if info is None:
        return
    required = [
        param
        for param in inspect.signature(info.original).parameters.values()
        if param.default is inspect.Parameter.empty
        and param.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if not required:
        return
    # Written as the user would type it: store(f(a=...), name="f", group="g").
    options = [("name", name), ("group", group), ("package", package)]
    where = ", ".join(f'{key}="{value}"' for key, value in options if value)
    call = f"store({info.qualname}({', '.join(f'{p.name}=...' for p in required)}), {where})"
    problems = []
    for param in required:
        annotation = param.annotation
        if annotation is inspect.Parameter.empty:
            typed = param.name
        else:
            shown = annotation if isinstance(annotation, str) else annotation.__name__
            typed = f"{param.name}: {shown}"
        problems.append(
            f"parameter {param.name!r} has no default, and store() calls the factory with its "
            f"defaults to make the config. Fix: give it a default ({typed} = ...); or "
            f"Hydra's MISSING to make it mandatory on the command line "
            f"(from omegaconf import MISSING; {typed} = MISSING); or store one call, whose "
            f"values are then fixed: {call}"
        )
    raise ConfigError(
        problems, f"cannot store factory {info.qualname} ({info.filename}:{info.firstline})"
    )


def _name_of(obj: Any, name: str | None) -> str:
    if name is not None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ConfigError(
                [
                    f"name must be a non-empty string without '/', got {name!r}; put the path "
                    "in group= instead"
                ],
                "invalid store",
            )
        return name.removesuffix(".yaml")
    fn_name = getattr(obj, "__name__", None)
    if callable(obj) and not isinstance(obj, Lazy) and isinstance(fn_name, str):
        return fn_name
    raise ConfigError(
        [
            f"store() needs name= for a {type(obj).__name__}; only factories default to their "
            "function's name"
        ],
        "invalid store",
    )


def _with_defaults(config: Any, defaults: list[Any], where: str) -> Any:
    from omegaconf import DictConfig, OmegaConf

    if isinstance(config, DictConfig):
        if "defaults" in config:
            raise ConfigError(
                ["defaults given twice: in the config and as defaults=; keep one"],
                f"invalid store of {where}",
            )
        config = OmegaConf.merge(config, {"defaults": defaults})
        return config
    if not isinstance(config, dict):
        raise ConfigError(
            [f"defaults= needs a dict-like config, got a {type(config).__name__}"],
            f"invalid store of {where}",
        )
    if "defaults" in config:
        raise ConfigError(
            ["defaults given twice: in the config and as defaults=; keep one"],
            f"invalid store of {where}",
        )
    return {"defaults": defaults, **config}


@overload
def store(
    obj: T,
    /,
    *,
    name: str | None = None,
    group: str | None = None,
    package: str | None = None,
    defaults: list[DefaultsItem] | None = None,
    provider: str = "lazycfg",
    overwrite: bool = False,
    defer: bool = False,
) -> T: ...
@overload
def store(
    obj: None = None,
    /,
    *,
    name: str | None = None,
    group: str | None = None,
    package: str | None = None,
    defaults: list[DefaultsItem] | None = None,
    provider: str = "lazycfg",
    overwrite: bool = False,
    defer: bool = False,
) -> Callable[[T], T]: ...
def store(
    obj: Any = None,
    /,
    *,
    name: str | None = None,
    group: str | None = None,
    package: str | None = None,
    defaults: list[DefaultsItem] | None = None,
    provider: str = "lazycfg",
    overwrite: bool = False,
    defer: bool = False,
) -> Any:
    """Register ``obj`` in Hydra's ConfigStore as ``group/name`` and return it unchanged.

    ``obj`` is a ``@factory`` function (``name`` defaults to the function's name), a lazy node,
    a dict or list that may hold lazy nodes, or a DictConfig. ``defaults`` is a defaults list
    written as in YAML (``["_self_", {"override /model": "rf"}, {"optional db": "mysql"}]``).
    Use it as a decorator too::

        @store(group="experiment", package="_global_")
        @factory
        def rf(n_estimators: int = 300): ...

    after which ``python train.py +experiment=rf model.n_estimators=10`` works.

    A second config under the same group and name is refused (Hydra's ConfigStore would replace
    the first silently) unless ``overwrite=True``; storing the very same config again (a module
    imported twice) is allowed. `stored` lists what is registered, by group.

    ``defer=True`` registers the name now and builds the config when Hydra first reads it
    (`lazycfg.hydra.store_deferred`): a package of hundreds of configs then starts in the time its
    chosen ones take. The price: a factory's errors and knob warnings show at that first read.
    """
    if obj is None:

        def decorate(fn: T) -> T:
            return store(
                fn,
                name=name,
                group=group,
                package=package,
                defaults=defaults,
                provider=provider,
                overwrite=overwrite,
                defer=defer,
            )

        return decorate
    config_name = _name_of(obj, name)
    where = f"{group}/{config_name}" if group else config_name
    if group is not None and (not isinstance(group, str) or not group.strip("/")):
        raise ConfigError(
            [f"group must be a path like 'experiment', got {group!r}"], "invalid store"
        )
    _check_callable_with_defaults(obj, config_name, group, package)
    checked = None if defaults is None else _check_defaults(defaults, where)
    group_path = group.strip("/") if group else None
    if defer:
        _store_deferred(obj, config_name, group_path, package, checked, provider, overwrite)
        return obj
    config = _built(obj, config_name, group, package, checked, where)
    from hydra.core.config_store import ConfigStore

    _refuse_duplicate(group_path, config_name, config, package, overwrite)
    ConfigStore.instance().store(
        name=config_name, node=config, group=group_path, package=package, provider=provider
    )
    _PLACES[(group_path, config_name)] = _caller()
    _WRITTEN[(group_path, config_name)] = (_stored_entry(group_path, config_name), package, config)
    return obj


def _built(
    obj: Any, name: str, group: str | None, package: str | None, defaults: Any, where: str
) -> Any:
    """The config ``store`` registers for ``obj``, its knob links recorded."""
    config, links = _config_and_links(obj)
    if defaults is not None:
        config = _with_defaults(config, defaults, where)
    from lazycfg.factory.knobs import record_links

    record_links(group, name, package, links)
    return config


def _store_deferred(
    obj: Any,
    name: str,
    group: str | None,
    package: str | None,
    defaults: Any,
    provider: str,
    overwrite: bool,
) -> None:
    """``store(..., defer=True)``: registered now, built when Hydra first reads it."""
    from lazycfg.hydra.store_deferred import store_deferred

    where = f"{group}/{name}" if group else name
    if _stored_entry(group, name) is not None:
        # a name stored twice: build now, so the same config again stays allowed
        config = _built(obj, name, group, package, defaults, where)
        _refuse_duplicate(group, name, config, package, overwrite)
    store_deferred(
        name, lambda: _built(obj, name, group, package, defaults, where), group, package, provider
    )
    _PLACES[(group, name)] = _caller()


# (group, name) -> "file:line" of the store() call that registered it, for the duplicate message.
_PLACES: dict[tuple[str | None, str], str] = {}
# (group, name) -> (store entry, package, plain config) as `store` wrote them: the same config
# again is known without an OmegaConf node. Both: one per stored name, bounded as the store is.
_WRITTEN: dict[tuple[str | None, str], tuple[Any, str | None, Any]] = {}


def _stored_entry(group: str | None, name: str) -> Any:
    """The ConfigStore's entry for ``group/name`` as it is held (``ConfigStore.load`` returns
    a deep copy, which costs more than the whole store call), or None."""
    from hydra.core.config_store import ConfigStore

    folder: Any = ConfigStore.instance().repo
    for part in group.split("/") if group else ():
        folder = folder.get(part) if isinstance(folder, dict) else None
    return folder.get(f"{name}.yaml") if isinstance(folder, dict) else None


def _caller() -> str:
    """``file:line`` of the first frame outside this module (the user's store call)."""
    import sys

    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _refuse_duplicate(
    group: str | None, name: str, config: Any, package: str | None, overwrite: bool
) -> None:
    from omegaconf import OmegaConf

    where = f"{group}/{name}" if group else name
    existing = _stored_entry(group, name)
    if existing is None or overwrite:
        return
    entry, was_package, was_config = _WRITTEN.get((group, name), (None, None, None))
    if entry is existing and was_package == package and plain_equal(was_config, config):
        return  # the same config again, as store wrote it: a module imported twice
    if existing.package == package and existing.node == OmegaConf.structured(config):
        return  # the same config again, stored by other means
    place = _PLACES.get((group, name))
    first = f" (stored at {place})" if place else ""
    raise ConfigError(
        [
            f"{where} is already in Hydra's ConfigStore{first} with another config; storing "
            f"again would replace it silently. Give this one another name (name=...), or pass "
            f"overwrite=True to replace it"
        ],
        f"duplicate store of {where} at {_caller()}",
    )


def stored(group: str | None = None, *, provider: str | None = "lazycfg") -> dict[str, list[str]]:
    """The configs in Hydra's ConfigStore, by group: ``{"experiment": ["large", "small"]}``.

    ``""`` is the group of primary configs. ``group`` keeps that group and its subgroups;
    ``provider`` keeps configs stored by that provider (`store` uses ``"lazycfg"``; ``None``
    keeps all, Hydra's own ``hydra/...`` configs included).
    """
    from hydra.core.config_store import ConfigNode, ConfigStore

    out: dict[str, list[str]] = {}
    root = group.strip("/") if group else ""
    start: Any = ConfigStore.instance().repo
    for part in filter(None, root.split("/")):
        start = start.get(part) if isinstance(start, dict) else None
    stack: list[tuple[str, Any]] = [(root, start)] if isinstance(start, dict) else []
    while stack:
        path, folder = stack.pop()
        for key, item in folder.items():
            if isinstance(item, dict):
                stack.append((f"{path}/{key}" if path else key, item))
            elif isinstance(item, ConfigNode) and provider in (None, item.provider):
                out.setdefault(path, []).append(key.removesuffix(".yaml"))
    return {key: sorted(names) for key, names in sorted(out.items())}
