"""lazycfg: experiment configs as ordinary, type-checked Python that emit plain Hydra configs.

The whole public API is on this page.

Writing configs
    lazy(fn)(...)        a checked call of ``fn`` that constructs nothing yet (a `Lazy` node)
    partial(fn)(...)     the same, built as ``functools.partial`` (Hydra's ``_partial_``)
    replace(node, **kw)  a validated variant of a node
    Lazy                 the node type; read arguments as attributes (``node.n_estimators``)

Emitting and reading Hydra configs
    to_dict, to_config, to_yaml   plain dict / DictConfig / YAML (``full=True``: defaults too)
    from_config                   back to a lazy tree, checked

Building
    instantiate(x, *args, **kwargs)   Hydra's semantics; typed ``Lazy[T] -> T``

Errors
    ConfigError, TargetError
"""

from lazycfg.build import lazy, partial, replace
from lazycfg.emit import from_config, to_config, to_dict, to_yaml
from lazycfg.errors import ConfigError, TargetError
from lazycfg.instantiate import instantiate
from lazycfg.node import Lazy

__all__ = [
    "ConfigError",
    "Lazy",
    "TargetError",
    "from_config",
    "instantiate",
    "lazy",
    "partial",
    "replace",
    "to_config",
    "to_dict",
    "to_yaml",
]
__version__ = "0.1.0"
