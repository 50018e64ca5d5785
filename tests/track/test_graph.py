"""The config picture: boxes, edges, shared nodes once, valid SVG, any depth."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fixtures.track import Color, Data, Layer, Link, Net, make_shared

from lazycfg import lazy, to_dict
from lazycfg.track import build_boxes, layout, to_html, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_boxes_rows_and_edges() -> None:
    boxes = build_boxes(make_shared())
    assert [b.title for b in boxes] == [
        "fixtures.track.Net",
        "fixtures.track.Layer",
        "fixtures.track.Layer",
    ]
    net = boxes[0]
    assert net.rows == [("layers[0]", ""), ("layers[1]", ""), ("layers[2]", "")]
    # layers[0] and layers[2] are the same node: one box, two edges into it.
    assert [child for _, child in net.edges] == [1, 2, 1]
    assert boxes[1].rows == [("size", "64")]
    assert boxes[2].rows == [("size", "32"), ("activation", '"tanh"')]


def test_values_are_shown_readably() -> None:
    node = lazy(Data)(path="a.csv", color=Color.BLUE)
    assert build_boxes(node)[0].rows == [("path", '"a.csv"'), ("color", "Color.BLUE")]
    long = build_boxes({"text": "x" * 100})[0]
    assert long.title == "config" and len(long.rows[0][1]) == 40 and long.rows[0][1].endswith("…")


def test_layout_puts_children_right_of_parents_without_overlap() -> None:
    boxes = build_boxes({"a": make_shared(), "b": lazy(Layer)(size=1), "c": [lazy(Layer)(size=2)]})
    width, height = layout(boxes)
    for box in boxes:
        for _, child in box.edges:
            assert boxes[child].x >= box.x + box.width
        assert 0 <= box.x and box.x + box.width <= width and box.y + box.height <= height
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart_x = a.x + a.width <= b.x or b.x + b.width <= a.x
            apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart_x or apart_y, (a.title, b.title)


def test_svg_is_well_formed_and_names_every_target() -> None:
    svg = ET.fromstring(to_svg({"model": make_shared(), "note": "<&>"}))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts.count("fixtures.track.Layer") == 2 and "fixtures.track.Net" in texts
    assert 'note = "<&>"' in texts  # escaped in the file, intact when read
    assert len(list(svg.iter(f"{SVG}path"))) == 1 + 4  # the arrow head, four edges


def test_html_page_embeds_the_svg() -> None:
    page = to_html(make_shared(), "my <config>")
    assert "<title>my &lt;config&gt;</title>" in page and "<svg" in page


def test_a_very_deep_chain_is_drawn() -> None:
    node: object = lazy(Layer)(size=0)
    for i in range(3000):
        node = lazy(Link)(child=[node], step=float(i))
    boxes = build_boxes(node)
    assert len(boxes) == 3001
    assert ET.fromstring(to_svg(node)) is not None


def test_plain_configs_are_drawn_too() -> None:
    boxes = build_boxes(to_dict(make_shared()))
    assert boxes[0].title == "config"
    assert ("_target_", '"fixtures.track.Net"') in boxes[0].rows


def test_an_edge_that_skips_a_column_runs_in_a_free_lane() -> None:
    shared = lazy(Layer)(size=8)
    boxes = build_boxes({"net": lazy(Net)(layers=[shared]), "direct": shared})
    layout(boxes)
    root = boxes[0]
    assert [len(r) for r in root.routes] == [0, 1]  # "direct" skips the Net column
    (left, right, y) = root.routes[1][0]
    net = next(b for b in boxes if b.title == "fixtures.track.Net")
    assert (left, right) == (net.x, net.x + net.width)
    assert not net.y <= y <= net.y + net.height  # never behind the box it passes
    svg = to_svg({"net": lazy(Net)(layers=[shared]), "direct": shared})
    edges = [p.get("d", "") for p in ET.fromstring(svg).iter(f"{SVG}path") if p.get("marker-end")]
    assert sorted(" L" in d for d in edges) == [
        False,
        False,
        True,
    ]  # a straight run through the lane
