"""The Lazy node and its one tree walk, target names, value reprs and error types."""

from lazycfg.core.node import (
    CHECKED,
    Meta,
    children,
    fold,
    fold_at,
    format_path,
    format_place,
    place_path,
    plain_equal,
    target_name,
    walk,
    walk_at,
    where,
)
from lazycfg.core.problems import (
    POSITIONAL_KIND,
    TWICE_KIND,
    TYPE_KIND,
    UNBOUND_KIND,
    UNEXPECTED_KIND,
    Problem,
)
from lazycfg.core.reprs import value_repr
from lazycfg.core.targets import import_path, locate

__all__ = [
    "CHECKED",
    "POSITIONAL_KIND",
    "TWICE_KIND",
    "TYPE_KIND",
    "UNBOUND_KIND",
    "UNEXPECTED_KIND",
    "Meta",
    "Problem",
    "children",
    "fold",
    "fold_at",
    "format_path",
    "format_place",
    "import_path",
    "locate",
    "place_path",
    "plain_equal",
    "target_name",
    "value_repr",
    "walk",
    "walk_at",
    "where",
]
