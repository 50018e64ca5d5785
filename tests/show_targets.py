"""Configs for `lazycfg show` / `diff` tests: factories (called by show) and a plain function
(never called by show: `wipe` would leave a marker file)."""

from __future__ import annotations

from pathlib import Path

from track_targets import Boosting, Data, Experiment, Forest, Layer, Net

from lazycfg import factory

WIPED = "show-wiped"  # the marker `wipe` writes in the current directory


@factory
def make_experiment(n_estimators: int = 300) -> Experiment:
    return Experiment(
        model=Forest(n_estimators=n_estimators, max_depth=4), data=Data(path="data.csv"), seed=1
    )


@factory
def make_boosted() -> Experiment:
    return Experiment(model=Boosting(n_estimators=50), data=Data(path="data.csv"), seed=2)


@factory
def make_shared() -> Net:
    layer = Layer(size=64)
    return Net(layers=[layer, Layer(size=32, activation="tanh"), layer])


experiment = make_experiment()


def wipe() -> dict[str, int]:
    """A plain function with a side effect: `lazycfg show show_targets:wipe` must not run it."""
    Path(WIPED).write_text("wiped\n")
    return {"wiped": 1}
