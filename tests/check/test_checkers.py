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
from fixtures.check import pydantic_verdict
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg import ConfigError, from_config, lazy
from lazycfg.check import checker_for

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


# --- properties ----------------------------------------------------------------------------------

SHAPED: list[Any] = [
    Sequence[int],
    list[float] | None,
    tuple[int, ...],
    tuple[int, str],
    dict[str, list[int]],
    Mapping[str, float],
    list[list[int]],
    dict[str, tuple[float, float]] | None,
]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.sampled_from(["1", "a"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.sampled_from(["k", "m"]), inner, max_size=2)
    ),
    max_leaves=6,
)


def _coercible(value: Any) -> bool:
    """Holds what lax mode converts: a string (to a number), a float (1.0 to an int)."""
    if isinstance(value, str | float):
        return True
    if isinstance(value, dict):
        return any(_coercible(v) for v in value.values())
    return isinstance(value, list | tuple) and any(_coercible(v) for v in value)


@settings(max_examples=200)
@given(st.sampled_from(SHAPED), VALUES)
def test_what_the_checker_accepts_pydantic_accepts_and_strings_stay_strings(
    annotation: Any, value: Any
) -> None:
    """Differential against pydantic's lax mode, looser only by converting values."""
    accepted = problem(annotation, value) is None
    verdict = pydantic_verdict(annotation, value)
    if accepted:
        assert verdict is not False
    elif verdict is not False:
        # pydantic took it: only by converting, a string to a number or 1.0 to 1.
        assert _coercible(value)
