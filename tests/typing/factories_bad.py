"""Mistakes inside and around factories that the type checkers must flag, one per line."""

from __future__ import annotations

from lazycfg import factory, instantiate


class Model:
    def __init__(self, n_estimators: int = 100, max_depth: int | None = None) -> None:
        self.n_estimators = n_estimators


class Experiment:
    def __init__(self, model: Model, seed: int = 0) -> None:
        self.model = model


@factory
def typo_in_body(n: int = 3) -> Experiment:
    return Experiment(model=Model(n_estimatorz=n))  # type: ignore


@factory
def wrong_type_in_body(n: int = 3) -> Experiment:
    return Experiment(model=Model(n_estimators="many"))  # type: ignore


@factory
def wrong_nesting() -> Experiment:
    return Experiment(model=Experiment(model=Model()))  # type: ignore


@factory
def rf(n_estimators: int = 3000) -> Experiment:
    return Experiment(model=Model(n_estimators=n_estimators))


misspelled_knob = rf(n_estimatorz=10)  # type: ignore
wrong_knob_type = rf(n_estimators="ten")  # type: ignore
wrong_result: Model = instantiate(rf())  # type: ignore
