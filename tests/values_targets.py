"""Targets for the values app (tests/values_app.py): a model taking a class, a partial optimizer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lazycfg import removed, renamed


class Activation:
    name = "base"


class Relu(Activation):
    name = "relu"


class Tanh(Activation):
    name = "tanh"


class NotAnActivation:
    pass


@removed("momentum")
@renamed(dropout="p_drop")
class Net:
    """``hidden`` widths, an activation class, a dropout probability (once called dropout)."""

    def __init__(
        self,
        hidden: Sequence[int] = (32,),
        activation: type[Activation] = Relu,
        p_drop: float = 0.0,
    ) -> None:
        self.hidden, self.activation, self.p_drop = list(hidden), activation, p_drop


class Opt:
    """An optimizer-like target used as a partial: ``params`` come at build time."""

    def __init__(
        self,
        params: Iterable[float],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps


class Trainer:
    def __init__(self, seed: int = 0, epochs: int = 1) -> None:
        self.seed, self.epochs = seed, epochs
