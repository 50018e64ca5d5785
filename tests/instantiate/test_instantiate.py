"""Hand-written differential cases: each Hydra rule, through Hydra and through lazycfg."""

from __future__ import annotations

import functools

import pytest
from fixtures.instantiate import (
    Chain,
    Counter,
    Explodes,
    Params,
    Point,
    Record,
    RecordConf,
    assert_same,
    record,
)
from omegaconf import OmegaConf
from omegaconf.errors import MissingMandatoryValue

import lazycfg

R = "fixtures.instantiate.record"
P = "fixtures.instantiate.Point"

CASES = [
    {"_target_": P, "x": 1, "y": 2},
    {"_target_": P, "_args_": [1, 2]},
    {"_target_": R, "a": [1, {"b": 2}], "c": {"d": [3]}},
    {"_target_": R, "_convert_": "all", "a": [1, {"b": 2}], "c": {"d": [3]}},
    {"_target_": R, "_convert_": "partial", "a": [1, {"b": 2}]},
    {"_target_": R, "_convert_": "object", "a": [1, {"b": 2}]},
    {"_target_": R, "_convert_": "ALL", "a": {"b": 1}},
    {"_target_": R, "_convert_": "nonsense", "a": {"b": 1}},
    {"_target_": R, "_args_": [[{"a": 1}, [1]]]},
    {"_target_": R, "_recursive_": False, "p": {"_target_": P, "x": 1}, "l": [1]},
    {"_target_": R, "_recursive_": False, "_convert_": "all", "p": {"_target_": P, "x": 1}},
    {"_target_": R, "_partial_": True, "a": 1},
    {"_target_": R, "_partial_": True, "a": "???"},
    {"_target_": R, "a": "???"},
    {"_target_": R, "a": [1, "???"]},
    {"_target_": R, "a": {"b": "???"}},
    {"_target_": R, "_partial_": True, "a": {"_target_": R, "b": "???"}},
    {"_target_": R, "_recursive_": False, "a": {"b": "???"}},
    {"_target_": R, "_recursive_": "yes"},
    {"_target_": R, "_partial_": 1},
    {"_target_": R, "_args_": 3},
    {"_target_": "math.pi"},
    {"_target_": "math.no_such_thing"},
    {"_target_": None},
    {"x": {"_target_": "builtins.int", "_args_": ["z"]}},
    {"a": {"_target_": R, "_partial_": True}, "b": [1, {"c": 2}]},
    {"_target_": R, "a": {"_convert_": "all", "b": {"c": 1}}},
    {"x": 3, "m": {"_target_": R, "a": "${x}", "b": "${..x}", "c": "v${x}"}},
    {"m": {"_target_": R, "a": "${nope}"}},
    {"_target_": "hydra.utils.get_method", "path": "fixtures.instantiate.record"},
    {"_target_": "hydra.utils.get_class", "path": "fixtures.instantiate.Point"},
    {"_target_": "hydra.utils.get_object", "path": "fixtures.instantiate.Point"},
    {"_target_": R, "cls": {"_target_": "hydra.utils.get_class", "path": P}},
    {"_target_": record, "a": {"_target_": Point, "x": 1}},
    [{"_target_": P, "x": 1}, {"b": 2}, [3]],
    [],
    {},
]


@pytest.mark.parametrize("config", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_as_hydra(config: object) -> None:
    assert_same(config)


@pytest.mark.parametrize(
    ("config", "args", "kwargs"),
    [
        ({"_target_": P, "_args_": [1]}, (5, 6), {}),
        ({"_target_": P, "x": 1}, (), {"y": 7}),
        ({"_target_": R, "a": {"_target_": R, "x": 1, "y": 2}}, (), {"a": {"x": 5}}),
        ({"_target_": R, "a": 5}, (), {"a": "???"}),
        ({"_target_": R, "a": {"x": 1}}, (), {"a": 5}),
        ({"_target_": R, "a": 5}, (), {"a": {"x": 1}}),
        ({"_target_": R, "a": [1, 2]}, (), {"a": [3]}),
        ({"_target_": R, "a": {"x": 1}}, (), {"a": [1]}),
        ({"_target_": R, "a": 5}, (), {"_partial_": True}),
        ({"_target_": R, "a": {"x": 1}}, (), {"_convert_": "all"}),
        ({"_target_": R, "z": 4}, (), {"a": "${z}"}),
        ({"_target_": R}, (), {"obj": Point(1)}),
        ([{"_target_": P, "x": 1}], (), {"_partial_": True}),
        ([{"_target_": P, "x": 1}, {"b": 2}], (), {"_convert_": "all", "ignored": 1}),
        ({"a": 1}, (), {"_partial_": True}),
    ],
)
def test_call_time_args_and_kwargs(config: object, args: tuple, kwargs: dict) -> None:
    assert_same(config, *args, **kwargs)


def test_none_and_bad_top_level_types() -> None:
    assert lazycfg.instantiate(None) is None
    assert_same(5)
    assert_same("_target_: os.system")


def test_dictconfig_inputs_resolve_against_the_whole_config(monkeypatch) -> None:
    monkeypatch.setenv("LAZYCFG_TEST_N", "7")
    root = OmegaConf.create(
        {
            "data": {"n": 3},
            "model": {
                "_target_": R,
                "n": "${data.n}",
                "rel": "${..data.n}",
                "env": "${oc.env:LAZYCFG_TEST_N}",
            },
            "items": [{"_target_": P, "x": "${data.n}"}],
        }
    )
    assert_same(root.model)
    assert_same(root)
    assert_same(root.items)
    assert_same(root.model, extra={"k": [1]})
    root_ro = OmegaConf.create({"_target_": P, "x": 1})
    OmegaConf.set_readonly(root_ro, True)
    OmegaConf.set_struct(root_ro, True)
    assert_same(root_ro, y=3)


def test_structured_configs() -> None:
    assert_same(RecordConf())
    assert_same(RecordConf)
    for mode in ("none", "partial", "object", "all"):
        assert_same({"_target_": R, "_convert_": mode, "p": Params(), "l": [1], "d": {"q": 1}})


def test_partial_is_a_plain_functools_partial() -> None:
    built = lazycfg.instantiate({"_target_": P, "_partial_": True, "y": 2})
    assert type(built) is functools.partial
    assert built(x=1) == Point(1, 2)


def test_check_first_builds_nothing_and_reports_every_problem() -> None:
    Explodes.built = 0
    config = {
        "a": {"_target_": "fixtures.instantiate.Explodes", "size": 1},
        "b": {"_target_": P, "z": 1},
        "c": {"_target_": P, "x": "not an int"},
        "d": {"_target_": "fixtures.instantiate.Pointt"},
        "e": "???",
    }
    with pytest.raises(lazycfg.ConfigError) as info:
        lazycfg.instantiate(config)
    message = str(info.value)
    assert Explodes.built == 0
    for expected in (
        "Error in call to target 'fixtures.instantiate.Point':\nTypeError(",
        "full_key: b\nb.z: unexpected keyword",
        "b.x: missing required",
        "Error locating target 'fixtures.instantiate.Pointt', set env var HYDRA_FULL_ERROR=1",
        "did you mean 'Point'",
        "Missing mandatory value: e",
        "e: missing mandatory",
    ):
        assert expected in message
    # Hydra builds a value whose type does not match its annotation; strict=True refuses it.
    assert "c.x" not in message
    with pytest.raises(lazycfg.ConfigError, match="c.x: expected int"):
        lazycfg.instantiate(config, strict=True)
    from hydra.errors import InstantiationException

    assert isinstance(info.value, InstantiationException)
    assert isinstance(info.value, MissingMandatoryValue)
    kinds = sorted((p.path, p.kind) for p in info.value.records)  # type: ignore[attr-defined]
    assert kinds == [
        ("b.x", "unbound"),
        ("b.z", "binding"),
        ("d", "target"),
        ("e", "missing"),
    ]


def test_errors_in_a_target_name_the_path_and_the_target() -> None:
    from hydra.errors import InstantiationException

    with pytest.raises(InstantiationException) as info:
        lazycfg.instantiate({"m": {"layers": [{"_target_": "builtins.int", "_args_": ["z"]}]}})
    assert "full_key: m.layers[0]" in str(info.value)
    assert "builtins.int" in str(info.value) and "invalid literal" in str(info.value)


def test_a_shared_lazy_node_is_built_once() -> None:
    Counter.made = 0
    shared = lazycfg.lazy(Counter)()
    built = lazycfg.instantiate(
        lazycfg.lazy(Record)(a=shared, b=[shared, (shared,)], c={"k": shared})
    )
    assert Counter.made == 1
    assert (
        built.kwargs["a"]
        is built.kwargs["b"][0]
        is built.kwargs["b"][1][0]
        is built.kwargs["c"]["k"]
    )
    assert type(built.kwargs["b"][1]) is tuple  # a lazy tree is Python: tuples stay tuples


def test_lazy_trees_match_hydra_with_convert_all() -> None:
    tree = lazycfg.lazy(Record)(
        p=lazycfg.lazy(Point)(x=1), l=[1, {"a": [2]}], part=lazycfg.partial(Point)(y=1)
    )
    ours = lazycfg.instantiate(tree)
    import hydra.utils
    from fixtures.instantiate import norm

    theirs = hydra.utils.instantiate(lazycfg.to_dict(tree), _convert_="all")
    assert norm(ours) == norm(theirs)
    assert lazycfg.instantiate(tree, extra=[1]).kwargs["extra"] == [1]
    assert lazycfg.instantiate(lazycfg.lazy(Point)(x="${y}") if False else tree) is not None


def test_lazy_tree_with_interpolation_and_kwargs() -> None:
    node = lazycfg.lazy(Record)(a=lazycfg.lazy(Point)(x=1, y=2))
    built = lazycfg.instantiate(node, a={"y": 5})
    assert built.kwargs["a"] == Point(1, 5)
    built = lazycfg.instantiate({"n": 4, "r": lazycfg.lazy(Record)(n="${n}")})
    assert built["r"].kwargs["n"] == 4


def test_ten_thousand_deep_chains() -> None:
    node = None
    for _ in range(10_000):
        node = lazycfg.lazy(Chain)(child=node)
    plain = None
    for _ in range(10_000):
        plain = {"_target_": "fixtures.instantiate.Chain", "child": plain}
    for built in (lazycfg.instantiate(node), lazycfg.instantiate(plain)):
        depth = 0
        while built is not None:
            built, depth = built.child, depth + 1
        assert depth == 10_000


@pytest.mark.parametrize(
    "config",
    [
        {"_target_": P, "x": "???"},  # the plain pass
        # a lazy value sends the dict to the generic engine
        {"_target_": R, "a": {"_target_": P, "x": "???"}, "b": lazycfg.lazy(Point)(x=1)},
        OmegaConf.create({"m": {"_target_": P, "x": "???"}}),
        lazycfg.Lazy(P, (), {"x": "???"}, False),  # a string-target lazy node
    ],
    ids=["plain", "generic", "dictconfig", "lazy"],
)
def test_a_missing_argument_is_reported_once(config: object) -> None:
    with pytest.raises(MissingMandatoryValue) as info:
        lazycfg.instantiate(config)
    message = str(info.value)
    assert "x: missing mandatory value (???)" in message  # the generic case: a.x
    assert "missing required argument" not in message
    assert "1 problem," in message


def total(*values: int) -> int:
    return sum(values)


@pytest.mark.parametrize(
    ("config", "args", "expected"),
    [
        ({"_target_": total, "_args_": [1, "a"]}, (), "_args_[1]: expected int, got str 'a'"),
        (
            {"m": {"_target_": total, "_args_": [1, "a"]}},
            (),
            "m._args_[1]: expected int, got str 'a'",
        ),
        # a lazy value sends the dict to the generic engine
        (
            {"m": {"_target_": total, "_args_": [1, "a"]}, "n": lazycfg.Lazy(total, (), {}, False)},
            (),
            "m._args_[1]: expected int, got str 'a'",
        ),
        (lazycfg.Lazy(total, (1, "a"), {}, False), (), "_args_[1]: expected int, got str 'a'"),
        (
            [lazycfg.Lazy(total, (1, "a"), {}, False)],
            (),
            "[0]._args_[1]: expected int, got str 'a'",
        ),
        ({"_target_": total}, (1, 2, "b"), "_args_[2]: expected int, got str 'b'"),
    ],
    ids=["plain-root", "plain", "generic", "lazy", "lazy-in-list", "call-time"],
)
def test_a_star_args_problem_is_named_at_the_node(
    config: object, args: tuple[object, ...], expected: str
) -> None:
    from hydra.errors import InstantiationException

    # Not strict: the target is called, as Hydra calls it, and fails inside.
    with pytest.raises(InstantiationException, match="Error in call to target") as called:
        lazycfg.instantiate(config, *args)
    assert not isinstance(called.value, lazycfg.ConfigError)
    with pytest.raises(lazycfg.ConfigError) as info:
        lazycfg.instantiate(config, *args, strict=True)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].endswith(expected)
    assert "<root>" not in str(info.value)


def test_a_non_string_argument_name_is_refused_before_any_sibling_is_built() -> None:
    Explodes.built = 0
    config = {
        "a": {"_target_": "fixtures.instantiate.Explodes", "size": 1},
        "b": {"_target_": "fixtures.instantiate.record", 1: 2},
    }
    for form in (config, OmegaConf.create(config)):
        with pytest.raises(lazycfg.ConfigError, match="argument name 1 is not a string"):
            lazycfg.instantiate(form)
    assert Explodes.built == 0


def test_an_interpolation_error_is_reported_with_the_other_problems() -> None:
    from omegaconf.errors import InterpolationKeyError

    config = {"a": "${nope}", "b": {"_target_": P, "z": 1}}
    for form in (config, OmegaConf.create(config)):
        with pytest.raises(InterpolationKeyError) as info:  # what Hydra raises first
            lazycfg.instantiate(form)
        kinds = sorted(p.kind for p in info.value.records)  # type: ignore[attr-defined]
        assert kinds == ["binding", "interpolation", "unbound"]
        assert "Interpolation key 'nope' not found" in str(info.value)


def test_a_method_descriptor_target_is_named_not_a_crash() -> None:
    from hydra.errors import InstantiationException

    with pytest.raises(InstantiationException) as info:
        lazycfg.instantiate({"_target_": "builtins.list.append", "_args_": [[], 1]})
    assert "builtins.list.append" in str(info.value)
    assert not isinstance(info.value.__cause__, AttributeError)
