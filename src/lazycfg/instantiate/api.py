"""``instantiate``: Hydra's semantics, checked before anything is built, without OmegaConf on the
fast path.

Inputs are normalised here into the tree the engine plans (`lazycfg.instantiate.plan`) and runs
(`lazycfg.instantiate.run`): a dict, list or lazy node as it is; a ``DictConfig``/``ListConfig``
read through its own nodes (`lazycfg.instantiate.read`). Call-time kwargs are merged the way
``OmegaConf.merge`` merges them, without copying what they do not change; OmegaConf merges them
itself only into a config that holds interpolations or structured nodes, whose meaning depends
on it. Interpolations are resolved only where a value holds one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar, overload

from lazycfg.core.node import Lazy
from lazycfg.instantiate.cache import MISS, kept_container, node_program
from lazycfg.instantiate.engine import (
    CONVERT,
    MISSING,
    PARTIAL,
    RECURSIVE,
    NeedsOmegaConf,
    convert_mode,
    is_omega,
    is_structured,
)
from lazycfg.instantiate.inputs import lazy_fields, merge, needs_omegaconf, prepare_kwargs
from lazycfg.instantiate.plan import plan
from lazycfg.instantiate.problems import Problem, check_failed
from lazycfg.instantiate.read import Special, read_config
from lazycfg.instantiate.resolve import Unmapped, holds_lazy, substitute_resolved
from lazycfg.instantiate.run import run
from lazycfg.safety.policy import Policy, policy_for

T = TypeVar("T")


class _Call(NamedTuple):
    """What one ``instantiate`` call checks against: the safety policy, and whether argument
    values are checked against their annotations too."""

    policy: Policy
    strict: bool


@overload
def instantiate(
    config: Lazy[T],
    *args: Any,
    allow: Iterable[str] | None = None,
    strict: bool = False,
    **kwargs: Any,
) -> T: ...
@overload
def instantiate(
    config: Mapping[Any, Any] | Sequence[Any] | None,
    *args: Any,
    allow: Iterable[str] | None = None,
    strict: bool = False,
    **kwargs: Any,
) -> Any: ...
@overload
def instantiate(
    config: T,
    *args: Any,
    allow: Iterable[str] | None = None,
    strict: bool = False,
    **kwargs: Any,
) -> T: ...
def instantiate(
    config: Any,
    *args: Any,
    allow: Iterable[str] | None = None,
    strict: bool = False,
    **kwargs: Any,
) -> Any:
    """Build ``config`` with the semantics of ``hydra.utils.instantiate`` (hydra-core 1.3).

    ``config`` is a lazy tree, a dict or list, a ``DictConfig``/``ListConfig`` or a structured
    config (dataclass class or instance); ``None`` gives ``None``. ``_target_``, ``_args_``,
    ``_partial_``, ``_recursive_``, ``_convert_``, call-time ``*args`` (they replace the root's
    ``_args_``) and ``**kwargs`` (merged into the config), interpolations and ``???`` values
    behave as in Hydra, with these choices:

    - The whole tree is checked before anything is built, and refused only for what is certain
      to fail when a target is called or what the policy forbids: a target that cannot be
      imported or is refused, an unknown keyword, a missing required argument (not for a
      partial), a ``???`` value, an interpolation that cannot be resolved. All problems come in
      one `InstantiateCheckError` (a ``hydra.errors.InstantiationException``, a
      `lazycfg.ConfigError` and a ``TypeError``; also OmegaConf's ``MissingMandatoryValue`` or
      ``InterpolationResolutionError`` when that is what Hydra raises), each a record in
      ``records`` whose text starts with Hydra's own message.
    - A value whose type does not match its annotation is built, as Hydra builds it;
      ``strict=True`` checks values against annotations too (partials included). ``allow`` and
      ``strict`` are lazycfg's: a target keyword of either name goes in the config.
    - ``_partial_`` gives a plain ``functools.partial`` (Hydra 1.3.8 returns a subclass that
      re-checks its target when called).
    - Targets on the default blocklist (``os.system``, ``subprocess.*``, ``builtins.eval``...)
      are refused however they are reached; ``allow=["sklearn", "torch.nn", "pkg.*"]`` refuses
      every target outside the list, before anything is built.
    - A lazy tree is Python, not YAML: the same node used twice is built once and shared,
      tuples stay tuples and containers reach targets as plain lists and dicts (the default
      ``_convert_`` of a lazy root is ``all``; a node's own ``_convert_`` still applies). A dict
      or list that holds a lazy node anywhere is a lazy tree too; one that holds none is a
      Hydra config, built exactly as Hydra builds it. Interpolations in a lazy tree are
      resolved against the config it emits and put back into the tree, so sharing survives
      them (a shared node takes the values resolved at its first path).
    """
    if config is None:
        return None
    # the policy is looked up on every call: HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE may change
    ctx = _Call(policy_for(allow), strict)
    if isinstance(config, Lazy):
        return _from_lazy(config, args, kwargs, ctx)
    kind = type(config)
    if not (args or kwargs or strict) and kind in _CONTAINERS:  # nodes with kept programs
        if (built := kept_container(config, ctx.policy)) is not MISS:
            return built
    if kind is dict:
        return _from_tree(merge(config, kwargs), args, {}, ctx, python=False)
    if kind is list or kind is tuple:
        return _from_tree(config, args, kwargs, ctx, python=False)
    if is_omega(config) or is_structured(config):
        _refuse_unset_target_conf(config)
        return _from_omegaconf(config, args, kwargs, ctx)
    from hydra.errors import InstantiationException

    raise InstantiationException(
        f"Cannot instantiate config of type {kind.__name__}.\n"
        "Top level config must be an OmegaConf DictConfig/ListConfig object,\n"
        "a plain dict/list, a lazy node, or a Structured Config class or instance."
    )


_CONTAINERS = frozenset({dict, list, tuple})


def _refuse_unset_target_conf(config: Any) -> None:
    """Hydra's own check of a ``TargetConf`` subclass whose ``_target_`` was left ``???``."""
    from hydra.types import TargetConf

    if isinstance(config, TargetConf) and config._target_ == MISSING:
        from textwrap import dedent

        from hydra.errors import InstantiationException

        raise InstantiationException(
            dedent(
                f"""\
                Config has missing value for key `_target_`, cannot instantiate.
                Config type: {type(config).__name__}
                Check that the `_target_` key in your dataclass is properly annotated and overridden.
                A common problem is forgetting to annotate _target_ as a string : '_target_: str = ...'"""
            )
        )


# --- inputs --------------------------------------------------------------------------------------


# The root's (_convert_ mode, _recursive_, _partial_), read from the config or the call.
Flags = tuple[str, Any, Any]


def _from_lazy(node: Lazy[Any], args: tuple[Any, ...], kwargs: dict[str, Any], ctx: _Call) -> Any:
    if kwargs:
        return _from_tree(merge(lazy_fields(node), kwargs), args, {}, ctx, python=True)
    if not args and not ctx.strict:  # a program kept on the node (`construct_cache`)
        kept = node_program(node, ctx.policy, "all", True)
        if kept is not None:
            return run(kept.steps, (), ctx.policy)
    flags = ("all", True, node._lazy_partial)
    try:
        return _build(node, flags, args, ctx, python=True, resolved=False)
    except NeedsOmegaConf:
        return _resolved_lazy(node, args, {}, ctx)


def _resolved_lazy(root: Any, args: tuple[Any, ...], kwargs: dict[str, Any], ctx: _Call) -> Any:
    """A lazy tree (a node, or a dict or list holding nodes) with interpolations: resolved
    against the config it emits, the values put back into the tree, then built as Python."""
    try:
        tree = substitute_resolved(root)
    except Unmapped:  # resolve the emitted config as a whole (sharing is lost)
        from lazycfg.emit.convert import to_dict

        return _from_omegaconf(to_dict(root), args, kwargs, ctx, python=True)
    if isinstance(tree, Lazy):
        flags = ("all", True, tree._lazy_partial)
        return _build(tree, flags, args, ctx, python=True, resolved=True)
    tree, flags, args = _root_parts(tree, args, kwargs, python=True)
    return _build(tree, flags, args, ctx, python=True, resolved=True)


def _from_tree(
    root: dict[Any, Any] | list[Any] | tuple[Any, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    ctx: _Call,
    *,
    python: bool,
) -> Any:
    """A dict or list: a Hydra config, or a lazy tree if it holds a lazy node anywhere (Python
    semantics, the root's type kept). A dict's call-time kwargs are already merged into it."""
    python = python or holds_lazy(root)
    if type(root) is dict and any(
        isinstance(root[k], str) and "${" in root[k]
        for k in (CONVERT, RECURSIVE, PARTIAL)
        if k in root
    ):
        return _resolved_tree(root, args, kwargs, ctx, python=python)
    body, flags, call_args = _root_parts(root, args, kwargs, python=python)
    try:
        return _build(body, flags, call_args, ctx, python=python, resolved=False)
    except NeedsOmegaConf:
        return _resolved_tree(root, args, kwargs, ctx, python=python)


def _root_parts(
    root: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, python: bool
) -> tuple[Any, Flags, tuple[Any, ...]]:
    """(tree to build, root flags, call-time args) of a dict or list root: a dict's flags are
    its own (popped from a copy), a list's come from the call, which passes it no args."""
    if type(root) is dict:
        body = dict(root)
        mode = convert_mode(body.pop(CONVERT)) if CONVERT in body else _default(python)
        return body, (mode, body.pop(RECURSIVE, True), body.pop(PARTIAL, False)), args
    return (root if python else list(root)), _list_flags(kwargs, python=python), ()


def _default(python: bool) -> str:
    """The root's ``_convert_``: Hydra's ``none``, or ``all`` for a lazy tree (Python)."""
    return "all" if python else "none"


def _list_flags(kwargs: dict[str, Any], *, python: bool) -> Flags:
    """A top-level list takes its flags from the call; other kwargs are ignored, as in Hydra."""
    partial = kwargs.get(PARTIAL, False)
    if partial:
        from hydra.errors import InstantiationException

        raise InstantiationException(
            "The _partial_ keyword is not compatible with top-level list instantiation"
        )
    mode = convert_mode(kwargs[CONVERT]) if CONVERT in kwargs else _default(python)
    return mode, kwargs.get(RECURSIVE, True), partial


def _resolved_tree(
    root: Any, args: tuple[Any, ...], kwargs: dict[str, Any], ctx: _Call, *, python: bool
) -> Any:
    """Resolve interpolations (and structured values) with OmegaConf, then build."""
    if python:
        return _resolved_lazy(root, args, kwargs, ctx)
    from omegaconf import OmegaConf

    plain = root if type(root) is dict else list(root)
    cfg = OmegaConf.structured(plain, flags={"allow_objects": True})
    return _from_config(cfg, args, kwargs, ctx, python=python)


def _from_omegaconf(
    config: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    ctx: _Call,
    *,
    python: bool = False,
) -> Any:
    from omegaconf import OmegaConf

    if not is_omega(config):
        config = OmegaConf.structured(config, flags={"allow_objects": True})
    return _from_config(config, args, kwargs, ctx, python=python)


def _from_config(
    cfg: Any, args: tuple[Any, ...], kwargs: dict[str, Any], ctx: _Call, *, python: bool
) -> Any:
    """A DictConfig/ListConfig: read through its nodes (interpolations resolved where they
    are), call-time kwargs merged, then built."""
    from omegaconf import DictConfig

    if cfg._is_none():
        return None
    if isinstance(cfg, DictConfig) and kwargs:
        tree, problems = _merged(cfg, kwargs)
    else:
        tree, problems = read_config(cfg)
    if isinstance(tree, list | dict):
        tree, flags, args = _root_parts(tree, args, kwargs, python=python)
    elif isinstance(tree, DictConfig):  # a structured config at the top: read its flags
        mode = convert_mode(tree[CONVERT]) if CONVERT in tree else _default(python)
        recursive = tree[RECURSIVE] if RECURSIVE in tree else True
        flags = mode, recursive, tree[PARTIAL] if PARTIAL in tree else False
    elif problems:
        raise check_failed(problems)
    else:
        return tree
    return _build(tree, flags, args, ctx, python=python, resolved=True, problems=problems)


def _merged(cfg: Any, kwargs: dict[str, Any]) -> tuple[Any, list[Problem]]:
    """A DictConfig with call-time kwargs merged in. A plain config is read, then merged
    without copies; one with interpolations or structured nodes (whose meaning the merge
    changes) is merged by OmegaConf into a copy, as Hydra does."""
    prepared = prepare_kwargs(kwargs)
    if not needs_omegaconf(prepared):
        try:
            tree, problems = read_config(cfg, plain_only=True)
            return merge(tree, prepared), problems
        except Special:
            pass
    import copy

    from omegaconf import OmegaConf

    merged = copy.deepcopy(cfg)
    merged._set_flag(["allow_objects", "struct", "readonly"], [True, False, False])
    merged._set_parent(cfg._get_parent())
    return read_config(OmegaConf.merge(merged, prepared))


# --- plan and run ----------------------------------------------------------------------------------


def _build(
    root: Any,
    flags: Flags,
    args: tuple[Any, ...],
    ctx: _Call,
    *,
    python: bool,
    resolved: bool,
    problems: list[Problem] | None = None,
) -> Any:
    """Check ``root`` whole, then build it. An interpolation in an unresolved tree raises
    `NeedsOmegaConf` before anything is built (the caller resolves it)."""
    mode, recursive, partial = flags
    program = plan(root, ctx.policy, mode, recursive, partial, args, python, resolved, ctx.strict)
    found = program.problems
    if problems:
        found = problems + found
    if found:
        raise check_failed(found)
    return run(program.steps, args, ctx.policy)
