"""The config group 'data', converted from data/*.yaml by `lazycfg migrate`."""

from lazycfg import factory, store


@factory
def train_config():
    return {
        "path": "dataset.csv",
        "end_date": "2022-01-01",  # exclusive
    }


store(train_config, name="train_config", group="data")
