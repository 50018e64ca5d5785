"""lazycfg.app.task: a Hydra task that receives built objects by parameter name.

Configs are composed by real Hydra (compose API, and real apps as subprocesses in test_app and
the torch example's tests); the task runs with what `lazycfg.instantiate` builds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from fixtures.store import Database, Model, Trainer, make_step
from hydra import compose, initialize
from omegaconf import DictConfig, OmegaConf

from lazycfg import ConfigError, lazy, partial, to_dict
from lazycfg.app import OverrideError, Task, task


def composed(tree: dict[str, Any], overrides: list[str] | None = None) -> DictConfig:
    """``tree`` emitted, stored and composed by Hydra, with command-line style overrides."""
    from hydra.core.config_store import ConfigStore
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    ConfigStore.instance().store(name="task_test", node=to_dict(tree))
    with initialize(version_base="1.3", config_path=None):
        return compose("task_test", overrides=overrides or [])


TREE = {
    "model": lazy(Model)(width=3),
    "db": lazy(Database)(port=1),
    "trainer": lazy(Trainer)(epochs=2),
    "step": partial(make_step)(offset=1.0),
    "seed": 7,
}


def test_parameters_get_built_objects_by_name() -> None:
    seen: dict[str, Any] = {}

    @task
    def train(model: Model, step: Callable[..., float], seed: int, trainer__epochs: int) -> int:
        seen.update(model=model, step=step, seed=seed, epochs=trainer__epochs)
        return model.width

    assert train(composed(TREE, ["model.width=5"])) == 5
    assert isinstance(seen["model"], Model) and seen["model"].width == 5
    assert isinstance(seen["step"], functools.partial) and seen["step"](2.0) == 3.0
    assert (seen["seed"], seen["epochs"]) == (7, 2)


def test_cfg_and_dictconfig_parameters_get_the_whole_config() -> None:
    @task
    def by_name(model: Model, cfg: Any) -> tuple[Model, Any]:
        return model, cfg

    @task
    def by_type(config: DictConfig) -> DictConfig:
        return config

    cfg = composed(TREE)
    model, whole = by_name(cfg)
    assert whole is cfg and isinstance(model, Model)
    assert by_type(cfg) is cfg


def test_var_keyword_gets_every_other_top_level_key_built() -> None:
    @task
    def train(model: Model, **rest: Any) -> dict[str, Any]:
        return rest

    rest = train(composed(TREE))
    assert sorted(rest) == ["db", "seed", "step", "trainer"]
    assert isinstance(rest["db"], Database) and rest["db"].port == 1


def test_defaults_stand_in_for_missing_keys() -> None:
    @task
    def train(model: Model, epochs: int = 9) -> int:
        return epochs

    assert train(composed(TREE)) == 9


def test_pre_call_hooks_run_in_order_before_anything_is_built(monkeypatch: Any) -> None:
    events: list[str] = []
    real_init = Model.__init__

    def spy(self: Model, *args: Any, **kwargs: Any) -> None:
        events.append("built")
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(Model, "__init__", spy)

    @task(pre_call=[lambda cfg: events.append(f"first {cfg.seed}"), lambda cfg: events.append("2")])
    def train(model: Model) -> None:
        events.append("task")

    train(composed(TREE))
    assert events == ["first 7", "2", "built", "task"]


def test_a_missing_key_is_named_with_the_nearest_key_and_nothing_is_built() -> None:
    calls: list[Any] = []

    @task(pre_call=calls.append)
    def train(modle: Model, trainer__epochz: int) -> None:
        calls.append("ran")

    with pytest.raises(OverrideError) as info:
        train(composed(TREE))
    message = str(info.value)
    assert "does not fit task" in message and "nothing was built" in message
    assert "modle: task " in message and "(did you mean 'model'?)" in message
    assert "trainer.epochz:" in message and "(did you mean 'epochs'?)" in message
    assert calls == []


def test_a_value_that_does_not_fit_the_annotation_is_refused_before_building() -> None:
    @task
    def train(model: Database, seed: str) -> None:
        raise AssertionError("must not run")

    with pytest.raises(OverrideError) as info:
        train(composed(TREE))
    assert "model: expected Database, got a lazy Model" in str(info.value)
    assert "seed: expected str, got int 7" in str(info.value)


def test_a_bad_override_is_refused_by_the_config_check() -> None:
    @task
    def train(model: Model) -> None:
        raise AssertionError("must not run")

    with pytest.raises(OverrideError, match="model.width: expected int"):
        train(composed(TREE, ["model.width=abc"]))


def test_check_builds_nothing_and_returns_the_lazy_values() -> None:
    @task
    def train(model: Model, seed: int) -> None: ...

    chosen = train.check(composed(TREE))
    assert chosen["seed"] == 7 and to_dict(chosen["model"]) == to_dict(lazy(Model)(width=3))


def test_calling_with_objects_runs_the_function_itself() -> None:
    @task
    def train(model: Model, seed: int = 0) -> int:
        return model.width + seed

    assert isinstance(train, Task)
    assert train(Model(width=2), seed=1) == 3
    assert train.__wrapped__.__name__ == "train"  # type: ignore[attr-defined]


def test_interpolations_are_resolved_before_building() -> None:
    @task
    def train(model: Model) -> int:
        return model.depth

    tree = {**TREE, "model": lazy(Model)(width=3, depth="${trainer.epochs}")}
    assert train(composed(tree, ["trainer.epochs=4"])) == 4


def test_pre_call_must_be_callable() -> None:
    with pytest.raises(ConfigError, match="pre_call takes callables"):
        task(pre_call=[3])  # type: ignore[list-item]


def test_stacking_keeps_every_hook() -> None:
    events: list[int] = []
    inner = task(lambda model: events.append(0), pre_call=lambda cfg: events.append(1))
    outer = task(inner, pre_call=lambda cfg: events.append(2))
    outer(OmegaConf.create(to_dict({"model": lazy(Model)()})))
    assert events == [1, 2, 0]


def module_level_task(model: Model) -> int:
    return model.width


def test_knob_links_travel_with_the_task_to_a_worker_process() -> None:
    """Launchers pickle the task; a worker may never import the module that stored configs."""
    import pickle

    from lazycfg.factory import knobs

    wrapped = task(module_level_task)
    saved = dict(knobs._LINKS)
    knobs._LINKS[("experiment", "linked")] = ("", {"a.depth": ("width", "a.width")}, "x")
    try:
        data = pickle.dumps(wrapped)
        knobs._LINKS.clear()  # as in a fresh worker
        copy = pickle.loads(data)
        assert knobs._LINKS[("experiment", "linked")][1] == {"a.depth": ("width", "a.width")}
        assert copy(Model(width=6)) == 6
    finally:
        knobs._LINKS.clear()
        knobs._LINKS.update(saved)


def test_a_single_parameter_naming_no_key_is_told_how_to_get_the_whole_config() -> None:
    @task
    def legacy(config: Any) -> None: ...

    with pytest.raises(OverrideError, match="name the parameter 'cfg' or annotate it DictConfig"):
        legacy(composed(TREE))


def test_a_pre_call_hook_can_itself_be_a_task_taking_the_values_it_names() -> None:
    seeds: list[int] = []

    @task(pre_call=task(lambda seed: seeds.append(seed)))
    def train(model: Model) -> int:
        return model.width

    assert train(composed(TREE, ["seed=11"])) == 3 and seeds == [11]


def test_positional_only_and_star_args_parameters() -> None:
    @task
    def train(model: Model, /, *args: Any, seed: int) -> tuple[int, tuple[Any, ...], int]:
        return model.width, args, seed

    assert train(composed(TREE)) == (3, (), 7)


HYDRA_MAIN_APP = """
import hydra
from lazycfg import store
from lazycfg.app import task
from fixtures.store import Database, Model, small

store(small, group="experiment", package="_global_")
store({"seed": 0}, name="train")


@hydra.main(version_base="1.3", config_path=None, config_name="train")
@task(pre_call=lambda cfg: print("seed", cfg.seed))
def train(model: Model, db: Database, cfg) -> None:
    print("built", type(model).__name__, model.width, db.port, sorted(cfg))


if __name__ == "__main__":
    train()
"""


def test_task_under_hydra_main_in_a_real_app(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    app = tmp_path / "app.py"
    app.write_text(HYDRA_MAIN_APP)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), *sys.path])}
    command = [sys.executable, str(app), "+experiment=small", "model.width=9"]
    result = subprocess.run(
        [*command, f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "seed 0",
        "built Model 9 1234 ['db', 'model', 'seed']",
    ]
