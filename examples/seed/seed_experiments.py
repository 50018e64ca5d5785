"""The essay's experiments as factories: write the calls, construct nothing until instantiate."""

from __future__ import annotations

from seed_data import Experiment, TimeSplit
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from lazycfg import factory


@factory
def lr(C: float = 10.0, cutoff: str = "2022-01-01", path: str = "dataset.csv") -> Experiment:
    """Logistic regression on a time-based split."""
    return Experiment(
        model=LogisticRegression(C=C, random_state=666),
        data=TimeSplit(path=path, cutoff=cutoff),
    )


@factory
def rf(
    n_estimators: int = 3000, cutoff: str = "2022-01-01", path: str = "dataset.csv"
) -> Experiment:
    """A random forest on the same split."""
    return Experiment(
        model=RandomForestClassifier(n_estimators=n_estimators, random_state=666),
        data=TimeSplit(path=path, cutoff=cutoff),
    )
