"""The migrator's YAML reading (libyaml's parser) gives exactly the values OmegaConf's loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fixtures.migrate import typed
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf._utils import get_yaml_loader

from lazycfg.migrate import MigrateError, read_yaml

# Plain scalars whose type depends on the resolver rules (YAML 1.1 ints, floats, bools, no dates).
TRICKY = [
    "yes",
    "No",
    "on",
    "~",
    "1e3",
    "1.5e-3",
    "0x1F",
    "0o17",
    "017",
    "1_000",
    "+1",
    ".inf",
    "-.Inf",
    ".nan",
    "2022-01-01",
    "12:30:00",
    "1:20",
    "0.",
    "${a.b}",
    "???",
    "null",
    "1e",
]
plain = st.sampled_from(TRICKY)
keys = st.sampled_from(["a", "b", "c_1", "lr", "1", "yes"])


def _lines(depth: int) -> st.SearchStrategy[str]:
    leaf = plain.map(lambda s: f" {s}")
    if depth == 0:
        return leaf
    nested = st.lists(
        st.tuples(keys, _lines(depth - 1)), min_size=1, max_size=3, unique_by=lambda t: t[0]
    )
    return st.one_of(
        leaf,
        st.lists(plain, max_size=3).map(lambda xs: " [" + ", ".join(xs) + "]"),
        nested.map(
            lambda items: "".join(
                "\n" + "\n".join("  " + line for line in f"{k}:{v}".splitlines()) for k, v in items
            )
        ),
    )


documents = st.lists(st.tuples(keys, _lines(2)), min_size=1, max_size=4, unique_by=lambda t: t[0])


@settings(max_examples=40, deadline=None)
@given(documents)
def test_values_equal_omegaconf_loader(
    tmp_path_factory: object, items: list[tuple[str, str]]
) -> None:
    text = "".join(f"{k}:{v}\n" for k, v in items)
    path = Path(tmp_path_factory.mktemp("y")) / "c.yaml"  # type: ignore[attr-defined]
    path.write_text(text)
    try:
        reference = yaml.load(text, Loader=get_yaml_loader())
    except yaml.YAMLError:
        with pytest.raises(MigrateError):  # refused by both, with file:line:column here
            read_yaml(path)
        return
    assert typed(read_yaml(path).data) == typed(reference), text
