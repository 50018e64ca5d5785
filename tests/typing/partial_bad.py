"""Mistakes in partials and typed replaces, one per line, each marked `# type: ignore`.

Both checkers special-case ``functools.partial`` (keyword names and types against the target,
required arguments left for later); `lazycfg.Partial` is typed as that class, so the mistakes
below are flagged top-level, nested in lazy calls and inside factory bodies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from lazycfg import Partial, factory, lazy, replace


class Optimizer:
    def __init__(self, params: list[float], lr: float = 1e-3) -> None:
        self.lr = lr


class Model:
    def __init__(self, hidden: int = 8, dropout: float = 0.1) -> None:
        self.hidden = hidden


class Trainer:
    def __init__(self, model: Model, optimizer: Callable[..., Optimizer], epochs: int = 1) -> None:
        self.optimizer = optimizer


typo = Partial(Optimizer, lrr=1e-3)  # type: ignore
wrong_type = Partial(Optimizer, lr="fast")  # type: ignore
nested_typo = lazy(Trainer)(model=lazy(Model)(), optimizer=Partial(Optimizer, lrr=0.1))  # type: ignore
nested_wrong = lazy(Trainer)(model=lazy(Model)(), optimizer=Partial(Optimizer, lr="x"))  # type: ignore


@factory
def typo_in_factory(lr: float = 1e-3) -> Trainer:
    return Trainer(model=Model(), optimizer=Partial(Optimizer, lrr=lr))  # type: ignore


@factory
def wrong_type_in_factory(lr: str = "fast") -> Trainer:
    return Trainer(model=Model(), optimizer=Partial(Optimizer, lr=lr))  # type: ignore


@factory
def stdlib_typo_in_factory(lr: float = 1e-3) -> Trainer:
    return Trainer(model=Model(), optimizer=functools.partial(Optimizer, lrr=lr))  # type: ignore


@factory
def stdlib_wrong_in_factory(lr: str = "fast") -> Trainer:
    return Trainer(model=Model(), optimizer=functools.partial(Optimizer, lr=lr))  # type: ignore


model = lazy(Model)(hidden=3)
replace_typo = replace(model, Partial(Model, dropuot=0.2))  # type: ignore
replace_wrong_type = replace(model, Partial(Model, hidden="wide"))  # type: ignore
replace_stdlib_typo = replace(model, functools.partial(Model, hiden=3))  # type: ignore
replace_other_target = replace(model, functools.partial(Trainer, epochs=2))  # type: ignore
