"""Emission to plain Hydra configs and reading them back."""

from __future__ import annotations

import pathlib
import re

import fixtures.basic as ft
import hydra.utils
import pytest
from omegaconf import DictConfig, OmegaConf
from sklearn.ensemble import RandomForestClassifier

from lazycfg import (
    ConfigError,
    Lazy,
    from_config,
    instantiate,
    lazy,
    partial,
    to_config,
    to_dict,
    to_yaml,
)


def stable_id(value: object) -> str:
    """A test id without memory addresses (xdist workers must agree on ids)."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))


def test_emitted_config_is_plain_hydra() -> None:
    node = lazy(ft.Pipe)(lazy(ft.Model)(n_estimators=3), partial(ft.Optimizer)(), steps=2)
    assert to_dict(node) == {
        "_target_": "fixtures.basic.Pipe",
        "_args_": [
            {"_target_": "fixtures.basic.Model", "n_estimators": 3},
            {"_target_": "fixtures.basic.Optimizer", "_partial_": True},
        ],
        "steps": 2,
    }
    assert isinstance(to_config(node), DictConfig)
    assert to_yaml(node).startswith("_target_: fixtures.basic.Pipe\n_args_:\n")


def test_sklearn_target_is_the_public_path() -> None:
    assert to_yaml(lazy(RandomForestClassifier)(n_estimators=10)) == (
        "_target_: sklearn.ensemble.RandomForestClassifier\nn_estimators: 10\n"
    )


VALUES = [
    ft.Pair,  # a class
    ft.Outer.Inner,  # a nested class
    ft.add,  # a function
    len,  # a builtin
    dict,  # a builtin class
    RandomForestClassifier,  # a class re-exported by its package
    ft.Color.GREEN,
    ft.Level.HIGH,  # an IntEnum member is not written as a bare int
    pathlib.Path("data/train.csv"),
    [ft.add, (ft.Color.RED, pathlib.Path("x"))],
    {"fn": ft.scale, "n": None},
]


@pytest.mark.parametrize("value", VALUES, ids=stable_id)
def test_values_come_back_as_themselves_through_both_instantiates(value: object) -> None:
    # By keyword: OmegaConf cannot hold the class ``dict`` itself inside a list (``_args_``).
    node = lazy(ft.Pair)(left=value, right=value)
    ours = instantiate(node)
    hydras = hydra.utils.instantiate(to_config(node))
    assert ours == ft.Pair(value, value)
    assert hydras == ours
    assert from_config(to_yaml(node)) == node


def test_values_in_positional_args_and_lists_through_both_instantiates() -> None:
    values = [v for v in VALUES if v is not dict]
    node = lazy(ft.Bag)(*values, inside=[values])
    assert (
        hydra.utils.instantiate(to_config(node))
        == instantiate(node)
        == ft.Bag(*values, inside=[values])
    )


def test_encodings_of_value_leaves() -> None:
    emitted = to_dict(lazy(ft.Pair)(ft.Pair, right=[ft.add, ft.Level.HIGH, pathlib.Path("p")]))
    assert emitted["_args_"] == [
        {"_target_": "hydra.utils.get_class", "path": "fixtures.basic.Pair"}
    ]
    assert emitted["right"] == [
        {"_target_": "hydra.utils.get_method", "path": "fixtures.basic.add"},
        {"_target_": "fixtures.basic.Level", "_args_": [2]},
        {"_target_": "pathlib.Path", "_args_": ["p"]},
    ]


def test_full_emits_every_default() -> None:
    node = lazy(ft.Pipe)(lazy(ft.Model)(n_estimators=3))
    assert to_dict(node, full=True) == {
        "_target_": "fixtures.basic.Pipe",
        "_args_": [{"_target_": "fixtures.basic.Model", "n_estimators": 3, "max_depth": None}],
        "optimizer": None,
        "steps": 1,
    }
    typed = to_dict(lazy(ft.Typed)(), full=True)
    assert typed["color"] == {"_target_": "fixtures.basic.Color", "_args_": ["red"]}
    assert typed["path"] == {"_target_": "pathlib.Path", "_args_": ["."]}
    # Defaults change nothing: the full config builds the same object.
    assert hydra.utils.instantiate(to_config(node, full=True)) == instantiate(node)
    assert from_config(to_dict(node, full=True)) == from_config(to_dict(node, full=True))


def test_full_covers_sklearn_and_the_defaults_of_partials() -> None:
    full = to_dict(lazy(RandomForestClassifier)(n_estimators=3), full=True)
    assert full["n_estimators"] == 3 and full["criterion"] == "gini" and full["max_depth"] is None
    # A partial's defaults are on record too (AdamW's betas and eps); required ones stay out.
    assert to_dict(partial(ft.Optimizer)(), full=True) == {
        "_target_": "fixtures.basic.Optimizer",
        "_partial_": True,
        "momentum": 0.9,
    }


def test_full_skips_defaults_no_config_can_hold() -> None:
    assert to_dict(lazy(ft.with_sentinel_default)(), full=True) == {
        "_target_": "fixtures.basic.with_sentinel_default",
        "numbers": [1, 2],
    }


@pytest.mark.parametrize("kind", ["dict", "DictConfig", "yaml"])
def test_from_config_reads_every_form(kind: str) -> None:
    node = lazy(ft.Pipe)(lazy(ft.Model)(n_estimators=3), optimizer=partial(ft.Optimizer)(lr=0.1))
    source = {"dict": to_dict, "DictConfig": to_config, "yaml": to_yaml}[kind](node)
    back = from_config(source)
    assert back == node
    assert isinstance(back, Lazy) and back._lazy_target is ft.Pipe
    assert back.model._lazy_target is ft.Model


def test_from_config_keeps_interpolations_and_missing_values() -> None:
    cfg = OmegaConf.create(
        {
            "steps": 3,
            "pipe": {"_target_": "fixtures.basic.Pipe", "model": "???", "steps": "${steps}"},
        }
    )
    back = from_config(cfg)
    assert back["pipe"].steps == "${steps}" and back["pipe"].model == "???"


def test_from_config_keeps_hydra_options() -> None:
    cfg = {
        "_target_": "fixtures.basic.Pair",
        "_recursive_": False,
        "_convert_": "all",
        "left": 1,
    }
    assert to_dict(from_config(cfg)) == cfg


def test_from_config_errors_name_full_config_paths() -> None:
    cfg = {
        "model": {
            "_target_": "fixtures.basic.Pipe",
            "model": {"_target_": "fixtures.basic.Modle"},
            "optimizer": {"_target_": "fixtures.basic.Optimizer", "lr": "fast", "momentm": 1},
        }
    }
    with pytest.raises(ConfigError) as info:
        from_config(cfg)
    assert info.value.problems == [
        "model.model: cannot import 'fixtures.basic.Modle': 'fixtures.basic' has no "
        "attribute 'Modle' (did you mean 'Model'?)",
        "model.optimizer.lr: expected float, got str 'fast'",
        "model.optimizer.momentm: unexpected keyword argument (did you mean 'momentum'?)",
    ]


def test_from_config_refuses_python_yaml_tags() -> None:
    text = "model: !!python/object/apply:os.system ['echo owned']\n"
    with pytest.raises(ConfigError, match=r"python tags .* are refused"):
        from_config(text)
    with pytest.raises(ConfigError, match="cannot read YAML at line 1"):
        from_config("a: [")


def test_from_config_without_resolving_targets_imports_nothing() -> None:
    cfg = {"_target_": "not_installed.Thing", "x": {"_target_": "also.Missing", "_args_": [1]}}
    back = from_config(cfg, resolve_targets=False)
    assert back._lazy_target == "not_installed.Thing"
    assert back.x._lazy_args == (1,)
    assert to_dict(back) == cfg
    with pytest.raises(ConfigError, match="_target_ must be a dotted path string"):
        from_config({"_target_": 3}, resolve_targets=False)


def test_unknown_leaf_is_refused_on_emission_with_its_path() -> None:
    raw = Lazy(ft.Pair, (), {"left": [1, object()]})  # bypasses define-time checks
    with pytest.raises(ConfigError, match=r"left\[1\]: object"):
        to_dict(raw)


def test_primitive_subclasses_are_written_plain() -> None:
    class Size(int):
        pass

    assert to_dict(lazy(ft.Pair)(Size(3))) == {"_target_": "fixtures.basic.Pair", "_args_": [3]}
    assert type(to_dict(lazy(ft.Pair)(Size(3)))["_args_"][0]) is int


def test_from_config_checks_hydra_reserved_keys_like_hydra() -> None:
    cfg = {
        "a": {"_target_": "fixtures.basic.Pair", "_args_": 3},
        "b": {"_target_": "fixtures.basic.Pair", "left": 1, "_partial_": "yes"},
        "c": {"_target_": "fixtures.basic.Pair", "left": 1, "_recursive_": "no"},
        "d": {"_target_": "fixtures.basic.Pair", "left": 1, "_convert_": "some"},
    }
    with pytest.raises(ConfigError) as info:
        from_config(cfg)
    assert info.value.problems == [
        "a._args_: must be a list of positional arguments, got int 3",
        "b._partial_: must be true or false, got str 'yes'",
        "c._recursive_: must be true or false, got str 'no'",
        "d._convert_: must be one of none, partial, object, all; got 'some'",
    ]


def test_from_config_accepts_hydra_option_spellings() -> None:
    cfg = {"_target_": "fixtures.basic.Pair", "_args_": [1], "_convert_": "ALL"}
    node = from_config(cfg)
    assert node.left == 1
    assert instantiate(node) == ft.Pair(1)
    assert from_config(OmegaConf.create({**cfg, "_partial_": True}))._lazy_partial


def test_from_config_problems_are_records_at_full_paths() -> None:
    point = {"_target_": "fixtures.basic.AttrsPoint", "x": 1}
    cfg = {
        "a": {"_target_": "fixtures.basic.Pair", "_args_": 3},
        "m": {"_target_": "fixtures.basic.Optimizer", "lr": "fast", "momentm": 1},
        "p": {"_target_": "fixtures.basic.Pipe", "_args_": [None, None, 1, 2]},
        "h": {"_target_": "fixtures.basic.Holder", "named": {"a": point}},
        "x": {"_target_": "fixtures.basic.Nope"},
    }
    with pytest.raises(ConfigError) as info:
        from_config(cfg)
    records = info.value.records
    assert [(r.path, r.kind, r.argument) for r in records] == [
        ("a._args_", "args", None),
        ("m.lr", "type", "lr"),
        ("m.momentm", "unexpected", "momentm"),
        ("p", "positional", None),
        ("p.model", "type", "model"),
        ("h.named.a", "type", "named"),  # an item inside an argument: its own path
        ("x", "target", None),
    ]
    assert [str(r) for r in records] == info.value.problems
    assert info.value.problems[3] == (
        "p: takes 3 positional arguments (model, optimizer, steps) but 4 were given"
    )
    with pytest.raises(ConfigError) as info:
        from_config(cfg["p"])
    assert info.value.problems[0].startswith("<root>: takes 3 positional arguments")
