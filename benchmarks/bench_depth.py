"""Depth: the tree functions on a 10,000-deep chain, and their cost per node as depth grows.

The chain is ``Link(child=Link(child=...), n=i)``: one node per level, the worst shape for any
walk that recurses or copies a path per node. Targets: each call under 1 s at 10,000 deep, and
the cost per node flat from 1,000 to 10,000 (100,000 where OmegaConf is not involved).
``flatten`` and ``unflatten`` handle flat keys that spell the whole path, so their output is
quadratic in depth for a chain (about 600 MB of keys at 10,000): they stop at 10,000.

Before the walks were made linear (same chain, 10,000 deep, one call each, gc on): to_dict
0.87 s (74-124 µs a node at 8,000), from_config 16.3 s, flatten 4.0 s, unflatten 47 s, diff
26 s (3.1 s at 4,000), == 1.3 s; fingerprint, canonical JSON, repr, to_config and to_yaml raised
RecursionError (near depth 100). After, the same script: 43 ms, 0.21 s, 0.85 s, 0.49 s, 0.20 s,
70 ms; fingerprint 87 ms, repr 34 ms; to_config/to_yaml a ConfigError naming depth and limit.

Environment: ``BENCH_DEPTH_REPEAT`` (repeats per figure, default 3) and ``BENCH_DEPTH_MAX``
(deepest chain, default 100000) make a quick run on slow code possible; a call that raises is
named under its table instead of timed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _timing import Table, median_time

from lazycfg import Lazy, diff, fingerprint, flatten, from_config, to_dict, unflatten

REPEAT = int(os.environ.get("BENCH_DEPTH_REPEAT", "3"))
MAX_DEPTH = int(os.environ.get("BENCH_DEPTH_MAX", "100000"))


@dataclass
class Link:
    child: Any = None
    n: int = 0


def chain(depth: int, bottom: int = 0) -> Lazy[Link]:
    node: Any = None
    for i in range(depth):
        node = Lazy(Link, (), {"child": node, "n": bottom if i == 0 else i})
    return node


def _operations(depth: int) -> dict[str, Callable[[], object]]:
    """The calls timed, on chains of ``depth`` prepared once (outside the timing)."""
    node, other = chain(depth), chain(depth, bottom=1)
    plain = to_dict(node)
    flat = flatten(node) if depth <= 10_000 else {}
    return {
        "to_dict": lambda: to_dict(node),
        "from_config(dict)": lambda: from_config(plain),
        "flatten": lambda: flatten(node),
        "unflatten": lambda: unflatten(flat),
        "diff (one change at the bottom)": lambda: diff(node, other),
        "fingerprint": lambda: fingerprint(node),
        "repr": lambda: repr(node),
        "== (one walk, nothing emitted)": lambda: node == other,
    }


def _timed(table: Table, label: str, fn: Callable[[], object], per: int = 1) -> None:
    try:
        table.add(label, median_time(fn, number=1, repeat=REPEAT) / per)
    except Exception as exc:  # slow or broken code being measured: say what happened
        note = f"{label}: {type(exc).__name__}"
        table.note = f"{table.note}; {note}" if table.note else note


_PER_NODE = {  # operation -> deepest chain it is timed on
    "to_dict": 100_000,
    "from_config(dict)": 10_000,
    "flatten": 10_000,
    "unflatten": 10_000,
    "diff (one change at the bottom)": 100_000,
    "fingerprint": 100_000,
    "repr": 100_000,
}


def run() -> list[Table]:
    deep = min(10_000, MAX_DEPTH)
    at_10k = Table(f"Tree functions on a {deep:,}-deep chain (target: under 1 s each)", "to_dict")
    for label, fn in _operations(deep).items():
        _timed(at_10k, label, fn)
    tables = [at_10k]
    depths = [d for d in (1_000, 10_000, 100_000) if d <= MAX_DEPTH]
    operations = {d: _operations(d) for d in depths if d <= 10_000}
    for label, deepest in _PER_NODE.items():
        table = Table(f"{label}: cost per node as the chain deepens (flat = linear)", "1,000 deep")
        for depth in depths:
            if depth > deepest:
                continue
            ops = operations.get(depth) or _operations(depth)
            operations[depth] = ops
            _timed(table, f"{depth:,} deep", ops[label], per=depth)
        tables.append(table)
    tables[-1].note = (
        "Timed with the cyclic garbage collector off, as every figure here (`median_time`). "
        "With it on, the cost per node grows past 10,000 (about 2x at 100,000): CPython's "
        "collector scans the millions of objects a deep config keeps alive."
    )
    return tables
