"""The experiments, in Python: config factories stored in Hydra's ConfigStore.

Inside a ``@factory`` the calls of classes are not run: they become checked lazy nodes, and the
factory returns the config. ``+experiment=rf`` on the command line selects ``rf`` below;
``package="_global_"`` puts the returned dict at the config's root (keys ``model`` and
``split``). The factory's parameters are its knobs: each is overridden where it is used, so
``model.n_estimators=10`` gives exactly the config that ``rf(n_estimators=10)`` gives.
"""

from __future__ import annotations

from typing import Any

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from timesplit import TimeSplit

from lazycfg import factory, store


@store(group="experiment", package="_global_")
@factory
def rf(n_estimators: int = 200, cutoff: str = "2022-01-01") -> dict[str, Any]:
    """A random forest on the time-based split of the bundled dataset."""
    return {
        "model": RandomForestClassifier(n_estimators=n_estimators, random_state=666),
        "split": TimeSplit(cutoff=cutoff),
    }


@store(group="experiment", package="_global_")
@factory
def lr(C: float = 10.0, cutoff: str = "2022-01-01") -> dict[str, Any]:
    """A logistic regression, the founding essay's first model, on the same split."""
    return {
        "model": LogisticRegression(C=C, random_state=666),
        "split": TimeSplit(cutoff=cutoff),
    }
