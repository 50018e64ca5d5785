"""Near-identical configs are written as a call of a shared base with what differs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg.migrate import migrate

LAZYCFG = str(Path(sys.executable).parent / "lazycfg")

ROW = """
# ablation row {i}: the baseline with {what}
model:
  _target_: fixtures.migrate.Mlp
  hidden: {hidden}
  dropout: 0.1  # kept small
  layers: [64, 64, 32]
optimizer:
  name: adam
  lr: {lr}
  betas: [0.9, 0.999]
  weight_decay: 0.0
scheduler:
  name: cosine
  warmup_steps: 500
  min_lr: 1.0e-06
data:
  batch_size: 128
  shuffle: true
  workers: 4
  augment:
    flip: true
    crop: 32
trainer:
  epochs: 20
  precision: 32
  seed: {seed}
{extra}"""

ROWS = {
    "base": dict(hidden=128, lr=0.001, seed=1, extra="", what="nothing changed"),
    "wide": dict(hidden=512, lr=0.001, seed=1, extra="", what="a wide model"),
    "fast": dict(hidden=128, lr=0.01, seed=1, extra="", what="a high rate"),
    "seed2": dict(hidden=128, lr=0.001, seed=2, extra="", what="another seed"),
    "long": dict(hidden=128, lr=0.001, seed=1, extra="notes: longer run\n", what="a note"),
    "wide_fast": dict(hidden=512, lr=0.01, seed=3, extra="", what="both"),
}


def write_rows(root: Path) -> Path:
    (root / "ablation").mkdir(parents=True)
    for name, row in ROWS.items():
        text = textwrap.dedent(ROW).lstrip().format(i=name, **row)
        (root / "ablation" / f"{name}.yaml").write_text(text)
    (root / "config.yaml").write_text("defaults:\n  - ablation: base\n  - _self_\nrun: 1\n")
    return root


def test_ablation_rows_are_calls_of_the_base_in_half_the_lines(tmp_path: Path) -> None:
    tree = write_rows(tmp_path / "conf")
    overrides = [[f"ablation={name}"] for name in ROWS]
    result = migrate(tree, tmp_path / "out", overrides=overrides)
    assert result.ok, result.report()
    assert f"Check: {len(ROWS) + 1 + 1 + len(ROWS)} of" in result.report()
    source = (tmp_path / "out" / "ablation.py").read_text()
    yaml_lines = sum(len(p.read_text().splitlines()) for p in (tree / "ablation").iterdir())
    assert len(source.splitlines()) * 2 <= yaml_lines, source
    assert "\nwide = base()\n" in source
    assert 'wide["model"] = replace(wide["model"], hidden=512)' in source
    assert 'long = {**base(), "notes": "longer run"}' in source
    assert source.count("= base()") + source.count("**base()") == len(ROWS) - 1


def test_a_derived_row_keeps_its_own_comment_or_is_written_out(tmp_path: Path) -> None:
    tree = write_rows(tmp_path / "conf")
    path = tree / "ablation" / "fast.yaml"
    path.write_text(path.read_text().replace("  workers: 4", "  workers: 4  # fewer on laptops"))
    migrate(tree, tmp_path / "out", check=False)
    source = (tmp_path / "out" / "ablation.py").read_text()
    assert "# fewer on laptops" in source
    assert "# ablation row fast: the baseline with a high rate" in source


def test_the_cli_checks_derived_rows_equal(tmp_path: Path) -> None:
    write_rows(tmp_path / "conf")
    done = subprocess.run(
        [LAZYCFG, "migrate", "conf", "-o", "out", "--no-import", "--override", "ablation=wide"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


scalars = st.one_of(
    st.integers(-3, 3), st.booleans(), st.none(), st.sampled_from(["a", "b", "${x}", "???"])
)
keys = st.sampled_from(["k1", "k2", "k3", "k4", "k5", "k6"])
bodies = st.dictionaries(
    keys, st.one_of(scalars, st.dictionaries(keys, scalars, max_size=3)), min_size=5, max_size=6
)


@settings(max_examples=8, deadline=None)
@given(base=bodies, edits=st.lists(st.tuples(keys, keys, st.one_of(scalars, st.just("DEL")))))
def test_derived_rows_of_any_shape_check_equal(
    tmp_path_factory: pytest.TempPathFactory, base: dict, edits: list
) -> None:
    import copy

    import yaml

    tmp = tmp_path_factory.mktemp("rows")
    rows = {"r0": base}
    for i, (top, inner, value) in enumerate(edits[:4], start=1):
        row = copy.deepcopy(base)
        if value == "DEL":
            row.pop(top, None)
        elif isinstance(row.get(top), dict):
            row[top][inner] = value
        else:
            row[top] = value
        rows[f"r{i}"] = row
    (tmp / "conf" / "rows").mkdir(parents=True)
    for name, row in rows.items():
        (tmp / "conf" / "rows" / f"{name}.yaml").write_text(yaml.safe_dump(row))
    (tmp / "conf" / "config.yaml").write_text("defaults:\n  - rows: r0\n  - _self_\nx: 1\n")
    result = migrate(tmp / "conf", tmp / "out", overrides=[[f"rows={n}"] for n in rows])
    assert result.ok, result.report()
