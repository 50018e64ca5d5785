"""Registration speed: lazycfg.store against Hydra's own start-up, in the same run.

Table 1 times registering 1,000 configs in process (factories, lazy nodes, and plain dicts
through Hydra's ConfigStore alone), next to the whole-process wall time of a minimal Hydra app.
Table 2 is whole-process wall time of one minimal app written two ways: configs in YAML files,
and the same configs stored from Python by lazycfg (lazy nodes, then @factory functions).
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

from _timing import Table, median_time, process_time

N = 1000

TARGETS = """
class Model:
    def __init__(self, width: int = 8, depth: int = 2) -> None:
        self.width, self.depth = width, depth
"""

YAML_APP = """
import hydra

@hydra.main(version_base="1.3", config_path="conf", config_name="app")
def main(cfg):
    return cfg.model.width

main()
"""

LAZY_APP = """
import hydra
from targets import Model
from lazycfg import lazy, store

store(lazy(Model)(width=1), name="tiny", group="model")
store(lazy(Model)(width=64, depth=4), name="wide", group="model")
store({"seed": 0}, name="app", defaults=["_self_", {"model": "tiny"}])

@hydra.main(version_base="1.3", config_path=None, config_name="app")
def main(cfg):
    return cfg.model.width

main()
"""

FACTORY_APP = """
import hydra
from targets import Model
from lazycfg import factory, store

@store(group="model")
@factory
def tiny(width: int = 1):
    return Model(width=width)

@store(group="model")
@factory
def wide(width: int = 64, depth: int = 4):
    return Model(width=width, depth=depth)

store({"seed": 0}, name="app", defaults=["_self_", {"model": "tiny"}])

@hydra.main(version_base="1.3", config_path=None, config_name="app")
def main(cfg):
    return cfg.model.width

main()
"""


def _write_apps(root: Path) -> None:
    (root / "targets.py").write_text(TARGETS)
    (root / "conf" / "model").mkdir(parents=True)
    (root / "conf" / "app.yaml").write_text("defaults:\n  - _self_\n  - model: tiny\nseed: 0\n")
    (root / "conf" / "model" / "tiny.yaml").write_text("_target_: targets.Model\nwidth: 1\n")
    (root / "conf" / "model" / "wide.yaml").write_text(
        "_target_: targets.Model\nwidth: 64\ndepth: 4\n"
    )
    (root / "yaml_app.py").write_text(YAML_APP)
    (root / "lazy_app.py").write_text(LAZY_APP)
    (root / "factory_app.py").write_text(FACTORY_APP)
    factories = ["from lazycfg import factory", "from targets import Model"]
    for i in range(N):
        factories.append(
            f"@factory\ndef f{i}(width: int = {i}):\n    return {{'model': Model(width=width)}}\n"
        )
    (root / "many_factories.py").write_text("\n".join(factories))


def run() -> list[Table]:
    from hydra.core.config_store import ConfigStore

    from lazycfg import lazy, store

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_apps(root)
        sys.path.insert(0, tmp)
        try:
            many = importlib.import_module("many_factories")
            model = importlib.import_module("targets").Model
            fns = [getattr(many, f"f{i}") for i in range(N)]
            nodes = [lazy(model)(width=i) for i in range(N)]
            plain = [{"model": {"_target_": "targets.Model", "width": i}} for i in range(N)]
            cs = ConfigStore.instance()

            def store_factories() -> None:
                for fn in fns:
                    store(fn, group="bench_f")

            def store_nodes() -> None:
                for i, node in enumerate(nodes):
                    store(node, name=f"n{i}", group="bench_n")

            def store_plain() -> None:
                for i, cfg in enumerate(plain):
                    cs.store(name=f"p{i}", node=cfg, group="bench_p")

            py = sys.executable
            startup = process_time([py, str(root / "yaml_app.py"), "hydra.run.dir=/tmp/x"])
            registration = Table(
                f"Registering {N:,} configs in ConfigStore vs Hydra's start-up",
                anchor="Hydra start-up: minimal YAML app, whole process",
                note="In-process rows time registration alone (imports done); the anchor is a "
                "whole process.",
            )
            registration.add("Hydra start-up: minimal YAML app, whole process", startup)
            registration.add(
                f"lazycfg.store of {N:,} @factory functions", median_time(store_factories, repeat=3)
            )
            registration.add(
                f"lazycfg.store of {N:,} lazy nodes", median_time(store_nodes, repeat=3)
            )
            registration.add(
                f"ConfigStore.store of {N:,} plain dicts (Hydra alone)",
                median_time(store_plain, repeat=3),
            )

            apps = Table(
                "Minimal Hydra app, whole-process wall time (run, compose, task)",
                anchor="configs in YAML files",
                note="Target: the lazycfg-stored app within 1.25x of the YAML app.",
            )
            for label, script in [
                ("configs in YAML files", "yaml_app.py"),
                ("configs stored by lazycfg (lazy nodes)", "lazy_app.py"),
                ("configs stored by lazycfg (@factory)", "factory_app.py"),
            ]:
                argv = [py, str(root / script), "hydra.run.dir=/tmp/x", "hydra.output_subdir=null"]
                apps.add(label, process_time(argv, repeat=7))
            apps.add("bare interpreter (python -c pass)", process_time([py, "-c", "pass"]))
        finally:
            sys.path.remove(tmp)
            for name in ("many_factories", "targets"):
                sys.modules.pop(name, None)
    return [registration, apps]
