"""Log a lazy sklearn config to a real tracker: every argument, defaults included.

    python examples/tracking/log_run.py --n-estimators 20
    python examples/tracking/log_run.py --tracker wandb     # W&B in offline mode

MLflow uses a local SQLite store (``sqlite:///mlruns.db``; MLflow 3 refuses the old ``./mlruns``
file store unless ``MLFLOW_ALLOW_FILE_STORE=true``). Each run gets the flattened full config as
params (``model.n_estimators``, ``model.criterion``, ...), the config fingerprint as its name and
a tag, the score as a metric, and the typed flat config as a JSON artifact (params are strings).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

from lazycfg import fingerprint, flatten, instantiate, lazy


def experiment(n_estimators: int = 20, max_depth: int | None = 3) -> dict[str, Any]:
    """The config: a lazy call and a plain setting; nothing is built until `instantiate`."""
    model = lazy(RandomForestClassifier)(
        n_estimators=n_estimators, max_depth=max_depth, random_state=0
    )
    return {"model": model, "folds": 3}


def score(config: dict[str, Any]) -> float:
    built = instantiate(config)
    features, labels = load_iris(return_X_y=True)  # ships with scikit-learn: no download
    return float(cross_val_score(built["model"], features, labels, cv=built["folds"]).mean())


def log_to_mlflow(
    config: Any, metrics: dict[str, float], *, tracking_uri: str, experiment_name: str
) -> str:
    """Log ``config`` (flat, full signature) and ``metrics`` as one MLflow run; its id."""
    import mlflow

    flat = flatten(config, full=True)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run(run_name=fingerprint(config)) as run:
        mlflow.log_params(flat)
        mlflow.set_tag("lazycfg.fingerprint", fingerprint(config))
        mlflow.log_metrics(metrics)
        mlflow.log_dict(flat, "lazycfg.json")  # typed values, for lazycfg.unflatten / diff
        return str(run.info.run_id)


def log_to_wandb(config: Any, metrics: dict[str, float], *, directory: str, project: str) -> str:
    """Log ``config`` and ``metrics`` as one W&B run in offline mode; its local run dir."""
    import wandb

    os.environ.setdefault("WANDB_MODE", "offline")
    os.environ.setdefault("WANDB_SILENT", "true")
    run = wandb.init(
        project=project,
        dir=directory,
        name=fingerprint(config),
        config=flatten(config, full=True),
        tags=[f"lazycfg-{fingerprint(config)}"],
    )
    run.log(metrics)
    run.finish()
    return str(Path(run.dir).parent)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Log a lazy sklearn config to MLflow or W&B.")
    parser.add_argument("--n-estimators", type=int, default=20)
    parser.add_argument("--max-depth", type=int, default=3)
    parser.add_argument("--tracker", choices=["mlflow", "wandb"], default="mlflow")
    parser.add_argument("--tracking-uri", default="sqlite:///mlruns.db")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="W&B offline run dir")
    args = parser.parse_args(argv)
    config = experiment(args.n_estimators, args.max_depth)
    metrics = {"accuracy": score(config)}
    if args.tracker == "mlflow":
        run = log_to_mlflow(
            config, metrics, tracking_uri=args.tracking_uri, experiment_name="lazycfg-demo"
        )
    else:
        run = log_to_wandb(config, metrics, directory=args.dir, project="lazycfg-demo")
    print(json.dumps({"run": run, "fingerprint": fingerprint(config), **metrics}))


if __name__ == "__main__":
    main()
