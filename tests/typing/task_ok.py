"""Task functions keep their own signature for type checkers: no ignores allowed."""

from __future__ import annotations

from collections.abc import Callable

import hydra
from omegaconf import DictConfig, OmegaConf

from lazycfg.app import App, Task, main, task


class Model:
    def __init__(self, width: int = 8) -> None:
        self.width = width


class Optimizer:
    def __init__(self, params: list[float], lr: float = 1e-3) -> None:
        self.lr = lr


def seed_everything(cfg: DictConfig) -> None: ...


@task(pre_call=seed_everything)
def train(model: Model, optimizer: Callable[..., Optimizer], seed: int = 0) -> float:
    return optimizer([1.0]).lr * model.width


@hydra.main(version_base="1.3", config_path=None, config_name="train")
@task
def under_hydra(model: Model, cfg: DictConfig) -> None: ...


@main(version_base="1.3", config_path=None, config_name="train")
def app(model: Model, trainer__epochs: int = 1) -> int:
    return model.width * trainer__epochs


wrapped: Task[[Model, Callable[..., Optimizer], int], float] = train
score: float = train(Model(), Optimizer, seed=1)
from_config: float = train(OmegaConf.create({}))
as_app: App[[Model, int], int] = app
direct: int = app.task(Model(width=2), trainer__epochs=3)
result: int | None = app()
