"""Migration speed: convert and check a generated Hydra tree of 1,000 YAML files.

The tree: one primary config choosing an option in each of 40 groups, 999 group options of a
dozen keys each (a nested ``_target_`` node, lists, interpolations). ``--no-import`` mode, so
the figures measure the migrator and Hydra, not target imports.
"""

from __future__ import annotations

import statistics
import tempfile
import time
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


def _median(fn: object, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run() -> list[Table]:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from lazycfg.migrate import migrate

    overrides = [["group0=opt1"], ["group1=opt2", "seed=3"]]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "conf"
        make_tree(root)
        table = Table(
            f"migrate a tree of {FILES} YAML files ({GROUPS} groups), --no-import",
            anchor="convert + check",
            note=(
                "The check loads all 1,000 configs through Hydra's config repository on each "
                "side (package, defaults list, body) and composes the primary config with no "
                "overrides and with 2 override sets, per side, `return_hydra_config=True`: one "
                "Hydra session per side, in process. 'one Hydra compose' is a single compose of "
                "the original primary (40 groups) for scale."
            ),
        )

        def convert() -> None:
            migrate(root, Path(tmp) / "out", check=False, imports=False)

        def convert_check() -> None:
            result = migrate(root, Path(tmp) / "out", imports=False, overrides=overrides)
            assert result.ok, result.report()

        def one_compose() -> None:
            GlobalHydra.instance().clear()
            with initialize_config_dir(config_dir=str(root), version_base="1.3"):
                compose("config", return_hydra_config=True)

        table.add("convert + check", _median(convert_check, 3))
        table.add("convert only (read, generate, ruff format, publish)", _median(convert, 3))
        table.add("one Hydra compose of the original primary", _median(one_compose, 5))
    return [table]
