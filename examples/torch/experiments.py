"""The experiments: config factories stored in Hydra's ConfigStore.

Inside a ``@factory`` nothing is built: each call becomes a checked lazy node, and
``functools.partial(AdamW, lr=lr)`` becomes a partial node (Hydra's ``_partial_: true``), which
pyright and mypy check keyword by keyword like any ``functools.partial``. The parameters are the
knobs: ``lr=0.05`` on the command line equals calling ``small(lr=0.05)``.
"""

from __future__ import annotations

import functools
from typing import Any

from tinymlp import MLP, Blobs, Trainer
from torch import nn
from torch.optim import AdamW
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import DataLoader

from lazycfg import factory, store


@store(group="experiment", package="_global_")
@factory
def small(
    hidden: int = 32, lr: float = 0.01, epochs: int = 5, batch_size: int = 64
) -> dict[str, Any]:
    """One hidden layer; a few epochs of AdamW with a cosine schedule."""
    return {
        "model": MLP(in_features=8, hidden=[hidden], out_features=3),
        "optimizer": functools.partial(AdamW, lr=lr, weight_decay=0.01),
        "scheduler": functools.partial(CosineAnnealingLR, T_max=epochs),
        "data": DataLoader(
            Blobs(n=512, features=8, classes=3), batch_size=batch_size, shuffle=True
        ),
        "trainer": Trainer(epochs=epochs),
    }


@store(group="experiment", package="_global_")
@factory
def large(
    hidden: int = 128, dropout: float = 0.1, lr: float = 0.003, epochs: int = 8
) -> dict[str, Any]:
    """Two wider layers with dropout and GELU; more epochs, a smaller learning rate."""
    return {
        "model": MLP(
            in_features=8,
            hidden=[hidden, hidden],
            out_features=3,
            dropout=dropout,
            activation=nn.GELU,
        ),
        "optimizer": functools.partial(AdamW, lr=lr, weight_decay=0.05),
        "scheduler": functools.partial(CosineAnnealingLR, T_max=epochs),
        "data": DataLoader(Blobs(n=512, features=8, classes=3), batch_size=64, shuffle=True),
        "trainer": Trainer(epochs=epochs),
    }


# The primary config: the seed, and `small` unless the command line picks another experiment.
store({"seed": 0}, name="train", defaults=[{"experiment": "small"}, "_self_"])
