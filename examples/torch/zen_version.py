"""The same project written with hydra-zen, for the comparison in docs/10_vs_hydra_zen.md.

python examples/torch/zen_version.py
python examples/torch/zen_version.py experiment=large
python examples/torch/zen_version.py optimizer.lr=0.05 trainer.epochs=3
python examples/torch/zen_version.py -m optimizer.lr=0.003,0.03
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [sys.path[0], os.environ.get("PYTHONPATH")])
)

from hydra_zen import builds, make_config, store, zen  # noqa: E402
from tinymlp import MLP, Blobs, Trainer, seed_everything  # noqa: E402
from torch import nn  # noqa: E402
from torch.optim import AdamW, Optimizer  # noqa: E402
from torch.optim.lr_scheduler import CosineAnnealingLR, LRScheduler  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

# Structured configs merge only into their bases: each experiment extends the primary config.
Train = make_config(hydra_defaults=["_self_", {"experiment": "small"}], seed=0)
Data = builds(DataLoader, builds(Blobs, n=512, features=8, classes=3), batch_size=64, shuffle=True)

experiment = store(group="experiment", package="_global_")
experiment(
    make_config(
        model=builds(MLP, in_features=8, hidden=[32], out_features=3),
        optimizer=builds(AdamW, lr=0.01, weight_decay=0.01, zen_partial=True),
        # No knobs: the schedule length follows the trainer only through an interpolation.
        scheduler=builds(CosineAnnealingLR, T_max="${trainer.epochs}", zen_partial=True),
        data=Data,
        trainer=builds(Trainer, epochs=5),
        bases=(Train,),
        hydra_defaults=["_self_"],
    ),
    name="small",
)
experiment(
    make_config(
        model=builds(
            MLP, in_features=8, hidden=[128, 128], out_features=3, dropout=0.1, activation=nn.GELU
        ),
        optimizer=builds(AdamW, lr=0.003, weight_decay=0.05, zen_partial=True),
        scheduler=builds(CosineAnnealingLR, T_max="${trainer.epochs}", zen_partial=True),
        data=Data,
        trainer=builds(Trainer, epochs=8),
        bases=(Train,),
        hydra_defaults=["_self_"],
    ),
    name="large",
)
store(Train, name="train")


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
    store.add_to_hydra_store()
    zen(train, pre_call=seed_everything).hydra_main(
        config_name="train", config_path=None, version_base="1.3"
    )
