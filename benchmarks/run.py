"""Run every benchmark module (``bench_*.py``) and print its tables as markdown.

Usage: ``python benchmarks/run.py [name ...]`` (names without the ``bench_`` prefix).
"""

from __future__ import annotations

import compileall
import importlib
import os
import pathlib
import platform
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(argv: list[str]) -> int:
    # Whole-process rows time lazycfg as installed, bytecode compiled: a machine that sets
    # PYTHONDONTWRITEBYTECODE would otherwise time compiling the source tree at every start.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(HERE.parent / "src" / "lazycfg", quiet=1)
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{platform.processor() or 'cpu'}; medians of repeated runs.\n"
    )
    for name in names:
        module = importlib.import_module(name)
        for table in module.run():
            print(table.markdown(), end="\n\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
