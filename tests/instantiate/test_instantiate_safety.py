"""Hostile configs: blocked targets however they are reached, allow-lists, YAML tags."""

from __future__ import annotations

import pytest
import yaml
from fixtures.instantiate import Explodes
from hydra.errors import InstantiationException
from omegaconf import OmegaConf

import lazycfg

HOSTILE = [
    {"_target_": "os.system", "_args_": ["touch /tmp/lazycfg-pwned"]},
    {"_target_": "posix.system", "_args_": ["touch /tmp/lazycfg-pwned"]},
    {"_target_": "os.popen", "cmd": "id"},
    {"_target_": "os.execv", "_args_": ["/bin/sh", []]},
    {"_target_": "subprocess.run", "_args_": [["id"]]},
    {"_target_": "subprocess.Popen", "_args_": [["id"]]},
    {"_target_": "builtins.eval", "_args_": ["1+1"]},
    {"_target_": "builtins.exec", "_args_": ["x=1"]},
    {"_target_": "builtins.compile", "_args_": ["1", "f", "eval"]},
    {"_target_": "builtins.__import__", "_args_": ["os"]},
    {"_target_": "builtins.open", "_args_": ["/etc/passwd"]},
    {"_target_": "shutil.rmtree", "_args_": ["/tmp/nothing-here"]},
    {"_target_": "pickle.loads", "_args_": [b"x"]},
    {"_target_": "importlib.import_module", "_args_": ["os"]},
    # through Hydra's discovery helpers, by keyword and by position
    {"_target_": "hydra.utils.get_object", "path": "os.system"},
    {"_target_": "hydra.utils.get_method", "path": "subprocess.check_output"},
    {"_target_": "hydra.utils.get_class", "path": "subprocess.Popen"},
    {"_target_": "hydra.utils.get_object", "_args_": ["builtins.eval"]},
    # smuggled through _args_, nested configs and partials
    {
        "_target_": "builtins.map",
        "_args_": [{"_target_": "hydra.utils.get_method", "path": "os.system"}, ["id"]],
    },
    {"model": {"layers": [{"_target_": "os.system", "_args_": ["id"]}]}},
    {"_target_": "os.system", "_partial_": True},
    {
        "_target_": "fixtures.instantiate.record",
        "f": {"_target_": "builtins.eval", "_partial_": True},
    },
    {
        "_target_": "fixtures.instantiate.record",
        "_recursive_": True,
        "x": {"_target_": "os.system", "_args_": ["id"]},
    },
]


@pytest.mark.parametrize("config", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_blocked_before_anything_is_built(config: dict) -> None:
    Explodes.built = 0
    guarded = {"first": {"_target_": "fixtures.instantiate.Explodes", "size": 1}, "hostile": config}
    with pytest.raises(InstantiationException) as info:
        lazycfg.instantiate(guarded)
    assert Explodes.built == 0
    assert "blocklisted" in str(info.value) and "hostile" in str(info.value)
    with pytest.raises(InstantiationException):
        lazycfg.instantiate(OmegaConf.create(guarded))


def test_callable_results_of_blocked_functions_are_refused() -> None:
    config = {
        "_target_": "builtins.getattr",
        "_args_": [{"_target_": "hydra.utils.get_object", "path": "os"}, "system"],
    }
    with pytest.raises(InstantiationException):
        lazycfg.instantiate(config)


def test_blocked_classes_and_functions_passed_as_values() -> None:
    import os

    with pytest.raises(InstantiationException, match="os.system"):
        lazycfg.instantiate({"_target_": "fixtures.instantiate.record", "f": os.system})


def test_allow_list_refuses_everything_outside_it() -> None:
    config = {
        "ok": {"_target_": "fixtures.instantiate.Point", "x": 1},
        "model": {"_target_": "sklearn.linear_model.LogisticRegression"},
        "cls": {"_target_": "hydra.utils.get_class", "path": "collections.OrderedDict"},
    }
    with pytest.raises(InstantiationException) as info:
        lazycfg.instantiate(config, allow=["fixtures.instantiate"])
    message = str(info.value)
    assert "sklearn.linear_model.LogisticRegression" in message and "allow-list" in message
    assert "collections.OrderedDict" in message
    built = lazycfg.instantiate(config, allow=["fixtures.instantiate", "sklearn", "collections.*"])
    assert type(built["model"]).__name__ == "LogisticRegression"
    assert lazycfg.instantiate(config["ok"], allow=["fixtures.instantiate.Point"]).x == 1


def test_allow_list_checks_what_a_path_resolves_to() -> None:
    # "fixtures.instantiate.functools.partial" is written under the allowed prefix but is not
    # defined there: the object it resolves to must be allowed as well.
    config = {"_target_": "fixtures.instantiate.functools.reduce"}
    with pytest.raises(InstantiationException, match="functools"):
        lazycfg.instantiate(config, allow=["fixtures.instantiate"])


def test_lazy_trees_obey_the_allow_list() -> None:
    from fixtures.instantiate import Point

    with pytest.raises(InstantiationException, match="allow-list"):
        lazycfg.instantiate(lazycfg.lazy(Point)(x=1), allow=["sklearn"])


def test_yaml_python_tags_are_refused() -> None:
    text = (
        "_target_: builtins.dict\nx: !!python/object/apply:os.system ['touch /tmp/lazycfg-pwned']\n"
    )
    with pytest.raises(yaml.constructor.ConstructorError):
        OmegaConf.create(text)
    with pytest.raises(lazycfg.ConfigError, match="python tags"):
        lazycfg.from_config(text)
    with pytest.raises(InstantiationException):  # text is not a config, as in Hydra
        lazycfg.instantiate(text)


def test_value_encodings_pass_the_allow_list_in_every_form() -> None:
    # lazycfg writes a Path as a pathlib.Path call, an enum member as a call of its enum and a
    # class as hydra.utils.get_class: the same config is admitted as a lazy tree, as the dict it
    # emits and as a DictConfig.
    from pathlib import Path

    from fixtures.instantiate import Located, Point, Shade

    node = lazycfg.lazy(Located)(Path("data/x.csv"), shade=Shade.DARK, kind=Point)
    emitted = lazycfg.to_dict(node)
    assert emitted["_args_"][0]["_target_"] == "pathlib.Path"
    for form in (node, emitted, OmegaConf.create(emitted)):
        built = lazycfg.instantiate(form, allow=["fixtures.instantiate"])
        assert (built.path, built.shade, built.kind) == (Path("data/x.csv"), Shade.DARK, Point)


def test_enum_lookups_outside_the_allow_list_are_refused_before_import() -> None:
    allow = ["fixtures.instantiate"]
    # an enum outside the allow-list is refused like any other call, a lookup included: its
    # module is not imported, so its _missing_ never runs
    for config in (
        {"_target_": "enum.Enum", "_args_": ["E", ["A"]]},
        {"_target_": "enum.Enum", "value": "E", "names": ["A"]},
        {"_target_": "enum.Enum", "_partial_": True, "_args_": ["E"]},
        {"_target_": "collections.OrderedDict", "_args_": [[]]},
        {"_target_": "http.HTTPStatus", "_args_": [404]},
    ):
        with pytest.raises(InstantiationException, match="allow-list"):
            lazycfg.instantiate(config, allow=allow)
    # an enum of a blocked module stays blocked
    with pytest.raises(InstantiationException, match="blocklisted"):
        lazycfg.instantiate({"_target_": "inspect._ParameterKind", "_args_": [1]}, allow=allow)
    # named in the allow-list, the lookup builds the member
    built = lazycfg.instantiate({"_target_": "http.HTTPStatus", "_args_": [404]}, allow=["http"])
    assert built.name == "NOT_FOUND"
