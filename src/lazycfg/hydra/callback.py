"""A Hydra callback that records each job's flattened config and fingerprint in its output dir.

Enable it in the primary config (or any config Hydra composes)::

    hydra:
      callbacks:
        log_config:
          _target_: lazycfg.callback.LogConfig

Each job then gets ``<output dir>/lazycfg.json``::

    {"fingerprint": "0ba4da008863", "full_fingerprint": "...", "full": true,
     "config": {"model._target_": "...", "model.n_estimators": 300, "model.criterion": "gini", ...}}

This module is imported by Hydra only (never by ``import lazycfg``), so it imports Hydra freely.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from lazycfg.core.errors import ConfigError
from lazycfg.track.flat import fingerprint, flatten

log = logging.getLogger(__name__)

FILENAME = "lazycfg.json"


def job_record(task_config: Any, *, full: bool = True) -> dict[str, Any]:
    """What `LogConfig` writes for a job's config (without Hydra's own ``hydra`` node).

    Interpolations are resolved where they can be (the record says what the job ran with).
    With ``full=True`` every target's defaults are included; when the targets cannot be read
    back (not importable, or the config is not a valid lazycfg tree) the record falls back to
    the config as given, with ``"full": false`` and the reason.
    """
    if isinstance(task_config, DictConfig):
        try:
            plain = OmegaConf.to_container(task_config, resolve=True)
        except Exception as exc:  # an interpolation that only the task can resolve
            log.warning("lazycfg: logging the unresolved config (%s)", exc)
            plain = OmegaConf.to_container(task_config, resolve=False)
    else:
        plain = task_config
    record: dict[str, Any] = {"fingerprint": fingerprint(plain), "full": False}
    flat = flatten(plain)
    if full:
        try:
            flat = flatten(plain, full=True)
            record["full_fingerprint"] = fingerprint(plain, full=True)
            record["full"] = True
        except ConfigError as exc:
            record["reason"] = str(exc)
            log.warning("lazycfg: logging the config without defaults: %s", exc)
    record["config"] = flat
    return record


def write_json_atomically(path: Path, data: Any) -> None:
    """Write ``data`` as JSON so that readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, ensure_ascii=False, default=repr)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LogConfig(Callback):
    """Writes ``lazycfg.json`` (flattened config, fingerprints) into every job's output dir.

    ``full``: include every target's defaults (``lazycfg.flatten(cfg, full=True)``).
    ``filename``: the file name inside the output dir.
    """

    def __init__(self, full: bool = True, filename: str = FILENAME) -> None:
        self.full = full
        self.filename = filename

    def on_job_start(self, config: DictConfig, *, task_function: Any, **kwargs: Any) -> None:
        task_config = copy.deepcopy(config)
        with read_write(task_config), open_dict(task_config):
            task_config.pop("hydra", None)
        record = job_record(task_config, full=self.full)
        output_dir = Path(HydraConfig.get().runtime.output_dir)
        write_json_atomically(output_dir / self.filename, record)
        log.info("lazycfg: config %s logged to %s", record["fingerprint"], self.filename)
