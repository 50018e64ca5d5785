"""How nodes and factories show in a notebook: YAML and graph, escaped; readable text."""

from __future__ import annotations

from fixtures.factory import Layer, Net
from fixtures.store import Model, make_step, small

from lazycfg import Lazy, Partial, lazy
from lazycfg.track import factory_html, node_html, pretty_text


def test_node_html_shows_the_yaml_and_the_graph_with_a_header() -> None:
    page = node_html(lazy(Model)(width=3))
    assert page.startswith("<div class='lazycfg'>")
    assert "lazy(fixtures.store.Model)  defined at " in page and "test_notebook.py:" in page
    assert "_target_: fixtures.store.Model\nwidth: 3" in page
    assert "<svg " in page and page.count("<svg") == 1


def test_user_text_is_escaped_everywhere() -> None:
    payload = "<script>alert(1)</script>"
    page = node_html(lazy(Layer)(size=1, activation=payload))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_factory_shows_the_config_it_stores() -> None:
    page = factory_html(small)
    assert "@factory small() with its defaults" in page
    assert "width: 4" in page and "<svg " in page
    assert small._repr_html_() == page  # type: ignore[attr-defined]  # what Jupyter calls


def test_a_failing_factory_shows_the_error_instead_of_raising() -> None:
    from lazycfg import factory

    @factory
    def broken() -> Model:
        return Model(widht=3)  # type: ignore[call-arg]

    assert "widht: unexpected keyword argument" in factory_html(broken)


def test_pretty_text_keeps_short_calls_on_one_line_and_splits_long_ones() -> None:
    assert pretty_text(lazy(Model)(width=3)) == "lazy(fixtures.store.Model)(width=3)"
    net = lazy(Net)(layers=[lazy(Layer)(size=n, activation="relu") for n in (8, 16, 32)])
    text = pretty_text(net, width=64)  # the width the layers fit in, one per line
    assert text.splitlines() == [
        "lazy(fixtures.factory.Net)(",
        "    layers=[",
        "        lazy(fixtures.factory.Layer)(size=8, activation='relu'),",
        "        lazy(fixtures.factory.Layer)(size=16, activation='relu'),",
        "        lazy(fixtures.factory.Layer)(size=32, activation='relu'),",
        "    ],",
        ")",
    ]
    assert (
        pretty_text(Partial(make_step, offset=1.0))
        == "partial(fixtures.store.make_step)(offset=1.0)"
    )


def test_very_deep_nesting_is_cut_not_recursed() -> None:
    node: Lazy[Layer] = lazy(Layer)(size=0)
    for _ in range(3000):
        node = lazy(Net)(layers=[node])
    assert "..." in pretty_text(node, width=40)


def test_a_node_shows_itself_in_a_notebook() -> None:
    node = lazy(Model)(width=3)
    assert node._repr_html_() == node_html(node)

    class Printer:
        text_seen = ""

        def text(self, value: str) -> None:
            self.text_seen += value

    printer = Printer()
    node._repr_pretty_(printer, False)
    assert printer.text_seen == pretty_text(node)
