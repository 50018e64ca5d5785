"""The program `lazycfg.instantiate.plan` compiles and `lazycfg.instantiate.run` runs: step layouts,
and the state of one planning walk."""

from __future__ import annotations

from typing import Any

from lazycfg.instantiate.engine import CONVERT, PARTIAL, RECURSIVE
from lazycfg.instantiate.problems import Problem
from lazycfg.safety.policy import Policy

# Step codes. Layouts (the built value always in the last slot):
#   [CALL, fn, args, kwargs, arg_kids, kwarg_kids, part, path, written, how, mode, view, result]
#   [DICT, values, kids, mode, object_type, view, result]
#   [LIST, values, kids, mode, how, view, result]
#   [VALUE, view, result]        an object leaf, judged; also a lone leaf at the root
#   [RAW, value, mode, view, result]   configuration handed unbuilt to a non-recursive target
# "result" is the index of the step's value in the executor's results (set when the step is
# closed); the executor never changes a step, so a checked program can be run again.
# ``kids`` pair a slot (key or index) with the child's step; ``how`` holds flags: for a call
# `ARGS_SLOT` (``_args_`` is among kwargs) and `CALL_ARGS` (call-time args replace them), for
# a list `TUPLE` (stays a tuple) and `ARGS_LIST` (an ``_args_`` value); `CHECK`: bind the call.
CALL, DICT, LIST, VALUE, RAW = range(5)
ARGS_SLOT, CALL_ARGS, TUPLE, ARGS_LIST, CHECK = 1, 2, 4, 8, 16

STATIC = frozenset({int, float, bool, type(None), bytes, complex})
ROOT_FLAGS = frozenset({PARTIAL, RECURSIVE, CONVERT})


class Program:
    """A checked tree: its steps in build order and the problems found (run only if none);
    while it is planned, also the state of the walk."""

    __slots__ = (
        "steps", "problems", "policy", "targets", "call_args", "python", "resolved", "strict",
        "work", "seen", "frozen",
    )  # fmt: skip

    def __init__(
        self, policy: Policy, call_args: tuple[Any, ...], python: bool, resolved: bool, strict: bool
    ) -> None:
        self.steps: list[list[Any]] = []
        self.problems: list[Problem] = []
        self.policy = policy
        self.targets: dict[Any, Any] = policy.targets
        self.call_args = call_args
        self.python = python
        self.resolved = resolved
        self.strict = strict
        # Work items: (value, kids of the parent, slot, path, mode, recursive, partial, is_root)
        # or a step to close.
        self.work: list[Any] = []
        self.seen: dict[int, list[Any]] = {}  # Lazy node id -> its step
        # The containers the tree holds, each with its items then (a cached program is run
        # again only while they are the same objects), or None: never cached.
        self.frozen: list[tuple[Any, ...]] | None = (
            [] if python and not resolved and not strict else None
        )


Walk = Program  # the planner's name for a program being planned
