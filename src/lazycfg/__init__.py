"""lazycfg: experiment configs as ordinary, type-checked Python that emit plain Hydra configs.

The whole public API is on this page.

Writing configs
    lazy(fn)(...)        a checked call of ``fn`` that constructs nothing yet (a `Lazy` node)
    partial(fn)(...)     the same, built as ``functools.partial`` (Hydra's ``_partial_``)
    Partial(fn, ...)     the same partial node in one call, checked by pyright and mypy like
                         ``functools.partial`` (keyword names and types)
    replace(node, **kw)  a validated variant of a node; ``replace(node, Partial(Target, ...))``
                         is the form type checkers check
    Lazy                 the node type; read arguments as attributes (``node.n_estimators``)
    factory              a decorator: the calls in a function's body become lazy nodes
    eager                marks a callable that runs while a factory builds its config

Emitting and reading Hydra configs
    to_dict, to_config, to_yaml   plain dict / DictConfig / YAML (``full=True``: defaults too)
    from_config                   back to a lazy tree, checked
    renamed(Target, old="new")    an argument renamed: old configs load, with a RenameWarning
    removed(Target, "old")        an argument removed: old configs load without it (warned)
    to_python                     Python source of a factory that returns a config

Hydra apps
    store(...)           register factories and nodes in Hydra's ConfigStore (a second config
                         under the same group and name is refused unless ``overwrite=True``)
    stored(group)        what is registered, by group: ``{"experiment": ["large", "small"]}``
    lazycfg.app.main     ``hydra.main`` that checks each job's config, builds it and calls the
                         task with built objects by parameter name (``lazycfg.app.task`` under
                         ``@hydra.main`` does the same); imported from ``lazycfg.app`` because
                         it loads Hydra
    lazycfg.callback.LogConfig   a Hydra callback that logs every argument and a fingerprint

Building
    instantiate(x, *args, **kwargs)   Hydra's semantics, checked first; typed ``Lazy[T] -> T``

Tracking
    flatten, unflatten, diff, fingerprint   (``lazycfg show`` / ``lazycfg diff`` on the CLI)

Errors and warnings
    ConfigError, TargetError, KnobWarning, RenameWarning
"""

from lazycfg.codegen.python import to_python
from lazycfg.core.errors import ConfigError, TargetError
from lazycfg.core.node import Lazy
from lazycfg.define import Partial, lazy, partial, replace
from lazycfg.emit.convert import from_config, to_config, to_dict, to_yaml
from lazycfg.emit.renames import RenameWarning, removed, renamed
from lazycfg.factory.decorator import KnobWarning, eager, factory
from lazycfg.hydra.store import store, stored
from lazycfg.instantiate.api import instantiate
from lazycfg.track.diff import diff
from lazycfg.track.flat import fingerprint, flatten, unflatten
from lazycfg.track.notebook import install as _install_notebook_views

# IPython asks `Lazy` and each @factory for its notebook view, but the views render with layers
# far above the core (emit, the graph, knobs): the core holds a slot for them
# (lazycfg.core.views) and the top of the package fills it. This module always runs first:
# importing any lazycfg module imports the package before it.
_install_notebook_views()

__all__ = [
    "ConfigError",
    "KnobWarning",
    "Lazy",
    "Partial",
    "RenameWarning",
    "TargetError",
    "diff",
    "eager",
    "factory",
    "fingerprint",
    "flatten",
    "from_config",
    "instantiate",
    "lazy",
    "partial",
    "removed",
    "renamed",
    "replace",
    "store",
    "stored",
    "to_config",
    "to_dict",
    "to_python",
    "to_yaml",
    "unflatten",
]
__version__ = "0.1.0"
