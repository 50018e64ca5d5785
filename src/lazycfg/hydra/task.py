"""Task functions that receive built objects: ``lazycfg.app.task``.

A Hydra task takes one ``DictConfig``; a task wrapped with `task` takes the objects themselves,
by parameter name::

    @hydra.main(version_base="1.3", config_path=None, config_name="train")
    @task(pre_call=seed_everything)
    def train(model: MLP, optimizer: Callable[..., Optimizer], trainer: Trainer) -> float: ...

How a parameter finds its value in the composed config:

- ``model`` is the top-level key ``model``; ``trainer__epochs`` (two underscores) is the
  nested key ``trainer.epochs``, one level per ``__``;
- a parameter named ``cfg``, or annotated ``DictConfig``, gets the whole composed config,
  so everything no parameter names stays available;
- ``**kwargs`` gets every other top-level key, built;
- a parameter with a default keeps it when the config has no such key.

Before anything is built, the composed config is checked against its targets (as
`lazycfg.app.checked` does, naming the override behind each problem), and each selected value
against the parameter's annotation (a ``model: MLP`` parameter refuses a config whose
``_target_`` builds something else). Then the ``pre_call`` hooks run with the config (seed the
random generators there), everything selected is built with `lazycfg.instantiate`, and the task
is called.

The wrapper keeps the task's own signature for type checkers: ``train(model=MLP(), ...)`` is
checked like the function it is, and runs it directly (no config, no check), which is how a test
calls a task.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from lazycfg.core.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    from omegaconf import DictConfig

P = ParamSpec("P")
R = TypeVar("R")

CONFIG_PARAM = "cfg"
NESTED = "__"
PreCall = Callable[[Any], object]

_NOT_FOUND: Any = object()


def _task_overrides() -> list[str]:
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    if not HydraConfig.initialized():
        return []
    # Unresolved: an override like `data.a=${model.x}` is text here, whatever ${model.x} is.
    task = OmegaConf.to_container(HydraConfig.get().overrides.task, resolve=False)
    return [str(o) for o in task] if isinstance(task, list) else []


def job_context() -> tuple[list[str], dict[str, Any], str | None]:
    """The running job's task overrides, group choices and primary config name (Hydra's)."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    if not HydraConfig.initialized():
        return [], {}, None
    hydra_cfg = HydraConfig.get()
    choices = OmegaConf.to_container(hydra_cfg.runtime.choices, resolve=False)
    name = hydra_cfg.job.config_name
    return (
        _task_overrides(),
        {str(k): v for k, v in choices.items()} if isinstance(choices, dict) else {},
        name if isinstance(name, str) else None,
    )


class Task(Generic[P, R]):
    """A task function that Hydra calls with a config and that runs with built objects.

    ``task(cfg)`` (one ``DictConfig``) checks, builds and calls; any other call runs the
    function itself. `check` does the first step alone.
    """

    def __init__(self, fn: Callable[P, R], pre_call: Iterable[PreCall] = ()) -> None:
        self.fn = fn
        self.pre_call = tuple(pre_call)
        self.parameters = _parameters(fn)
        self.name: str = getattr(fn, "__qualname__", None) or repr(fn)
        functools.update_wrapper(self, fn)  # Hydra follows __wrapped__ to the app's file

    @overload
    def __call__(self, cfg: DictConfig, /) -> R: ...
    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from omegaconf import DictConfig

        if len(args) == 1 and not kwargs and isinstance(args[0], DictConfig):
            return self.run(args[0])
        function: Callable[..., R] = self.fn
        return function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"task({self.name})"

    def __getstate__(self) -> dict[str, Any]:
        # Launchers pickle the task to their workers (joblib, submitit), which may never import
        # the module that stored the experiments: the knob links travel with the task.
        from lazycfg.factory.knobs import links_snapshot

        return {**self.__dict__, "_knob_links": links_snapshot()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        from lazycfg.factory.knobs import restore_links

        restore_links(state.pop("_knob_links", {}))
        self.__dict__.update(state)

    def check(
        self,
        cfg: Any,
        overrides: list[str] | None = None,
        choices: dict[str, Any] | None = None,
        config_name: str | None = None,
    ) -> dict[str, Any]:
        """Check ``cfg`` as `run` does, build nothing; return each parameter's lazy value.

        ``overrides``, ``choices`` and ``config_name`` are what Hydra records for a job
        (``hydra.overrides.task``, ``hydra.runtime.choices``, ``hydra.job.config_name``); with
        them, an override of a use that only links to a knob is refused (`lazycfg.factory.knobs`).
        """
        from lazycfg.factory.knobs import linked_override_problems
        from lazycfg.hydra.overrides import OverrideError, check_config

        linked = linked_override_problems(overrides or [], choices or {}, config_name)
        if linked:
            header = "an override would cut a knob's link (nothing was built)"
            raise OverrideError(linked, header)
        check_config(cfg, overrides)
        chosen, problems = self._choose(cfg)
        if problems:
            header = f"the composed config does not fit task {self.name} (nothing was built)"
            raise OverrideError(problems, header)
        return chosen

    def run(self, cfg: DictConfig) -> R:
        """Check ``cfg``, run the ``pre_call`` hooks, build the chosen values, call the task."""
        from lazycfg.instantiate.api import instantiate

        chosen = self.check(cfg, *job_context())
        for hook in self.pre_call:
            hook(cfg)
        whole = {name for name, value in chosen.items() if value is cfg}
        built = instantiate({k: v for k, v in chosen.items() if k not in whole}) or {}
        built.update({name: cfg for name in whole})
        positional = [built.pop(p.name) for p in self.parameters if _positional_only(p, built)]
        return self.fn(*positional, **built)  # type: ignore[arg-type]

    def _choose(self, cfg: Any) -> tuple[dict[str, Any], list[str]]:
        """Each parameter's value (a lazy tree, plain data or ``cfg`` itself), and problems."""
        from lazycfg.check.signature import bind_problems

        tree = _lazy_tree(cfg)
        chosen: dict[str, Any] = {}
        problems: list[str] = []
        named: set[str] = set()
        for param in self.parameters:
            if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                continue  # **kwargs gets the other keys below; *args nothing
            if _wants_config(param):
                chosen[param.name] = cfg
                continue
            path = param.name.split(NESTED)
            named.add(path[0])
            value = _lookup(tree, path)
            if value is not _NOT_FOUND:
                chosen[param.name] = value
            elif param.default is param.empty:
                problems.append(self._missing(param.name, tree))
        if any(p.kind is p.VAR_KEYWORD for p in self.parameters) and isinstance(tree, dict):
            chosen.update({k: v for k, v in tree.items() if k not in named and k not in chosen})
        typed = {k: v for k, v in chosen.items() if v is not cfg}
        problems += map(
            str, bind_problems(self.fn, (), _as_keywords(self.parameters, typed), partial=True)
        )
        return chosen, problems

    def _missing(self, name: str, tree: Any) -> str:
        from lazycfg.core.node import Lazy

        path = name.split(NESTED)
        where = ".".join(path)
        container = _lookup(tree, path[:-1]) if len(path) > 1 else tree
        if isinstance(container, Lazy):
            container = container._lazy_kwargs
        keys = [str(k) for k in container] if isinstance(container, dict) else []
        return (
            f"{where}: task {self.name} takes {name!r}, and the composed config has no "
            f"key {where!r}{did_you_mean(path[-1], keys)}; keys there: {', '.join(keys) or '-'}. "
            f"Add it to the config (+{where}=...), give the parameter a default, or name a "
            f"nested key with '{NESTED}' (trainer{NESTED}epochs is trainer.epochs)"
            + (
                f"; for the whole config, name the parameter {CONFIG_PARAM!r} or annotate it "
                "DictConfig"
                if len(self.parameters) == 1
                else ""
            )
        )


def _parameters(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        raise ConfigError(
            [f"task() needs a function with a signature, got {fn!r:.60}"], "invalid task"
        ) from None


def _wants_config(param: inspect.Parameter) -> bool:
    annotation = param.annotation
    if isinstance(annotation, str):
        return param.name == CONFIG_PARAM or annotation.rpartition(".")[2] == "DictConfig"
    from omegaconf import DictConfig

    return param.name == CONFIG_PARAM or annotation is DictConfig


def _positional_only(param: inspect.Parameter, built: dict[str, Any]) -> bool:
    return param.kind is param.POSITIONAL_ONLY and param.name in built


def _as_keywords(parameters: list[inspect.Parameter], values: dict[str, Any]) -> dict[str, Any]:
    # Positional-only parameters are checked by name too: bind_problems would refuse them.
    only = {p.name for p in parameters if p.kind is p.POSITIONAL_ONLY}
    return {k: v for k, v in values.items() if k not in only}


def _lazy_tree(cfg: Any) -> Any:
    """The composed config as a checked lazy tree, interpolations resolved where they can be."""
    from omegaconf import DictConfig, OmegaConf

    from lazycfg.emit.convert import from_config

    if not isinstance(cfg, DictConfig):
        return from_config(cfg)
    try:
        data = OmegaConf.to_container(cfg, resolve=True)
    except Exception:  # a resolver a pre_call hook registers: leave it to instantiate
        data = OmegaConf.to_container(cfg, resolve=False)
    return from_config(data)


def _lookup(tree: Any, path: list[str]) -> Any:
    from lazycfg.core.node import Lazy

    value = tree
    for key in path:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, Lazy) and key in value._lazy_kwargs:
            value = value._lazy_kwargs[key]
        else:
            return _NOT_FOUND
    return value


@overload
def task(fn: Callable[P, R], /, *, pre_call: PreCall | Iterable[PreCall] = ()) -> Task[P, R]: ...
@overload
def task(
    fn: None = None, /, *, pre_call: PreCall | Iterable[PreCall] = ()
) -> Callable[[Callable[P, R]], Task[P, R]]: ...
def task(fn: Any = None, /, *, pre_call: PreCall | Iterable[PreCall] = ()) -> Any:
    """Wrap a task function so Hydra's config reaches it as built objects (module doc).

    ``pre_call``: one callable or several, each called with the composed ``DictConfig`` after
    the check and before anything is built. Use bare (``@task``) or with arguments.
    """
    hooks = (pre_call,) if callable(pre_call) else tuple(pre_call)
    for hook in hooks:
        if not callable(hook):
            raise ConfigError(
                [f"pre_call takes callables of one argument (the config), got {hook!r:.60}"],
                "invalid task",
            )
    if fn is None:
        return lambda inner: Task(inner, hooks)
    if isinstance(fn, Task):
        return Task(fn.fn, (*fn.pre_call, *hooks))
    return Task(fn, hooks)
