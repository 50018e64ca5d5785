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
    check_failed,
    convert_mode,
)
from lazycfg.construct_build import execute
from lazycfg.construct_check import plan
from lazycfg.construct_lazy import Fallback, build_lazy_tree
from lazycfg.construct_plain import build_plain_tree
from lazycfg.construct_resolve import Unmapped, holds_lazy, substitute_resolved
from lazycfg.node import ARGS_KEY, Lazy
from lazycfg.safety import Policy, policy_for

T = TypeVar("T")


def _policy(allow: Iterable[str] | None) -> Policy:
    return policy_for(allow)  # one per allow-list and HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE


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
        return _from_tree(_merge(config, kwargs), args, {}, policy, python=False)
    if kind is list or kind is tuple:
        return _from_tree(config, args, kwargs, policy, python=False)
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


# The root's (_convert_ mode, _recursive_, _partial_), read from the config or the call.
Flags = tuple[str, Any, Any]


def _from_lazy(
    node: Lazy[Any], args: tuple[Any, ...], kwargs: dict[str, Any], policy: Policy
) -> Any:
    if kwargs:
        return _from_tree(_merge(_lazy_fields(node), kwargs), args, {}, policy, python=True)
    try:
        return _build(node, _lazy_flags(node), args, policy, python=True, resolved=False)
    except NeedsOmegaConf:
        return _resolved_lazy(node, args, {}, policy)


def _resolved_lazy(root: Any, args: tuple[Any, ...], kwargs: dict[str, Any], policy: Policy) -> Any:
    """A lazy tree (a node, or a dict or list holding nodes) with interpolations: resolved
    against the config it emits, the values put back into the tree, then built as Python."""
    try:
        tree = substitute_resolved(root)
    except Unmapped:  # resolve the emitted config as a whole (sharing is lost)
        from lazycfg.emit import to_dict

        return _from_omegaconf(to_dict(root), args, kwargs, policy, python=True)
    if isinstance(tree, Lazy):
        return _build(tree, _lazy_flags(tree), args, policy, python=True, resolved=True)
    tree, flags, args = _root_parts(tree, args, kwargs, python=True)
    return _generic(tree, flags, args, policy, python=True, resolved=True)


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


def _lazy_flags(node: Lazy[Any]) -> Flags:
    return "all", True, node._lazy_partial


def _from_tree(
    root: dict[Any, Any] | list[Any] | tuple[Any, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    policy: Policy,
    *,
    python: bool,
) -> Any:
    """A dict or list: a Hydra config, or a lazy tree if it holds a lazy node anywhere (Python
    semantics, the root's type kept). A dict's call-time kwargs are already merged into it."""
    if type(root) is dict and any(
        isinstance(root[k], str) and "${" in root[k]
        for k in (CONVERT, RECURSIVE, PARTIAL)
        if k in root
    ):
        return _resolved_tree(root, args, kwargs, policy, python=python)
    body, flags, call_args = _root_parts(root, args, kwargs, python=python)
    try:
        try:
            return _fast(body, flags, call_args, policy, python=python)
        except Fallback:
            if not python and holds_lazy(body):
                python = True
                body, flags, call_args = _root_parts(root, args, kwargs, python=True)
        return _generic(body, flags, call_args, policy, python=python, resolved=False)
    except NeedsOmegaConf:
        return _resolved_tree(root, args, kwargs, policy, python=python)


def _root_parts(
    root: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, python: bool
) -> tuple[Any, Flags, tuple[Any, ...]]:
    """(tree to build, root flags, call-time args) of a dict or list root: a dict's flags are
    its own (popped from a copy), a list's come from the call, which passes it no args."""
    if type(root) is dict:
        body = dict(root)
        return body, _pop_flags(body, python), args
    return (root if python else list(root)), _list_flags(kwargs, python=python), ()


def _resolved_tree(
    root: Any, args: tuple[Any, ...], kwargs: dict[str, Any], policy: Policy, *, python: bool
) -> Any:
    """Resolve interpolations (and structured values) with OmegaConf, then build."""
    if holds_lazy(root):
        return _resolved_lazy(root, args, kwargs, policy)
    from omegaconf import OmegaConf

    plain = root if type(root) is dict else list(root)
    cfg = OmegaConf.structured(plain, flags={"allow_objects": True})
    return _from_config(cfg, args, kwargs, policy, python=python)


def _pop_flags(root: dict[Any, Any], python: bool) -> Flags:
    mode = convert_mode(root.pop(CONVERT)) if CONVERT in root else ("all" if python else "none")
    return mode, root.pop(RECURSIVE, True), root.pop(PARTIAL, False)


def _list_flags(kwargs: dict[str, Any], *, python: bool) -> Flags:
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
    if isinstance(tree, list | dict):
        tree, flags, args = _root_parts(tree, args, kwargs, python=python)
    elif isinstance(tree, DictConfig):  # a structured config at the top: read its flags
        mode = convert_mode(tree[CONVERT]) if CONVERT in tree else "none"
        recursive = tree[RECURSIVE] if RECURSIVE in tree else True
        flags = mode, recursive, tree[PARTIAL] if PARTIAL in tree else False
    else:
        return tree
    # Resolved to plain containers: the plain pass, unless something in it needs the generic
    # engine (structured configs, escaped interpolations, flags in odd places).
    return _build(tree, flags, args, policy, python=python, resolved=True)


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


# --- the passes ----------------------------------------------------------------------------------


def _build(
    root: Any, flags: Flags, args: tuple[Any, ...], policy: Policy, *, python: bool, resolved: bool
) -> Any:
    """Check ``root`` whole, then build it: a fast pass, else the generic engine. An
    interpolation in an unresolved tree raises `NeedsOmegaConf` (the caller resolves it); in a
    resolved one (an escaped ``\\${`` left a literal ``${``) it goes to the generic engine."""
    try:
        return _fast(root, flags, args, policy, python=python)
    except NeedsOmegaConf:
        if not resolved:
            raise
    except Fallback:
        pass
    return _generic(root, flags, args, policy, python=python, resolved=resolved)


def _fast(root: Any, flags: Flags, args: tuple[Any, ...], policy: Policy, *, python: bool) -> Any:
    """The specialised pass for ``root``: a lazy node without call-time args, or a plain dict or
    list; `Fallback` when there is none or it gives way, before anything is built."""
    if isinstance(root, Lazy):
        if args:
            raise Fallback
        return build_lazy_tree(root, policy)
    if type(root) is not dict and type(root) is not list and type(root) is not tuple:
        raise Fallback
    mode, recursive, partial = flags
    return build_plain_tree(
        root,
        policy,
        mode=mode,
        recursive=recursive,
        partial=partial,
        call_args=args,
        python=python,
    )


def _generic(
    root: Any, flags: Flags, args: tuple[Any, ...], policy: Policy, *, python: bool, resolved: bool
) -> Any:
    """The generic engine: `plan` checks the whole tree; the program runs only if it is fine."""
    mode, recursive, partial = flags
    program = plan(
        root,
        policy=policy,
        mode=mode,
        recursive=recursive,
        partial=partial,
        call_args=args,
        python=python,
        resolved=resolved,
    )
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
