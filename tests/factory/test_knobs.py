"""Knobs: overriding a knob's path in the stored config equals calling the factory with it."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from fixtures.factory import (
    Bag,
    Layer,
    Net,
    Optim,
    Pair,
    Trainer,
    refuse_rewritten_names_in_messages,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from lazycfg import KnobWarning, factory, to_dict
from lazycfg.factory import factory_config, knob_paths, relative_interpolation


@pytest.fixture(autouse=True)
def _messages_quote_the_users_source(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_rewritten_names_in_messages(monkeypatch)


HERE = Path(__file__).read_text().splitlines()


def line_of(tag: str) -> int:
    return next(n for n, text in enumerate(HERE, 1) if text.rstrip().endswith(f"# {tag}"))


@factory
def once(size: int = 8) -> Net:
    return Net(layers=[Layer(size=size)], dropout=0.5)


@factory
def several(size: int = 8, act: str = "relu", lr: float = 0.1) -> Trainer:
    first = Layer(size, activation=act)
    optim = Optim(lr=lr)
    return Trainer(
        model=Net(layers=[first, Layer(size=size, activation=act)]),
        optim=Pair(optim, Optim(lr)),
        tags=[act, "fixed"],
    )


@factory
def in_lists(size: int = 8, name: str = "a") -> Bag:
    return Bag(items=[size, Layer(size), [size]], table={"name": name, "again": name})


@factory
def forwarding(size: int = 8) -> Net:
    return Net(layers=[block(size), block(size, act="tanh")])


@factory
def block(width: int, act: str = "relu") -> Layer:
    return Layer(size=width, activation=act)


def overridden(config: dict[str, Any], path: str, value: Any) -> Any:
    cfg = OmegaConf.create(config)
    OmegaConf.update(cfg, path, value, merge=True)
    return OmegaConf.to_container(cfg, resolve=True)


def quiet_config(fn: Any, **kwargs: Any) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", KnobWarning)  # none of these factories has derived uses
        return factory_config(fn, **kwargs)


def test_the_use_named_like_the_parameter_holds_the_value_and_others_interpolate() -> None:
    config = quiet_config(several)
    # size: model.layers.1.size is named like it; act: no use is, so the shortest (tags.0).
    assert config["model"]["layers"][0] == {
        "_target_": "fixtures.factory.Layer",
        "_args_": ["${...1.size}"],
        "activation": "${....tags.0}",
    }
    assert config["model"]["layers"][1]["size"] == 8
    assert config["model"]["layers"][1]["activation"] == "${....tags.0}"
    assert config["optim"]["_args_"][1]["_args_"] == ["${...0.lr}"]
    assert config["tags"] == ["relu", "fixed"]
    assert knob_paths(several) == {
        "size": "model.layers.1.size",
        "act": "tags.0",
        "lr": "optim._args_.0.lr",
    }


def test_a_shared_node_gets_an_interpolation_in_its_second_place() -> None:
    @factory
    def shared_twice(lr: float = 0.1) -> Pair:
        optim = Optim(lr=lr)
        return Pair(optim, optim)

    config = quiet_config(shared_twice)
    assert config["_args_"] == [
        {"_target_": "fixtures.factory.Optim", "lr": 0.1},
        {"_target_": "fixtures.factory.Optim", "lr": "${..0.lr}"},
    ]
    assert overridden(config, "_args_.0.lr", 0.5) == to_dict(shared_twice(lr=0.5))


def test_inner_factories_forward_the_outer_knob() -> None:
    assert knob_paths(forwarding) == {"size": "layers.0.size"}
    assert quiet_config(forwarding)["layers"][1]["size"] == "${..0.size}"


def test_a_factory_called_inside_with_its_own_defaults_adds_no_knobs() -> None:
    @factory
    def fixed_inner() -> Net:
        return Net(layers=[block(3)])

    assert knob_paths(fixed_inner) == {}


ints = st.integers(min_value=-(10**6), max_value=10**6)
texts = st.text(
    st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=12
).filter(lambda s: not s.isdigit())


@settings(max_examples=40)
@given(value=ints)
def test_override_of_a_knob_used_once_equals_the_call(value: int) -> None:
    config = quiet_config(once)
    path = knob_paths(once)["size"]
    assert overridden(config, path, value) == to_dict(once(size=value))


@settings(max_examples=40)
@given(size=ints, act=texts, lr=st.floats(-1e6, 1e6, allow_nan=False))
def test_override_of_knobs_used_several_times_equals_the_call(
    size: int, act: str, lr: float
) -> None:
    config = quiet_config(several)
    paths = knob_paths(several)
    cfg = OmegaConf.create(config)
    for param, value in (("size", size), ("act", act), ("lr", lr)):
        OmegaConf.update(cfg, paths[param], value, merge=True)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    assert resolved == to_dict(several(size=size, act=act, lr=lr))


@settings(max_examples=40)
@given(size=ints, name=texts)
def test_override_of_knobs_inside_lists_and_dicts_equals_the_call(size: int, name: str) -> None:
    config = quiet_config(in_lists)
    paths = knob_paths(in_lists)
    assert paths == {"size": "items.0", "name": "table.name"}
    cfg = OmegaConf.create(config)
    OmegaConf.update(cfg, paths["size"], size, merge=True)
    OmegaConf.update(cfg, paths["name"], name, merge=True)
    assert OmegaConf.to_container(cfg, resolve=True) == to_dict(in_lists(size=size, name=name))


@settings(max_examples=15)
@given(size=st.integers(min_value=0, max_value=10**4), lr=st.sampled_from([0.5, 1e-3, 2.0]))
def test_hydra_compose_with_an_override_equals_the_call(size: int, lr: float) -> None:
    """Through Hydra's own compose API and ConfigStore, under a package, as an app would."""
    from hydra import compose, initialize
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(
        group="experiment", name="several", node=quiet_config(several), package="exp"
    )
    paths = knob_paths(several)
    overrides = ["+experiment=several", f"exp.{paths['size']}={size}", f"exp.{paths['lr']}={lr}"]
    with initialize(version_base=None, config_path=None):
        cfg = compose(overrides=overrides)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    assert resolved == {"exp": to_dict(several(size=size, lr=lr))}


# --- derived uses --------------------------------------------------------------------------------


@factory
def derived(hidden: int = 4, tag: str = "x", depth: int = 2) -> Trainer:
    layers = [Layer(hidden * 2) for _ in range(depth)]  # L-derived-arith
    return Trainer(
        model=Net(layers=layers, name=f"net-{tag}"),  # L-derived-fstring
        tags=[tag],
        epochs=depth,
    )


def test_derived_uses_warn_with_parameter_line_and_fix() -> None:
    with pytest.warns(KnobWarning) as caught:
        factory_config(derived)
    assert all(w.filename == __file__ for w in caught)
    by_line = {(w.lineno, str(w.message).split("'")[1]): str(w.message) for w in caught}
    arith = by_line[(line_of("L-derived-arith"), "hidden")]
    assert "factory derived" in arith and "parameter 'hidden'" in arith
    assert "in arithmetic: `hidden * 2`" in arith and "no direct use" in arith
    assert "pass hidden itself as an argument of a call" in arith
    fstring = by_line[(line_of("L-derived-fstring"), "tag")]
    assert "parameter 'tag'" in fstring and "f-string" in fstring
    assert "overriding tags.0 will not update this use" in fstring
    loop = by_line[(line_of("L-derived-arith"), "depth")]
    assert "passed to range()" in loop and "overriding epochs" in loop
    assert knob_paths(derived) == {"tag": "tags.0", "depth": "epochs"}


def test_reassigned_parameters_and_locals_are_derived() -> None:
    @factory
    def rebinds(size: int = 3, lr: float = 0.1) -> Pair:
        size = size + 1  # L-rebind
        rate = lr  # L-local
        return Pair(Layer(size), Optim(rate))

    with pytest.warns(KnobWarning) as caught:
        config = factory_config(rebinds)
    messages = {w.lineno: str(w.message) for w in caught}
    assert "'size' is reassigned in the body" in messages[line_of("L-rebind")]
    assert "'lr' is assigned to a local variable: `rate = lr`" in messages[line_of("L-local")]
    assert config["_args_"][0]["_args_"] == [4]
    assert knob_paths(rebinds) == {}


def test_a_non_factory_is_refused() -> None:
    from lazycfg import ConfigError

    with pytest.raises(ConfigError, match="is not a @factory function"):
        factory_config(to_dict)


@pytest.mark.parametrize(
    ("src", "dst", "expected"),
    [
        (("a", "b"), ("a", "c"), "${.c}"),
        (("a", "b", "c"), ("x",), "${...x}"),
        (("l", 1), ("l", 0), "${.0}"),
        (("l", 1, "k"), ("l", 0, "k"), "${..0.k}"),
    ],
)
def test_relative_interpolation(src: tuple[Any, ...], dst: tuple[Any, ...], expected: str) -> None:
    assert relative_interpolation(src, dst) == expected


@factory
def chosen(size: int = 8, wide: bool = False) -> Net:
    return Net(layers=[Layer(size=size) if wide else Layer(size=1)])  # L-ternary


def test_derived_use_messages_quote_the_users_source_not_the_rewritten_code() -> None:
    with pytest.warns(KnobWarning) as caught:
        factory_config(chosen)
    (message,) = [str(w.message) for w in caught if w.lineno == line_of("L-ternary")]
    assert "parameter 'wide' is in a condition: `Layer(size=size) if wide else Layer(size=1)`" in (
        message
    )
    assert "__lazycfg" not in message


@factory
def long_line(hidden: int = 4, width: int = 8) -> Net:
    return Net(layers=[Layer(size=width), Layer(size=width * 2), Layer(size=hidden + 1)], name="a-rather-long-name-for-this-network")  # fmt: skip  # L-long


def test_knob_warnings_quote_the_whole_line_and_an_example_from_the_factory() -> None:
    with pytest.warns(KnobWarning) as caught:
        factory_config(long_line)
    messages = {str(w.message).split("'")[1]: str(w.message) for w in caught}
    whole = HERE[line_of("L-long") - 1].strip()
    assert all(f"(`{whole}`)" in m for m in messages.values())
    # width has a direct use: the example is that call, at its line.
    assert f"as line {line_of('L-long')} does (`Layer(size=width)`)" in messages["width"]
    # hidden has none: the example is the call its derived use sits in.
    assert "(on this line: `Layer(size=hidden)`)" in messages["hidden"]
