"""``instantiate``: Hydra's semantics, checked before anything is built, without OmegaConf on the
fast path.

Inputs are normalised here into the plain tree the engine (`lazycfg.construct`) checks and
builds: call-time kwargs are merged the way ``OmegaConf.merge`` merges them, and OmegaConf is
used only where its semantics are needed: interpolations (``${...}``, resolvers), structured
configs, and ``DictConfig``/``ListConfig`` inputs, which are read with one ``to_container``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar, overload

from lazycfg.construct import (
    CONVERT,
    PARTIAL,
    RECURSIVE,
    TARGET,
    NeedsOmegaConf,
    Plan,
    check_failed,
    convert_mode,
)
from lazycfg.construct_build import execute
from lazycfg.construct_check import plan
from lazycfg.construct_lazy import Fallback, build_lazy_tree
from lazycfg.construct_plain import build_plain_tree
from lazycfg.construct_resolve import Unmapped, holds_lazy, substitute_resolved
from lazycfg.node import ARGS_KEY, Lazy
from lazycfg.safety import Policy

T = TypeVar("T")

_policies: dict[tuple[str, ...] | None, Policy] = {}


def _policy(allow: Iterable[str] | None) -> Policy:
    key = None if allow is None else ((allow,) if isinstance(allow, str) else tuple(allow))
    policy = _policies.get(key)
    if policy is None:
        policy = _policies[key] = Policy(key)
    return policy


@overload
def instantiate(
    config: Lazy[T], *args: Any, allow: Iterable[str] | None = None, **kwargs: Any
) -> T: ...
@overload
def instantiate(
    config: Mapping[Any, Any] | Sequence[Any] | None,
    *args: Any,
    allow: Iterable[str] | None = None,
    **kwargs: Any,
) -> Any: ...
@overload
def instantiate(config: T, *args: Any, allow: Iterable[str] | None = None, **kwargs: Any) -> T: ...
def instantiate(config: Any, *args: Any, allow: Iterable[str] | None = None, **kwargs: Any) -> Any:
    """Build ``config`` with the semantics of ``hydra.utils.instantiate`` (hydra-core 1.3).

    ``config`` is a lazy tree, a dict or list, a ``DictConfig``/``ListConfig`` or a structured
    config (dataclass class or instance); ``None`` gives ``None``. ``_target_``, ``_args_``,
    ``_partial_``, ``_recursive_``, ``_convert_``, call-time ``*args`` (they replace the root's
    ``_args_``) and ``**kwargs`` (merged into the config), interpolations and ``???`` values
    behave as in Hydra, with these choices:

    - Everything is checked before anything is built: every target is imported and checked
      against the safety policy, every call against its target's signature and annotations, and
      every needed ``???`` is reported. All problems come in one `InstantiateCheckError`
      (a ``hydra.errors.InstantiationException``, a `lazycfg.ConfigError` and a ``TypeError``;
      also an OmegaConf ``MissingMandatoryValue`` when a value is ``???``).
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
    policy = _policy(allow)
    if isinstance(config, Lazy):
        return _from_lazy(config, args, kwargs, policy)
    kind = type(config)
    if kind is dict:
        return _from_dict(_merge(config, kwargs), args, policy, python=False)
    if kind is list or kind is tuple:
        return _from_list(config, args, kwargs, policy)
    if _is_omega(config) or _is_structured_input(config):
        return _from_omegaconf(config, args, kwargs, policy)
    from hydra.errors import InstantiationException

    raise InstantiationException(
        f"Cannot instantiate config of type {kind.__name__}.\n"
        "Top level config must be an OmegaConf DictConfig/ListConfig object,\n"
        "a plain dict/list, a lazy node, or a Structured Config class or instance."
    )


# --- inputs --------------------------------------------------------------------------------------


def _is_omega(value: Any) -> bool:
    return type(value).__module__.startswith("omegaconf.")


def _is_structured_input(value: Any) -> bool:
    kind = value if isinstance(value, type) else type(value)
    return hasattr(kind, "__dataclass_fields__") or hasattr(kind, "__attrs_attrs__")


def _from_lazy(
    node: Lazy[Any], args: tuple[Any, ...], kwargs: dict[str, Any], policy: Policy
) -> Any:
    if kwargs:
        return _from_dict(_merge(_lazy_fields(node), kwargs), args, policy, python=True)
    try:
        if not args:
            return build_lazy_tree(node, policy)
    except NeedsOmegaConf:
        return _resolved_lazy(node, args, {}, policy)
    except Fallback:
        pass
    try:
        program = plan(
            node,
            policy=policy,
            mode="all",
            recursive=True,
            partial=node._lazy_partial,
            call_args=args,
            python=True,
            resolved=False,
        )
    except NeedsOmegaConf:
        return _resolved_lazy(node, args, {}, policy)
    return _run(program, args, policy)


def _resolved_lazy(root: Any, args: tuple[Any, ...], kwargs: dict[str, Any], policy: Policy) -> Any:
    """A lazy tree (a node, or a dict or list holding nodes) with interpolations: resolved
    against the config it emits, the values put back into the tree, then built as Python."""
    try:
        tree = substitute_resolved(root)
    except Unmapped:  # resolve the emitted config as a whole (sharing is lost)
        from lazycfg.emit import to_dict

        return _from_omegaconf(to_dict(root), args, kwargs, policy, python=True)
    if isinstance(tree, Lazy):
        if not args:
            try:
                return build_lazy_tree(tree, policy)
            except (NeedsOmegaConf, Fallback):  # an escaped ``\${`` left a literal ``${``
                pass
        mode, recursive, partial = "all", True, tree._lazy_partial
    elif type(tree) is dict:
        tree = dict(tree)
        mode, recursive, partial = _pop_flags(tree, python=True)
    else:
        mode, recursive, partial = _list_flags(kwargs, python=True)
        args = ()
    program = plan(
        tree,
        policy=policy,
        mode=mode,
        recursive=recursive,
        partial=partial,
        call_args=args,
        python=True,
        resolved=True,
    )
    return _run(program, args, policy)


def _lazy_fields(node: Lazy[Any]) -> dict[str, Any]:
    """A node as the fields of its Hydra config, one level deep (children stay nodes)."""
    fields: dict[str, Any] = {TARGET: node._lazy_target}
    if node._lazy_args:
        fields[ARGS_KEY] = node._lazy_args
    if node._lazy_partial:
        fields[PARTIAL] = True
    if node._lazy_meta and node._lazy_meta.get("options"):
        fields.update(node._lazy_meta["options"])
    fields.update(node._lazy_kwargs)
    return fields


def _pop_flags(root: dict[Any, Any], python: bool) -> tuple[str, Any, Any]:
    mode = convert_mode(root.pop(CONVERT)) if CONVERT in root else ("all" if python else "none")
    return mode, root.pop(RECURSIVE, True), root.pop(PARTIAL, False)


def _from_dict(root: dict[Any, Any], args: tuple[Any, ...], policy: Policy, *, python: bool) -> Any:
    flags = {k: root[k] for k in (CONVERT, RECURSIVE, PARTIAL) if k in root}
    if any(isinstance(v, str) and "${" in v for v in flags.values()):
        return _resolved_dict(root, args, policy, python=python)
    body = dict(root)
    mode, recursive, partial = _pop_flags(body, python)
    try:
        return build_plain_tree(
            body,
            policy,
            mode=mode,
            recursive=recursive,
            partial=partial,
            call_args=args,
            python=python,
        )
    except NeedsOmegaConf:
        return _resolved_dict(root, args, policy, python=python)
    except Fallback:
        if not python and holds_lazy(body):
            return _from_dict(root, args, policy, python=True)
    try:
        program = plan(
            body,
            policy=policy,
            mode=mode,
            recursive=recursive,
            partial=partial,
            call_args=args,
            python=python,
            resolved=False,
        )
    except NeedsOmegaConf:
        return _resolved_dict(root, args, policy, python=python)
    return _run(program, args, policy)


def _resolved_dict(
    root: dict[Any, Any], args: tuple[Any, ...], policy: Policy, *, python: bool
) -> Any:
    """Resolve interpolations (and structured values) with OmegaConf, then build."""
    from omegaconf import OmegaConf

    if holds_lazy(root):
        return _resolved_lazy(root, args, {}, policy)
    cfg = OmegaConf.structured(root, flags={"allow_objects": True})
    return _from_config(cfg, args, {}, policy, python=python)


def _from_list(
    items: list[Any] | tuple[Any, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    policy: Policy,
) -> Any:
    python = False
    mode, recursive, partial = _list_flags(kwargs, python=False)
    try:
        try:
            return build_plain_tree(
                list(items),
                policy,
                mode=mode,
                recursive=recursive,
                partial=partial,
                call_args=(),
                python=False,
            )
        except Fallback:
            if holds_lazy(items):  # a lazy tree: Python semantics, the root's type kept
                python = True
                mode, recursive, partial = _list_flags(kwargs, python=True)
        program = plan(
            items if python else list(items),
            policy=policy,
            mode=mode,
            recursive=recursive,
            partial=partial,
            call_args=(),
            python=python,
            resolved=False,
        )
    except NeedsOmegaConf:
        if holds_lazy(items):
            return _resolved_lazy(items, args, kwargs, policy)
        from omegaconf import OmegaConf

        cfg = OmegaConf.structured(list(items), flags={"allow_objects": True})
        return _from_config(cfg, args, kwargs, policy, python=False)
    return _run(program, (), policy)


def _list_flags(kwargs: dict[str, Any], *, python: bool) -> tuple[str, Any, Any]:
    """A top-level list takes its flags from the call; other kwargs are ignored, as in Hydra."""
    partial = kwargs.get(PARTIAL, False)
    if partial:
        from hydra.errors import InstantiationException

        raise InstantiationException(
            "The _partial_ keyword is not compatible with top-level list instantiation"
        )
    mode = convert_mode(kwargs.get(CONVERT, "all" if python else "none"))
    return mode, kwargs.get(RECURSIVE, True), partial


def _from_omegaconf(
    config: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    policy: Policy,
    *,
    python: bool = False,
) -> Any:
    from omegaconf import OmegaConf

    if not _is_omega(config):
        config = OmegaConf.structured(config, flags={"allow_objects": True})
    return _from_config(config, args, kwargs, policy, python=python)


def _from_config(
    cfg: Any, args: tuple[Any, ...], kwargs: dict[str, Any], policy: Policy, *, python: bool
) -> Any:
    """A DictConfig/ListConfig: merge kwargs as Hydra does, resolve once, build."""
    import copy

    from omegaconf import DictConfig, OmegaConf, SCMode

    if cfg._is_none():
        return None
    if isinstance(cfg, DictConfig) and kwargs:
        # Hydra merges into a copy that admits objects and is neither struct nor read-only.
        merged = copy.deepcopy(cfg)
        merged._set_flag(["allow_objects", "struct", "readonly"], [True, False, False])
        merged._set_parent(cfg._get_parent())
        cfg = OmegaConf.merge(merged, _prepare_kwargs(kwargs))
    tree = OmegaConf.to_container(cfg, resolve=True, structured_config_mode=SCMode.DICT_CONFIG)
    if (
        not isinstance(tree, dict)
        and not isinstance(tree, list)
        and not isinstance(tree, DictConfig)
    ):
        return tree
    if isinstance(tree, list):
        mode, recursive, partial = _list_flags(kwargs, python=python)
        root: Any = tree
    elif isinstance(tree, dict):
        mode, recursive, partial = _pop_flags(tree, python)
        root = tree
    else:  # a structured config at the top: read its flags, keep the node
        mode = convert_mode(tree[CONVERT]) if CONVERT in tree else "none"
        recursive = tree[RECURSIVE] if RECURSIVE in tree else True
        partial = tree[PARTIAL] if PARTIAL in tree else False
        root = tree
    call_args = args if not isinstance(tree, list) else ()
    if not isinstance(root, DictConfig):
        # Resolved to plain containers: the plain pass, unless something in it needs the
        # generic engine (structured configs, escaped interpolations, flags in odd places).
        try:
            return build_plain_tree(
                root,
                policy,
                mode=mode,
                recursive=recursive,
                partial=partial,
                call_args=call_args,
                python=python,
            )
        except (NeedsOmegaConf, Fallback):
            pass
    program = plan(
        root,
        policy=policy,
        mode=mode,
        recursive=recursive,
        partial=partial,
        call_args=call_args,
        python=python,
        resolved=True,
    )
    return _run(program, args, policy)


def _prepare_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Callable ``_target_`` values in kwargs become dotted strings, as Hydra writes them."""
    from lazycfg.construct import callable_name

    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key == TARGET and callable(value):
            value = callable_name(value)
        elif isinstance(value, Lazy):
            from lazycfg.emit import to_dict

            value = to_dict(value)
        out[key] = value
    return out


def _run(program: Plan, args: tuple[Any, ...], policy: Policy) -> Any:
    if program.problems:
        raise check_failed(program.problems, program.missing)
    return execute(program, args, policy)


# --- call-time kwargs ----------------------------------------------------------------------------


def _merge(base: dict[Any, Any], override: dict[str, Any]) -> dict[Any, Any]:
    """``OmegaConf.merge(base, override)`` on plain trees: dicts merge key by key, anything else
    replaces, ``???`` keeps what was there. Copies only the dicts on the merge path."""
    out = dict(base)
    if not override:
        return out
    stack: list[tuple[dict[Any, Any], dict[Any, Any]]] = [(out, override)]
    while stack:
        target, changes = stack.pop()
        for key, value in changes.items():
            value: Any
            old = target.get(key, _ABSENT)
            if type(value) is str and value == "???" and old is not _ABSENT:
                continue
            if type(value) is dict and old is not _ABSENT:
                if isinstance(old, Lazy):
                    old = _lazy_fields(old)
                if type(old) is dict:
                    merged = dict(old)
                    target[key] = merged
                    stack.append((merged, value))
                    continue
                if isinstance(old, list | tuple):
                    from omegaconf.errors import ConfigTypeError

                    raise ConfigTypeError(f"Cannot merge DictConfig with ListConfig (key {key!r})")
            elif isinstance(value, list | tuple) and type(old) is dict:
                from omegaconf.errors import ConfigTypeError

                raise ConfigTypeError(f"Cannot merge DictConfig with ListConfig (key {key!r})")
            target[key] = list(value) if type(value) is tuple else value
    return out


_ABSENT = object()
