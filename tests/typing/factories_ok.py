"""Factories type-check as the plain functions they are: no ignores needed anywhere."""

from __future__ import annotations

from lazycfg import eager, factory, instantiate
from lazycfg.factory import factory_config, knob_paths


class Model:
    def __init__(self, n_estimators: int = 100, max_depth: int | None = None) -> None:
        self.n_estimators = n_estimators


class Split:
    def __init__(self, path: str, cutoff: str = "2022-01-01") -> None:
        self.path = path


class Experiment:
    def __init__(self, model: Model, data: Split, tags: list[str]) -> None:
        self.model = model
        self.data = data


@eager
def tags_for(name: str) -> list[str]:
    return [name, name.upper()]


@factory
def rf(n_estimators: int = 3000, cutoff: str = "2022-01-01") -> Experiment:
    data = Split(path="dataset.csv", cutoff=cutoff)
    return Experiment(model=Model(n_estimators=n_estimators), data=data, tags=tags_for("rf"))


@factory
def sweep(sizes: tuple[int, ...] = (10, 100)) -> list[Experiment]:
    return [rf(n_estimators=n) for n in sizes]


class Zoo:
    @classmethod
    @factory
    def small(cls, depth: int = 3) -> Model:
        return Model(max_depth=depth)


exp: Experiment = instantiate(rf(n_estimators=10))
models: list[Experiment] = sweep()
small: Model = Zoo.small(depth=2)
config: dict[str, object] = factory_config(rf, n_estimators=5)
paths: dict[str, str] = knob_paths(rf)
