"""Checked programs kept on the lazy node they were planned for (`lazycfg.instantiate`).

Nodes are immutable, so the program `lazycfg.instantiate.plan` compiles for a node stays right
for as long as three things hold: the policy is the same object (`lazycfg.safety.policy.policy_for`
makes a new one when the allow-list or ``HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE`` changes), the
inherited ``_convert_``/``_recursive_`` are the same, and every list and dict of the tree (the
only parts a user can change in place) still holds the very same objects. The program lives in
the node's ``_lazy_plan`` slot, so it goes with the node; it holds no built value and no child
node (`lazycfg.instantiate.run` keeps results in a list of its own and never changes a step; a
step's slots for children are empty until run).

A node is planned alone and its program kept the second time it is built (most trees are built
once: they keep nothing). Only trees without problems are kept; interpolations, OmegaConf nodes,
configuration handed unbuilt to a non-recursive target, ``strict=True`` and call-time arguments
always go through the planner. A dict or list of kept nodes (what a factory returning a dict of
nodes gives) is one program too, kept on its first node and checked against the others' own.
"""

from __future__ import annotations

import copy
import weakref
from itertools import islice
from operator import attrgetter, call, is_
from typing import Any, NamedTuple

from lazycfg.core.node import Lazy
from lazycfg.instantiate.engine import NOT_ARGUMENTS
from lazycfg.instantiate.run import joined, run
from lazycfg.instantiate.steps import TUPLE, CallStep, DictStep, ListStep, Step
from lazycfg.safety.policy import Policy


class Kept:
    """What ``_lazy_plan`` holds (after the policy alone, the first time a node is met): the
    program for one policy and inherited flags (``steps`` False when it cannot be kept), the
    containers it read (`freeze`), the ids of its nodes, and the program of a container this
    node heads."""

    __slots__ = ("policy", "mode", "rec", "steps", "frozen", "ids", "heads", "__weakref__")

    def __init__(
        self,
        policy: Policy,
        mode: str,
        rec: Any,
        steps: Any = None,
        frozen: Any = (),
        ids: Any = (),
    ) -> None:
        self.policy, self.mode, self.rec = policy, mode, rec
        self.steps, self.frozen, self.ids = steps, frozen, ids
        self.heads: Heads | None = None


class Heads(NamedTuple):
    """The program of a dict or list of nodes, kept on its first node: the container's type,
    its keys (a dict's) or None, weak references to the nodes' programs, one program building
    them all into the container, and which of the programs read containers."""

    kind: type
    keys: tuple[Any, ...] | None
    refs: tuple[weakref.ReferenceType[Kept], ...]
    steps: list[Step]
    frozen_at: tuple[int, ...]


def node_program(node: Lazy[Any], policy: Policy, mode: str, rec: Any) -> Kept | None:
    """The kept program for building ``node`` under this policy and these inherited flags,
    planning it now if it is met for the second time; None: plan it with the rest of the tree
    (first time, or it cannot be kept)."""
    try:
        kept: Any = node._lazy_plan  # pyright: ignore[reportAttributeAccessIssue]
    except AttributeError:  # met for the first time: only the policy is noted (cheap)
        object.__setattr__(node, "_lazy_plan", policy)
        return None
    if kept is policy:  # met again: planned alone below
        pass
    elif type(kept) is not Kept or kept.policy is not policy:
        object.__setattr__(node, "_lazy_plan", policy)
        return None
    elif kept.mode == mode and kept.rec is rec:
        if kept.steps is False:
            return None
        if not kept.frozen or all(map(_unchanged, kept.frozen)):
            return kept
    kept = _planned(node, policy, mode, rec)
    object.__setattr__(node, "_lazy_plan", kept)
    return kept if kept.steps is not False else None


def _planned(node: Lazy[Any], policy: Policy, mode: str, rec: Any) -> Kept:
    from lazycfg.instantiate.engine import NeedsOmegaConf
    from lazycfg.instantiate.plan import plan

    try:
        program = plan(node, policy, mode, rec, node._lazy_partial, (), True)
    except NeedsOmegaConf:
        program = None
    if program is None or program.problems or program.frozen is None:
        return Kept(policy, mode, rec, False)
    return Kept(policy, mode, rec, program.steps, tuple(program.frozen), frozenset(program.seen))


def _unchanged(frozen: tuple[Any, ...]) -> bool:
    container, keys, values = frozen
    if len(container) != len(keys) or not all(map(is_, container, keys)):
        return False
    return values is None or all(map(is_, container.values(), values))


MISS = object()


def kept_container(root: Any, policy: Policy) -> Any:
    """A dict, list or tuple whose values are all lazy nodes with kept programs, built by one
    program made of theirs: the result the planner's program gives (a plain dict, list or
    tuple). `MISS` when a value is no such node, or a node is reached from two of them (it is
    built once: the planner builds the whole)."""
    kind = type(root)
    if kind is dict:
        if not NOT_ARGUMENTS.isdisjoint(root):  # a call, or flags: the planner's
            return MISS
    elif kind is not list and kind is not tuple:
        return MISS
    values: Any = root.values() if kind is dict else root
    first = next(iter(values), None)
    if type(first) is not Lazy:  # (an empty container is a Hydra config)
        return MISS
    head = node_program(first, policy, "all", True)
    if head is None:  # first met (or not kept): the others are met once too, then planned
        _entries(islice(values, 1, None), policy)
        return MISS
    record = head.heads
    if record is None or not _still(record, root, values):
        entries = _entries(values, policy)
        if entries is None:
            return MISS
        record = head.heads = _combined(root, values, entries)
    return run(record.steps, (), policy)


def _still(record: Heads, root: Any, values: Any) -> bool:
    """Whether a container's program still fits it: the same keys, each value the node whose
    program it was made of (a node's program is its own), each program still right (the
    first node's was checked by `node_program`)."""
    keys, refs = record.keys, record.refs
    if type(root) is not record.kind or len(root) != len(refs):
        return False
    if keys is not None and not all(map(is_, root, keys)):
        return False
    try:
        if not all(map(is_, map(_plan_of, values), map(call, refs))):
            return False
    except AttributeError:  # not a node, or a node never built
        return False
    for i in record.frozen_at:
        kept = refs[i]()  # (alive: its node holds it)
        if kept is None or not all(map(_unchanged, kept.frozen)):
            return False
    return True


_plan_of = attrgetter("_lazy_plan")


def _entries(values: Any, policy: Policy) -> dict[int, Kept] | None:
    """Each node's kept program by node id; None unless every value is a node with one and no
    node is reached from two of them."""
    entries: dict[int, Any] = {}
    for value in values:
        if type(value) is not Lazy:
            return None
        node_id = id(value)
        if node_id not in entries:  # (every node is asked: each is met once more)
            entries[node_id] = node_program(value, policy, "all", True)
    kept = entries.values()
    if None in kept:
        return None
    if len(entries) > 1:
        ids = [entry.ids for entry in kept]
        if len(frozenset().union(*ids)) != sum(map(len, ids)):
            return None
    return entries


def _combined(root: Any, values: Any, entries: dict[int, Kept]) -> Heads:
    """One program building every node's program into the container (see `Heads`)."""
    kind = type(root)
    keys: Any = tuple(root) if kind is dict else range(len(root))
    steps: list[Step] = []
    tops: dict[int, Step] = {}
    kids = []
    for key, value in zip(keys, values, strict=True):
        node_id = id(value)
        if node_id not in tops:
            tops[node_id] = _relocated(entries[node_id].steps, steps, (None, key))
        kids.append((key, tops[node_id]))
    if kind is dict:
        top: Step = DictStep(dict.fromkeys(keys), kids, "all", None)
    else:
        top = ListStep([None] * len(root), kids, "all", TUPLE if kind is tuple else 0)
    top.result = len(steps)
    steps.append(top)
    kept = [entries[id(value)] for value in values]
    refs = tuple(map(weakref.ref, kept))
    frozen_at = tuple(i for i, one in enumerate(kept) if i and one.frozen)
    return Heads(kind, keys if kind is dict else None, refs, steps, frozen_at)


def _relocated(program: list[Step], steps: list[Step], prefix: Any) -> Step:
    """Copy a node's program to the end of ``steps`` (indices moved, paths put under
    ``prefix``); its root step's copy."""
    offset = len(steps)
    copies: dict[int, Step] = {}
    for step in program:
        new = copy.copy(step)
        if type(new) is CallStep:
            if new.arg_kids:
                new.arg_kids = [(slot, copies[id(kid)]) for slot, kid in new.arg_kids]
            if new.kwarg_kids:
                new.kwarg_kids = [(slot, copies[id(kid)]) for slot, kid in new.kwarg_kids]
            new.path = joined(prefix, new.path)
        elif type(new) is DictStep or type(new) is ListStep:
            new.kids = [(slot, copies[id(kid)]) for slot, kid in new.kids]
        new.result = offset + step.result
        copies[id(step)] = new
        steps.append(new)
    return steps[-1]
