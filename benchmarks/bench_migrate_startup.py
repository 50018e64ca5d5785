"""Start-up of a converted tree: import the package and compose one config, against the YAML.

A tree of 200 YAML files (one primary choosing an option in each of 20 groups) is converted
with ``--no-import``. Each case runs in a fresh process, the cases taking turns; the time is
measured inside the process from after ``import hydra`` (which both sides need) to the composed
config, so Python's own start-up is left out:

Bytecode is written and reused as for an installed project (``PYTHONPYCACHEPREFIX``).

- the YAML tree: ``initialize_config_dir`` + ``compose``;
- the converted package: ``import`` it (lazycfg included) + ``initialize`` + ``compose``, with
  the rewrite cache warm (`lazycfg.factory.rewrite_cache`), cold (an empty cache directory: the first
  start after converting or upgrading), and as converted before the start-up work (no cache,
  every ``store`` building its node at import: ``defer=False`` in the package).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import Table

FILES, GROUPS, REPEAT = 200, 20, 7
_PYCACHE = Path(tempfile.gettempdir()) / "lazycfg-bench-pycache"

_CHILD = """
import sys, time
import hydra
from hydra import compose, initialize, initialize_config_dir
start = time.perf_counter()
if sys.argv[1] == "yaml":
    with initialize_config_dir(config_dir=sys.argv[2], version_base="1.3"):
        compose("config")
else:
    sys.path.insert(0, sys.argv[2])
    import out
    with initialize(config_path=None, version_base="1.3"):
        compose("config")
print(time.perf_counter() - start)
"""


def _tree(root: Path) -> None:
    import bench_migrate

    saved = bench_migrate.FILES, bench_migrate.GROUPS
    bench_migrate.FILES, bench_migrate.GROUPS = FILES, GROUPS
    try:
        bench_migrate.make_tree(root)
    finally:
        bench_migrate.FILES, bench_migrate.GROUPS = saved


def _once(mode: str, where: Path, cache: str) -> float:
    # Bytecode as an installed project has it (kept under a prefix, so no tree gets one).
    env = {**os.environ, "LAZYCFG_CACHE_DIR": cache, "PYTHONPYCACHEPREFIX": str(_PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(where)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return float(done.stdout.strip().splitlines()[-1])


def run() -> list[Table]:
    from lazycfg.migrate import migrate

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        _tree(base / "conf")
        migrate(base / "conf", base / "after" / "out", check=False, imports=False)
        migrate(base / "conf", base / "before" / "out", check=False, imports=False)
        for module in (base / "before" / "out").glob("*.py"):
            module.write_text(module.read_text().replace("defer=True", "defer=False"))
        warm = str(base / "cache")
        _once("py", base / "after", warm)  # fills the rewrite cache and the bytecode
        _once("py", base / "before", "off")
        _once("yaml", base / "conf", "off")
        cases = {
            "YAML tree: initialize + compose": lambda: _once("yaml", base / "conf", "off"),
            "converted: import + initialize + compose (cache warm)": lambda: _once(
                "py", base / "after", warm
            ),
            "converted, first start (cache cold)": lambda: _once(
                "py", base / "after", tempfile.mkdtemp(dir=base)
            ),
            "converted, before (no cache, nodes built at import)": lambda: _once(
                "py", base / "before", "off"
            ),
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(REPEAT):
            for name, fn in cases.items():
                samples[name].append(fn())
        table = Table(
            f"start a converted tree of {FILES} files: import + compose one config",
            anchor="YAML tree: initialize + compose",
            note="Fresh process per sample, time taken from after `import hydra`.",
        )
        for name, times in samples.items():
            table.add(name, statistics.median(times))
    return [table]
