"""Signatures: cached specs, per-annotation checkers, and binding problems."""

from __future__ import annotations

import functools
import pathlib
import re
from collections.abc import Callable
from typing import Any, Literal, Optional, Union

import fixtures.basic as ft
import pytest
from fixtures.check import pydantic_verdict
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg import lazy, partial
from lazycfg.check import bind_problems, checker_for, fast_accepts, positional_names, spec_of
from lazycfg.core import (
    POSITIONAL_KIND,
    TWICE_KIND,
    TYPE_KIND,
    UNBOUND_KIND,
    UNEXPECTED_KIND,
)


def texts(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], **how: Any) -> list[str]:
    """`bind_problems` as the lines a `ConfigError` shows."""
    return [str(p) for p in bind_problems(target, args, kwargs, **how)]


def stable_id(value: object) -> str:
    """A test id without memory addresses (xdist workers must agree on ids)."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))


def test_spec_is_cached_per_target() -> None:
    assert spec_of(ft.Pipe) is spec_of(ft.Pipe)
    spec = spec_of(ft.Pipe)
    assert spec.positional == ("model", "optimizer", "steps")
    assert spec.required == ("model",)
    assert spec.defaults == {"optimizer": None, "steps": 1}
    assert not spec.var_keyword and not spec.var_positional


def test_unknown_signatures_accept_everything() -> None:
    assert spec_of("some.dotted.Path").names is None
    assert positional_names("some.dotted.Path") is None
    assert bind_problems("some.dotted.Path", (1, 2), {"x": 3}, partial=False) == []


def test_variadic_targets_accept_extra_arguments() -> None:
    assert bind_problems(ft.Bag, (1, 2, 3), {"anything": 4}, partial=False) == []


def test_dataclass_attrs_and_pydantic_fields_are_parameters() -> None:
    for target in (ft.DataPoint, ft.AttrsPoint, ft.PydPoint):
        spec = spec_of(target)
        assert spec.required == ("x",), target
        assert spec.defaults == {"label": "a"}, target
        assert "x" in spec.checkers, target


ACCEPTS: list[tuple[Any, Any]] = [
    (int, 3),
    (int, True),  # bool is an int in Python, as for the type checkers
    (float, 3),
    (complex, 1.5),
    (Optional[int], None),  # noqa: UP045
    (int | None, 4),
    (Union[int, str], "x"),  # noqa: UP007
    (pathlib.Path, "a/b"),  # Hydra passes strings for paths in YAML
    (pathlib.Path, pathlib.Path("a")),
    (ft.Color, ft.Color.RED),
    (list[int], [1, 2]),
    (dict[str, int], {"a": 1}),
    (tuple[int, str], (1, "a")),
    (Literal["gini", "entropy"], "gini"),
    (Callable[[int], int], ft.add),
    (type, ft.Pair),
    (type[ft.Model], ft.Model),
    (int, "${model.n_estimators}"),  # resolved by Hydra later
    (int, "???"),  # Hydra's missing marker
    (list[int], [1, "${x}"]),
    (ft.Model, lazy(ft.Model)()),
    (ft.Pair, lazy(ft.make_pair)(1)),  # a function target: its return annotation counts
    (Callable[..., ft.Optimizer], partial(ft.Optimizer)()),
    (Any, object()),
    ("SomeForwardRef", 1),
]


@pytest.mark.parametrize(("annotation", "value"), ACCEPTS, ids=stable_id)
def test_checker_accepts(annotation: Any, value: Any) -> None:
    check = checker_for(annotation)
    assert check is None or check(value) is None


REFUSES: list[tuple[Any, Any, str]] = [
    (int, "3", "expected int, got str '3'"),  # no lax coercion: Hydra would pass the string
    (int, 1.5, "expected int, got float"),
    (str, 3, "expected str, got int"),
    (int | None, "x", "expected int | None"),
    (ft.Color, "red", "expected Color"),
    (list[int], ["a"], "[0]: expected int, got str 'a'"),  # the item is named
    (Literal["gini", "entropy"], "ginni", "expected"),
    (ft.Model, lazy(ft.Optimizer)(lr=1.0), "expected Model, got a lazy Optimizer"),
    (ft.Model, lazy(ft.make_pair)(1), "expected Model, got a lazy Pair"),
    (ft.Model, 3, "expected Model, got int 3"),
]


@pytest.mark.parametrize(("annotation", "value", "message"), REFUSES, ids=stable_id)
def test_checker_refuses_with_a_message(annotation: Any, value: Any, message: str) -> None:
    check = checker_for(annotation)
    assert check is not None
    problem = check(value)
    assert problem is not None and message in problem


def test_bind_problems_lists_every_problem() -> None:
    problems = texts(ft.Pipe, (1, 2, 3, 4), {"stepz": 1, "model": 5}, partial=False)
    assert problems == [
        "takes 3 positional arguments (model, optimizer, steps) but 4 were given",
        "model: given both by position and by keyword",
        "model: expected Model, got int 1",
        "optimizer: expected fixtures.basic.Optimizer | None, got int 2",
        "stepz: unexpected keyword argument (did you mean 'steps'?)",
        "model: expected Model, got int 5",
    ]


def test_bind_problems_are_records_code_decides_by() -> None:
    problems = bind_problems(ft.Pipe, (1, 2, 3, 4), {"stepz": 1, "model": 5}, partial=False)
    assert [(p.path, p.kind, p.argument) for p in problems] == [
        ("", POSITIONAL_KIND, None),
        ("model", TWICE_KIND, "model"),
        ("model", TYPE_KIND, "model"),
        ("optimizer", TYPE_KIND, "optimizer"),
        ("stepz", UNEXPECTED_KIND, "stepz"),
        ("model", TYPE_KIND, "model"),
    ]
    assert problems[-1].detail == "expected Model, got int 5" and problems[-1].message == ""
    (missing,) = bind_problems(ft.Optimizer, (), {}, partial=False)
    assert (missing.path, missing.kind, missing.detail) == (
        "lr",
        UNBOUND_KIND,
        "missing required argument",
    )


def test_a_problem_of_an_item_inside_an_argument_has_the_items_path() -> None:
    good, bad = lazy(ft.DataPoint)(x=1), lazy(ft.AttrsPoint)(x=1)
    (item,) = bind_problems(ft.Holder, (), {"children": [good, bad]}, partial=False)
    assert (item.path, item.argument, item.kind) == ("children[1]", "children", TYPE_KIND)
    assert item.detail == "expected DataPoint, got a lazy AttrsPoint"
    (field,) = bind_problems(ft.Holder, (), {"named": {"a": bad}}, partial=False)
    assert (field.path, field.argument) == ("named.a", "named")
    (star,) = bind_problems(ft.TypedVarargs, (1, "a"), {"scale": 0.5}, partial=False)
    assert (star.path, star.argument) == ("_args_[1]", 1)


def test_partial_does_not_require_arguments() -> None:
    assert texts(ft.Optimizer, (), {}, partial=False) == ["lr: missing required argument"]
    assert texts(ft.Optimizer, (), {}, partial=True) == []


QUICK_ANNOTATIONS: list[Any] = [
    int,
    float,
    str,
    bool,
    int | None,
    float | str,
    list[int],
    list[float] | None,
    tuple[int, ...],
    tuple[int, str],
    dict[str, int],
    dict[str, list[int]],
    Literal["a", "b"],
    Literal[1, True],
    ft.Color,
    pathlib.Path,
]

QUICK_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.sampled_from(["a", "b", "x"])
    | st.sampled_from(list(ft.Color)),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.sampled_from(["k", "m"]), inner, max_size=2)
    ),
    max_leaves=6,
)


@settings(max_examples=150)
@given(st.sampled_from(QUICK_ANNOTATIONS), QUICK_VALUES)
def test_quick_type_tests_never_accept_what_pydantic_refuses(annotation: Any, value: Any) -> None:
    """Differential: the per-parameter quick test is only a shortcut past pydantic."""
    quick = fast_accepts(annotation)
    assert quick is not None
    if quick(value):
        assert pydantic_verdict(annotation, value) is not False


def takes_any(a: Optional[Any] = None, c: Any | int = 1) -> None:  # noqa: UP045
    return None


def test_any_inside_a_union_accepts_everything() -> None:
    from lazycfg import lazy

    node = lazy(takes_any)(a=3, c="x")
    assert node.a == 3 and node.c == "x"


# --- positional-only, variadic and container checks, pydantic names ------------------------------


def test_positional_only_parameters_passed_by_keyword_are_refused() -> None:
    assert texts(ft.PosOnly, (1, 2), {"c": 3}, partial=False) == []
    assert texts(ft.PosOnly, (), {"a": 1, "b": 2}, partial=False) == [
        "a: positional-only parameter passed by keyword; pass it by position",
        "b: positional-only parameter passed by keyword; pass it by position",
    ]
    assert texts(ft.PosOnly, (1,), {"b": 2}, partial=True) == [
        "b: positional-only parameter passed by keyword; pass it by position"
    ]


def test_variadic_arguments_are_checked_against_their_annotations() -> None:
    assert texts(ft.TypedVarargs, (1, 2), {"scale": 0.5, "n": 1}, partial=False) == []
    assert texts(ft.TypedVarargs, (1, "a"), {"scale": "x"}, partial=False) == [
        "_args_[1]: expected int, got str 'a'",
        "scale: expected float, got str 'x'",
    ]


def test_lazy_nodes_inside_containers_are_checked_against_the_element_type() -> None:
    good = lazy(ft.DataPoint)(x=1)
    bad = lazy(ft.AttrsPoint)(x=1)
    assert texts(ft.Holder, (), {"children": [good, good]}, partial=False) == []
    assert texts(ft.Holder, (), {"named": {"a": good}}, partial=False) == []
    assert texts(ft.Holder, (), {"anything": [bad]}, partial=False) == []
    assert texts(ft.Holder, (), {"children": [good, bad]}, partial=False) == [
        "children[1]: expected DataPoint, got a lazy AttrsPoint"
    ]
    assert texts(ft.Holder, (), {"named": {"a": bad}}, partial=False) == [
        "named.a: expected DataPoint, got a lazy AttrsPoint"
    ]
    # Nodes whose result is unknown (partials) and interpolations still pass.
    loose = [partial(ft.AttrsPoint)(), "${other}"]
    assert texts(ft.Holder, (), {"children": loose}, partial=False) == []


@pytest.mark.parametrize("target", [ft.PydAlias, ft.PydValidateByName])
def test_pydantic_fields_settable_by_name_accept_the_name_too(target: type) -> None:
    assert texts(target, (), {"lr": 0.1}, partial=False) == []
    assert texts(target, (), {"learning_rate": 0.1}, partial=False) == []
    assert texts(target, (), {"learning_rate": "x"}, partial=False) == [
        "learning_rate: expected float, got str 'x'"
    ]
    assert texts(target, (), {}, partial=False) == ["lr: missing required argument"]


def test_pydantic_alias_only_fields_refuse_the_name() -> None:
    problems = texts(ft.PydAliasStrict, (), {"learning_rate": 0.1}, partial=False)
    assert problems[0].startswith("learning_rate: unexpected keyword argument")


def test_config_dicts_get_the_same_binding_checks() -> None:
    from lazycfg import ConfigError, from_config, instantiate

    posonly = {"_target_": "fixtures.basic.PosOnly", "a": 1, "b": 2}
    varargs = {"_target_": "fixtures.basic.TypedVarargs", "_args_": [1, "a"]}
    strict = functools.partial(instantiate, strict=True)  # type checks are opt-in there
    for read in (from_config, instantiate, strict):
        with pytest.raises(ConfigError, match="a: positional-only parameter passed by keyword"):
            read(posonly)
    for read in (from_config, strict):
        with pytest.raises(ConfigError, match=r"_args_\[1\]: expected int, got str 'a'"):
            read(varargs)
