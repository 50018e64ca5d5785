"""Lazy trees through `lazycfg.instantiate`: what Hydra builds from their configs, and the checks."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures.instantiate import Counter, Explodes, Point, Record, norm
from hypothesis import given, settings
from hypothesis import strategies as st

import lazycfg
from lazycfg import Lazy

R = "fixtures.instantiate.Record"


def outcome(fn: Any, node: Any) -> tuple[str, Any]:
    """("ok", a picture of the result with tuples as lists) or ("error", None)."""
    try:
        return "ok", _lists(norm(fn(node)))
    except Exception:  # failing is what is compared
        return "error", None


def _lists(picture: Any) -> Any:
    if isinstance(picture, tuple):
        return tuple("list" if item == "tuple" else _lists(item) for item in picture)
    return picture


# --- generated lazy trees: what Hydra builds from their configs (convert all) ------------------

LEAVES = st.one_of(
    st.integers(-3, 3),
    st.text("xy", max_size=2),
    st.none(),
    st.integers(0, 9).map(lambda i: "???" if i == 0 else i),  # a missing value, now and then
)
KEYS = st.sampled_from(["a", "b", "c"])


@st.composite
def lazy_trees(draw: st.DrawFn) -> Lazy[Any]:
    pool: list[Lazy[Any]] = []

    def value(depth: int) -> Any:
        choice = draw(st.integers(0, 6 if depth < 3 else 0))
        if choice == 0:
            return draw(LEAVES)
        if choice == 1 and pool:
            return draw(st.sampled_from(pool))  # a shared node
        if choice == 2:
            return [value(depth + 1) for _ in range(draw(st.integers(0, 2)))]
        if choice == 3:
            return tuple(value(depth + 1) for _ in range(draw(st.integers(0, 2))))
        if choice == 4:
            return {draw(KEYS): value(depth + 1) for _ in range(draw(st.integers(0, 2)))}
        return node(depth + 1)

    def node(depth: int) -> Lazy[Any]:
        kwargs = {draw(KEYS): value(depth) for _ in range(draw(st.integers(0, 3)))}
        args = tuple(value(depth) for _ in range(draw(st.integers(0, 2))))
        kind = draw(st.sampled_from(["lazy"] * 4 + ["partial", "string", "point", "blocked"]))
        if kind == "lazy":
            made: Lazy[Any] = lazycfg.lazy(Record)(*args, **kwargs)
        elif kind == "partial":
            made = lazycfg.partial(Record)(*args, **kwargs)
        elif kind == "string":  # unchecked until instantiate: a string target, no defining line
            made = Lazy(R, args, kwargs)
        elif kind == "point":  # bound here: wrong argument names are found by instantiate
            made = Lazy("fixtures.instantiate.Point", args, kwargs)
        else:
            made = Lazy("os.system", ("true",))
        pool.append(made)
        return made

    return lazycfg.lazy(Record)(node(0), extra=value(0))


@settings(max_examples=250, deadline=None)
@given(lazy_trees())
def test_lazy_trees_build_what_hydra_builds_from_their_configs(tree: Lazy[Any]) -> None:
    import hydra.utils

    config = lazycfg.to_dict(tree)
    theirs = outcome(lambda c: hydra.utils.instantiate(c, _convert_="all"), config)
    assert outcome(lazycfg.instantiate, tree) == theirs


# --- hand-written cases ----------------------------------------------------------------------


def test_string_target_nodes_are_resolved_and_bound() -> None:
    tree = lazycfg.lazy(Record)(p=Lazy("fixtures.instantiate.Point", (1,), {"y": 2}))
    assert lazycfg.instantiate(tree).kwargs["p"] == Point(1, 2)
    bad = lazycfg.lazy(Record)(
        p=Lazy("fixtures.instantiate.Point", (), {"z": 2}), q=[Lazy("fixtures.instantiate.Pointt")]
    )
    with pytest.raises(lazycfg.ConfigError) as info:
        lazycfg.instantiate(bad)
    message = str(info.value)
    assert "p.z: unexpected keyword" in message
    assert "p.x: missing required" in message
    assert "q[0]: " in message and "did you mean 'Point'" in message


def test_a_blocked_target_deep_in_a_lazy_tree_stops_everything() -> None:
    Explodes.built = 0
    tree = lazycfg.lazy(Record)(
        first=lazycfg.lazy(Explodes)(size=1),
        deep=[{"k": (lazycfg.lazy(Record)(cmd=Lazy("os.system", ("true",))),)}],
    )
    with pytest.raises(lazycfg.ConfigError) as info:
        lazycfg.instantiate(tree)
    assert "Target 'os.system' is blocklisted" in str(info.value)
    assert "full_key: deep[0].k[0].cmd" in str(info.value)
    assert Explodes.built == 0
    import hydra.utils

    through_helper = lazycfg.lazy(Record)(f=lazycfg.lazy(hydra.utils.get_object)(path="os.system"))
    with pytest.raises(
        lazycfg.ConfigError, match=r"Target 'os.system' is blocklisted(.|\n)*full_key: f"
    ):
        lazycfg.instantiate(through_helper)
    with pytest.raises(lazycfg.ConfigError, match="not in the allow-list"):
        lazycfg.instantiate(tree, allow=["fixtures.instantiate.Record"])


def test_sharing_order_and_copies() -> None:
    Counter.made = 0
    shared = lazycfg.lazy(Counter)()
    maker = lazycfg.partial(Point)(y=3)
    items = [1, 2]
    tree = lazycfg.lazy(Record)(shared, [shared], m1=maker, m2=maker, l1=items, l2=items)
    built = lazycfg.instantiate(tree)
    assert Counter.made == 1 and built.args[0] is built.args[1][0]
    assert built.kwargs["m1"] is built.kwargs["m2"] and built.kwargs["m1"](x=1) == Point(1, 3)
    # containers are copied per place, as Hydra copies them: a target may mutate its own
    assert built.kwargs["l1"] == items and built.kwargs["l1"] is not built.kwargs["l2"]
    assert built.kwargs["l1"] is not items


def test_node_options_are_honoured() -> None:
    from omegaconf import DictConfig, ListConfig

    tree = lazycfg.from_config(
        {
            "_target_": R,
            "inner": {"_target_": R, "_convert_": "none", "l": [1], "d": {"k": 1}},
            "raw": {"_target_": R, "_recursive_": False, "p": {"_target_": "builtins.dict"}},
            "plain": {"_target_": R, "l": [1]},
        }
    )
    built = lazycfg.instantiate(tree)
    inner = built.kwargs["inner"].kwargs
    assert type(inner["l"]) is ListConfig and type(inner["d"]) is DictConfig
    assert type(built.kwargs["raw"].kwargs["p"]) is dict  # a config handed over unbuilt
    assert type(built.kwargs["plain"].kwargs["l"]) is list
    import hydra.utils

    config = lazycfg.to_dict(tree)
    assert norm(built) == norm(hydra.utils.instantiate(config, _convert_="all"))


def test_interpolations_and_missing_values_in_lazy_trees() -> None:
    with pytest.raises(lazycfg.ConfigError, match=r"a\.x: missing mandatory value"):
        lazycfg.instantiate(lazycfg.lazy(Record)(a=lazycfg.lazy(Point)(x="???")))  # type: ignore[arg-type]
    made = lazycfg.instantiate(lazycfg.partial(Point)(x="???", y=2))  # type: ignore[arg-type]
    assert made(x=1) == Point(1, 2)
    built = lazycfg.instantiate({"n": 2, "r": lazycfg.lazy(Record)(p=lazycfg.lazy(Point)("${n}"))})
    assert built["r"].kwargs["p"] == Point(2, 0)


# --- interpolations keep the tree: sharing survives resolution ---------------------------------


def test_a_shared_node_stays_shared_when_the_tree_holds_an_interpolation() -> None:
    Counter.made = 0
    shared = lazycfg.lazy(Counter)()
    tree = lazycfg.lazy(Record)(
        a=shared, b=[shared, (shared,)], m="${oc.env:LAZYCFG_SURELY_UNSET,null}"
    )
    built = lazycfg.instantiate(tree)
    assert Counter.made == 1
    assert built.kwargs["a"] is built.kwargs["b"][0] is built.kwargs["b"][1][0]
    assert built.kwargs["m"] is None
    assert type(built.kwargs["b"]) is list and type(built.kwargs["b"][1]) is tuple
    # call-time kwargs with an interpolation: the root becomes a dict, sharing is kept
    again = lazycfg.instantiate(lazycfg.lazy(Record)(a=shared, b=[shared]), c="${oc.env:X,7}")
    assert again.kwargs["a"] is again.kwargs["b"][0] and again.kwargs["c"] == "7"


def test_a_shared_node_takes_the_values_resolved_at_its_first_path() -> None:
    point = lazycfg.lazy(Point)(x="${..n}")  # type: ignore[arg-type]
    tree = lazycfg.lazy(Record)(
        n=1, first=point, sub=lazycfg.lazy(Record)(n=2, second=point), copy="${first.x}"
    )
    built = lazycfg.instantiate(tree)
    first, second = built.kwargs["first"], built.kwargs["sub"].kwargs["second"]
    assert first is second and first == Point(1, 0)
    assert built.kwargs["copy"] == 1
    # the same tree with the node written twice: each place resolves on its own, as in Hydra
    apart = lazycfg.lazy(Record)(
        n=1,
        first=lazycfg.lazy(Point)(x="${..n}"),  # type: ignore[arg-type]
        sub=lazycfg.lazy(Record)(n=2, second=lazycfg.lazy(Point)(x="${..n}")),  # type: ignore[arg-type]
    )
    built = lazycfg.instantiate(apart)
    assert built.kwargs["first"] == Point(1, 0)
    assert built.kwargs["sub"].kwargs["second"] == Point(2, 0)


def sharing(value: Any) -> list[int]:
    """Which built Records are one object: each Record's first-seen index, depth first."""
    seen: dict[int, int] = {}
    out: list[int] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Record):
            out.append(seen.setdefault(id(item), len(seen)))
            stack.extend(reversed([*item.args, *item.kwargs.values()]))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
    return out


@settings(max_examples=120, deadline=None)
@given(lazy_trees())
def test_an_interpolation_changes_nothing_but_its_own_value(tree: Lazy[Any]) -> None:
    plain = lazycfg.lazy(Record)(tree, env=None)
    interpolated = lazycfg.lazy(Record)(tree, env="${oc.env:LAZYCFG_SURELY_UNSET,null}")
    expected = outcome(lazycfg.instantiate, plain)
    assert outcome(lazycfg.instantiate, interpolated) == expected
    if expected[0] == "ok":
        assert sharing(lazycfg.instantiate(interpolated)) == sharing(lazycfg.instantiate(plain))


# --- a dict or list holding lazy nodes is a lazy tree -------------------------------------------


def test_a_dict_or_list_holding_lazy_nodes_has_python_semantics() -> None:
    from fixtures.instantiate import Params

    Counter.made = 0
    shared = lazycfg.lazy(Counter)()
    config = {
        "params": lazycfg.lazy(Params)(a=2),
        "shared": [shared, shared],
        "pair": (1, 2),
        "plain": {"_target_": R, "l": [1], "d": {"k": 1}},
        "nested": {"k": [1]},
    }
    built = lazycfg.instantiate(config)
    assert type(built) is dict and type(built["nested"]) is dict
    assert type(built["params"]) is Params and built["params"].a == 2  # not a DictConfig
    assert Counter.made == 1 and built["shared"][0] is built["shared"][1]
    assert built["pair"] == (1, 2)  # tuples stay tuples
    assert type(built["plain"].kwargs["l"]) is list and type(built["plain"].kwargs["d"]) is dict
    items = lazycfg.instantiate([lazycfg.lazy(Params)(a=3), shared, shared])
    assert type(items) is list and type(items[0]) is Params and items[1] is items[2]
    assert type(lazycfg.instantiate((lazycfg.lazy(Params)(),))) is tuple
    # with an interpolation, and with a node's own _convert_
    built = lazycfg.instantiate({"n": 4, "r": lazycfg.lazy(Record)(n="${n}", l=[1]), "s": shared})
    assert type(built) is dict and built["r"].kwargs == {"n": 4, "l": [1]}
    assert type(built["r"].kwargs["l"]) is list
    assert (
        lazycfg.instantiate(config, _convert_="none")["nested"].__class__.__name__ == "DictConfig"
    )


def test_plain_dicts_without_lazy_nodes_keep_hydra_semantics() -> None:
    from omegaconf import DictConfig, ListConfig

    built = lazycfg.instantiate({"m": {"_target_": R, "l": [1]}, "t": (1, 2)})
    assert type(built) is DictConfig and type(built.m.kwargs["l"]) is ListConfig
    assert type(built.t) is ListConfig
    assert type(lazycfg.instantiate([{"_target_": R, "l": [1]}])).__name__ == "ListConfig"
