"""The primary configs, converted from *.yaml by `lazycfg migrate`."""

from lazycfg import factory, store

from . import model  # noqa: F401 (importing registers every group)


@factory
def config():
    return {
        "seed": 666,
        "data": {
            "path": "dataset.csv",  # one row per sample
            "cutoff": "2022-01-01",
        },
    }


store(config, name="config", package="_global_", defaults=[{"model": "forest"}, "_self_"])
