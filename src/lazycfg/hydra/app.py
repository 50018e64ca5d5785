"""Hydra apps with checked overrides: ``lazycfg.app.main``, a drop-in for ``hydra.main``.

::

    @main(version_base="1.3", config_path="conf", config_name="train")
    def train(model: MLP, optimizer: Callable[..., Optimizer], cfg: DictConfig) -> float: ...

The task receives built objects by parameter name (`lazycfg.hydra.task`: ``cfg`` or a ``DictConfig``
parameter gets the composed config itself). Keeping ``@hydra.main``? Put ``@task`` under it.

Hydra parses and applies the command line as always (``+``, ``~``, ``++``, sweeps, ``choice()``,
``interval()``) and composes each job's config. Before the task sees it, the config is read back
into a lazy tree (`lazycfg.hydra.overrides.check_config`): every ``_target_`` is imported and every
argument checked against its target's signature. A wrong value stops the job with one message
naming the key, the expected type and the override that caused it, before anything is built.
When Hydra itself refuses an override because the key does not exist (``model.n_estimatorz=5``),
its message is followed by the target's nearest parameter name and type.

The check runs inside the job, as part of the task function, so it travels to every launcher
(joblib, submitit) and in a multirun only the bad jobs fail; Hydra reports them and the other
jobs complete. Keeping ``@hydra.main``? Put ``@checked`` under it for the same job-level check.

Why not a Hydra callback: an exception in ``Callback.on_job_start`` escapes Hydra's ``run_job``
and aborts the whole sweep instead of failing one job. Nothing of Hydra is patched.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, Generic, ParamSpec, TypeVar

from lazycfg.hydra.overrides import OverrideError, check_config, explain_refused
from lazycfg.hydra.task import PreCall, Task, job_context, task

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["App", "Checked", "OverrideError", "Task", "check_config", "checked", "main", "task"]


class Checked(Generic[R]):
    """A task function of one ``DictConfig`` whose config is checked first (`checked`)."""

    def __init__(self, task: Callable[[Any], R]) -> None:
        self.task = task
        functools.update_wrapper(self, task)  # Hydra follows __wrapped__ to the app's file

    def __call__(self, cfg: Any) -> R:
        from lazycfg.factory.knobs import linked_override_problems

        overrides, choices, config_name = job_context()
        linked = linked_override_problems(overrides, choices, config_name)
        if linked:
            raise OverrideError(linked, "an override would cut a knob's link (nothing was built)")
        check_config(cfg, overrides)
        return self.task(cfg)

    def __getstate__(self) -> dict[str, Any]:
        from lazycfg.factory.knobs import links_snapshot

        return {**self.__dict__, "_knob_links": links_snapshot()}  # for launcher workers

    def __setstate__(self, state: dict[str, Any]) -> None:
        from lazycfg.factory.knobs import restore_links

        restore_links(state.pop("_knob_links", {}))
        self.__dict__.update(state)


def checked(task: Callable[[Any], R]) -> Callable[[Any], R]:
    """Wrap a Hydra task function so its config is checked (`check_config`) before it runs.

    An override of a knob's linked use (`lazycfg.factory.knobs.linked_override_problems`) is refused
    too, naming the key that holds the knob's value.
    """
    return Checked(task)


def _config_dir(task: Callable[..., Any], config_path: str | None) -> str | None:
    """The config directory as Hydra resolves it: relative to the file defining the task."""
    if config_path is None or config_path.startswith("pkg://"):
        return None
    if os.path.isabs(config_path):
        return config_path
    try:
        base = os.path.dirname(os.path.realpath(inspect.getfile(task)))
    except TypeError:
        return None
    return os.path.normpath(os.path.join(base, config_path))


def _command_line_overrides(argv: list[str]) -> list[str]:
    """The ``key=value`` words of a Hydra command line (flags and their values left out)."""
    from hydra._internal.utils import get_args_parser

    try:
        args, _ = get_args_parser().parse_known_args(argv)
    except SystemExit:
        return []
    return list(args.overrides)


class App(Generic[P, R]):
    """A Hydra app made by `main`: call it with no arguments to run Hydra's command line.

    ``app.task`` is the wrapped task (`lazycfg.hydra.task.Task`): call it with objects in a test.
    """

    def __init__(self, task: Task[P, R], run: Callable[[], R | None]) -> None:
        self.task = task
        self._run = run
        functools.update_wrapper(self, task.fn)

    def __call__(self) -> R | None:
        return self._run()


def main(
    config_path: str | None = None,
    config_name: str | None = None,
    version_base: str | None = "1.3",
    *,
    pre_call: PreCall | Iterable[PreCall] = (),
) -> Callable[[Callable[P, R]], App[P, R]]:
    """``hydra.main`` (same arguments) whose task receives checked, built objects.

    Each job's composed config is checked before anything is built; then the ``pre_call``
    hooks run and the task is called with built objects by parameter name (`lazycfg.hydra.task`).
    A task ``def train(cfg: DictConfig)`` gets the config, as with ``hydra.main``.
    """

    def decorate(fn: Callable[P, R]) -> App[P, R]:
        import hydra

        wrapped = task(fn, pre_call=pre_call)
        hydra_main = hydra.main(
            config_path=config_path, config_name=config_name, version_base=version_base
        )(wrapped)

        def run() -> R | None:
            try:
                return hydra_main()
            except SystemExit as exc:
                # config_path=None: a ConfigStore-only app, composed again from the store alone.
                config_dir = _config_dir(fn, config_path)
                if exc.code not in (0, None) and (config_dir or config_path is None):
                    overrides = _command_line_overrides(sys.argv[1:])
                    for line in explain_refused(config_dir, config_name, overrides):
                        print(line, file=sys.stderr)
                raise

        return App(wrapped, run)

    return decorate
