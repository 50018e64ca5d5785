"""Caches that never keep a user's object alive: weakly keyed, and bounded.

lazycfg caches what it learns about a target (its signature, import path, policy verdict) so a
warm call costs a dict lookup. A plain dict keyed by the target would hold every class and
function a process ever named, and the instance behind every bound method, for good: a notebook
that redefines a class, or a test suite that makes one per test, would grow without end.

`WeakCache` keys an object by its identity while it lives: an entry goes when its key is
collected (a weak reference's callback removes it). Its fast path is a plain dict keyed by
``id(key)`` (`WeakCache.by_id`), which a hot caller reads inline. A bound method is made anew on
every attribute access (``Model.from_pretrained``), so it is keyed by its ``__self__`` and
``__func__``, weakly both. Keys that take no weak reference (``str.upper``, strings, unions
like ``int | None``) are kept by equality in a second dict.

Both dicts are also bounded (first in, first out), because a value may reach its own key: the
`Spec` of a class annotated with another class of its module holds that class, whose methods
hold the module's globals, which hold the first class. Python has no ephemerons, so such an
entry outlives its key until newer entries push it out; never forever. `put_bounded` is the
bound alone, for plain dicts keyed by value (annotations, dotted names): their reads stay a
plain dict's, the fastest Python has (a dict subclass costs 20 to 50 ns more a lookup).
"""

from __future__ import annotations

import sys
import types
import weakref
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


def _evict(entries: dict[Any, Any], size: int) -> list[Any]:
    """Remove the oldest entries until one more fits under ``size``; their keys. (An entry may
    go meanwhile, in another thread or a weak callback the garbage collector runs: retried.)"""
    gone = []
    for _ in range(len(entries) + 1):
        if len(entries) < size:
            break
        try:
            key = next(iter(entries))
            del entries[key]
        except (StopIteration, RuntimeError, KeyError):
            continue
        gone.append(key)
    return gone


def put_bounded(entries: dict[K, V], key: K, value: V, size: int) -> V:
    """Store ``value`` under ``key`` in a dict kept to at most ``size`` entries (the oldest go
    first); ``value``. Reads are the plain dict's own: only this write knows the bound."""
    if len(entries) >= size and key not in entries:
        _evict(entries, size)
    entries[key] = value
    return value


class _Ref(weakref.ref):  # type: ignore[type-arg]
    """A weak reference that knows the `WeakCache.by_id` key it keeps alive."""

    __slots__ = ("slot",)
    slot: Any


class WeakCache(Generic[V]):
    """Values keyed by the identity of a live object, at most ``size`` of them (see the module
    doc). ``cache.by_id.get(id(key))`` is the inline fast path; `get` and `put` do the rest.

    ``size=None``: no bound, for a set whose entries must stay while their keys live (values
    that never hold their key); keys without weak references then go unbounded into `others`
    too, so such a cache takes only objects that have them."""

    __slots__ = ("by_id", "others", "size", "_refs", "__weakref__")

    def __init__(self, size: int | None) -> None:
        self.size = size
        # id(key) -> value, or (id(__self__), id(__func__)) -> value for a bound method. An id
        # is only ever a key while its object lives: the entry goes in the object's callback.
        self.by_id: dict[Any, V] = {}
        self._refs: dict[Any, tuple[_Ref, ...]] = {}
        # Keys that take no weak reference, by equality (hashable ones only).
        self.others: dict[Any, V] = {}

    def __len__(self) -> int:
        return len(self.by_id) + len(self.others)

    def get(self, key: Any, default: Any = None) -> Any:
        """The value kept for ``key``, or ``default``."""
        found = self.by_id.get(id(key), _ABSENT)
        if found is not _ABSENT:
            return found
        if type(key) is types.MethodType:
            slot = (id(key.__self__), id(key.__func__))
            found = self.by_id.get(slot, _ABSENT)
            if found is not _ABSENT:
                return found
        try:
            return self.others.get(key, default)
        except TypeError:  # unhashable: never kept
            return default

    def put(self, key: Any, value: V) -> V:
        """Keep ``value`` for ``key`` while ``key`` lives (see the class doc); ``value``.
        A key that takes no weak reference and no hash is not kept."""
        if type(key) is types.MethodType:
            parts: tuple[Any, ...] = (key.__self__, key.__func__)
            slot: Any = (id(parts[0]), id(parts[1]))
        else:
            parts, slot = (key,), id(key)
        try:
            refs = tuple(_Ref(part, self._forget) for part in parts)
        except TypeError:  # no weak reference to it: by equality
            try:
                put_bounded(self.others, key, value, self.size or sys.maxsize)
            except TypeError:
                pass
            return value
        for ref in refs:
            ref.slot = slot
        if self.size is not None and slot not in self.by_id and len(self.by_id) >= self.size:
            for gone in _evict(self.by_id, self.size):
                self._refs.pop(gone, None)
        self._refs[slot] = refs
        self.by_id[slot] = value
        return value

    def _forget(self, ref: _Ref) -> None:
        """A key died: drop its entry (unless the entry is already another one)."""
        slot = ref.slot
        refs = self._refs.get(slot)
        if refs is not None and any(r is ref for r in refs):
            del self._refs[slot]
            self.by_id.pop(slot, None)

    def clear(self) -> None:
        self.by_id.clear()
        self._refs.clear()
        self.others.clear()


_ABSENT: Any = object()
