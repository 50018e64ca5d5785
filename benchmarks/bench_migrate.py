"""Migration speed: convert and check a generated Hydra tree of 1,000 YAML files.

The tree: one primary config choosing an option in each of 40 groups, 999 group options of a
dozen keys each (a nested ``_target_`` node, lists, interpolations). ``--no-import`` mode, so
the figures measure the migrator and Hydra, not target imports.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _timing import Table

GROUPS, FILES = 40, 1000


def make_tree(root: Path) -> None:
    per_group = (FILES - 1) // GROUPS + 1
    made = 1
    defaults = []
    for g in range(GROUPS):
        defaults.append(f"  - group{g}: opt0")
        (root / f"group{g}").mkdir(parents=True)
        for o in range(per_group):
            if made >= FILES:
                break
            made += 1
            (root / f"group{g}" / f"opt{o}.yaml").write_text(
                f"# option {o} of group {g}\n"
                f"name: g{g}o{o}\nsize: {o}\nrate: {o / 10}\ntags: [a, b, '${{name}}']\n"
                "model:\n  _target_: pkg.models.Net  # not importable here\n"
                f"  hidden: {o * 8}\n  layers: [1, 2, 3]\n  optimizer:\n"
                "    _target_: torch.optim.SGD\n    _partial_: true\n    lr: 0.1\n"
                "extra:\n  a: 1\n  b: null\n  c: '???'\n"
            )
    (root / "config.yaml").write_text(
        "defaults:\n" + "\n".join(defaults) + "\n  - _self_\nseed: 1\n"
    )
    assert len(list(root.rglob("*.yaml"))) == FILES


def _medians(cases: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds per case, the cases taking turns so each sees the same machine load."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def run() -> list[Table]:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from lazycfg.migrate import migrate
    from lazycfg.migrate.readers import read_tree
    from lazycfg.migrate.verify import verify

    overrides = [["group0=opt1"], ["group1=opt2", "seed=3"]]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "conf"
        make_tree(root)
        table = Table(
            f"migrate a tree of {FILES} YAML files ({GROUPS} groups), --no-import",
            anchor="convert + check",
            note=(
                "The check reads all 1,000 configs on each side (package, defaults list, body: "
                "the YAML through Hydra's config repository, the converted ones from their "
                "ConfigStore nodes) and composes the primary config with no overrides and with "
                "2 override sets, per side, `return_hydra_config=True`; one Hydra session per "
                "side, the YAML side in a forked process by default. 'one Hydra compose' is a "
                "single compose of the original primary (40 groups) for scale."
            ),
        )

        def convert() -> None:
            migrate(root, Path(tmp) / "out", check=False, imports=False)

        def convert_check() -> None:
            result = migrate(root, Path(tmp) / "out", imports=False, overrides=overrides)
            assert result.ok, result.report()

        sources = read_tree(root)
        package = Path(tmp) / "out"

        def check(parallel: bool) -> None:
            result = verify(sources, root, package, overrides, parallel=parallel)
            assert not result.failed

        def one_compose() -> None:
            GlobalHydra.instance().clear()
            with initialize_config_dir(config_dir=str(root), version_base="1.3"):
                compose("config", return_hydra_config=True)

        cases: dict[str, Callable[[], object]] = {
            "convert + check": convert_check,
            "convert only (read, generate, ruff format, publish)": convert,
            "check only, sides in two processes (default)": lambda: check(True),
            "check only, both sides in this process": lambda: check(False),
            "one Hydra compose of the original primary": one_compose,
        }
        for name, seconds in _medians(cases, 3).items():
            table.add(name, seconds)
    return [table]
