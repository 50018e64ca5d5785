"""Properties over generated lazy trees (`fixtures.trees`): emission round trips, and equality
with Hydra."""

from __future__ import annotations

from typing import Any

import fixtures.basic as ft
import hydra.utils
from fixtures.trees import TREES
from hypothesis import given, settings

from lazycfg import Lazy, from_config, instantiate, to_config, to_dict, to_yaml


@settings(max_examples=200)
@given(TREES)
def test_emission_round_trips(tree: Lazy[Any]) -> None:
    assert from_config(to_dict(tree)) == tree
    assert from_config(to_config(tree)) == tree
    assert from_config(to_yaml(tree)) == tree
    assert to_dict(from_config(to_yaml(tree))) == to_dict(tree)


@settings(max_examples=80)
@given(TREES)
def test_full_emission_builds_the_same_objects(tree: Lazy[Any]) -> None:
    assert ft._norm(hydra.utils.instantiate(to_config(tree, full=True))) == ft._norm(
        instantiate(tree)
    )
    assert from_config(to_yaml(tree, full=True)) == from_config(to_dict(tree, full=True))


@settings(max_examples=200)
@given(TREES)
def test_instantiate_equals_hydra(tree: Lazy[Any]) -> None:
    ours = instantiate(tree)
    hydras = hydra.utils.instantiate(to_config(tree))
    assert ft._norm(ours) == ft._norm(hydras)
