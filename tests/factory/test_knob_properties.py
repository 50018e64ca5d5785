"""Knobs by name, not by order: random factories, every override through Hydra's compose API.

Each example writes a factory's source to a module (``@factory`` reads source) that uses its
knobs in random places of a dict whose keys come in random order, stores it in Hydra's
ConfigStore with `lazycfg.store` and composes it with an override:

- the override of a knob's canonical key equals calling the factory with that value;
- the canonical key does not depend on the dict order or on which use comes first;
- an override of any other use is refused by the job's check, naming the canonical key.
"""

from __future__ import annotations

import copy
import importlib
import itertools
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from lazycfg import store, to_dict
from lazycfg.factory import knob_paths, linked_override_problems

KNOBS = ("size", "rate", "depth")
FIELDS = ("size", "rate", "other")
FOLDER = Path(tempfile.mkdtemp(prefix="lazycfg_knobs_"))
COUNTER = itertools.count()


@pytest.fixture(autouse=True, scope="module")
def importable_folder() -> Iterator[None]:
    sys.path.insert(0, str(FOLDER))
    saved = copy.copy(ConfigStore.instance().repo)
    yield
    sys.path.remove(str(FOLDER))
    ConfigStore.instance().repo = saved
    shutil.rmtree(FOLDER, ignore_errors=True)


# A slot is one Box(...) call: each field gets a knob or a constant, and `items` a list that may
# hold knobs too.
value = st.one_of(st.sampled_from(KNOBS), st.integers(0, 9))
slot = st.tuples(
    st.fixed_dictionaries({}, optional={f: value for f in FIELDS}),
    st.lists(value, max_size=2),
)
plans = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), slot, min_size=1, max_size=4)


def call_source(fields: dict[str, Any], items: list[Any]) -> str:
    args = [f"{name}={v}" for name, v in fields.items()]
    if items:
        args.append(f"items=[{', '.join(map(str, items))}]")
    return f"Box({', '.join(args)})"


def factory_source(name: str, plan: dict[str, Any], order: list[str]) -> str:
    entries = ", ".join(f"{key!r}: {call_source(*plan[key])}" for key in order)
    return (
        f"@factory\ndef {name}(size: int = 1, rate: int = 2, depth: int = 3) -> dict:\n"
        f"    return {{{entries}}}\n"
    )


def load(plan: dict[str, Any], orders: list[list[str]]) -> list[Any]:
    """One module holding the plan's factory once per dict order."""
    module = f"knob_plan_{next(COUNTER)}"
    names = [f"{module}_{i}" for i in range(len(orders))]
    body = "\n\n".join(factory_source(n, plan, o) for n, o in zip(names, orders, strict=True))
    header = "from fixtures.factory import Box\nfrom lazycfg import factory\n\n\n"
    (FOLDER / f"{module}.py").write_text(header + body)
    loaded = importlib.import_module(module)
    return [getattr(loaded, n) for n in names]


def composed(name: str, overrides: list[str]) -> Any:
    GlobalHydra.instance().clear()
    with initialize(version_base="1.3", config_path=None):
        cfg = compose(name, overrides=overrides)
    return OmegaConf.to_container(cfg, resolve=True)


def uses(plan: dict[str, Any], knob: str) -> list[str]:
    """Every dotted key where ``knob`` is passed."""
    out = []
    for key, (fields, items) in plan.items():
        out += [f"{key}.{f}" for f, v in fields.items() if v == knob]
        out += [f"{key}.items.{i}" for i, v in enumerate(items) if v == knob]
    return out


@settings(max_examples=40, deadline=None)
@given(plan=plans, data=st.data())
def test_every_override_equals_the_call_or_is_refused_naming_the_canonical_key(
    plan: dict[str, Any], data: st.DataObject
) -> None:
    keys = list(plan)
    shuffled = data.draw(st.permutations(keys))
    first, second = load(plan, [keys, list(shuffled)])
    assert knob_paths(first) == knob_paths(second)  # not by order
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # direct uses only: nothing to warn about
        store(first)
    name = first.__name__
    for knob, held in knob_paths(first).items():
        new = data.draw(st.integers(10, 99), label=f"new {knob}")
        assert composed(name, [f"{held}={new}"]) == to_dict(first(**{knob: new}))
        for other in uses(plan, knob):
            problems = linked_override_problems([f"{other}={new}"], {}, name)
            if other == held:
                assert problems == []
            else:
                assert len(problems) == 1 and f"override {held} instead" in problems[0]


@settings(max_examples=25, deadline=None)
@given(plan=plans)
def test_the_canonical_key_is_named_like_the_knob_when_a_use_is(plan: dict[str, Any]) -> None:
    (fn,) = load(plan, [list(plan)])
    for knob, held in knob_paths(fn).items():
        named = [u for u in uses(plan, knob) if u.split(".")[1] == knob]
        if named:
            assert held == min(named, key=lambda u: (len(u.split(".")), u))
        else:
            assert held == min(uses(plan, knob), key=lambda u: (len(u.split(".")), u))
