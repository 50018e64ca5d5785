"""The training loop: takes the model, an optimizer and a scheduler still to be made, and data."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler
from torch.utils.data import DataLoader


def seed_everything(cfg: Any) -> None:
    """A ``pre_call`` hook: seed every generator from ``cfg.seed`` before anything is built."""
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)


class Trainer:
    """Plain full-batch-free training: ``epochs`` passes, one scheduler step per epoch."""

    def __init__(self, epochs: int = 5, log: bool = True) -> None:
        self.epochs = epochs
        self.log = log

    def fit(
        self,
        model: nn.Module,
        optimizer: Callable[[Iterable[nn.Parameter]], Optimizer],
        scheduler: Callable[[Optimizer], LRScheduler],
        data: DataLoader[Any],
    ) -> float:
        """Train, and return the accuracy on the training data (what a sweep compares)."""
        opt = optimizer(model.parameters())
        sched = scheduler(opt)
        loss_fn = nn.CrossEntropyLoss()
        for epoch in range(1, self.epochs + 1):
            model.train()
            total = 0.0
            for x, y in data:
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()
                total += loss.item() * len(y)
            sched.step()
            if self.log:
                mean = total / len(data.dataset)  # type: ignore[arg-type]
                print(
                    f"epoch {epoch}/{self.epochs} loss {mean:.4f} lr {sched.get_last_lr()[0]:.5f}"
                )
        return self.accuracy(model, data)

    @staticmethod
    def accuracy(model: nn.Module, data: DataLoader[Any]) -> float:
        model.eval()
        right = count = 0
        with torch.no_grad():
            for x, y in data:
                right += int((model(x).argmax(dim=1) == y).sum())
                count += len(y)
        return right / count
