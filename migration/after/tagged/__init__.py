"""The primary configs, converted from *.yaml by `lazycfg migrate`."""

from sklearn.ensemble import RandomForestClassifier

from lazycfg import factory, store

from . import data  # noqa: F401 (importing registers every group)


@factory
def experiment():
    return {
        "model": RandomForestClassifier(n_estimators=3000, random_state=666),
        "data": {
            "train": {
                "path": "dataset.csv",
                "end_date": "2022-01-01",  # exclusive
            }
        },
    }


store(experiment, name="experiment")
