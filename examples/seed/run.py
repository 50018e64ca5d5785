"""Run the essay's experiments from their factories: ``python examples/seed/run.py``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_data import make_csv  # noqa: E402
from seed_experiments import lr, rf  # noqa: E402

from lazycfg import instantiate, to_yaml  # noqa: E402


def main() -> None:
    csv = str(make_csv(Path(tempfile.mkdtemp()) / "dataset.csv"))
    for experiment in (lr(path=csv), rf(n_estimators=50, path=csv)):
        print(to_yaml(experiment))
        print("test accuracy:", instantiate(experiment).run())


if __name__ == "__main__":
    main()
