"""A picture of a config: targets as boxes, node-valued arguments as edges, shared nodes once.

The layout is a small layered drawing written here rather than borrowed: Graphviz needs its
``dot`` binary, which a pip install does not bring, and the pure-Python layout packages on PyPI
are unmaintained. Config graphs are nearly trees, so columns by depth (longest path from the
root), boxes stacked in depth-first order and curved edges from the argument's row read well.
The output is a standalone SVG, or an HTML page around it; neither needs anything to view.
"""

from __future__ import annotations

import enum
import html
import inspect
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any

from lazycfg.core.node import Lazy, children, target_name, walk

# An item of a column: a box number, or a lane (box, edge, column) of an edge that skips columns.
Item = int | tuple[int, int, int]

CHAR_W, ROW_H, PAD, COL_GAP, BOX_GAP, MAX_VALUE = 7.2, 18, 8, 70, 18, 40


@dataclass
class Box:
    """One target call (or the plain config at the root): a header and one row per argument."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, shown value or "")
    edges: list[tuple[int, int]] = field(default_factory=list)  # (row index, child box index)
    # Per edge, the (left x, right x, y) lanes it runs through in the columns it skips.
    routes: list[list[tuple[float, float, float]]] = field(default_factory=list)
    column: int = 0
    x: float = 0.0
    y: float = 0.0

    @property
    def width(self) -> float:
        longest = max([len(self.title), *(len(_row_text(*r)) for r in self.rows)])
        return longest * CHAR_W + 2 * PAD

    @property
    def height(self) -> float:
        return ROW_H * (1 + len(self.rows)) + PAD


def _row_text(label: str, value: str) -> str:
    return f"{label} = {value}" if value else f"{label} ->"


def _short(value: Any) -> str:
    if isinstance(value, enum.Enum):
        text = f"{type(value).__name__}.{value.name}"
    elif isinstance(value, type) or inspect.isroutine(value):
        text = getattr(value, "__qualname__", repr(value))
    elif isinstance(value, pathlib.PurePath):
        text = f"Path({str(value)!r})"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _has_node(value: Any) -> bool:
    return any(isinstance(v, Lazy) for _, v in walk(value))


def build_boxes(tree: Any) -> list[Box]:
    """The boxes of ``tree``; box 0 is the root, a node reached twice is one box."""
    boxes: list[Box] = []
    index: dict[int, int] = {}
    to_open: list[tuple[int, Any]] = []

    def box_of(value: Any) -> int:
        if isinstance(value, Lazy) and id(value) in index:
            return index[id(value)]
        title = "config"
        if isinstance(value, Lazy):
            title = ("partial " if value._lazy_partial else "") + target_name(value)
            index[id(value)] = len(boxes)
        boxes.append(Box(title))
        to_open.append((len(boxes) - 1, value))
        return len(boxes) - 1

    box_of(tree)
    while to_open:  # iterative: a 10,000-deep chain of nodes is fine
        number, value = to_open.pop()
        box = boxes[number]
        # Arguments in order; containers that hold nodes are opened, others shown as values.
        pending = [(str(key), child) for key, child in children(value) or []][::-1]
        while pending:
            label, child = pending.pop()
            if isinstance(child, Lazy):
                box.rows.append((label, ""))
                box.edges.append((len(box.rows) - 1, box_of(child)))
            elif children(child) and _has_node(child):
                is_seq = isinstance(child, list | tuple)
                pending += [
                    (f"{label}[{key}]" if is_seq else f"{label}.{key}", v)
                    for key, v in reversed(children(child) or [])
                ]
            else:
                box.rows.append((label, _short(child)))
    return boxes


def layout(boxes: list[Box]) -> tuple[float, float]:
    """Place boxes in columns by longest path from the root; return the drawing's size.

    Within a column boxes are stacked in the order of the rows that point at them, so a tree
    is drawn without crossings. An edge that skips columns gets a lane (a row-high gap) in each
    column it crosses, so it never runs behind a box.
    """
    for number in _topological(boxes):
        for _, child in boxes[number].edges:
            boxes[child].column = max(boxes[child].column, boxes[number].column + 1)
    columns: dict[int, list[Item]] = {}
    for number, box in enumerate(boxes):
        columns.setdefault(box.column, []).append(number)
        box.routes = [[] for _ in box.edges]
        for e, (_, child) in enumerate(box.edges):
            for column in range(box.column + 1, boxes[child].column):
                columns.setdefault(column, []).append((number, e, column))
    anchor: dict[Item, float] = {0: 0.0}  # item -> top of the row that points at it

    def point_at(item: Item, y: float) -> None:
        anchor[item] = min(anchor.get(item, y), y)

    def next_item(number: int, e: int, column: int) -> Item:
        child = boxes[number].edges[e][1]
        return child if boxes[child].column == column + 1 else (number, e, column + 1)

    x, height = float(PAD), 0.0
    for column in sorted(columns):
        y = float(PAD)
        width = max([boxes[i].width for i in columns[column] if isinstance(i, int)] or [0.0])
        for item in sorted(columns[column], key=lambda i: anchor.get(i, 0.0)):
            if isinstance(item, int):
                box = boxes[item]
                box.x, box.y = x, max(y, anchor.get(item, 0.0) - ROW_H)
                y = box.y + box.height + BOX_GAP
                for e, (row, _) in enumerate(box.edges):
                    point_at(next_item(item, e, column), box.y + ROW_H * (row + 1))
            else:
                number, e, _ = item
                lane = max(y, anchor.get(item, 0.0))
                boxes[number].routes[e].append((x, x + width, lane + ROW_H / 2))
                y = lane + ROW_H + BOX_GAP / 2
                point_at(next_item(number, e, column), lane)
        x += width + COL_GAP
        height = max(height, y)
    return x - COL_GAP + PAD, height - BOX_GAP + PAD


def _topological(boxes: list[Box]) -> list[int]:
    incoming = [0] * len(boxes)
    for box in boxes:
        for _, child in box.edges:
            incoming[child] += 1
    ready = [i for i, n in enumerate(incoming) if n == 0]
    order = []
    while ready:
        number = ready.pop()
        order.append(number)
        for _, child in boxes[number].edges:
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    return order


def to_svg(tree: Any) -> str:
    """The config DAG of a lazy tree (or plain config) as standalone SVG text."""
    boxes = build_boxes(tree)
    width, height = layout(boxes)
    esc = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, Menlo, '
        'Consolas, monospace" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
        "</defs>",
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    for box in boxes:
        w = box.width
        out.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{w:.1f}" height="{box.height:.1f}" '
            'rx="4" fill="#f7f9fc" stroke="#4a6fa5"/>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{w:.1f}" height="{ROW_H + 2}" rx="4" '
            'fill="#dbe6f5" stroke="#4a6fa5"/>'
            f'<text x="{box.x + PAD:.1f}" y="{box.y + ROW_H - 4:.1f}" font-weight="bold">'
            f"{esc(box.title)}</text>"
        )
        for i, (label, value) in enumerate(box.rows):
            y = box.y + ROW_H * (i + 2) - 2
            colour = "#1f3b63" if not value else "#222"
            out.append(
                f'<text x="{box.x + PAD:.1f}" y="{y:.1f}" fill="{colour}">'
                f"{esc(_row_text(label, value))}</text>"
            )
        for (row, child), lanes in zip(box.edges, box.routes, strict=True):
            target = boxes[child]
            start = (box.x + w, box.y + ROW_H * (row + 2) - 6)
            end = (target.x, target.y + ROW_H / 2)
            out.append(_edge(start, lanes, end))
    out.append("</svg>")
    return "\n".join(out)


def _edge(
    start: tuple[float, float], lanes: list[tuple[float, float, float]], end: tuple[float, float]
) -> str:
    """A curve from ``start`` through each lane (straight across it) to ``end``, with an arrow."""
    points = [start]
    for left, right, y in lanes:
        points += [(left, y), (right, y)]
    points.append(end)
    d = f"M{start[0]:.1f},{start[1]:.1f}"
    for i in range(0, len(points) - 1, 2):
        (x1, y1), (x2, y2) = points[i], points[i + 1]
        bend = max((x2 - x1) / 2, 30)
        d += f" C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        if i + 2 < len(points):
            d += f" L{points[i + 2][0]:.1f},{points[i + 2][1]:.1f}"
    return f'<path d="{d}" fill="none" stroke="#555" marker-end="url(#arrow)"/>'


def to_html(tree: Any, title: str = "lazycfg config") -> str:
    """An HTML page showing `to_svg` (opens in any browser, nothing fetched)."""
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>\n"
        f"<body style='margin:1em'><h3 style='font-family:sans-serif'>{html.escape(title)}</h3>\n"
        f"{to_svg(tree)}\n</body></html>\n"
    )
