"""@factory: the calls in a body become lazy nodes; the eager rules; ordinary Python in bodies."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from fixtures.factory import (
    CONSTRUCTED,
    Bag,
    Layer,
    Net,
    Optim,
    Pair,
    Trainer,
    refuse_rewritten_names_in_messages,
    scale,
)

import lazycfg
from lazycfg import Lazy, eager, factory, instantiate, lazy, partial, replace, to_dict
from lazycfg.core import walk, where


@pytest.fixture(autouse=True)
def _messages_quote_the_users_source(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_rewritten_names_in_messages(monkeypatch)


@pytest.fixture(autouse=True)
def _clear() -> None:
    CONSTRUCTED.clear()


def nodes(tree: Any) -> list[Lazy[Any]]:
    return [v for _, v in walk(tree) if isinstance(v, Lazy)]


@factory
def trainer(width: int = 8, depth: int = 2, lr: float = 0.1) -> Trainer:
    layers = [Layer(size=width) for _ in range(depth)]
    return Trainer(model=Net(layers=layers, dropout=0.1), optim=Optim(lr=lr), epochs=3)


def test_calling_a_factory_constructs_nothing_and_instantiate_builds_it() -> None:
    tree = trainer(width=4)
    assert isinstance(tree, Lazy)
    assert CONSTRUCTED == []
    assert [n._lazy_target for n in nodes(tree)] == [Trainer, Net, Layer, Layer, Optim]
    built = instantiate(tree)
    assert CONSTRUCTED == ["Layer", "Layer", "Net"]
    assert isinstance(built, Trainer) and built.model.layers[1] == Layer(4)


def test_emitted_config_is_plain_hydra_and_hydra_builds_it() -> None:
    from hydra.utils import instantiate as hydra_instantiate

    config = to_dict(trainer(depth=1))
    assert config == {
        "_target_": "fixtures.factory.Trainer",
        "model": {
            "_target_": "fixtures.factory.Net",
            "layers": [{"_target_": "fixtures.factory.Layer", "size": 8}],
            "dropout": 0.1,
        },
        "optim": {"_target_": "fixtures.factory.Optim", "lr": 0.1},
        "epochs": 3,
    }
    assert hydra_instantiate(config) == instantiate(trainer(depth=1))


def test_nodes_record_the_line_that_wrote_them() -> None:
    tree = trainer()
    meta = tree._lazy_meta
    assert meta is not None and meta.where is not None
    file, line = meta.where
    assert file == __file__
    assert line == trainer.__wrapped__.__code__.co_firstlineno + 3  # type: ignore[attr-defined]
    assert where(tree.model) == f"{__file__}:{line}"


# --- eager rules -------------------------------------------------------------------------------


@eager
def helper_tags(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


@factory
def uses_eager(spec: str = "4,8") -> Trainer:
    sizes = [int(s) for s in spec.split(",")]  # int() builtin, str.split method: eager
    tags = helper_tags("t", len(sizes))  # an @eager function
    tags.append("end")  # a method of a plain list
    total = eager(sum)(sizes)  # a call-site wrapper
    assert isinstance(sizes, list)
    return Trainer(model=Net([Layer(s) for s in sizes]), epochs=total, tags=tags)


def test_builtins_methods_of_values_and_eager_functions_run_now() -> None:
    tree = uses_eager()
    assert tree.tags == ["t0", "t1", "end"]
    assert tree.epochs == 12
    assert [layer.size for layer in tree.model.layers] == [4, 8]


def test_eager_wrapper_does_not_change_the_function_elsewhere() -> None:
    @factory
    def uses_scale() -> Pair:
        return Pair(left=eager(scale)(1.0), right=scale(1.0))

    tree = uses_scale()
    assert tree.left == 2.0
    assert isinstance(tree.right, Lazy) and tree.right._lazy_target is scale
    assert not hasattr(scale, "__lazycfg_eager__")


def test_lazycfg_api_runs_inside_a_factory() -> None:
    @factory
    def api() -> Trainer:
        model = lazy(Net)(layers=[], dropout=0.5)
        return Trainer(model=replace(model, dropout=0.2), optim=partial(Optim)())

    tree = api()
    assert tree.model.dropout == 0.2
    assert tree.optim._lazy_partial is True
    assert instantiate(tree).optim(lr=1.0) == Optim(lr=1.0)


@factory
def block(width: int, act: str = "relu") -> Layer:
    return Layer(width, activation=act)


@factory
def stack_of_blocks(width: int = 3) -> Net:
    return Net(layers=[block(width), block(width * 2, act="tanh")])


def test_factories_calling_factories_are_inlined() -> None:
    tree = stack_of_blocks()
    assert to_dict(tree)["layers"] == [
        {"_target_": "fixtures.factory.Layer", "_args_": [3], "activation": "relu"},
        {"_target_": "fixtures.factory.Layer", "_args_": [6], "activation": "tanh"},
    ]


# --- ordinary Python -----------------------------------------------------------------------------


@factory
def shared() -> Pair:
    optim = Optim(lr=0.01)
    return Pair(left=optim, right=optim)


def test_a_local_used_twice_is_one_node_built_once() -> None:
    tree = shared()
    assert tree.left is tree.right
    built = instantiate(tree)
    assert built.left is built.right


@factory
def control_flow(kind: str = "wide", n: int = 3) -> Bag:
    items: list[Any] = []
    if kind == "wide":
        items.append(Layer(64))
    else:
        items.append(Layer(8))
    i = 0
    while i < n:
        items.append(Layer(i))
        i += 1
    for size in range(2):
        items.append(Optim(lr=size / 10))
    table = {f"l{k}": Layer(k) for k in range(2)}
    return Bag(items=items, table=table)


def test_if_for_while_and_comprehensions_run_when_the_config_is_built() -> None:
    wide, narrow = control_flow(), control_flow(kind="narrow", n=0)
    assert [getattr(x, "size", None) for x in wide.items] == [64, 0, 1, 2, None, None]
    assert narrow.items[0].size == 8 and len(narrow.items) == 3
    assert sorted(wide.table) == ["l0", "l1"] and wide.table["l1"].size == 1


@factory
def splats(*sizes: int, **extra: Any) -> Net:
    args = (list(Layer(s) for s in sizes),)
    return Net(*args, **extra)


def test_positional_keyword_and_splat_arguments() -> None:
    tree = splats(1, 2, dropout=0.3, name="x")
    assert to_dict(tree) == {
        "_target_": "fixtures.factory.Net",
        "_args_": [
            [
                {"_target_": "fixtures.factory.Layer", "_args_": [1]},
                {"_target_": "fixtures.factory.Layer", "_args_": [2]},
            ]
        ],
        "dropout": 0.3,
        "name": "x",
    }
    assert instantiate(tree).layers == [Layer(1), Layer(2)]


def test_nested_calls_are_all_lazy() -> None:
    @factory
    def nested() -> Optim:
        return Optim(lr=scale(scale(0.5), factor=3.0))

    tree = nested()
    assert isinstance(tree.lr, Lazy) and isinstance(tree.lr.x, Lazy)
    assert instantiate(tree).lr == 3.0


class Experiments:
    depth = 2

    @factory
    def method(self, width: int = 5) -> Net:
        return Net(layers=[Layer(width) for _ in range(self.depth)])

    @classmethod
    @factory
    def from_class(cls, width: int = 6) -> Net:
        return Net(layers=[Layer(width)] * cls.depth)

    @staticmethod
    @factory
    def static(width: int = 7) -> Layer:
        return Layer(width)

    @factory  # tolerated below the method decorator as well
    @classmethod
    def reversed_order(cls) -> Layer:
        return Layer(cls.depth)


def test_methods_classmethods_and_staticmethods_as_factories() -> None:
    assert [x.size for x in Experiments().method().layers] == [5, 5]
    assert [x.size for x in Experiments.from_class().layers] == [6, 6]
    assert Experiments.static().size == 7
    assert Experiments.reversed_order().size == 2  # type: ignore[operator]
    assert CONSTRUCTED == []


def make_closure_factory(width: int) -> Any:
    offset = 1

    @factory
    def closed() -> Layer:
        return Layer(width + offset)

    return closed


def test_closures_keep_working() -> None:
    assert make_closure_factory(4)().size == 5
    assert make_closure_factory(9)().size == 10


def test_a_factory_tree_pickles_and_emits_identically() -> None:
    tree = trainer()
    assert to_dict(pickle.loads(pickle.dumps(tree))) == to_dict(tree)


def test_factory_is_idempotent_and_keeps_the_signature() -> None:
    import inspect

    assert factory(trainer) is trainer
    assert list(inspect.signature(trainer).parameters) == ["width", "depth", "lr"]
    assert trainer.__name__ == "trainer" and trainer.__doc__ is None


def test_public_names() -> None:
    assert lazycfg.factory is factory and lazycfg.eager is eager
    assert issubclass(lazycfg.KnobWarning, UserWarning)
