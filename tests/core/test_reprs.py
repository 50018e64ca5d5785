"""Values in messages: repr, with classes and functions by dotted path and no memory address."""

from __future__ import annotations

import re
from typing import Any

import fixtures.basic as ft
import fixtures.factory as at
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg import ConfigError, eager, factory, lazy
from lazycfg.check import checker_for
from lazycfg.core import value_repr

ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")


def test_a_function_given_for_an_int_is_named_by_its_import_path() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.add)(x=ft.scale)
    message = str(info.value)
    assert "x: expected int, got function fixtures.basic.scale" in message
    assert not ADDRESS.search(message)


def test_a_class_given_for_a_float_is_named_by_its_import_path() -> None:
    check = checker_for(float)
    assert check is not None
    assert check(ft.Model) == "expected float, got type fixtures.basic.Model"


def test_in_containers_and_locals() -> None:
    class Plain:
        pass

    check = checker_for(int)
    assert check is not None
    problems = [check(v) for v in ([ft.add, {"k": ft.Leaf}], Plain(), Plain, lambda: 0)]
    assert problems[0] == (
        "expected int, got list [fixtures.basic.add, {'k': fixtures.basic.Leaf}]"
    )
    # Local classes and lambdas cannot be imported back: they print by qualname.
    assert (
        problems[1]
        == "expected int, got Plain <test_in_containers_and_locals.<locals>.Plain object>"
    )
    assert problems[2] == "expected int, got type test_in_containers_and_locals.<locals>.Plain"
    assert (
        problems[3] == "expected int, got function test_in_containers_and_locals.<locals>.<lambda>"
    )
    assert not any(ADDRESS.search(p or "") for p in problems)


def test_factory_and_eager_refusals_show_no_address() -> None:
    class Opaque:
        pass

    with pytest.raises(ConfigError) as info:
        factory(at.Layer)  # type: ignore[arg-type]
    assert "got fixtures.factory.Layer" in str(info.value)
    with pytest.raises(ConfigError) as info:
        eager(Opaque())  # type: ignore[arg-type]
    assert "eager() takes a function or class, got <" in str(info.value)
    assert not ADDRESS.search(str(info.value))


def test_deep_nesting_is_cut_without_recursing_through_it() -> None:
    value: list[Any] = []
    for _ in range(50_000):
        value = [value]
    assert value_repr(value) == "[" * 60


def test_methods_and_builtins_are_named() -> None:
    assert value_repr(len) == "builtins.len"
    assert value_repr([].append) == "list.append"
    assert value_repr((ft.scale,)) == "(fixtures.basic.scale,)"
    assert value_repr({ft.add}) == "{fixtures.basic.add}"
    assert value_repr(frozenset()) == "frozenset()"


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
hashables = scalars | st.tuples(scalars, scalars) | st.frozensets(scalars, max_size=3)
plain_values = st.recursive(
    hashables,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner)
        | st.tuples(inner, inner)
        | st.dictionaries(hashables, inner, max_size=3)
        | st.sets(hashables, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(plain_values, st.integers(min_value=0, max_value=200))
def test_plain_values_print_exactly_as_repr_cut_to_the_limit(value: Any, limit: int) -> None:
    assert value_repr(value, limit) == repr(value)[:limit]
