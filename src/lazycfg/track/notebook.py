"""How lazy nodes and factories show in Jupyter and IPython.

A notebook cell that ends in a node shows its Hydra YAML and its graph (`node_html`); IPython's
console shows the call laid out over lines (`pretty_text`). Everything user-supplied is escaped:
a string argument holding ``<script>`` is shown, never run.

`Lazy` and ``@factory`` functions, far below this module, call these renderers through
`lazycfg.core.views`, where ``lazycfg/__init__`` installs them (`install`).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable
from typing import Any

from lazycfg.core.node import Lazy, target_name, where
from lazycfg.core.views import VIEWS

WIDTH = 88
MAX_DEPTH = 40  # deeper nesting is shown as "..." (a picture of a 10,000-deep chain helps no one)


def node_html(tree: Any, title: str | None = None) -> str:
    """An HTML fragment for a lazy tree: a header, its YAML and its graph, all escaped."""
    from lazycfg.emit.convert import to_yaml
    from lazycfg.track.graph import to_svg

    if title is None:
        title = _title(tree)
    try:
        yaml = to_yaml(tree)
    except Exception as exc:  # a picture must not raise: say why there is no YAML
        yaml = f"(no YAML: {type(exc).__name__}: {exc})"
    try:
        svg = to_svg(tree)
    except Exception as exc:
        svg = f"<pre>(no graph: {html.escape(f'{type(exc).__name__}: {exc}')})</pre>"
    return (
        "<div class='lazycfg'>"
        f"<div style='font-family:sans-serif;font-weight:bold'>{html.escape(title)}</div>"
        "<details open><summary>YAML</summary>"
        f"<pre style='margin:0.3em 0'>{html.escape(yaml)}</pre></details>"
        f"<details open><summary>graph</summary>{svg}</details>"
        "</div>"
    )


def factory_html(fn: Callable[..., Any]) -> str:
    """`node_html` of the config a `@factory` stores (its defaults, knobs linked)."""
    from lazycfg.factory.knobs import factory_config

    name = getattr(fn, "__qualname__", "factory")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # shown when stored; a picture stays quiet
            config = factory_config(fn)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        return f"<pre>@factory {html.escape(name)}: {html.escape(message)}</pre>"
    return node_html(config, title=f"@factory {name}() with its defaults")


def install() -> None:
    """Make notebooks show nodes and factories with these renderers (`lazycfg.core.views`)."""
    VIEWS.node_html = node_html
    VIEWS.node_text = pretty_text
    VIEWS.factory_html = factory_html


def _title(tree: Any) -> str:
    if isinstance(tree, Lazy):
        kind = "partial" if tree._lazy_partial else "lazy"
        origin = where(tree)
        return f"{kind}({target_name(tree)})" + (f"  defined at {origin}" if origin else "")
    return f"config ({type(tree).__name__})"


def pretty_text(value: Any, width: int = WIDTH) -> str:
    """``value`` as its repr when that fits ``width``, else one argument per indented line."""
    return _pretty(value, 0, width)


def _pretty(value: Any, depth: int, width: int) -> str:
    indent = "    " * depth
    if not _nested(value):
        return repr(value)
    flat = _flat(value, width - len(indent))
    if flat is not None:
        return flat
    if depth >= MAX_DEPTH:
        return "..."
    inner = "    " * (depth + 1)
    if isinstance(value, Lazy):
        kind = "partial" if value._lazy_partial else "lazy"
        parts = [_pretty(a, depth + 1, width) for a in value._lazy_args]
        parts += [f"{k}={_pretty(v, depth + 1, width)}" for k, v in value._lazy_kwargs.items()]
        head, tail = f"{kind}({target_name(value)})(", ")"
    elif isinstance(value, dict):
        parts = [f"{k!r}: {_pretty(v, depth + 1, width)}" for k, v in value.items()]
        head, tail = "{", "}"
    else:
        parts = [_pretty(v, depth + 1, width) for v in value]
        head, tail = ("[", "]") if isinstance(value, list) else ("(", ")")
    lines = "".join(f"\n{inner}{part}," for part in parts)
    return f"{head}{lines}\n{indent}{tail}"


def _flat(value: Any, budget: int) -> str | None:
    """The one-line repr of ``value`` if it takes at most ``budget`` characters, else None.

    Stops as soon as the budget is spent, so a deep tree costs no more than its first line.
    """
    if budget <= 0:
        return None
    if not _nested(value):
        text = repr(value)
        return text if len(text) <= budget else None
    if isinstance(value, Lazy):
        kind = "partial" if value._lazy_partial else "lazy"
        head, tail = f"{kind}({target_name(value)})(", ")"
        items: list[tuple[str, Any]] = [("", a) for a in value._lazy_args]
        items += [(f"{k}=", v) for k, v in value._lazy_kwargs.items()]
    elif isinstance(value, dict):
        head, tail = "{", "}"
        items = [(f"{k!r}: ", v) for k, v in value.items()]
    else:
        head, tail = ("[", "]") if isinstance(value, list) else ("(", ")")
        items = [("", v) for v in value]
    text = head
    for i, (label, item) in enumerate(items):
        shown = _flat(item, budget - len(text) - len(label) - len(tail))
        if shown is None:
            return None
        text += ("" if i == 0 else ", ") + label + shown
    if isinstance(value, tuple) and len(items) == 1:
        text += ","
    text += tail
    return text if len(text) <= budget else None


def _nested(value: Any) -> bool:
    return isinstance(value, Lazy | dict | list | tuple) and bool(
        value._lazy_args or value._lazy_kwargs if isinstance(value, Lazy) else value
    )
