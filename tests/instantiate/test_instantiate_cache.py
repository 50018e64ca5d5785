"""The programs `instantiate` keeps on lazy nodes (`lazycfg.instantiate.cache`): never stale,
never keeping a node or a built value alive, sharing and errors as without them."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from hydra.errors import InstantiationException

from lazycfg import Lazy, instantiate, lazy


class Box:
    def __init__(self, *items: object, **named: object) -> None:
        self.items = items
        self.named = named


def fail(x: int) -> None:
    raise ValueError(f"bad {x}")


def built_thrice(node: object) -> list[object]:
    return [instantiate(node) for _ in range(3)]  # planned, planned and kept, kept


def test_kept_program_gives_fresh_objects_and_keeps_sharing() -> None:
    shared = lazy(Box)(1)
    root = lazy(Box)(shared, [shared, lazy(Box)(2)], named={"a": shared})
    first, second, third = built_thrice(root)
    assert first is not second is not third
    for built in (first, second, third):
        assert built.items[0] is built.items[1][0] is built.named["named"]["a"]
        assert built.items[1][1].items == (2,)
    third.items[1].append("mutated")  # a result's containers are its own
    assert len(instantiate(root).items[1]) == 2


def test_a_list_changed_in_place_is_seen() -> None:
    layers = [lazy(Box)(1), lazy(Box)(2)]
    root = lazy(Box)(layers)
    built_thrice(root)
    layers.append(lazy(Box)(3))
    assert [b.items for b in instantiate(root).items[0]] == [(1,), (2,), (3,)]
    layers[0] = 7  # same length, another object
    assert instantiate(root).items[0][0] == 7
    options = {"a": 1}
    node = lazy(Box)(options=options)
    built_thrice(node)
    options["a"] = 2
    assert instantiate(node).named["options"] == {"a": 2}
    options["b"] = "${a}"  # now an interpolation: resolved, not taken from the kept program
    assert instantiate(lazy(dict)(a=5, inner=node))["inner"].named["options"]["b"] == 5


def test_a_new_policy_judges_again(monkeypatch: pytest.MonkeyPatch) -> None:
    root = lazy(Box)(lazy(Box)(1))
    built_thrice(root)
    with pytest.raises(InstantiationException, match="not in the allow-list"):
        instantiate(root, allow=["mypkg"])
    assert instantiate(root).items[0].items == (1,)


def test_kept_program_holds_no_node_or_result_alive() -> None:
    marker = Box()  # an object argument: the kept program holds it, so it shows what lives
    root = Lazy(Box, (lazy(Box)(1), [lazy(Box)(2)]), {"marker": marker})  # (lazy() refuses it)
    built = built_thrice(root)
    results = [weakref.ref(b) for b in built]
    del built
    gc.collect()
    assert all(r() is None for r in results)  # the program keeps no built value
    tracked = weakref.ref(marker)
    del marker, root
    gc.collect()
    assert tracked() is None  # the program went with its node: nothing else held them


def test_errors_from_a_kept_program_name_their_path() -> None:
    node = lazy(fail)(3)
    root = {"model": node}
    for _ in range(3):
        with pytest.raises(InstantiationException, match=r"full_key: model"):
            instantiate(root)
    for _ in range(3):
        with pytest.raises(InstantiationException, match=r"full_key: inner"):
            instantiate(lazy(Box)(inner=node))


def test_errors_deep_in_a_kept_container_name_their_whole_path() -> None:
    # A dict of nodes is one program made of the nodes' own: each path is put under its key.
    root = {"ok": lazy(Box)(1), "model": lazy(Box)(inner=lazy(Box)(2, lazy(fail)(3)))}
    for _ in range(3):
        with pytest.raises(InstantiationException) as info:
            instantiate(root)
        assert "full_key: model.inner._args_[1]" in str(info.value)


def test_dict_of_kept_nodes_builds_a_shared_node_once() -> None:
    shared = lazy(Box)(1)
    outer = lazy(Box)(shared)
    tree = {"outer": outer, "shared": shared, "again": shared}
    for built in built_thrice(tree):
        assert type(built) is dict
        assert built["outer"].items[0] is built["shared"] is built["again"]
    for pair in built_thrice([shared, shared]) + built_thrice((shared, shared)):
        assert pair[0] is pair[1]
    assert [type(p) for p in built_thrice((shared, outer))] == [tuple] * 3


_REENTERED = lazy(Box)(lazy(Box)(1), lazy(Box)(2))


def build_inner(x: int) -> Box:
    """A target that builds the same tree while the tree's kept program may be running."""
    return Box(x, instantiate(_REENTERED))


def test_kept_program_runs_in_threads_and_reentrantly() -> None:
    root = lazy(Box)(_REENTERED, lazy(build_inner)(5))
    built = built_thrice(root)[-1]
    assert built.items[1].items[1].items[0].items == (1,)
    assert built.items[1].items[1] is not built.items[0]
    out: list[Box] = []
    threads = [
        threading.Thread(target=lambda: out.extend(built_thrice(_REENTERED))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(b) for b in out}) == 12
    assert all(b.items[0].items == (1,) for b in out)


def test_dict_of_kept_nodes_follows_every_change() -> None:
    first, second, third = lazy(Box)(1), lazy(Box)(2), lazy(Box)(3)
    layers = [lazy(Box)(4)]
    holder = lazy(Box)(layers)
    tree = {"a": first, "b": second, "c": holder}
    built_thrice(tree)
    tree["b"] = third  # another node under the same key
    assert instantiate(tree)["b"].items == (3,)
    layers.append(lazy(Box)(5))  # a list inside another node, changed in place
    assert [b.items for b in instantiate(tree)["c"].items[0]] == [(4,), (5,)]
    renamed = {"x": first, "b": third, "c": holder}  # the same first node, other keys
    assert list(built_thrice(renamed)[-1]) == ["x", "b", "c"]
    assert list(instantiate(tree)) == ["a", "b", "c"]
    as_list, as_tuple = [first, third], (first, third)
    assert type(built_thrice(as_list)[-1]) is list
    assert type(built_thrice(as_tuple)[-1]) is tuple
    assert type(instantiate(as_list)) is list
    with pytest.raises(InstantiationException, match="not in the allow-list"):
        instantiate(tree, allow=["mypkg"])
    assert instantiate(tree)["a"].items == (1,)


def _alive(tag: str) -> bool:
    return any(type(o) is Lazy and tag in o._lazy_kwargs for o in gc.get_objects())


def test_dict_program_keeps_no_sibling_alive() -> None:
    first = lazy(Box)(1)
    sibling = lazy(Box)([lazy(Box)(2, inner_tag=1)], sibling_tag=1)
    built_thrice({"first": first, "sibling": sibling})
    assert _alive("sibling_tag") and _alive("inner_tag")
    del sibling
    gc.collect()
    # the program kept on the first node holds neither the sibling nor its children
    assert not _alive("sibling_tag") and not _alive("inner_tag")
    assert instantiate({"first": first})["first"].items == (1,)
