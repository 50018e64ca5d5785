"""Checked programs kept on the lazy node they were planned for (`lazycfg.instantiate`).

Nodes are immutable, so the program `lazycfg.construct_plan` compiles for a node stays right
for as long as three things hold: the policy is the same object (`lazycfg.safety.policy_for`
makes a new one when the allow-list or ``HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE`` changes), the
inherited ``_convert_``/``_recursive_`` are the same, and every list and dict the tree holds
(the only parts a user can change in place) still holds the very same objects. The program
lives in the node's ``_lazy_plan`` slot, so it goes with the node; it holds no built value
(`lazycfg.construct_run` keeps results in a list of its own and never changes a step).

A node is planned alone and its program kept the second time it is built (most trees are built
once: they keep nothing). Only trees without problems are kept; interpolations, OmegaConf nodes,
configuration handed unbuilt to a non-recursive target, ``strict=True`` and call-time arguments
always go through the planner.
"""

from __future__ import annotations

from operator import is_
from typing import Any

from lazycfg.construct import NOT_ARGUMENTS
from lazycfg.construct_run import run
from lazycfg.node import Lazy
from lazycfg.safety import Policy

# _lazy_plan: (policy, mode, recursive, steps, frozen, node ids) with steps None the first time
# a node is met and False when it cannot be kept.
_UNSET = (None, None, None, None, None, None)


def node_program(node: Lazy[Any], policy: Policy, mode: str, rec: Any) -> tuple[Any, ...] | None:
    """The kept ``(.., steps, frozen, ids)`` entry for building ``node`` under this policy and
    these inherited flags, planning it now if it is met for the second time; None: plan it
    with the rest of the tree (first time, or it cannot be kept)."""
    try:
        entry = node._lazy_plan  # pyright: ignore[reportAttributeAccessIssue]
    except AttributeError:
        entry = _UNSET
    if entry[0] is not policy or entry[1] != mode or entry[2] is not rec:
        object.__setattr__(node, "_lazy_plan", (policy, mode, rec, None, None, None))
        return None
    steps = entry[3]
    if steps is False:
        return None
    if steps is not None and (not entry[4] or all(map(_unchanged, entry[4]))):
        return entry
    entry = _planned(node, policy, mode, rec)
    object.__setattr__(node, "_lazy_plan", entry)
    return entry if entry[3] is not False else None


def _planned(node: Lazy[Any], policy: Policy, mode: str, rec: Any) -> tuple[Any, ...]:
    from lazycfg.construct import NeedsOmegaConf
    from lazycfg.construct_plan import plan

    try:
        program = plan(node, policy, mode, rec, node._lazy_partial, (), True)
    except NeedsOmegaConf:
        program = None
    if program is None or program.problems or program.frozen is None:
        return (policy, mode, rec, False, None, None)
    ids = frozenset(program.seen)
    return (policy, mode, rec, program.steps, tuple(program.frozen), ids)


def freeze(container: Any) -> tuple[Any, ...]:
    """A list or dict with its items as they are now (keys and values for a dict)."""
    if type(container) is dict:
        return (container, tuple(container), tuple(container.values()))
    return (container, tuple(container), None)


def _unchanged(frozen: tuple[Any, ...]) -> bool:
    container, keys, values = frozen
    if len(container) != len(keys) or not all(map(is_, container, keys)):
        return False
    return values is None or all(map(is_, container.values(), values))


MISS = object()


def kept_container(root: Any, policy: Policy) -> Any:
    """A dict, list or tuple whose values are all lazy nodes with kept programs (what a factory
    returning a dict of nodes gives), built by running them: the same result the planner's
    program gives, a plain dict, list or tuple. `MISS` when a value is no such node, or when a node
    is reached from two of them (it must be built once: the planner builds the whole)."""
    kind = type(root)
    if kind is dict:
        if not NOT_ARGUMENTS.isdisjoint(root):  # a call, or flags: the planner's
            return MISS
    elif kind is not list and kind is not tuple:
        return MISS
    keys: Any = root.keys() if kind is dict else range(len(root))
    values: Any = root.values() if kind is dict else root
    entries = _entries(values, policy)
    if entries is None:
        return MISS
    if len(entries) == len(root):  # no node twice
        out = [
            run(entry[3], (), policy, ((), key))
            for key, entry in zip(keys, entries.values(), strict=True)
        ]
    else:
        built: dict[int, Any] = {}
        out = []
        for key, value in zip(keys, values, strict=True):
            node_id = id(value)
            if node_id not in built:
                built[node_id] = run(entries[node_id][3], (), policy, ((), key))
            out.append(built[node_id])
    if kind is dict:
        return dict(zip(keys, out, strict=True))
    return tuple(out) if kind is tuple else out  # a lazy tree's tuple stays a tuple


def _entries(values: Any, policy: Policy) -> dict[int, tuple[Any, ...]] | None:
    """Each node's kept entry by node id; None unless every value is a node with one and no
    node is reached from two of them."""
    entries: dict[int, Any] = {}
    for value in values:
        if type(value) is not Lazy:
            return None
        node_id = id(value)
        if node_id not in entries:  # (every node is asked: each is met once more)
            entries[node_id] = node_program(value, policy, "all", True)
    kept = entries.values()
    if not entries or None in kept:  # (an empty container is a Hydra config)
        return None
    if len(entries) > 1:
        ids = [entry[5] for entry in kept]
        if len(frozenset().union(*ids)) != sum(map(len, ids)):
            return None
    return entries
