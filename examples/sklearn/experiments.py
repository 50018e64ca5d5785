"""The experiments, in Python: each is a config factory stored in Hydra's ConfigStore.

``+experiment=rf`` on the command line selects ``rf`` below. ``package="_global_"`` merges the
returned dict at the config's root, so its keys are ``model`` and ``split`` and the factory's
parameters (its knobs) are overridden where they are used: ``model.n_estimators=10``.
"""

from __future__ import annotations

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from timesplit import TimeSplit

from lazycfg import lazy, store

store(
    {
        "model": lazy(RandomForestClassifier)(n_estimators=200, random_state=666),
        "split": lazy(TimeSplit)(cutoff="2022-01-01"),
    },
    name="rf",
    group="experiment",
    package="_global_",
)
store(
    {
        "model": lazy(LogisticRegression)(C=10.0, random_state=666),
        "split": lazy(TimeSplit)(cutoff="2022-01-01"),
    },
    name="lr",
    group="experiment",
    package="_global_",
)
