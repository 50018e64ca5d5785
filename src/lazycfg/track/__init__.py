"""Tracking configs: flatten/diff/fingerprint, graphs, notebook display, show/diff commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lazycfg.track.diff import Change
from lazycfg.track.flat import canonical_json
from lazycfg.track.flatkeys import escape_key, split_key

if TYPE_CHECKING:
    from lazycfg.track.graph import build_boxes, layout, to_html, to_svg
    from lazycfg.track.notebook import factory_html, node_html, pretty_text

__all__ = [
    "Change",
    "build_boxes",
    "canonical_json",
    "escape_key",
    "factory_html",
    "layout",
    "node_html",
    "pretty_text",
    "split_key",
    "to_html",
    "to_svg",
]

_GRAPH = ("build_boxes", "layout", "to_html", "to_svg")
_NOTEBOOK = ("factory_html", "node_html", "pretty_text")


def __getattr__(name: str) -> Any:
    """The picture's and the notebook's names, imported when first asked for: ``import
    lazycfg`` imports this package (for flatten and diff) and needs neither module."""
    if name in _GRAPH:
        from lazycfg.track import graph as module
    elif name in _NOTEBOOK:
        from lazycfg.track import notebook as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)
