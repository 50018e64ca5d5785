"""Correct lazy configs: pyright and mypy must report nothing here (no ignores allowed)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from lazycfg import Lazy, instantiate, lazy, partial, replace, to_dict


class Model:
    def __init__(self, n_estimators: int = 100, max_depth: int | None = None) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth


class Optimizer:
    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum


class Pipe:
    def __init__(
        self,
        model: Model,
        optimizer: Callable[..., Optimizer] | None = None,
        steps: int = 1,
    ) -> None:
        self.model = model
        self.optimizer = optimizer
        self.steps = steps


@dataclasses.dataclass
class Data:
    path: str
    cutoff: str = "2022-01-01"


def make_model(depth: int) -> Model:
    return Model(max_depth=depth)


# Nested lazy calls type-check as the ordinary calls they describe.
pipe = lazy(Pipe)(model=lazy(Model)(n_estimators=3), steps=2)
from_function = lazy(Pipe)(model=lazy(make_model)(depth=4))
with_partial = lazy(Pipe)(model=lazy(Model)(), optimizer=partial(Optimizer)(lr=0.1))
positional = lazy(Optimizer)(0.1, 0.5)
data = lazy(Data)(path="dataset.csv")

# replace keeps the static type of the node.
deeper: Pipe = replace(pipe, steps=3)

# instantiate reveals what the target builds.
built: Pipe = instantiate(pipe)
model: Model = instantiate(lazy(Model)(n_estimators=5))
estimators: int = instantiate(pipe).model.n_estimators
loaded: Data = instantiate(data)

# The node type for isinstance checks, and emission.
is_node: bool = isinstance(pipe, Lazy)
config: dict[str, object] = to_dict(pipe)
