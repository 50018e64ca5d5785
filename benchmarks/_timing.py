"""Shared timing helpers: medians of repeated runs, ratios against anchors in the same run.

The machine is shared and noisy, so every figure is the median of several repeats, each repeat
timing a loop long enough to dwarf timer resolution. Each benchmark module exposes ``run()`` that
returns a list of `Table`s; ``benchmarks/run.py`` prints them all as markdown.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def loop_length(fn: Callable[[], object], budget: float) -> int:
    """How many calls of ``fn`` one timed loop makes so that it takes about ``budget`` seconds
    (found by loops 4x longer each time until one takes a quarter of the budget)."""
    number, elapsed = 1, 0.0
    while True:
        elapsed = _loop(fn, number)
        if elapsed >= budget / 4 or number >= 1 << 20:
            break
        number *= 4
    return max(1, int(number * (budget / max(elapsed, 1e-9))))


def _loop(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def median_time(
    fn: Callable[[], object], *, number: int = 0, repeat: int = 7, budget: float = 0.2
) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` timed loops of ``number`` calls.

    ``number=0`` picks a loop length so that one loop takes about ``budget`` seconds.
    """
    return interleaved({"": fn}, number=number, repeat=repeat, budget=budget)[""]


def interleaved(
    contenders: dict[str, Callable[[], object]],
    *,
    number: int = 0,
    repeat: int = 9,
    budget: float = 0.05,
) -> dict[str, float]:
    """Median seconds per call of each contender, their loops alternated in every repeat (the
    machine is shared: a slow moment hits every contender, not one). The cyclic garbage
    collector is off while timing. ``number=0`` sizes each contender's loop to ``budget``."""
    numbers: dict[str, int] = {}
    for label, fn in contenders.items():
        fn()  # warm caches (signature specs, imports)
        numbers[label] = number if number > 0 else loop_length(fn, budget)
    samples: dict[str, list[float]] = {label: [] for label in contenders}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for label, fn in contenders.items():
                samples[label].append(_loop(fn, numbers[label]) / numbers[label])
    finally:
        if gc_was_enabled:
            gc.enable()
    return {label: statistics.median(times) for label, times in samples.items()}


def process_time(argv: list[str], *, repeat: int = 5, env: dict[str, str] | None = None) -> float:
    """Median wall seconds of running a whole process ``argv`` (start-up included)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def python_import_time(module: str, repeat: int = 5) -> float:
    """Median wall seconds of ``python -c 'import module'`` minus a bare interpreter start, with
    bytecode written and used as an installed package has it (a machine that sets
    ``PYTHONDONTWRITEBYTECODE`` would otherwise time compiling a source tree, not importing it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=env)  # compile
    bare = process_time([sys.executable, "-c", "pass"], repeat=repeat, env=env)
    full = process_time([sys.executable, "-c", f"import {module}"], repeat=repeat, env=env)
    return max(full - bare, 0.0)


def fmt_seconds(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(ratio: float) -> str:
    """``2.91x`` for costlier rows; ``0.0037x (270x faster)`` for much cheaper ones."""
    if ratio >= 0.1:
        return f"{ratio:.2f}x"
    return f"{ratio:.2g}x ({1 / ratio:.0f}x faster)" if ratio > 0 else "0x"


@dataclass
class Table:
    """One markdown table: rows of (label, seconds), each shown with its ratio to ``anchor``."""

    title: str
    anchor: str  # the row label every ratio is taken against
    rows: list[tuple[str, float]] = field(default_factory=list)
    note: str = ""

    def add(self, label: str, seconds: float) -> None:
        self.rows.append((label, seconds))

    def markdown(self) -> str:
        base = dict(self.rows).get(self.anchor)
        lines = [
            f"### {self.title}",
            "",
            f"| case | median | vs {self.anchor} |",
            "|---|---:|---:|",
        ]
        for label, seconds in self.rows:
            ratio = "" if not base else fmt_ratio(seconds / base)
            lines.append(f"| {label} | {fmt_seconds(seconds)} | {ratio} |")
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)
