"""The example's own code: a time-based train/test split that scores a model.

This is ordinary library code, written with no config system in mind; the experiments in
``experiments.py`` call it, and Hydra imports it by its ``_target_`` path (``timesplit.TimeSplit``,
importable because Python puts the script's directory on ``sys.path``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

HERE = Path(__file__).resolve().parent


class Classifier(Protocol):
    def fit(self, X: Any, y: Any) -> Any: ...
    def score(self, X: Any, y: Any) -> float: ...


class TimeSplit:
    """Rows before ``cutoff`` train the model, rows from ``cutoff`` on test it.

    A relative ``path`` is read from this example's directory, so the app runs from any cwd.
    """

    def __init__(
        self,
        path: str = "dataset.csv",
        cutoff: str = "2022-01-01",
        timestamp: str = "timestamp",
        label: str = "label",
    ) -> None:
        self.path = HERE / path
        self.cutoff = cutoff
        self.timestamp = timestamp
        self.label = label

    def score(self, model: Classifier) -> tuple[float, int, int]:
        """Fit on the training rows; return (test accuracy, training rows, test rows)."""
        import pandas as pd

        df = pd.read_csv(self.path, parse_dates=[self.timestamp])
        y = df[self.label]
        X = df.drop(columns=[self.label, self.timestamp])
        train = (df[self.timestamp] < pd.Timestamp(self.cutoff)).to_numpy(dtype=bool)
        n_train = int(train.sum())
        if n_train in (0, len(train)):
            raise ValueError(
                f"cutoff {self.cutoff!r} leaves no {'test' if n_train else 'training'} rows "
                f"in {self.path.name} ({df[self.timestamp].min():%Y-%m-%d} to "
                f"{df[self.timestamp].max():%Y-%m-%d})"
            )
        model.fit(X[train], y[train])
        return float(model.score(X[~train], y[~train])), n_train, len(train) - n_train
