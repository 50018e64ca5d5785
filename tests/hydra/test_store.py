"""store(): what lands in Hydra's ConfigStore, and what Hydra composes from it (in process)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from fixtures.store import (
    Database,
    Model,
    doubled,
    linked_twice,
    mandatory_width,
    needs_width,
    small,
)
from hydra import compose, initialize, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from lazycfg import ConfigError, KnobWarning, lazy, store, to_dict


@pytest.fixture(autouse=True)
def clean_hydra() -> Iterator[None]:
    """Each test starts with an empty ConfigStore and no initialized Hydra."""
    saved = copy.copy(ConfigStore.instance().repo)
    GlobalHydra.instance().clear()
    yield
    GlobalHydra.instance().clear()
    ConfigStore.instance().repo = saved


def composed(name: str, overrides: list[str] | None = None, config_dir: Path | None = None) -> Any:
    if config_dir is None:
        with initialize(version_base="1.3", config_path=None):
            cfg = compose(config_name=name, overrides=overrides or [])
    else:
        with initialize_config_dir(version_base="1.3", config_dir=str(config_dir)):
            cfg = compose(config_name=name, overrides=overrides or [])
    return OmegaConf.to_container(cfg, resolve=True)


def test_lazy_node_is_stored_as_plain_hydra_and_returned_unchanged() -> None:
    node = lazy(Model)(width=3)
    assert store(node, name="m", group="model") is node
    entry = ConfigStore.instance().repo["model"]["m.yaml"]
    assert entry.provider == "lazycfg"
    assert OmegaConf.to_container(entry.node) == {"_target_": "fixtures.store.Model", "width": 3}


def test_python_primary_with_defaults_list_and_python_groups() -> None:
    store(lazy(Model)(width=1), name="tiny", group="model")
    store(lazy(Model)(width=64), name="wide", group="model")
    store(lazy(Database)(), name="local", group="db")
    store(lazy(Database)(host="backup"), name="remote", group="db")
    store(
        {"seed": 0},
        name="app",
        defaults=["_self_", {"model": "tiny"}, {"db@backup": "remote"}, {"optional cache": "x"}],
    )
    cfg = composed("app")
    assert cfg == {
        "seed": 0,
        "model": {"_target_": "fixtures.store.Model", "width": 1},
        "backup": {"_target_": "fixtures.store.Database", "host": "backup"},
    }
    assert composed("app", ["model=wide"])["model"]["width"] == 64


def test_decorator_forms_store_a_factory_under_its_name() -> None:
    assert store(small) is small  # plain call
    assert store(group="exp")(small) is small  # decorator with arguments
    repo = ConfigStore.instance().repo
    assert "small.yaml" in repo and "small.yaml" in repo["exp"]
    expected = to_dict(small())
    assert OmegaConf.to_container(repo["small.yaml"].node) == expected


def test_global_experiment_knob_override_equals_calling_the_factory() -> None:
    store(small, group="experiment", package="_global_")
    store({"seed": 1}, name="main")
    cfg = composed("main", ["+experiment=small", "model.width=7"])
    assert cfg == {"seed": 1, **to_dict(small(width=7))}


def test_experiment_overrides_a_group_choice_from_python() -> None:
    store(lazy(Model)(width=1), name="tiny", group="model")
    store(lazy(Model)(width=64), name="wide", group="model")
    store({}, name="main", defaults=["_self_", {"model": "tiny"}])
    store(
        {"lr": 0.5},
        name="big",
        group="experiment",
        package="_global_",
        defaults=[{"override /model": "wide"}],
    )
    cfg = composed("main", ["+experiment=big"])
    assert cfg == {"model": {"_target_": "fixtures.store.Model", "width": 64}, "lr": 0.5}


def test_yaml_files_and_python_configs_mix(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "yaml_db.yaml").write_text("_target_: fixtures.store.Database\nport: 1\n")
    (tmp_path / "train.yaml").write_text(
        "defaults:\n  - _self_\n  - model: py_model\n  - db: yaml_db\nepochs: 3\n"
    )
    store(lazy(Model)(depth=5), name="py_model", group="model")
    cfg = composed("train", ["db.port=2", "model.depth=6"], config_dir=tmp_path)
    assert cfg == {
        "epochs": 3,
        "model": {"_target_": "fixtures.store.Model", "depth": 6},
        "db": {"_target_": "fixtures.store.Database", "port": 2},
    }


def test_dictconfig_and_plain_values_are_stored() -> None:
    store(OmegaConf.create({"a": {"b": 1}}), name="dc")
    store({"path": Path("data.csv"), "cls": Model}, name="leaves")
    assert composed("dc") == {"a": {"b": 1}}
    assert composed("leaves") == {
        "path": {"_target_": "pathlib.Path", "_args_": ["data.csv"]},
        "cls": {"_target_": "hydra.utils.get_class", "path": "fixtures.store.Model"},
    }


def test_knob_warning_surfaces_at_registration() -> None:
    with pytest.warns(KnobWarning, match="width"):
        store(doubled, group="experiment")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: store(lazy(Model)()), "needs name="),
        (lambda: store(42, name="x"), "cannot store int"),
        (lambda: store({}, name="a/b"), "without '/'"),
        (lambda: store({}, name="x", defaults="db"), "defaults must be a list"),
        (lambda: store({}, name="x", defaults=[{"db": 3}]), "defaults[0]: 'db' must choose"),
        (lambda: store({}, name="x", defaults=[{"a": "b", "c": "d"}]), "defaults[0]: expected"),
        (lambda: store({}, name="x", defaults=["_self_", "_self_"]), "only once"),
        (lambda: store({"defaults": []}, name="x", defaults=["_self_"]), "given twice"),
    ],
)
def test_bad_registrations_say_what_and_how_to_fix(call: Any, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        call()
    assert message in str(info.value)
    assert ConfigStore.instance().repo.get("x.yaml") is None


def test_every_bad_defaults_item_is_reported_together() -> None:
    with pytest.raises(ConfigError) as info:
        store({}, name="x", defaults=[1, {"db": 2.5}, "_self_"])
    assert [p.split(":")[0] for p in info.value.problems] == ["defaults[0]", "defaults[1]"]


@pytest.mark.parametrize(
    "roundtrip",
    [
        copy.deepcopy,
        lambda x: pickle.loads(pickle.dumps(x)),
        lambda x: cloudpickle.loads(cloudpickle.dumps(x)),
    ],
    ids=["deepcopy", "pickle", "cloudpickle"],
)
def test_stored_configs_survive_what_launchers_do(roundtrip: Any) -> None:
    node = lazy(Model)(width=3)
    store(node, name="m", group="model")
    store(small, group="experiment", package="_global_")
    repo = ConfigStore.instance().repo
    # joblib and submitit ship the whole ConfigStore (Hydra's Singleton state) to workers.
    shipped = roundtrip(repo)
    for group, name in [("model", "m.yaml"), ("experiment", "small.yaml")]:
        assert shipped[group][name].node == repo[group][name].node
        assert shipped[group][name].package == repo[group][name].package
    # ... and the objects store() returned stay what they were.
    assert roundtrip(node) == node
    assert to_dict(roundtrip(small)(width=5)) == to_dict(small(width=5))


values = st.one_of(
    st.integers(-5, 5), st.booleans(), st.text("abc", max_size=3), st.none(), st.floats(0, 1)
)


@settings(max_examples=25)
@given(
    width=st.integers(0, 100),
    act=st.text("abcxyz", min_size=1, max_size=5),
    extra=st.dictionaries(st.text("pqr", min_size=1, max_size=3), values, max_size=3),
)
def test_composing_a_stored_tree_gives_its_emitted_config(
    width: int, act: str, extra: dict[str, Any]
) -> None:
    ConfigStore.instance().repo.pop("prop.yaml", None)
    GlobalHydra.instance().clear()
    tree = {"model": lazy(Model)(width=width, act=act), "extra": extra}
    store(tree, name="prop")
    assert composed("prop") == to_dict(tree)


def test_a_required_factory_parameter_is_refused_at_the_store_call() -> None:
    with pytest.raises(ConfigError) as info:
        store(needs_width, group="g")
    message = str(info.value)
    assert "factory needs_width" in message and "fixtures/store.py:" in message
    assert "parameter 'width' has no default" in message
    assert "width: int = MISSING" in message  # the fixes: a default, Hydra's MISSING, or a call
    assert 'store(needs_width(width=...), name="needs_width", group="g")' in message
    assert "g" not in ConfigStore.instance().repo
    # The suggested call works.
    store(needs_width(width=3), name="needs_width", group="g")
    assert composed("g/needs_width") == {"g": {"model": to_dict(needs_width(width=3))["model"]}}


def test_a_missing_default_is_a_knob_the_command_line_must_give() -> None:
    store(mandatory_width, group="experiment", package="_global_")
    store({"seed": 1}, name="main")
    cfg = composed("main", ["+experiment=mandatory_width", "model.width=7"])
    assert cfg == {"seed": 1, **to_dict(mandatory_width(width=7))}
    assert cfg["db"]["port"] == 7  # the second use follows the first
    with initialize(version_base="1.3", config_path=None):
        unset = compose(config_name="main", overrides=["+experiment=mandatory_width"])
    assert OmegaConf.is_missing(unset.model, "width")


def test_a_second_config_under_the_same_name_is_refused_unless_overwrite() -> None:
    store(lazy(Model)(width=3), name="m", group="model")
    store(lazy(Model)(width=3), name="m", group="model")  # the same config again: fine
    with pytest.raises(ConfigError) as info:
        store(lazy(Model)(width=4), name="m", group="model")
    message = str(info.value)
    assert "model/m is already in Hydra's ConfigStore (stored at " in message
    assert "test_store.py:" in message and "overwrite=True" in message
    assert composed("model/m")["model"]["width"] == 3  # the first one is kept
    store(lazy(Model)(width=4), name="m", group="model", overwrite=True)
    assert composed("model/m")["model"]["width"] == 4


def test_a_factory_decorated_twice_under_one_name_is_refused() -> None:
    store(small, group="experiment", package="_global_")
    with pytest.warns(KnobWarning), pytest.raises(ConfigError, match="experiment/small is"):
        store(group="experiment", name="small", package="_global_")(doubled)


def test_stored_lists_configs_by_group(monkeypatch: pytest.MonkeyPatch) -> None:
    from hydra.core.config_store import ConfigStore

    from lazycfg import stored

    def without_lazycfg(folder: dict[str, Any]) -> dict[str, Any]:
        kept = {k: without_lazycfg(v) if isinstance(v, dict) else v for k, v in folder.items()}
        return {k: v for k, v in kept.items() if getattr(v, "provider", None) != "lazycfg"}

    # Other tests in this worker store configs too: list a store holding Hydra's and these four.
    monkeypatch.setattr(
        ConfigStore.instance(), "repo", without_lazycfg(ConfigStore.instance().repo)
    )
    store(small, group="experiment", package="_global_")
    store(lazy(Model)(), name="wide", group="model")
    store(lazy(Database)(), name="pg", group="db/sql")
    store({"seed": 0}, name="train")
    assert stored() == {
        "": ["train"],
        "db/sql": ["pg"],
        "experiment": ["small"],
        "model": ["wide"],
    }
    assert stored("db") == {"db/sql": ["pg"]}
    assert stored("nothing") == {}
    assert "hydra/launcher" in stored(provider=None)


@pytest.mark.parametrize(
    ("group", "package", "override", "held"),
    [
        ("experiment", "_global_", "db.port=1", None),
        ("experiment", "_global_", "model.act=x", None),
        ("model", None, "model.width=1", None),
    ],
)
def test_prefixes_of_linked_keys_follow_the_package(
    group: str, package: str | None, override: str, held: str | None
) -> None:
    from lazycfg.factory import linked_override_problems, package_prefix

    assert package_prefix("experiment", "_global_") == ""
    assert package_prefix("model", None) == "model"
    assert package_prefix("a/b", "_group_.x") == "a.b.x"
    assert package_prefix(None, None) == ""
    store(linked_twice, group=group, package=package)
    choices = {group: "linked_twice"}
    prefix = package_prefix(group, package)
    key = f"{prefix}.model.depth" if prefix else "model.depth"
    held_key = f"{prefix}.model.width" if prefix else "model.width"
    problems = linked_override_problems([f"{key}=3"], choices, "train")
    assert len(problems) == 1
    assert f"override {held_key} instead" in problems[0]
    assert linked_override_problems([f"{held_key}=3"], choices, "train") == []
    assert linked_override_problems([f"+{key}=3"], {}, "train") == []  # another experiment


def test_knob_paths_do_not_depend_on_the_order_of_uses() -> None:
    from lazycfg.factory import knob_paths

    assert knob_paths(linked_twice) == {"width": "model.width"}


def test_an_entry_replaced_behind_stores_back_is_not_taken_for_the_same_config() -> None:
    from hydra.core.config_store import ConfigStore

    store(lazy(Model)(width=5), name="behind", group="model")
    ConfigStore.instance().store(name="behind", group="model", node={"other": 1})
    with pytest.raises(ConfigError, match="model/behind is already in Hydra's ConfigStore"):
        store(lazy(Model)(width=5), name="behind", group="model")
    ConfigStore.instance().store(name="plain", group="model", node=to_dict(lazy(Model)(width=6)))
    store(lazy(Model)(width=6), name="plain", group="model")  # the same config, stored by Hydra
