"""Mistakes in calling task functions, one per line, each marked `# type: ignore`."""

from __future__ import annotations

from lazycfg.app import main, task


class Model:
    def __init__(self, width: int = 8) -> None:
        self.width = width


@task
def train(model: Model, seed: int = 0) -> float:
    return 0.0


@main(version_base="1.3", config_path=None, config_name="train")
def app(model: Model, epochs: int = 1) -> int:
    return epochs


misspelled = train(Model(), sed=1)  # type: ignore
wrong_type = train(Model(), seed="one")  # type: ignore
wrong_object = train(model="wide")  # type: ignore
wrong_result: str = train(Model())  # type: ignore
app_task_typo = app.task(Model(), epoch=3)  # type: ignore
app_takes_no_arguments = app(Model())  # type: ignore
