"""Checked partials and the typed replace, used correctly: no ignores allowed."""

from __future__ import annotations

import functools
from collections.abc import Callable

from lazycfg import Partial, factory, instantiate, lazy, replace


class Optimizer:
    def __init__(
        self, params: list[float], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.99)
    ) -> None:
        self.lr = lr


class Model:
    def __init__(self, hidden: int = 8, dropout: float = 0.1) -> None:
        self.hidden = hidden


class Trainer:
    def __init__(self, model: Model, optimizer: Callable[..., Optimizer], epochs: int = 1) -> None:
        self.optimizer = optimizer


# Required arguments (params) are left for later, as with functools.partial.
adamw = Partial(Optimizer, lr=1e-2, betas=(0.9, 0.95))
trainer = lazy(Trainer)(model=lazy(Model)(hidden=4), optimizer=Partial(Optimizer, lr=0.1))
built: Trainer = instantiate(trainer)
optimizer: Optimizer = built.optimizer([1.0])


@factory
def experiment(lr: float = 1e-3, dropout: float = 0.2) -> Trainer:
    return Trainer(
        model=Model(dropout=dropout),
        optimizer=functools.partial(Optimizer, lr=lr),
    )


@factory
def with_checked_partial(lr: float = 1e-3) -> Trainer:
    return Trainer(model=Model(), optimizer=Partial(Optimizer, lr=lr))


model = lazy(Model)(hidden=3)
wider: Model = replace(model, Partial(Model, hidden=16))
wider_stdlib: Model = replace(model, functools.partial(Model, dropout=0.0))
also_by_keyword: Model = replace(model, hidden=4)
