"""Tracking: flatten, unflatten, fingerprint, diff and the graph, on a 200-argument config.

Anchor: `lazycfg.to_dict` (emitting the config), the step every tracking call starts with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from _timing import Table, median_time

from lazycfg import diff, fingerprint, flatten, lazy, to_dict, unflatten
from lazycfg.track.graph import to_svg


@dataclass
class Layer:
    size: int
    activation: str = "relu"
    dropout: float = 0.0
    bias: bool = True


@dataclass
class Net:
    layers: list[Layer]
    name: str = "net"


@dataclass
class Optimizer:
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0


def config(width: int = 64) -> dict[str, Any]:
    layers = [lazy(Layer)(size=width + i, dropout=0.1) for i in range(48)]
    return {
        "model": lazy(Net)(layers=layers, name="mlp"),
        "optim": lazy(Optimizer)(lr=3e-4),
        "trainer": {"epochs": 10, "devices": [0, 1], "precision": "bf16"},
    }


def run() -> list[Table]:
    from omegaconf import OmegaConf

    a, b = config(), config(65)
    flat = flatten(a)
    plain = to_dict(a)
    ops = Table(
        f"Tracking calls on a config of {len(flat)} flat keys ({len(flatten(a, full=True))} full)",
        anchor="to_dict (emit)",
    )
    ops.add("to_dict (emit)", median_time(lambda: to_dict(a)))
    ops.add("flatten", median_time(lambda: flatten(a)))
    ops.add("flatten full=True", median_time(lambda: flatten(a, full=True)))
    ops.add("unflatten", median_time(lambda: unflatten(flat)))
    ops.add("fingerprint", median_time(lambda: fingerprint(a)))
    ops.add("diff (48 changes)", median_time(lambda: diff(a, b)))
    ops.add("json.dumps of the emitted dict", median_time(lambda: json.dumps(plain)))
    ops.add("OmegaConf.create + to_yaml", median_time(lambda: OmegaConf.to_yaml(plain)))
    ops.note = (
        "json.dumps and OmegaConf.to_yaml take the already emitted dict: what a user would log "
        "without lazycfg (nested, no defaults, no stable hash)."
    )
    graph = Table("The config picture", anchor="to_dict (emit)")
    graph.add("to_dict (emit)", median_time(lambda: to_dict(a)))
    graph.add("to_svg (51 boxes)", median_time(lambda: to_svg(a)))
    return [ops, graph]
