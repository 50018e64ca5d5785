"""The program `lazycfg.instantiate.plan` compiles and `lazycfg.instantiate.run` runs: one record
type per kind of step, the planner's work items, and the state of one planning walk.

A step's ``result`` is the index of its value in the executor's results (set when the step is
closed, post-order); its ``view`` is what a strict check of its parent sees in its place (set
when closed, strict only). The executor never changes a step, so a checked program can be run
again. ``kids`` pair a slot (key or index) with the child's step; a program holds no built value
and no child node, only leaves, so a kept program keeps nothing alive.
"""

from __future__ import annotations

from typing import Any, TypeAlias, final

from lazycfg.core.node import Place
from lazycfg.instantiate.engine import CONVERT, PARTIAL, RECURSIVE
from lazycfg.instantiate.problems import Problem
from lazycfg.safety.policy import Policy

# Flags of a call's ``how``: `ARGS_SLOT` (``_args_`` is among the kwargs, unpacked when run),
# `CALL_ARGS` (call-time args replace the positional ones), `CHECK` (bind the call);
# of a list's: `TUPLE` (stays a tuple), `ARGS_LIST` (an ``_args_`` value).
ARGS_SLOT, CALL_ARGS, TUPLE, ARGS_LIST, CHECK = 1, 2, 4, 8, 16

ROOT_FLAGS = frozenset({PARTIAL, RECURSIVE, CONVERT})

Kids: TypeAlias = "list[tuple[Any, Step]]"


@final  # (lets a type checker narrow on ``type(step) is ...``)
class CallStep:
    """``fn(*args, **kwargs)`` (``functools.partial`` when ``partial``), children's values put
    into copies of ``args``/``kwargs`` at their slots; ``path`` and ``written`` (the target as
    the config names it) are for messages; ``mode`` is the ``_convert_`` its arguments get."""

    __slots__ = (
        "fn", "args", "kwargs", "arg_kids", "kwarg_kids", "partial", "path", "written", "how",
        "mode", "view", "result",
    )  # fmt: skip

    fn: Any
    args: Any  # a tuple, or a list (None where a child goes)
    kwargs: dict[Any, Any]  # (None where a child goes)
    arg_kids: Kids  # () when it has none (nothing to fill)
    kwarg_kids: Kids
    partial: Any
    path: Place
    written: str
    how: int
    mode: str
    view: Any  # set when closed (strict only)
    result: int  # set when closed


# Steps are made with ``_new(Cls)`` and slot stores, not a class call: ``type.__call__`` and an
# ``__init__`` cost about 70 ns more a step on CPython 3.11, and planning makes one per call in
# the tree (`plan._call` and `nodes.visit_lazy` make their `CallStep` inline that way).
_new = object.__new__


@final
class DictStep:
    """A dict without ``_target_``: ``values`` (leaves; None where a child goes) filled from
    ``kids``; a ``DictConfig`` under ``_convert_: none`` (structured: its ``object_type``)."""

    __slots__ = ("values", "kids", "mode", "object_type", "view", "result")

    view: Any  # set when closed (strict only)
    result: int  # set when closed

    def __init__(self, values: dict[Any, Any], kids: Kids, mode: str, object_type: Any) -> None:
        self.values = values
        self.kids = kids
        self.mode = mode
        self.object_type = object_type


@final
class ListStep:
    """A list or tuple: ``values`` filled from ``kids``; ``how``: `TUPLE`, `ARGS_LIST`."""

    __slots__ = ("values", "kids", "mode", "how", "view", "result")

    view: Any  # set when closed (strict only)
    result: int  # set when closed

    def __init__(self, values: list[Any], kids: Kids, mode: str, how: int) -> None:
        self.values = values
        self.kids = kids
        self.mode = mode
        self.how = how


def dict_step(values: dict[Any, Any], kids: Kids, mode: str, object_type: Any) -> DictStep:
    """A new `DictStep`, made with `_new` and slot stores (the planner's constructor)."""
    step = _new(DictStep)
    step.values = values
    step.kids = kids
    step.mode = mode
    step.object_type = object_type
    return step


def list_step(values: list[Any], kids: Kids, mode: str, how: int) -> ListStep:
    """A new `ListStep`, made with `_new` and slot stores (the planner's constructor)."""
    step = _new(ListStep)
    step.values = values
    step.kids = kids
    step.mode = mode
    step.how = how
    return step


@final
class ValueStep:
    """A leaf that is a step of its own: an object leaf (judged), ``???``, a lone root leaf."""

    __slots__ = ("value", "result")

    def __init__(self, value: Any, result: int) -> None:
        self.value = value
        self.result = result

    @property
    def view(self) -> Any:
        return self.value


@final
class RawStep:
    """Configuration handed unbuilt to a non-recursive target (made a container when run)."""

    __slots__ = ("value", "mode", "result")

    result: int  # set when closed

    def __init__(self, value: Any, mode: str) -> None:
        self.value = value
        self.mode = mode

    @property
    def view(self) -> Any:
        return self.value


Step: TypeAlias = "CallStep | DictStep | ListStep | ValueStep | RawStep"


@final
class Children:
    """The planner's work item: one parent's children still to visit, ``pairs`` of (slot,
    value) in reverse (the next one last, popped). Each child's step goes into ``kids`` at its
    slot; its config path is ``(path, slot)``; it inherits ``mode`` and ``recursive``. One
    record per parent, not one per child: the walk's cost is in the children."""

    __slots__ = ("pairs", "kids", "path", "mode", "recursive", "partial", "is_root")

    pairs: list[tuple[Any, Any]]
    kids: Kids
    path: Place
    mode: str
    recursive: Any
    partial: Any  # the root's (from the call); a child's own is on itself
    is_root: bool


def children(
    pairs: list[tuple[Any, Any]],
    kids: Kids,
    path: Place,
    mode: str,
    recursive: Any,
    partial: Any = False,
    is_root: bool = False,
) -> Children:
    """A new `Children` (made with `_new` and slot stores: one per parent planned)."""
    item = _new(Children)
    item.pairs = pairs
    item.kids = kids
    item.path = path
    item.mode = mode
    item.recursive = recursive
    item.partial = partial
    item.is_root = is_root
    return item


@final
class ArgsList:
    """A config dict's ``_args_`` list queued as a child: planned as a list to unpack."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


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
        self.steps: list[Step] = []
        self.problems: list[Problem] = []
        self.policy = policy
        self.targets: dict[Any, Any] = policy.targets
        self.call_args = call_args
        self.python = python
        self.resolved = resolved
        self.strict = strict
        # What is still to visit, and steps to close once their children are (post-order).
        self.work: list[Children | Step] = []
        self.seen: dict[int, CallStep] = {}  # Lazy node id -> its step
        # The containers the tree holds, each with its items then (a cached program is run
        # again only while they are the same objects), or None: never cached.
        self.frozen: list[tuple[Any, ...]] | None = (
            [] if python and not resolved and not strict else None
        )


Walk = Program  # the planner's name for a program being planned
