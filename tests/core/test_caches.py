"""No cache keeps a user's class or function alive, and the bounded ones stay at their bound.

Each test defines its targets in a module of its own (a real file, imported), uses them the
way a user does, drops every reference (the module leaves ``sys.modules`` too, as when a
notebook cell redefines a class or a module is reloaded) and checks with a weak reference that
the garbage collector could take them.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import itertools
import sys
import textwrap
import types
import weakref
from pathlib import Path
from typing import Any, Literal

import pytest

from lazycfg import instantiate, lazy, partial, to_yaml
from lazycfg.check import checkers, signature
from lazycfg.core.caches import WeakCache, put_bounded
from lazycfg.core.targets import import_path
from lazycfg.factory import rewrite_cache
from lazycfg.instantiate import engine
from lazycfg.migrate import class_names
from lazycfg.safety import policy as safety_policy

_names = itertools.count()

TARGETS = """
from __future__ import annotations


class Layer:
    def __init__(self, size: int = 1) -> None:
        self.size = size


class Model:
    def __init__(self, width: int, layer: object = None) -> None:
        self.width, self.layer = width, layer

    @classmethod
    def small(cls, width: int = 1) -> Model:
        return cls(width)


def make(x: int, scale: float = 1.0) -> float:
    return x * scale


def helper(x: int) -> int:
    return x


def make_helper() -> object:
    return helper
"""


def _module(tmp_path: Path, source: str) -> types.ModuleType:
    """Import ``source`` as a module of a fresh name from a file (``@factory`` reads it)."""
    name = f"cache_probe_{next(_names)}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def _forget(module: types.ModuleType) -> None:
    sys.modules.pop(module.__name__, None)


def _dead(refs: dict[str, weakref.ref[Any]]) -> list[str]:
    """The names whose objects are still alive after a full collection."""
    for _ in range(3):
        gc.collect()
    return [name for name, ref in refs.items() if ref() is not None]


def _use_targets(module: Any) -> dict[str, weakref.ref[Any]]:
    """Define, check, emit and instantiate configs of the module's targets as a user would."""
    node = lazy(module.Model)(width=2, layer=lazy(module.Layer)(size=3))
    assert node.width == 2
    assert "cache_probe" in to_yaml(node)
    for _ in range(3):  # the second build keeps a program on the node, the third runs it
        built = instantiate(node)
        assert built.layer.size == 3
    assert instantiate(node, strict=True).width == 2
    assert instantiate({"_target_": module.Model, "width": 4}).width == 4  # a callable target
    assert instantiate(lazy(module.Model.small)(width=5)).width == 5  # a bound method
    assert instantiate(partial(module.make)(scale=2.0))(3) == 6.0
    assert instantiate(lazy(module.make_helper)()) is module.helper  # a returned callable
    assert import_path(module.Layer).endswith(".Layer")
    return {
        name: weakref.ref(getattr(module, name))
        for name in ("Layer", "Model", "make", "helper", "make_helper")
    }


def test_defining_and_instantiating_keeps_no_target_alive(tmp_path: Path) -> None:
    module = _module(tmp_path, TARGETS)
    refs = _use_targets(module)
    refs["module"] = weakref.ref(module)
    _forget(module)
    del module
    assert _dead(refs) == []


def test_a_target_is_freed_under_an_allow_list_and_after_an_error(tmp_path: Path) -> None:
    module = _module(tmp_path, TARGETS)
    name = module.__name__
    node = lazy(module.Model)(width=2)
    assert instantiate(node, allow=[name]).width == 2
    with pytest.raises(Exception, match="not in the allow-list"):
        instantiate(node, allow=["somewhere_else"])
    refs = {"Model": weakref.ref(module.Model)}
    _forget(module)
    del module, node
    assert _dead(refs) == []


SIBLINGS = """
from __future__ import annotations


class Layer:
    def __init__(self, size: int = 1) -> None:
        self.size = size


class Model:
    def __init__(self, layer: Layer) -> None:
        self.layer = layer
"""


def test_a_spec_that_reaches_its_own_target_goes_with_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Model's Spec checks ``layer`` against Layer, whose methods hold the module's globals,
    # which hold Model: a weak key alone could never go, the bound frees it.
    monkeypatch.setattr(signature._specs, "size", 8)
    module = _module(tmp_path, SIBLINGS)
    assert instantiate(lazy(module.Model)(layer=lazy(module.Layer)())).layer is not None
    refs = {"Model": weakref.ref(module.Model)}
    _forget(module)
    del module
    assert _dead(refs) == ["Model"]
    others = [eval(f"lambda x{i}: None") for i in range(8)]
    for other in others:
        signature.spec_of(other)
    assert _dead(refs) == []


FACTORIES = """
from __future__ import annotations

from lazycfg import factory


class Net:
    def __init__(self, width: int, depth: int = 1) -> None:
        self.width, self.depth = width, depth


@factory
def config(width: int = 8):
    def double(x):
        return 2 * x

    return {"net": Net(width=width, depth=double(2))}
"""


def test_a_factory_and_what_it_calls_are_freed(tmp_path: Path) -> None:
    from lazycfg import store

    with rewrite_cache.disabled():  # (its entries hold the rewritten code, not functions)
        module = _module(tmp_path, FACTORIES)
    group = f"probe_{module.__name__}"
    store(module.config, name="base", group=group)
    built = instantiate(module.config(width=3))
    assert (built["net"].width, built["net"].depth) == (3, 4)
    body = module.config.__lazycfg_factory__.body  # the rewritten function
    nested = [c for c in body.__code__.co_consts if type(c) is types.CodeType]
    assert [code.co_name for code in nested] == ["double"]
    del body
    refs = {
        "config": weakref.ref(module.config),
        "Net": weakref.ref(module.Net),
        "module": weakref.ref(module),
    }
    refs.update({f"code {code.co_name}": weakref.ref(code) for code in nested})
    _forget(module)
    del module, built, nested
    assert _dead(refs) == []


def test_a_module_searched_for_class_names_is_not_kept(tmp_path: Path) -> None:
    module = _module(tmp_path, TARGETS)
    class_names.check_modules([module.__name__])
    assert class_names.resolve("Model", [module.__name__]) == f"{module.__name__}.Model"
    refs = {"module": weakref.ref(module)}
    _forget(module)
    del module
    assert _dead(refs) == []


# --- bounded caches ------------------------------------------------------------------------------


def test_signature_specs_stay_at_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signature._specs, "size", 16)
    alive = []  # kept alive: only the bound can drop them
    for i in range(100):
        fn = eval(f"lambda a{i}, b=1: None")
        alive.append(fn)
        assert signature.spec_of(fn).positional == (f"a{i}", "b")
        assert len(signature._specs.by_id) <= 16
    assert signature.spec_of(alive[-1]) is signature.spec_of(alive[-1])  # still cached


def test_annotation_caches_stay_at_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkers, "_ITEM_CHECKERS_KEPT", 8)
    monkeypatch.setattr(checkers, "_ADAPTERS_KEPT", 8)
    for i in range(40):
        annotation: Any = Literal[f"x{i}"]
        check = checkers.item_checker(annotation)
        assert check is not None and check(f"x{i}") is None and check("other") is not None
        assert len(checkers._item_checkers) <= 8
        assert checkers._pydantic_check(list[annotation], [f"x{i}"]) is True
        assert len(checkers._adapters) <= 8


def test_dotted_path_caches_and_policies_stay_at_their_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "_LOCATED_KEPT", 8)
    monkeypatch.setattr(safety_policy, "POLICIES_KEPT", 4)
    for i in range(30):
        with pytest.raises(Exception, match="Error locating target"):
            instantiate({"_target_": f"math.no_such_function_{i}"})
        assert len(engine._located) <= 8
        instantiate({"_target_": "math.floor", "_args_": [1.5]}, allow=[f"math.x{i}", "math"])
        assert len(safety_policy._policies) <= 4
    default = safety_policy.policy_for(None)
    monkeypatch.setattr(safety_policy, "TARGETS_KEPT", 8)
    monkeypatch.setattr(safety_policy, "NAMES_KEPT", 8)
    for i in range(30):
        with pytest.raises(Exception, match="Error locating target"):
            instantiate({"_target_": f"math.still_no_function_{i}"})
        assert len(default.targets) <= 8 and len(default._names) <= 8


def test_the_rewrite_cache_saves_a_file_that_leaves_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = rewrite_cache._Store(tmp_path / "cache")
    monkeypatch.setattr(rewrite_cache, "_STORE", [store])
    monkeypatch.setattr(rewrite_cache, "_FILES", {})
    monkeypatch.setattr(rewrite_cache, "_DIRTY", set())
    monkeypatch.setattr(rewrite_cache, "MAX_OPEN", 2)
    modules = [_module(tmp_path, FACTORIES) for _ in range(4)]
    assert len(rewrite_cache._FILES) <= 2
    saved = sorted((tmp_path / "cache").glob("*.bin"))
    assert len(saved) == 2  # the two files that left memory, written as they left
    first = modules[0].__file__
    assert first is not None
    assert store.load(first, _digest(first))  # with the entry the factory made
    for module in modules:
        _forget(module)


def _digest(filename: str) -> bytes:
    return hashlib.sha256(Path(filename).read_bytes()).digest()


# --- the cache types themselves -----------------------------------------------------------------


class _Probe:
    def method(self) -> None:
        pass


def test_a_weak_cache_forgets_a_key_that_dies_and_keeps_its_bound() -> None:
    cache: WeakCache[int] = WeakCache(4)
    probe = _Probe()
    cache.put(probe, 1)
    cache.put(probe.method, 2)  # a bound method, made anew on every access
    assert cache.get(probe) == 1 and cache.get(probe.method) == 2
    del probe
    gc.collect()
    assert len(cache) == 0
    kept = [_Probe() for _ in range(10)]
    for i, probe in enumerate(kept):
        cache.put(probe, i)
    assert len(cache.by_id) == 4 and [cache.get(p) for p in kept[-4:]] == [6, 7, 8, 9]
    assert cache.get(kept[0]) is None


def test_a_weak_cache_keeps_keys_without_weak_references_by_equality() -> None:
    cache: WeakCache[str] = WeakCache(3)
    for i in range(10):
        cache.put(f"name{i}", str(i))  # a str takes no weak reference
    assert len(cache.others) == 3 and cache.get("name9") == "9" and cache.get("name0") is None
    cache.put(["unhashable"], "x")  # neither: not kept
    assert cache.get(["unhashable"]) is None


def test_a_value_that_holds_its_key_goes_with_the_bound() -> None:
    cache: WeakCache[Any] = WeakCache(2)
    probe = _Probe()
    cache.put(probe, [probe])  # the value keeps the key alive: only the bound frees it
    ref = weakref.ref(probe)
    del probe
    gc.collect()
    assert ref() is not None
    others = [_Probe() for _ in range(2)]
    for other in others:
        cache.put(other, None)
    gc.collect()
    assert ref() is None


def test_a_bounded_dict_drops_its_oldest_entry() -> None:
    kept: dict[int, int] = {}
    for i in range(5):
        put_bounded(kept, i, i, 3)
    assert kept == {2: 2, 3: 3, 4: 4}
    put_bounded(kept, 3, 30, 3)  # replacing a key drops nothing
    assert kept == {2: 2, 3: 30, 4: 4}
    put_bounded(kept, 9, 9, 1)  # a bound lowered at run time holds at once
    assert kept == {9: 9}
