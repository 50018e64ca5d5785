"""A plain Hydra app over the seed factories, e.g.::

    python examples/seed/train.py +experiment=rf model.n_estimators=10 data.path=dataset.csv

Each factory is stored with `lazycfg.store`, so its knobs are ordinary override paths
(``model.n_estimators``, ``data.cutoff``) and overriding one equals calling the factory. The
factories return an ``Experiment`` node, so the whole config root is one target that plain
``hydra.utils.instantiate`` builds.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hydra  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402
from seed_experiments import lr, rf  # noqa: E402

from lazycfg import store  # noqa: E402

for experiment in (lr, rf):
    store(experiment, group="experiment", package="_global_")


@hydra.main(version_base=None, config_path=None)
def main(cfg: DictConfig) -> None:
    print(OmegaConf.to_yaml(cfg, resolve=True))
    experiment = hydra.utils.instantiate(cfg)
    print(f"test accuracy: {experiment.run():.3f}")


if __name__ == "__main__":
    main()
