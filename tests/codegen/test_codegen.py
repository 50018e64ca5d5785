"""to_python: exec'ing the generated factory gives back the same config."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from typing import Any

from fixtures.migrate import Layer, Net
from hypothesis import given, settings
from hypothesis import strategies as st

from lazycfg import lazy, partial, to_dict, to_python
from lazycfg.codegen import generate

_counter = itertools.count()


def run_factory(source: str, directory: Path, name: str = "config") -> Any:
    """Write the source to a file (factories read their own source), import it, call it."""
    module_name = f"_generated_{next(_counter)}"
    path = directory / f"{module_name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)()


def test_lazy_tree_becomes_calls_with_real_imports(tmp_path: Path) -> None:
    tree = lazy(Net)(layers=[lazy(Layer)(size=3), lazy(Layer)(4, activation="tanh")], dropout=0.1)
    source = to_python(tree, name="net")
    assert "from fixtures.migrate import Layer, Net" in source
    assert "@factory" in source and "def net():" in source
    assert "Layer(4, activation=" in source
    assert to_dict(run_factory(source, tmp_path, "net")) == to_dict(tree)


def test_partial_and_class_values(tmp_path: Path) -> None:
    tree = {"step": partial(Layer)(activation="gelu"), "kind": Net, "fn": {"x": 1}}
    source = to_python(tree)
    assert "partial(Layer)(activation=" in source and '"kind": Net' in source
    assert to_dict(run_factory(source, tmp_path)) == to_dict(tree)


def test_unimportable_and_unexact_targets_stay_strings(tmp_path: Path) -> None:
    config = {
        "a": {"_target_": "nowhere.Thing", "x": 1},
        "b": {"_target_": "fixtures.migrate.Layer", "size": 1, "_convert_": "all"},
        "c": {"_target_": "fixtures.migrate.Layer", "bogus": 1},
        "d": {"_target_": "fixtures.migrate.Layer", "size": "${oc.env:SIZE}"},
    }
    source, kept = generate(config)
    assert {k.path for k in kept} == {"a", "b", "c"}
    assert "Layer(size=" in source  # d: an interpolation passes the check
    assert to_dict(run_factory(source, tmp_path)) == config


def test_no_import_keeps_every_target_a_string(tmp_path: Path) -> None:
    config = {"net": {"_target_": "fixtures.migrate.Net", "layers": []}}
    source = to_python(config, imports=False)
    assert "fixtures.migrate" not in source.split("def config")[0]
    assert to_dict(run_factory(source, tmp_path)) == config


def test_dictconfig_input(tmp_path: Path) -> None:
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"model": {"_target_": "fixtures.migrate.Layer", "size": 2}, "y": "${x}"})
    source = to_python(cfg)
    assert to_dict(run_factory(source, tmp_path)) == OmegaConf.to_container(cfg)


names = st.text("abcdefghij_", min_size=1, max_size=6).filter(str.isidentifier)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, width=32),
    st.text(max_size=8),
    st.sampled_from(["${a.b}", "???", "${oc.env:HOME}"]),
)


def _with_targets(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    layer = st.builds(
        lambda size, act: {"_target_": "fixtures.migrate.Layer", "size": size, "activation": act},
        st.integers(0, 64),
        st.sampled_from(["relu", "tanh"]),
    )
    foreign = st.builds(
        lambda kw: {"_target_": "some_pkg.Model", **kw},
        st.dictionaries(names, children, max_size=3),
    )
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(names, st.text(max_size=5)), children, max_size=3),
        layer,
        foreign,
    )


configs = st.dictionaries(names, st.recursive(leaves, _with_targets, max_leaves=12), max_size=4)


@settings(max_examples=40)
@given(configs)
def test_property_generated_factory_returns_the_config(config: dict[str, Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        source = to_python(config)
        assert to_dict(run_factory(source, Path(tmp))) == config


def test_class_and_function_values_become_a_real_call(tmp_path: Path) -> None:
    config = {
        "block": {
            "_target_": "fixtures.migrate.Block",
            "size": 3,
            "fn": {"_target_": "hydra.utils.get_method", "path": "fixtures.migrate.scale"},
            "cls": {"_target_": "hydra.utils.get_class", "path": "fixtures.migrate.Layer"},
            "activation": {"_target_": "hydra.utils.get_class", "path": "torch.nn.ReLU"},
        }
    }
    source, kept = generate(config)
    assert kept == []
    assert "Block(" in source and "fn=scale" in source and "cls=Layer" in source
    assert "activation=ReLU" in source and "from torch.nn import ReLU" in source
    assert to_dict(run_factory(source, tmp_path)) == config


def test_a_getter_that_would_change_kind_is_not_rewritten(tmp_path: Path) -> None:
    # get_class of a function fails in Hydra; writing `scale` would emit get_method instead.
    config = {"x": {"_target_": "hydra.utils.get_class", "path": "fixtures.migrate.scale"}}
    source, _ = generate(config)
    assert to_dict(run_factory(source, tmp_path)) == config


def test_kept_reasons_name_no_internals() -> None:
    config = {
        "_target_": "fixtures.migrate.Block",
        "size": "x",
        "cls": {"_target_": "hydra.utils.get_method", "path": "fixtures.migrate.scale"},
    }
    _, kept = generate(config)
    [only] = kept
    assert "lazycfg" not in only.reason and " at 0x" not in only.reason, only.reason
    assert "codegen.py" not in only.reason
    assert "size" in only.reason and "cls" in only.reason
    problems = only.reason.split("; ")
    assert len(problems) == len(set(problems)) == 2, only.reason


def test_rendering_a_10000_deep_config_needs_no_recursion() -> None:
    import ast

    from lazycfg.codegen import CommentMap, Module, value_ast

    deep: dict[str, object] = {}
    here = deep
    for _ in range(10_000):
        here["a"] = {"x": 1}
        here = here["a"]  # type: ignore[assignment]
    module = Module()
    text = module.expr(deep)
    assert text.count("{") == 10_001 and text.count("'x': 1") == 10_000
    node = value_ast(module, deep)
    assert isinstance(node, ast.Dict)
    with_comments = Module().expr(deep, CommentMap({("a", "a", "x"): ["deep note"]}))
    assert "# deep note\n" in with_comments


def test_generating_from_a_10000_deep_plain_config_needs_no_recursion() -> None:
    deep: dict[str, object] = {}
    here = deep
    for i in range(10_000):
        here["a"] = {"x": i, "l": [i]}
        here = here["a"]  # type: ignore[assignment]
    here["m"] = {"_target_": "nowhere_module.Thing"}
    source, kept = generate(deep, format=False)
    assert source.count("'x': ") == 10_000 and source.count("nowhere_module.Thing") == 1
    assert [k.path for k in kept] == [".".join(["a"] * 10_000) + ".m"]
