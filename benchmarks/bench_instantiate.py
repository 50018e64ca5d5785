"""instantiate: lazycfg against hydra.utils.instantiate and direct construction, same run."""

from __future__ import annotations

import functools
import warnings
from typing import Any

from _timing import Table, interleaved, median_time


class Layer:
    def __init__(self, size: int, activation: str = "relu") -> None:
        self.size = size
        self.activation = activation


class Network:
    def __init__(self, layers: Any, dropout: float = 0.0) -> None:
        self.layers = layers
        self.dropout = dropout


class SGD:
    def __init__(self, params: Any = None, lr: float = 0.1, momentum: float = 0.0) -> None:
        self.lr = lr


class ParamGroups:
    """What ``model.parameters()`` hands an optimizer: one object, not a config."""


class StepLR:
    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = step_size


class DataModule:
    def __init__(self, path: str, batch_size: int, splits: Any) -> None:
        self.path = path


class Experiment:
    def __init__(self, network: Any, optimizer: Any, scheduler: Any, data: Any, seed: int) -> None:
        self.network = network


M = "bench_instantiate"


def nested_dict(convert: str | None = None) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "_target_": f"{M}.Experiment",
        "network": {
            "_target_": f"{M}.Network",
            "layers": [{"_target_": f"{M}.Layer", "size": s} for s in (512, 256, 128, 64)],
            "dropout": 0.1,
        },
        "optimizer": {"_target_": f"{M}.SGD", "_partial_": True, "lr": 0.01, "momentum": 0.9},
        "scheduler": {"_target_": f"{M}.StepLR", "step_size": 10},
        "data": {
            "_target_": f"{M}.DataModule",
            "path": "data.csv",
            "batch_size": 64,
            "splits": {"train": 0.8, "val": 0.2},
        },
        "seed": 0,
    }
    if convert:
        cfg["_convert_"] = convert
    return cfg


def nested_direct() -> Experiment:
    return Experiment(
        network=Network([Layer(s) for s in (512, 256, 128, 64)], dropout=0.1),
        optimizer=functools.partial(SGD, lr=0.01, momentum=0.9),
        scheduler=StepLR(step_size=10),
        data=DataModule("data.csv", 64, {"train": 0.8, "val": 0.2}),
        seed=0,
    )


def nested_lazy() -> Any:
    from lazycfg import lazy, partial

    return lazy(Experiment)(
        network=lazy(Network)([lazy(Layer)(s) for s in (512, 256, 128, 64)], dropout=0.1),
        optimizer=partial(SGD)(lr=0.01, momentum=0.9),
        scheduler=lazy(StepLR)(step_size=10),
        data=lazy(DataModule)("data.csv", 64, {"train": 0.8, "val": 0.2}),
        seed=0,
    )


def nested_containers() -> Any:
    """The OmegaConf work in the default-convert nested result alone: the layers ListConfig
    and the splits DictConfig, made as Hydra makes them."""
    from omegaconf import OmegaConf

    layers = OmegaConf.create(
        [Layer(s) for s in (512, 256, 128, 64)], flags={"allow_objects": True}
    )
    return layers, OmegaConf.create({"train": 0.8, "val": 0.2}, flags={"allow_objects": True})


def app_config() -> dict[str, Any]:
    """What a Hydra app's ``cfg`` holds: a model, an optimizer, a scheduler, data, settings."""
    model = nested_dict()
    return {
        "model": model["network"],
        "optimizer": {"_target_": f"{M}.SGD", "lr": 0.01, "momentum": 0.9},
        "scheduler": model["scheduler"],
        "data": model["data"],
        "trainer": {"epochs": 10, "seed": 0, "log_every": 50},
    }


def hydra_app_table() -> Table:
    """The calls a Hydra app makes, each against Hydra's, interleaved in one run."""
    from hydra.utils import instantiate as hydra_instantiate
    from omegaconf import OmegaConf

    from lazycfg import instantiate, lazy, partial

    cfg = OmegaConf.create(app_config())
    model = OmegaConf.create(nested_dict())
    params = ParamGroups()
    lazy_dict = {
        "network": lazy(Network)([lazy(Layer)(s) for s in (512, 256, 128, 64)], dropout=0.1),
        "optimizer": partial(SGD)(lr=0.01, momentum=0.9),
        "scheduler": lazy(StepLR)(step_size=10),
        "data": lazy(DataModule)("data.csv", 64, {"train": 0.8, "val": 0.2}),
    }
    lazy_root = lazy(dict)(**lazy_dict)
    tree = nested_lazy()
    times = interleaved(
        {
            "lazycfg, instantiate(cfg.optimizer, params=...)": lambda: instantiate(
                cfg.optimizer, params=params
            ),
            "hydra, instantiate(cfg.optimizer, params=...)": lambda: hydra_instantiate(
                cfg.optimizer, params=params
            ),
            "lazycfg, nested model DictConfig": lambda: instantiate(model),
            "hydra, nested model DictConfig": lambda: hydra_instantiate(model),
            "lazycfg, nested model DictConfig, _convert_=all": lambda: instantiate(
                model, _convert_="all"
            ),
            "hydra, nested model DictConfig, _convert_=all": lambda: hydra_instantiate(
                model, _convert_="all"
            ),
            "OmegaConf containers the default result holds": nested_containers,
            "lazycfg, a dict of lazy nodes": lambda: instantiate(lazy_dict),
            "lazycfg, the same nodes under a Lazy root": lambda: instantiate(lazy_root),
            "lazycfg, nested lazy tree": lambda: instantiate(tree),
            "direct construction of the nested model": nested_direct,
            # a tree built once (no kept program): made, then built; its making alone
            "lazycfg, make a nested lazy tree and build it once": lambda: instantiate(
                nested_lazy()
            ),
            "making the nested lazy tree alone": nested_lazy,
        }
    )
    times["lazycfg, nested lazy tree, first build (the two rows above, less making)"] = (
        times["lazycfg, make a nested lazy tree and build it once"]
        - times["making the nested lazy tree alone"]
    )
    t = Table(
        "calls a Hydra app makes, contenders interleaved (ratios: lazycfg against the row below)",
        anchor="hydra, instantiate(cfg.optimizer, params=...)",
    )
    for label, seconds in times.items():
        t.add(label, seconds)
    pairs = [
        ("lazycfg, instantiate(cfg.optimizer, params=...)", "hydra, instantiate(cfg.optimizer, params=...)"),
        ("lazycfg, nested model DictConfig", "hydra, nested model DictConfig"),
        ("lazycfg, nested model DictConfig, _convert_=all", "hydra, nested model DictConfig, _convert_=all"),
        ("lazycfg, a dict of lazy nodes", "lazycfg, the same nodes under a Lazy root"),
        ("lazycfg, nested lazy tree", "direct construction of the nested model"),
        ("lazycfg, nested lazy tree, first build (the two rows above, less making)", "direct construction of the nested model"),
    ]  # fmt: skip
    t.note = "; ".join(
        f"{ours.removeprefix('lazycfg, ')}: {times[theirs] / times[ours]:.1f}x faster than "
        f"'{theirs}'"
        if times[theirs] > times[ours]
        else f"{ours.removeprefix('lazycfg, ')}: {times[ours] / times[theirs]:.2f}x '{theirs}'"
        for ours, theirs in pairs
    )
    return t


def run() -> list[Table]:
    warnings.simplefilter("ignore")
    from hydra.utils import instantiate as hydra_instantiate
    from omegaconf import OmegaConf

    from lazycfg import instantiate, lazy

    tables = [hydra_app_table()]
    n = 1000
    flat = [{"_target_": f"{M}.Layer", "size": i} for i in range(n)]
    flat_lazy = lazy(list)([lazy(Layer)(i) for i in range(n)])
    t = Table(f"a list of {n:,} _target_ nodes", anchor="hydra, plain list")
    slow = {"number": 1, "repeat": 3}
    t.add("direct construction", median_time(lambda: [Layer(i) for i in range(n)]))
    t.add("lazycfg, lazy tree", median_time(lambda: instantiate(flat_lazy)))
    t.add(
        "lazycfg, plain list, _convert_=all",
        median_time(lambda: instantiate(flat, _convert_="all")),
    )
    t.add(
        "lazycfg, plain list (result is a ListConfig)",
        median_time(lambda: instantiate(flat), **slow),
    )
    t.add(
        "OmegaConf.create of the 1,000 built objects",
        median_time(
            lambda: OmegaConf.create([Layer(i) for i in range(n)], flags={"allow_objects": True}),
            **slow,
        ),
    )
    t.add("hydra, plain list", median_time(lambda: hydra_instantiate(flat), **slow))
    t.add(
        "hydra, plain list, _convert_=all",
        median_time(lambda: hydra_instantiate(flat, _convert_="all"), **slow),
    )
    t.note = (
        "Under Hydra's default `_convert_: none` the result must be a ListConfig, so both pay "
        "OmegaConf's container cost (the OmegaConf.create row)."
    )
    tables.append(t)

    plain, plain_all = nested_dict(), nested_dict("all")
    dictconfig = OmegaConf.create(plain)
    tree = nested_lazy()
    t = Table(
        "a nested model config (network with 4 layers, partial optimizer, scheduler, data)",
        anchor="hydra, plain dict",
    )
    t.add("direct construction", median_time(nested_direct))
    t.add("lazycfg, lazy tree", median_time(lambda: instantiate(tree)))
    t.add("lazycfg, plain dict, _convert_=all", median_time(lambda: instantiate(plain_all)))
    t.add("lazycfg, plain dict", median_time(lambda: instantiate(plain)))
    t.add("OmegaConf containers the default result holds", median_time(nested_containers))
    t.add("lazycfg, DictConfig", median_time(lambda: instantiate(dictconfig)))
    t.add(
        "OmegaConf.to_container of the DictConfig",
        median_time(lambda: OmegaConf.to_container(dictconfig, resolve=True)),
    )
    t.add("hydra, plain dict", median_time(lambda: hydra_instantiate(plain), budget=0.5, repeat=5))
    t.add(
        "hydra, plain dict, _convert_=all",
        median_time(lambda: hydra_instantiate(plain_all), budget=0.5, repeat=5),
    )
    t.add(
        "hydra, DictConfig",
        median_time(lambda: hydra_instantiate(dictconfig), budget=0.5, repeat=5),
    )
    tables.append(t)

    t = Table(
        "growth: lazy tree and plain dict (_convert_=all), per-node cost in the label",
        anchor="lazy, 100 nodes",
    )
    for size in (100, 1_000, 10_000, 100_000):
        nodes = lazy(list)([lazy(Layer)(i) for i in range(size)])
        dicts = [{"_target_": f"{M}.Layer", "size": i} for i in range(size)]
        reps = {"number": 1, "repeat": 3} if size >= 10_000 else {}
        lazy_s = median_time(lambda nodes=nodes: instantiate(nodes), **reps)
        dict_s = median_time(lambda dicts=dicts: instantiate(dicts, _convert_="all"), **reps)
        t.add(f"lazy, {size:,} nodes ({lazy_s / size * 1e6:.2f} µs/node)", lazy_s)
        t.add(f"dict, {size:,} nodes ({dict_s / size * 1e6:.2f} µs/node)", dict_s)
    t.anchor = "lazy, 100 nodes (" + t.rows[0][0].split("(", 1)[1]
    tables.append(t)
    return tables
