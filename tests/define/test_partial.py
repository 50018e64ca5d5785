"""`Partial` (the checked one-call partial) and `replace(node, Partial(...))` at run time.

Their static checks are in tests/typing/partial_*.py (run by test_typing.py).
"""

from __future__ import annotations

import functools
import warnings

import pytest
from fixtures.store import Database, Model, make_step

from lazycfg import ConfigError, Partial, factory, instantiate, lazy, partial, replace, to_dict
from lazycfg.factory import factory_config, knob_paths


def test_partial_in_one_call_is_the_same_node_as_partial_of() -> None:
    assert Partial(make_step, offset=1.0) == partial(make_step)(offset=1.0)
    assert to_dict(Partial(make_step, offset=1.0)) == {
        "_target_": "fixtures.store.make_step",
        "_partial_": True,
        "offset": 1.0,
    }
    built = instantiate(Partial(make_step, offset=1.0))
    assert isinstance(built, functools.partial) and built(2.0) == 3.0


def test_partial_mistakes_are_refused_at_the_line() -> None:
    with pytest.raises(ConfigError, match=r"offsett: unexpected keyword argument \(did you mean"):
        Partial(make_step, offsett=1.0)
    with pytest.raises(ConfigError, match="offset: expected float, got str"):
        Partial(make_step, offset="x")
    with pytest.raises(ConfigError, match="test_partial.py"):
        Partial(make_step, offset="x")


@factory
def stdlib_partial(offset: float = 1.0, scale: float = 2.0) -> dict[str, object]:
    return {
        "step": functools.partial(make_step, offset=offset),
        "again": Partial(make_step, scale, offset=offset),
    }


def test_functools_partial_in_a_factory_is_a_partial_node_whose_knobs_link() -> None:
    assert stdlib_partial()["step"] == partial(make_step)(offset=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stored = factory_config(stdlib_partial)
    assert stored["again"] == {
        "_target_": "fixtures.store.make_step",
        "_partial_": True,
        "_args_": [2.0],
        "offset": 1.0,
    }
    assert stored["step"]["offset"] == "${..again.offset}"  # both named so: sorted order
    assert knob_paths(stdlib_partial) == {"offset": "again.offset", "scale": "again._args_.0"}


def test_a_mistake_in_functools_partial_inside_a_factory_names_the_line() -> None:
    @factory
    def broken() -> object:
        return functools.partial(make_step, offsett=1.0)

    with pytest.raises(ConfigError, match=r"test_partial.py:\d+: offsett: unexpected keyword"):
        broken()


def test_replace_with_a_partial_of_the_target() -> None:
    model = lazy(Model)(width=3)
    assert replace(model, Partial(Model, depth=5)) == lazy(Model)(width=3, depth=5)
    assert replace(model, functools.partial(Model, width=1)) == lazy(Model)(width=1)
    assert replace(model, Partial(Model, depth=5), width=9) == lazy(Model)(width=9, depth=5)


def test_replace_refuses_changes_for_another_target_or_by_position() -> None:
    model = lazy(Model)(width=3)
    with pytest.raises(ConfigError, match="changes are for fixtures.store.Database but the node"):
        replace(model, Partial(Database, port=1))
    with pytest.raises(ConfigError, match="give the changes by keyword"):
        replace(model, functools.partial(Model, 3))
    with pytest.raises(ConfigError, match="changes must be Partial"):
        replace(model, 3)  # type: ignore[arg-type]
