"""Cost of calling a factory that emits a 100-node tree, against the same tree via lazy() and
against constructing the objects directly."""

from __future__ import annotations

from dataclasses import dataclass

from _timing import Table, median_time

from lazycfg import factory, lazy
from lazycfg.factory.knobs import factory_config


@dataclass
class Leaf:
    size: int
    name: str = "leaf"


@dataclass
class Branch:
    left: Leaf
    right: Leaf
    depth: int = 0


@dataclass
class Root:
    branches: list[Branch]
    lr: float = 0.1


# 33 branches x (1 branch + 2 leaves) + 1 root = 100 nodes.
BRANCHES = 33


@factory
def tree(size: int = 8, lr: float = 0.1) -> Root:
    return Root(
        branches=[
            Branch(left=Leaf(size=size), right=Leaf(size=i, name="r"), depth=i)
            for i in range(BRANCHES)
        ],
        lr=lr,
    )


def with_lazy(size: int = 8, lr: float = 0.1) -> Root:
    return lazy(Root)(
        branches=[
            lazy(Branch)(left=lazy(Leaf)(size=size), right=lazy(Leaf)(size=i, name="r"), depth=i)
            for i in range(BRANCHES)
        ],
        lr=lr,
    )


def direct(size: int = 8, lr: float = 0.1) -> Root:
    return Root(
        branches=[
            Branch(left=Leaf(size=size), right=Leaf(size=i, name="r"), depth=i)
            for i in range(BRANCHES)
        ],
        lr=lr,
    )


def run() -> list[Table]:
    table = Table(
        "Calling a factory that emits a 100-node tree",
        anchor="lazy() calls, same tree",
        note="factory_config adds emission (to_dict) and knob linking on top of the call.",
    )
    table.add("direct construction (no config)", median_time(direct))
    table.add("lazy() calls, same tree", median_time(with_lazy))
    table.add("@factory call", median_time(tree))
    table.add("factory_config (emit + link knobs)", median_time(lambda: factory_config(tree)))
    return [table]
