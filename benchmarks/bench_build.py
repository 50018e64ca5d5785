"""Cost of defining a validated 5-argument config node, and of importing each library.

Every row defines the same thing: a deferred call of ``Target(a=1, b=2.0, c="x", d=True,
e=[1, 2])``, where ``Target`` has five annotated parameters. Construction is not timed (except in
the "direct construction" row, the floor). Not measured: chz, which has no deferred-call object
(its classes are built at once; ``Blueprint`` resolves command-line arguments), and detectron2's
``LazyCall``, which is not published on PyPI on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from _timing import Table, median_time, python_import_time


class Target:
    """Five annotated parameters, as in a typical model or data module."""

    def __init__(self, a: int, b: float, c: str, d: bool = False, e: list[int] | None = None):
        self.a, self.b, self.c, self.d, self.e = a, b, c, d, e


def _cases() -> dict[str, Callable[[], object]]:
    from lazycfg import lazy

    cases: dict[str, Callable[[], object]] = {
        "direct construction Target(...)": lambda: Target(a=1, b=2.0, c="x", d=True, e=[1, 2]),
        "lazycfg lazy(Target)(...)": lambda: lazy(Target)(a=1, b=2.0, c="x", d=True, e=[1, 2]),
    }
    lazy_target = lazy(Target)
    cases["lazycfg, lazy(Target) made once"] = lambda: lazy_target(
        a=1, b=2.0, c="x", d=True, e=[1, 2]
    )
    try:
        from hydra_zen import builds

        cases["hydra-zen builds(Target, ...)"] = lambda: builds(
            Target, a=1, b=2.0, c="x", d=True, e=[1, 2]
        )
    except ImportError:
        pass
    try:
        import fiddle as fdl

        cases["Fiddle fdl.Config(Target, ...)"] = lambda: fdl.Config(
            Target, a=1, b=2.0, c="x", d=True, e=[1, 2]
        )
    except ImportError:
        pass
    try:
        import confingy

        cases["confingy lazy(Target)(...)"] = lambda: confingy.lazy(Target)(
            a=1, b=2.0, c="x", d=True, e=[1, 2]
        )
    except ImportError:
        pass
    return cases


def build_table() -> Table:
    table = Table(
        "Defining a validated 5-argument node (per node)",
        anchor="hydra-zen builds(Target, ...)",
        note=(
            "lazycfg checks keyword names, required arguments and every value's type against "
            "the annotations; Fiddle checks names only; hydra-zen builds a dataclass type per "
            "call; confingy validates with a pydantic model. chz (no deferred call) and "
            "detectron2's LazyCall (not on PyPI) are not measured."
        ),
    )
    for label, fn in _cases().items():
        table.add(label, median_time(fn, repeat=5, budget=0.15))
    return table


def import_table() -> Table:
    table = Table(
        "Import time (python -c 'import X', minus a bare interpreter)",
        anchor="import hydra",
    )
    for module in ["lazycfg", "hydra", "omegaconf", "hydra_zen", "fiddle"]:
        table.add(f"import {module}", python_import_time(module, repeat=5))
    return table


def run() -> list[Table]:
    return [build_table(), import_table()]
