"""Convert a YAML config tree into Python factories, checked equal: a thin wrapper.

    python migration/convert.py SRC DST [--override "model=logreg"] [--no-import]

is the same as ``lazycfg migrate SRC -o DST ...``.
"""

from __future__ import annotations

import sys

from lazycfg.cli import main

if __name__ == "__main__":
    argv = sys.argv[1:]
    if len(argv) >= 2 and not argv[1].startswith("-"):
        argv = [argv[0], "-o", *argv[1:]]
    sys.exit(main(["migrate", *argv]))
