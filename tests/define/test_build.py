"""lazy, partial, replace: define-time validation with paths, lines and fixes."""

from __future__ import annotations

import functools
import io
import pathlib
import sys

import fixtures.basic as ft
import pytest
from sklearn.ensemble import RandomForestClassifier

from lazycfg import ConfigError, Lazy, TargetError, instantiate, lazy, partial, replace, to_dict
from lazycfg.core import where


def line_of(offset: int = 0) -> str:
    """``file:line`` of the caller's line plus ``offset``."""
    frame = sys._getframe(1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno + offset}"


def test_lazy_constructs_nothing_and_instantiate_builds() -> None:
    node = lazy(RandomForestClassifier)(n_estimators=3000, random_state=666)
    assert isinstance(node, Lazy)
    assert node.n_estimators == 3000
    model = instantiate(node)
    assert isinstance(model, RandomForestClassifier)
    assert model.get_params()["n_estimators"] == 3000


def test_all_problems_of_one_call_at_once_with_the_defining_line() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.Pipe)(modle=lazy(ft.Model)(), steps="three")
    here = line_of(-1)
    assert info.value.problems == [
        "modle: unexpected keyword argument (did you mean 'model'?)",
        "steps: expected int, got str 'three'",
        "model: missing required argument",
    ]
    assert str(info.value).startswith(f"invalid call of fixtures.basic.Pipe at {here}:")


def test_too_many_positionals() -> None:
    with pytest.raises(ConfigError, match=r"takes 2 positional arguments \(lr, momentum\)"):
        lazy(ft.Optimizer)(0.1, 0.9, 3)


def test_wrong_nested_node_type() -> None:
    with pytest.raises(ConfigError, match="model: expected Model, got a lazy Optimizer"):
        lazy(ft.Pipe)(model=lazy(ft.Optimizer)(lr=0.1))


def test_partial_allows_missing_required_and_builds_functools_partial() -> None:
    node = partial(ft.Optimizer)(momentum=0.5)
    assert to_dict(node) == {
        "_target_": "fixtures.basic.Optimizer",
        "_partial_": True,
        "momentum": 0.5,
    }
    built = instantiate(node)
    assert isinstance(built, functools.partial)
    assert built(lr=0.1) == ft.Optimizer(lr=0.1, momentum=0.5)
    with pytest.raises(ConfigError, match="lr: expected float"):
        partial(ft.Optimizer)(lr="fast")


@pytest.mark.parametrize("target", [ft.DataPoint, ft.AttrsPoint, ft.PydPoint])
def test_dataclass_attrs_pydantic_targets_are_checked_and_built(target: type) -> None:
    node = lazy(target)(x=3)
    assert instantiate(node) == target(x=3)
    with pytest.raises(ConfigError) as info:
        lazy(target)(x="three", labl="b")
    assert info.value.problems == [
        "x: expected int, got str 'three'",
        "labl: unexpected keyword argument (did you mean 'label'?)",
    ]
    with pytest.raises(ConfigError, match="x: missing required argument"):
        lazy(target)()


def test_function_targets_and_positional_args() -> None:
    node = lazy(ft.add)(2, y=3)
    assert to_dict(node) == {"_target_": "fixtures.basic.add", "_args_": [2], "y": 3}
    assert instantiate(node) == 5
    assert node.x == 2


def test_values_hydra_resolves_later_are_not_type_checked() -> None:
    node = lazy(ft.Pipe)(model="${model}", steps="${oc.env:STEPS}")
    assert node.steps == "${oc.env:STEPS}"
    lazy(ft.Optimizer)(lr="???")
    lazy(ft.Typed)(sizes=["${a}", 2])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (io.StringIO(), "left: StringIO"),
        ([1, {"a": object()}], r"left\[1\]\.a: object"),
        ({1.5: "x"}, "left: dict keys must be str or int, got 1.5"),
        ((lambda: 0), "left: .*lambda.*move it to module level"),
    ],
)
def test_values_that_cannot_be_written_are_refused_by_argument(value: object, message: str):
    with pytest.raises(ConfigError, match=message):
        lazy(ft.Pair)(left=value)


def test_local_class_as_a_value_is_refused() -> None:
    class Local:
        pass

    with pytest.raises(ConfigError, match="_args_\\[0\\]: .*<locals>"):
        lazy(ft.Pair)(Local)


def test_lambda_and_local_targets_are_refused_at_the_defining_line() -> None:
    with pytest.raises(TargetError) as info:
        lazy(lambda x: x)
    assert f"invalid lazy() at {line_of(-1)}" in str(info.value)

    class Local:
        pass

    with pytest.raises(TargetError, match="<locals>.*module level"):
        partial(Local)
    with pytest.raises(ConfigError, match="takes a class or function, got 3"):
        lazy(3)  # type: ignore[arg-type]


def test_supported_values_are_accepted() -> None:
    node = lazy(ft.Bag)(
        1, 2.5, "s", True, None, [1, (2, 3)], {"k": {"n": [ft.Color.RED]}},
        ft.Level.HIGH, pathlib.Path("data/x.csv"), ft.Pair, ft.add, len,
        nested=lazy(ft.Model)(),
    )  # fmt: skip
    assert isinstance(node, Lazy)


def test_replace_returns_a_validated_variant() -> None:
    base = lazy(ft.Pair)(1, right=2)
    changed = replace(base, left=10, right=20)
    assert to_dict(changed) == {"_target_": "fixtures.basic.Pair", "_args_": [10], "right": 20}
    assert to_dict(base)["_args_"] == [1]  # the original is untouched
    with pytest.raises(ConfigError) as info:
        replace(base, rihgt=3)
    assert "rihgt: unexpected keyword argument (did you mean 'right'?)" in info.value.problems
    assert f"at {line_of(-2)} (node defined at {where(base)})" in str(info.value)
    with pytest.raises(ConfigError, match="replace\\(\\) takes a lazy node"):
        replace(ft.Pair(1))


def test_replace_keeps_partial_and_checks_types() -> None:
    opt = partial(ft.Optimizer)(momentum=0.5)
    assert replace(opt, momentum=0.7) == partial(ft.Optimizer)(momentum=0.7)
    with pytest.raises(ConfigError, match="momentum: expected float"):
        replace(opt, momentum="x")


def test_sklearn_signature_is_checked() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(RandomForestClassifier)(n_estimatorz=3)
    assert "did you mean 'n_estimators'?" in info.value.problems[0]


def test_positional_only_by_keyword_is_refused_at_the_defining_line() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.PosOnly)(a=1, b=2)  # type: ignore[call-arg]
    message = str(info.value)
    assert line_of(-2) in message
    assert "a: positional-only parameter passed by keyword; pass it by position" in message
    assert instantiate(lazy(ft.PosOnly)(1, 2, c=3)) == ft.PosOnly(1, 2, 3)


def test_variadic_values_and_nodes_in_lists_are_checked() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.TypedVarargs)(1, "a", scale="x")  # type: ignore[arg-type]
    assert info.value.problems == [
        "_args_[1]: expected int, got str 'a'",
        "scale: expected float, got str 'x'",
    ]
    with pytest.raises(ConfigError, match=r"children\[0\]: expected DataPoint, got a lazy"):
        lazy(ft.Holder)(children=[lazy(ft.AttrsPoint)(x=1)])  # type: ignore[list-item]


@pytest.mark.parametrize("text", ["${oops", "a ${}", "${a b}"])
def test_malformed_interpolations_are_refused_at_definition(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.Pair)(left=1, right=text)
    assert line_of(-1) in str(info.value)
    assert info.value.problems[0].startswith(f"right: malformed interpolation {text!r}")
    with pytest.raises(ConfigError, match=r"right\[1\]\.k: malformed interpolation"):
        lazy(ft.Pair)(left=1, right=[1, {"k": text}])


def test_wellformed_interpolations_are_accepted() -> None:
    for text in ["${model.lr}", "x ${oc.env:HOME,/tmp} y", "\\${not_one", "${a:${b}}"]:
        lazy(ft.Pair)(left=text, right=[text])


def test_a_numpy_scalar_gets_one_problem_with_the_fix() -> None:
    import numpy as np

    with pytest.raises(ConfigError) as info:
        lazy(ft.Optimizer)(lr=np.float32(0.1))  # type: ignore[arg-type]
    assert info.value.problems == [
        "lr: numpy.float32 0.1 cannot be written to a config; pass float(x)"
    ]
    with pytest.raises(ConfigError) as info:
        lazy(ft.Optimizer)(np.int32(2))  # type: ignore[arg-type]
    assert info.value.problems == [
        "_args_[0]: numpy.int32 2 cannot be written to a config; pass int(x)"
    ]


@pytest.mark.parametrize("target", [ft.PydAlias, ft.PydValidateByName])
def test_pydantic_population_by_name_builds(target: type) -> None:
    assert instantiate(lazy(target)(learning_rate=0.1)).learning_rate == 0.1  # type: ignore[call-arg]
    assert instantiate(lazy(target)(lr=0.2)).learning_rate == 0.2


def test_a_value_problem_keeps_the_other_problems_of_its_argument() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.Optimizer)(lr=0.1, momentm="${oops")  # type: ignore[call-arg]
    assert info.value.problems[0].startswith("momentm: unexpected keyword argument")
    assert info.value.problems[1].startswith("momentm: malformed interpolation")


def test_only_missing_arguments_suggest_a_partial_with_the_call_as_written() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.Optimizer)(momentum=0.5)
    (problem,) = info.value.problems
    assert problem.startswith("lr: missing required argument; to pass lr when the object is built")
    assert problem.endswith("make it a partial: Partial(Optimizer, momentum=0.5)")
    with pytest.raises(ConfigError) as info:
        lazy(ft.Pipe)(modle=lazy(ft.Model)())
    assert "Partial" not in str(info.value)  # a misspelling is the likelier story


def test_a_config_missing_an_argument_suggests_partial_true() -> None:
    from lazycfg import from_config

    with pytest.raises(ConfigError) as info:
        from_config({"opt": {"_target_": "fixtures.basic.Optimizer"}})
    assert "add _partial_: true to this node" in str(info.value)


def test_problems_come_as_records_too() -> None:
    with pytest.raises(ConfigError) as info:
        lazy(ft.Pipe)(modle=lazy(ft.Model)(), steps="three")
    records = info.value.records
    assert [(r.path, r.kind) for r in records] == [
        ("modle", "unexpected"),
        ("steps", "type"),
        ("model", "unbound"),
    ]
    assert [str(r) for r in records] == info.value.problems
    assert records[1].detail == "expected int, got str 'three'"


def test_a_value_problem_drops_only_the_type_problem_of_its_own_argument() -> None:
    import numpy as np

    with pytest.raises(ConfigError) as info:
        lazy(ft.Pipe)(steps=np.int64(3), model="m")  # type: ignore[arg-type]
    assert [(r.path, r.kind) for r in info.value.records] == [
        ("model", "type"),  # kept: not the argument whose value cannot be written
        ("steps", "value"),
    ]
    assert (
        info.value.problems[1] == "steps: numpy.int64 3 cannot be written to a config; pass int(x)"
    )


def test_an_old_argument_name_in_python_names_the_new_one() -> None:
    import fixtures.values as vt

    with pytest.raises(ConfigError) as info:
        lazy(vt.Net)(dropout=0.1)  # type: ignore[call-arg]
    assert info.value.problems == [
        "dropout: unexpected keyword argument; fixtures.values.Net renamed 'dropout' to "
        "'p_drop': write p_drop=..."
    ]
    assert info.value.records[0].kind == "unexpected"
    with pytest.raises(ConfigError) as info:
        lazy(vt.Net)(momentum=0.9)  # type: ignore[call-arg]
    assert info.value.problems == [
        "momentum: unexpected keyword argument; fixtures.values.Net no longer takes 'momentum': "
        "leave it out"
    ]
    with pytest.raises(ConfigError, match="did you mean 'p_drop'"):  # no rename: the nearest
        lazy(vt.Net)(p_dorp=0.1)  # type: ignore[call-arg]


def test_a_renamed_argument_in_a_partial_and_by_instantiate_names_the_new_one() -> None:
    import fixtures.values as vt

    with pytest.raises(ConfigError, match="renamed 'dropout' to 'p_drop': write p_drop="):
        partial(vt.Net)(dropout=0.1)  # type: ignore[call-arg]
    # A config is read as current (a warning, then built); Python code is told at its line.
    with pytest.warns(UserWarning, match="renamed 'dropout' to 'p_drop'"):
        built = instantiate({"_target_": "fixtures.values.Net", "dropout": 0.2})
    assert built.p_drop == 0.2
