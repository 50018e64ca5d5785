"""Where the notebook views of nodes and factories are plugged in.

IPython looks for ``_repr_html_``/``_repr_pretty_`` on the object it displays: on `Lazy` and on
a ``@factory`` function. Their renderers (`lazycfg.track.notebook`) need layers far above the
core (emit for the YAML, the graph, the factory's knobs), so the core cannot import them.
Instead the package's top, ``lazycfg/__init__``, installs them here once; it always runs before
any lazycfg module is used, since importing ``lazycfg.core.node`` imports ``lazycfg`` first.
Until then (never, in practice) a notebook falls back to the plain repr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class NotebookViews:
    """The renderers a notebook asks for, each None until installed."""

    __slots__ = ("node_html", "node_text", "factory_html")

    def __init__(self) -> None:
        # A lazy tree as an HTML fragment (its YAML and graph), and as indented text.
        self.node_html: Callable[[Any], str] | None = None
        self.node_text: Callable[[Any], str] | None = None
        # A @factory function as the HTML of the config it stores.
        self.factory_html: Callable[[Any], str] | None = None


VIEWS = NotebookViews()
