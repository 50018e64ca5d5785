"""A real Hydra app (``lazycfg.app.main``) for value checks, messages and class paths.

Run as ``python tests/values_app.py [overrides]``; it prints what the task received.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from omegaconf import DictConfig  # noqa: E402
from values_targets import Net, Opt, Relu, Trainer  # noqa: E402

from lazycfg import (
    fingerprint,
    flatten,
    lazy,
    partial,
    store,  # noqa: E402
)
from lazycfg.app import main  # noqa: E402

store(
    {
        "model": lazy(Net)(hidden=[8, 8], activation=Relu),
        "optimizer": partial(Opt)(lr=0.01),
        "trainer": lazy(Trainer)(seed=3),
        "data": {"seed": "${..trainer.seed}"},  # a link, as a knob's other uses hold it
        "hydra": {"callbacks": {"log_config": {"_target_": "lazycfg.callback.LogConfig"}}},
    },
    name="values",
)
# A config saved before Net's `dropout` became `p_drop` and lost `momentum`.
old_model = {"_target_": "values_targets.Net", "hidden": [4], "dropout": 0.25, "momentum": 0.9}
store({"model": old_model, "optimizer": partial(Opt)(), "trainer": lazy(Trainer)()}, name="old")


@main(config_path=None, config_name="values")
def run(model: Net, optimizer: Callable[..., Opt], trainer: Trainer, cfg: DictConfig) -> None:
    opt = optimizer([1.0])
    print("hidden", model.hidden)
    print("activation", model.activation.__name__)
    print("betas", list(opt.betas))
    print("seed", trainer.seed)
    print("p_drop", model.p_drop)
    # What the task itself would log: the same as the LogConfig callback's record.
    print("fingerprint", fingerprint(cfg), fingerprint(cfg, full=True))
    print("flat", json.dumps(flatten(cfg, full=True)))


if __name__ == "__main__":
    run()
