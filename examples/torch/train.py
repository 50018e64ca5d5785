"""Train the tiny MLP: a Hydra app whose task receives built objects.

    python examples/torch/train.py
    python examples/torch/train.py experiment=large
    python examples/torch/train.py lr=0.05          # no: knobs are overridden where they live
    python examples/torch/train.py optimizer.lr=0.05 trainer.epochs=3
    python examples/torch/train.py -m optimizer.lr=0.003,0.03

``lazycfg.app.main`` is ``hydra.main`` whose task gets its arguments built: Hydra composes the
config, lazycfg checks it against the targets and the task's annotations, the ``pre_call`` hook
seeds torch, and ``train`` is called with an ``MLP``, a partial ``AdamW``, a partial cosine
scheduler, a ``DataLoader`` and a ``Trainer``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

# Hydra imports the targets (tinymlp.MLP) by name: this directory must be importable, also for
# launchers that start fresh interpreters.
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [sys.path[0], os.environ.get("PYTHONPATH")])
)

import experiments  # noqa: E402, F401  (stores the configs)
from tinymlp import MLP, Trainer, seed_everything  # noqa: E402
from torch.optim import Optimizer  # noqa: E402
from torch.optim.lr_scheduler import LRScheduler  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from lazycfg.app import main  # noqa: E402


@main(version_base="1.3", config_path=None, config_name="train", pre_call=seed_everything)
def train(
    model: MLP,
    optimizer: Callable[..., Optimizer],
    scheduler: Callable[[Optimizer], LRScheduler],
    data: DataLoader[Any],
    trainer: Trainer,
) -> float:
    accuracy = trainer.fit(model, optimizer, scheduler, data)
    print(f"accuracy {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    train()
