"""Train one experiment and print its score: the example Hydra app.

    python examples/sklearn/train.py +experiment=rf
    python examples/sklearn/train.py +experiment=rf model.n_estimators=10 --cfg job
    python examples/sklearn/train.py -m +experiment=lr model.C=0.1,1,10

The YAML side (``conf/train.yaml``, ``conf/hydra/``) and the Python experiments
(``experiments.py``) are composed by Hydra into one config. ``lazycfg.app.main`` is ``hydra.main``
that also checks that config against the targets' signatures before anything is built; the task returns the test accuracy,
which is what the Optuna sweeper maximizes.
"""

from __future__ import annotations

import os
import sys

# Python put this script's directory on sys.path, which is how Hydra imports the `_target_`
# `timesplit.TimeSplit`. Launchers that start fresh interpreters (submitit) need it too.
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [sys.path[0], os.environ.get("PYTHONPATH")])
)

import experiments  # noqa: F401  (registers +experiment=rf and +experiment=lr)
from omegaconf import DictConfig, OmegaConf

from lazycfg import instantiate
from lazycfg.app import main


@main(version_base="1.3", config_path="../../conf", config_name="train")
def train(cfg: DictConfig) -> float:
    if OmegaConf.is_missing(cfg, "model") or OmegaConf.is_missing(cfg, "split"):
        raise SystemExit("Choose an experiment: +experiment=rf or +experiment=lr")
    model = instantiate(cfg.model)
    split = instantiate(cfg.split)
    score, n_train, n_test = split.score(model)
    print(
        f"{type(model).__name__}: accuracy {score:.3f} on {n_test} test rows "
        f"(trained on {n_train} rows before {split.cutoff})"
    )
    return score


if __name__ == "__main__":
    train()
