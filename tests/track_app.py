"""A real Hydra app for the callback and CLI tests: a lazy config with LogConfig enabled.

Run as ``python tests/track_app.py [overrides]``; it prints the fingerprint it computes itself.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hydra  # noqa: E402
from hydra.core.config_store import ConfigStore  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402
from track_targets import make_experiment  # noqa: E402

from lazycfg import fingerprint, to_dict  # noqa: E402

config: dict[str, Any] = to_dict(make_experiment())
config["hydra"] = {"callbacks": {"log_config": {"_target_": "lazycfg.callback.LogConfig"}}}
ConfigStore.instance().store(name="config", node=config)


@hydra.main(version_base="1.3", config_path=None, config_name="config")
def main(cfg: DictConfig) -> None:
    print("fingerprint", fingerprint(OmegaConf.to_container(cfg, resolve=True)))


if __name__ == "__main__":
    main()
