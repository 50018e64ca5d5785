"""Checkers: containers element by element, strings never numbers, records never constructed."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pydantic
import pytest

from lazycfg import ConfigError, from_config, lazy
from lazycfg.checkers import checker_for

MARKER = Path(os.environ.get("LAZYCFG_TEST_MARKER", "/tmp/lazycfg_checkers_marker"))


@dataclasses.dataclass
class Layer:
    width: int
    act: str = "relu"

    def __post_init__(self) -> None:
        MARKER.write_text("dataclass constructed")


@attrs.define
class AttrsLayer:
    width: int
    act: str = "relu"

    def __attrs_post_init__(self) -> None:
        MARKER.write_text("attrs constructed")


class PydLayer(pydantic.BaseModel):
    width: int
    act: str = "relu"

    @pydantic.model_validator(mode="after")
    def _touch(self) -> PydLayer:
        MARKER.write_text("pydantic constructed")
        return self


class Net:
    def __init__(
        self,
        hidden: Sequence[int] = (32,),
        sizes: dict[str, list[float]] | None = None,
        pair: tuple[int, str] = (1, "a"),
        layer: Layer | None = None,
        layers: list[AttrsLayer] | None = None,
        spec: PydLayer | None = None,
        table: Mapping[str, int] | None = None,
    ) -> None:
        self.hidden = hidden


def problem(annotation: Any, value: Any) -> str | None:
    check = checker_for(annotation)
    assert check is not None
    return check(value)


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (Sequence[int], [32, "64"], "[1]: expected int, got str '64'"),
        (list[int], [1, 2, "3"], "[2]: expected int, got str '3'"),
        (list[float] | None, [1.0, "2.5"], "[1]: expected float, got str '2.5'"),
        (tuple[int, ...], (1, "2"), "[1]: expected int, got str '2'"),
        (tuple[int, str], ["1", "a"], "[0]: expected int, got str '1'"),
        (dict[str, list[int]], {"a": [1, "2"]}, ".a[1]: expected int, got str '2'"),
        (dict[str, int], {"a b": "1"}, "['a b']: expected int, got str '1'"),
        (list[list[int]], [[1], [2, "x"]], "[1][1]: expected int, got str 'x'"),
    ],
)
def test_items_are_checked_one_by_one_and_named_by_their_place(
    annotation: Any, value: Any, expected: str
) -> None:
    assert problem(annotation, value) == expected


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        (Sequence[int], [32, 64]),
        (Sequence[int], (32, 64)),
        (list[float], [1, 2.5]),
        (tuple[int, str], [1, "a"]),  # Hydra hands tuples over as lists
        (dict[str, list[int]], {"a": [1, "${b}"]}),
        (list[int] | None, None),
    ],
)
def test_fitting_containers_pass(annotation: Any, value: Any) -> None:
    assert problem(annotation, value) is None


def test_a_numeric_string_in_a_list_is_refused_at_definition() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(Net)(hidden=[32, "64"])
    assert "hidden[1]: expected int, got str '64'" in str(info.value)
    with pytest.raises(ConfigError) as info:
        lazy(Net)(sizes={"a": [1.0, "2"]})
    assert "sizes.a[1]: expected float, got str '2'" in str(info.value)


def test_a_fixed_tuple_names_its_length() -> None:
    assert problem(tuple[int, str], [1, "a", 2]) == (
        "expected tuple[int, str] (2 items), got 3 items [1, 'a', 2]"
    )


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "constructed"
    monkeypatch.setattr(f"{__name__}.MARKER", path)
    return path


@pytest.mark.parametrize("cls", [Layer, AttrsLayer, PydLayer])
def test_a_dict_for_a_record_class_is_checked_by_its_fields_without_constructing(
    cls: type, marker: Path
) -> None:
    assert problem(cls, {"width": 3}) is None
    assert problem(cls, {"width": 3, "act": "tanh"}) is None
    assert problem(cls, {"width": "3"}) == ".width: expected int, got str '3'"
    assert problem(cls, {"widht": 3}).startswith(  # type: ignore[union-attr]
        f".widht: {cls.__qualname__} has no field 'widht' (did you mean 'width'?)"
    )
    assert problem(cls, {"act": "x"}) == f".width: missing required field of {cls.__qualname__}"
    assert not marker.exists()


def test_records_nested_in_containers_and_configs_are_never_constructed(marker: Path) -> None:
    node = lazy(Net)(layer={"width": 3}, layers=[{"width": 1}], spec={"width": 2})
    assert node.layers == [{"width": 1}]
    with pytest.raises(ConfigError) as info:
        lazy(Net)(layers=[{"width": 1}, {"width": "wide"}])
    assert "layers[1].width: expected int, got str 'wide'" in str(info.value)
    config = {"_target_": f"{__name__}.Net", "layer": {"width": 3}, "spec": {"width": 4}}
    from_config(config)
    assert not marker.exists()
