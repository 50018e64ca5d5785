"""Bad input: a clear file:line:column error, exit status 2, nothing written, nothing run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fixtures.migrate import write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg.cli import main
from lazycfg.migrate import migrate

CASES = {
    "malformed": ({"c.yaml": "a: [1, 2\nb: 3\n"}, "c.yaml:2:2: malformed YAML"),
    "unknown tag": ({"c.yaml": "a: 1\nb: !Eval 1+1\n"}, "c.yaml:2:4: unknown tag '!Eval'"),
    "python tag": (
        {"c.yaml": "x: !!python/object/apply:os.system ['touch pwned']\n"},
        "c.yaml:1:4: unknown tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    "duplicate key": ({"c.yaml": "a: 1\nb: 2\na: 3\n"}, "c.yaml:3:1: duplicate key 'a'"),
    "include cycle": (
        {"a.yaml": "x: !Include b.yaml\n", "b.yaml": "y: !Include a.yaml\n"},
        "b.yaml:1:4: include cycle",
    ),
    "missing include": ({"a.yaml": "x:\n  y: !Include nope.yaml\n"}, "a.yaml:2:6: included file"),
    "bad !Load": ({"a.yaml": "m: !Load {params: {}}\n"}, "a.yaml:1:4: !Load needs"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_2_and_writes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files, expected = CASES[case]
    tree = write_tree(tmp_path / "conf", files)
    out = tmp_path / "out"
    assert main(["migrate", str(tree), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "nothing written" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conf"]  # no temp dir left either
    assert not Path("pwned").exists()


def test_an_existing_destination_survives_bad_input(tmp_path: Path) -> None:
    good = write_tree(tmp_path / "good", {"c.yaml": "a: 1\n"})
    migrate(good, tmp_path / "out", check=False)
    before = (tmp_path / "out" / "__init__.py").read_text()
    bad = write_tree(tmp_path / "bad", {"c.yaml": "a: 1\na: 2\n"})
    assert main(["migrate", str(bad), "-o", str(tmp_path / "out")]) == 2
    assert (tmp_path / "out" / "__init__.py").read_text() == before


def test_no_import_imports_no_target(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "conf",
        {"c.yaml": "m:\n  _target_: migrate_never_imported.Thing\n  x: 1\n"},
    )
    (tmp_path / "migrate_never_imported.py").write_text("raise SystemExit('imported!')\n")
    sys.path.insert(0, str(tmp_path))
    try:
        result = migrate(tree, tmp_path / "out", imports=False)
    finally:
        sys.path.remove(str(tmp_path))
    assert result.ok, result.report()
    assert "migrate_never_imported" not in sys.modules
    assert [k.target for _, k in result.kept] == ["migrate_never_imported.Thing"]


# --- property: small generated Hydra trees convert and compose equal ---------------------------

keys = st.sampled_from(["a", "b", "lr", "name", "size", "x_1"])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0.5, 1e-3, "s", "${a}", "???", "yes", "2022-01-01"]),
)
values = st.recursive(
    scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=2),
        st.dictionaries(keys, kids, max_size=2),
        st.builds(lambda s: {"_target_": "fixtures.migrate.Layer", "size": s}, st.integers(0, 9)),
    ),
    max_leaves=6,
)
bodies = st.dictionaries(keys, values, max_size=3)


def _yaml(body: dict[str, object]) -> str:
    import yaml

    return yaml.safe_dump(body, sort_keys=False) if body else ""


@settings(max_examples=6)
@given(
    primary=bodies,
    options=st.dictionaries(st.sampled_from(["one", "two"]), bodies, min_size=1),
    package=st.sampled_from([None, "_global_", "_group_"]),
)
def test_property_generated_trees_convert_and_compose_equal(
    primary: dict[str, object], options: dict[str, dict[str, object]], package: str | None
) -> None:
    import tempfile

    first = sorted(options)[0]
    files = {"config.yaml": f"defaults:\n  - grp: {first}\n  - _self_\n" + _yaml(primary)}
    for name, body in options.items():
        header = f"# @package {package}\n" if package else ""
        files[f"grp/{name}.yaml"] = header + _yaml(body)
    with tempfile.TemporaryDirectory() as tmp:
        tree = write_tree(Path(tmp) / "conf", files)
        overrides = [[f"grp={name}"] for name in options]
        result = migrate(tree, Path(tmp) / "out", overrides=overrides)
        assert result.ok, result.report()


def test_a_rejected_call_points_at_its_yaml_line(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "conf",
        {
            "c.yaml": "m:\n  _target_: fixtures.migrate.Layer\n  size: 1\n"
            "n: !Load\n  cls: fixtures.migrate.Layer\n  params: {size: x}\n",
            "part.yaml": "deep:\n  k: !Load {cls: fixtures.migrate.Layer, params: {size: y}}\n",
            "top.yaml": "a: 1\ninc: !Include part.yaml\n",
        },
    )
    report = migrate(tree, tmp_path / "out", check=False).report()
    assert f"{tree / 'c.yaml'}:4: c: n: fixtures.migrate.Layer: size: expected int" in report
    included = f"{tree / 'part.yaml'}:2: top: inc.deep.k: fixtures.migrate.Layer:"
    assert included in report, report
    assert "lazycfg/" not in report and "codegen.py" not in report
