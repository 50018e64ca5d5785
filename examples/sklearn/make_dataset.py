"""Write the example's dataset.csv: 400 daily rows (April 2021 to May 2022) of four features and a binary label.

Deterministic (a seeded ``random.Random``, no numpy), so the committed file can be regenerated
byte for byte: ``python examples/sklearn/make_dataset.py``. The label depends on the features
through a fixed linear rule plus noise, and drifts slightly from 2022 on, so that a time-based split
is meaningfully harder than a random one.
"""

from __future__ import annotations

import csv
import datetime
import math
import random
from pathlib import Path

ROWS = 400
START = datetime.date(2021, 4, 1)
WEIGHTS = (1.5, -2.0, 0.75, 0.0)  # the last feature is pure noise


def rows(seed: int = 666) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for i in range(ROWS):
        day = START + datetime.timedelta(days=i)
        features = [round(rng.gauss(0.0, 1.0), 4) for _ in WEIGHTS]
        drift = 0.5 if day.year >= 2022 else 0.0
        logit = sum(w * x for w, x in zip(WEIGHTS, features, strict=True)) + drift
        label = int(rng.random() < 1.0 / (1.0 + math.exp(-logit)))
        out.append(
            {
                "timestamp": day.isoformat(),
                **{f"f{j}": x for j, x in enumerate(features)},
                "label": label,
            }
        )
    return out


def main() -> None:
    path = Path(__file__).with_name("dataset.csv")
    data = rows()
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    print(f"wrote {len(data)} rows to {path}")


if __name__ == "__main__":
    main()
