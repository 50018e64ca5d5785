"""The founding essay's data: a small CSV with a timestamp, a label and features, split by time."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def make_csv(path: str | Path, rows: int = 400, seed: int = 666) -> Path:
    """Write a small, deterministic ``dataset.csv``: timestamp, two features, a label."""
    rng = random.Random(seed)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["timestamp", "x1", "x2", "label"])
        for i in range(rows):
            day = f"{2021 + i * 2 // rows}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            x1, x2 = rng.gauss(0, 1), rng.gauss(0, 1)
            writer.writerow([day, round(x1, 4), round(x2, 4), int(x1 + 0.5 * x2 > 0)])
    return out


class TimeSplit:
    """Train on rows before ``cutoff``, test on the rest (the essay's script, as a class)."""

    def __init__(self, path: str, cutoff: str = "2022-01-01") -> None:
        import pandas as pd

        df = pd.read_csv(path, parse_dates=["timestamp"])
        train = df["timestamp"] < cutoff
        features = df.drop(columns=["label", "timestamp"])
        self.cutoff = cutoff
        self.X_train, self.y_train = features[train], df["label"][train]
        self.X_test, self.y_test = features[~train], df["label"][~train]


@dataclass
class Experiment:
    """A model and its data; ``run()`` fits and returns the test score."""

    model: Any
    data: TimeSplit

    def run(self) -> float:
        self.model.fit(self.data.X_train, self.data.y_train)
        return float(self.model.score(self.data.X_test, self.data.y_test))
