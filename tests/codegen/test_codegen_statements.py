"""Module statements the migrate writer uses: configs stored as data, tables, derived rows,
imports by section. Each module is formatted by ruff and must parse to exactly what was meant."""

from __future__ import annotations

from typing import Any

from lazycfg.codegen import (
    CommentMap,
    Module,
    add_derived,
    add_stored,
    add_table,
    prove,
    ruff_format,
)

KEYWORDS: list[tuple[str, str, Any]] = [("name", "name", "cpu"), ("group", "group", "trainer")]


def written(module: Module) -> str:
    """The module's text as the writer publishes it: formatted, then proven."""
    out = {"source": module.source()}
    assert ruff_format(out)
    prove(out["source"], module.meant(), "module")
    return out["source"]


def test_a_short_config_is_one_store_call_and_a_long_one_a_variable() -> None:
    module = Module()
    add_stored(module, module.reserve("cpu"), {"accelerator": "cpu", "devices": 1}, KEYWORDS)
    notes = CommentMap(inline={("devices",): "one card"})
    add_stored(module, module.reserve("gpu"), {"devices": 1}, KEYWORDS, notes, ["a heading"])
    text = written(module)
    assert 'store({"accelerator": "cpu", "devices": 1}, name="cpu", group="trainer")\n' in text
    assert '# a heading\ngpu = {\n    "devices": 1,  # one card\n}\nstore(gpu, name="cpu"' in text


def test_a_config_other_configs_start_from_is_a_variable() -> None:
    module = Module()
    add_stored(module, module.reserve("base"), {"a": 1}, KEYWORDS, named=True)
    assert 'base = {"a": 1}\nstore(base, name="cpu", group="trainer")\n' in written(module)


def test_a_config_under_one_key_is_stored_under_it() -> None:
    module = Module()
    tree = {"comet": {"_target_": "x.Comet", "key": "${oc.env:KEY}", "offline": False}}
    notes = CommentMap(above={("comet",): ["https://www.comet.ml"]})
    add_stored(module, module.reserve("comet"), tree, KEYWORDS, notes, wrapper="comet")
    text = written(module)
    assert '\n# https://www.comet.ml\ncomet = {"_target_": "x.Comet", "key": ' in text
    assert 'store({"comet": comet}, name="cpu", group="trainer")' in text


def test_a_table_stores_each_config_under_its_own_name() -> None:
    module = Module()
    configs = [
        ("csv", {"save_dir": "logs", "name": "csv/"}, CommentMap({("csv",): ["built in"]})),
        ("wandb", {"project": "p"}, CommentMap(inline={("wandb", "project"): "yours"})),
    ]
    add_table(module, configs, [("group", "logger"), ("defer", True)])
    text = written(module)
    assert '    # built in\n    "csv": {"save_dir": "logs", "name": "csv/"},\n' in text
    assert '"project": "p"},  # yours' in text or '"project": "p",  # yours' in text
    assert text.endswith(
        "for name, config in configs.items():\n"
        '    store({name: config}, name=name, group="logger", defer=True)\n'
    )
    namespace: dict[str, Any] = {}
    stored: list[tuple[Any, dict[str, Any]]] = []
    body = text.replace("from lazycfg import store\n", "")
    exec(body, {"store": lambda c, **k: stored.append((c, k))}, namespace)
    assert stored[0] == (
        {"csv": {"save_dir": "logs", "name": "csv/"}},
        {
            "name": "csv",
            "group": "logger",
            "defer": True,
        },
    )


def test_derived_rows_copy_a_data_base_and_call_a_factory_base() -> None:
    module = Module()
    add_stored(module, module.reserve("base"), {"opt": {"lr": 0.1}, "seed": 1}, [], named=True)
    keywords: list[tuple[str, str, Any]] = [("name", "name", "fast")]
    add_derived(
        module,
        "fast",
        ("base", False),
        [(("opt", "lr"), 1.0)],
        None,
        CommentMap(),
        [],
        keywords,
        False,
    )
    add_derived(
        module, "seed2", ("base", False), [(("seed",), 2)], None, CommentMap(), [], keywords, False
    )
    text = written(module)
    assert 'fast = deepcopy(base)\nfast["opt"]["lr"] = 1.0\nstore(fast, name="fast")' in text
    assert 'store({**base, "seed": 2}, name="fast")' in text
    assert text.index("from copy import deepcopy") < text.index("from lazycfg import store")
    namespace: dict[str, Any] = {}
    exec(text.replace("from lazycfg import store\n", ""), {"store": lambda c, **k: c}, namespace)
    assert namespace["base"] == {"opt": {"lr": 0.1}, "seed": 1}  # the copy left it alone
    assert namespace["fast"] == {"opt": {"lr": 1.0}, "seed": 1}


def test_sibling_imports_take_as_few_lines_as_fit() -> None:
    module = Module()
    module.local_modules = [f"group_number_{i}" for i in range(12)]
    text = written(module)
    lines = [line for line in text.splitlines() if line.startswith("from . import")]
    assert 2 <= len(lines) < 12 and all(len(line) <= 100 for line in lines)
    assert all(line.endswith("# noqa: F401 (registers the configs)") for line in lines)


def test_an_inline_comment_that_would_split_a_value_goes_above_it() -> None:
    module = Module()
    notes = CommentMap(inline={("defaults", 1): "set it here or on the command line " * 2})
    tree = {"defaults": ["_self_", {"logger": None}, {"trainer": "default"}], "seed": 1}
    add_stored(module, module.reserve("train"), tree, [("name", "name", "train")], notes)
    text = written(module)
    assert "        # set it here or on the command line set it" in text
    assert '        {"logger": None},\n' in text
