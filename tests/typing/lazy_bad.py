"""Deliberate mistakes, one per line, each marked `# type: ignore`.

pyright runs with reportUnnecessaryTypeIgnoreComment and mypy with --warn-unused-ignores: if a
checker stops flagging one of these mistakes, its ignore becomes unnecessary and the run fails.
"""

from __future__ import annotations

from lazycfg import instantiate, lazy, partial, replace


class Model:
    def __init__(self, n_estimators: int = 100, max_depth: int | None = None) -> None:
        self.n_estimators = n_estimators


class Optimizer:
    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        self.lr = lr


class Pipe:
    def __init__(self, model: Model, steps: int = 1) -> None:
        self.model = model


good = lazy(Pipe)(model=lazy(Model)())

misspelled = lazy(Model)(n_estimatorz=3)  # type: ignore
wrong_type = lazy(Model)(n_estimators="many")  # type: ignore
wrong_node = lazy(Pipe)(model=lazy(Optimizer)(lr=0.1))  # type: ignore
missing = lazy(Optimizer)()  # type: ignore
too_many = lazy(Optimizer)(0.1, 0.9, 3)  # type: ignore
partial_used_as_instance: Optimizer = partial(Optimizer)(lr=0.1)  # type: ignore
as_wrong_type: Optimizer = instantiate(good)  # type: ignore
built_attr = instantiate(good).steps_typo  # type: ignore
replaced_as_wrong: Model = replace(good, steps=2)  # type: ignore
not_callable = lazy(3)  # type: ignore
