"""Building objects from a config: lazy trees directly, Hydra configs with Hydra's semantics."""

from __future__ import annotations

import functools
from typing import Any, TypeVar, overload

from lazycfg.node import ARGS_KEY, Key, Lazy, Path, fold, walk

T = TypeVar("T")


def _has_interpolation(tree: Any) -> bool:
    return any(isinstance(v, str) and "${" in v for _, v in walk(tree))


def build_lazy(tree: Any) -> Any:
    """Construct a lazy tree bottom-up; a node shared in two places is built once."""

    def build(value: Any, path: Path, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        kind = type(value)
        if kind is dict:
            return dict(kids)
        if kind is list:
            return [v for _, v in kids]
        if kind is tuple:
            return tuple(v for _, v in kids)
        node: Lazy[Any] = value
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        for key, child in kids:
            if key == ARGS_KEY:
                args = child
            else:
                kwargs[key] = child  # type: ignore[index]
        target = node._lazy_target
        if isinstance(target, str):
            from lazycfg.targets import locate

            target = locate(target)
        if node._lazy_partial:
            return functools.partial(target, *args, **kwargs)
        return target(*args, **kwargs)

    return fold(tree, build)


@overload
def instantiate(config: Lazy[T], *args: Any, **kwargs: Any) -> T: ...
@overload
def instantiate(config: T, *args: Any, **kwargs: Any) -> T: ...
def instantiate(config: Any, *args: Any, **kwargs: Any) -> Any:
    """Build a lazy tree, a dict or a DictConfig, with ``hydra.utils.instantiate``'s semantics.

    A lazy tree is typed as what its root builds: ``instantiate(lazy(RF)(...))`` is an ``RF``.
    """
    if isinstance(config, Lazy) and not args and not kwargs and not _has_interpolation(config):
        return build_lazy(config)
    if isinstance(config, Lazy | list | tuple) or (
        isinstance(config, dict) and any(isinstance(v, Lazy) for _, v in walk(config))
    ):
        from lazycfg.emit import to_config

        config = to_config(config)
    from hydra.utils import instantiate as hydra_instantiate

    return hydra_instantiate(config, *args, **kwargs)
