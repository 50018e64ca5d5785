"""@factory errors: what is wrong, where (file:line in the user's file) and the fix."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import traceback
from pathlib import Path
from typing import Any

import pytest
from fixtures.factory import Layer, Net, Optim, Pair, refuse_rewritten_names_in_messages

import lazycfg
from lazycfg import ConfigError, factory


@pytest.fixture(autouse=True)
def _messages_quote_the_users_source(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_rewritten_names_in_messages(monkeypatch)


HERE = Path(__file__).read_text().splitlines()


def line_of(tag: str) -> int:
    """The line of this file that carries the comment ``# <tag>``."""
    return next(n for n, text in enumerate(HERE, 1) if text.rstrip().endswith(f"# {tag}"))


def load(tmp_path: Path, source: str) -> dict[str, Any]:
    """Run ``source`` as a real file (so its source can be read) and return its namespace."""
    path = tmp_path / "user_factories.py"
    path.write_text(textwrap.dedent(source))
    namespace: dict[str, Any] = {"__name__": "user_factories"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


# --- decoration time -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "what"),
    [("yield Layer(1)", "`yield`"), ("x = yield from []", "`yield from`")],
)
def test_generators_are_refused_at_decoration_with_the_line(
    tmp_path: Path, body: str, what: str
) -> None:
    source = f"""
    from lazycfg import factory

    @factory
    def bad():
        x = 1
        {body}
    """
    with pytest.raises(ConfigError) as info:
        load(tmp_path, source)
    message = str(info.value)
    assert f"{what} is not supported in a factory body" in message
    assert f"{tmp_path / 'user_factories.py'}:7" in message


def test_async_and_await_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"user_factories.py:4\): `async def` is not supported"):
        load(tmp_path, "from lazycfg import factory\n\n@factory\nasync def bad():\n    pass\n")


def test_a_generator_inside_a_nested_helper_is_fine(tmp_path: Path) -> None:
    ns = load(
        tmp_path,
        """
        from lazycfg import factory
        from fixtures.factory import Net, Layer

        @factory
        def ok(n: int = 2):
            def sizes():
                yield from range(n)
            return Net([Layer(s) for s in sizes()])
        """,
    )
    assert [x.size for x in ns["ok"]().layers] == [0, 1]  # helpers defined inside run now


def test_source_unavailable_points_at_lazy() -> None:
    code = "from lazycfg import factory\n@factory\ndef f():\n    return 1\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0
    assert "cannot be read" in out.stderr and "lazy(" in out.stderr and "<string>" in out.stderr
    assert "Traceback" in out.stderr  # an ordinary exception, but the last line says it all
    assert out.stderr.strip().splitlines()[-1].startswith("lazycfg.core.errors.ConfigError:")


def test_non_functions_and_pre_wrapped_functions_are_refused() -> None:
    with pytest.raises(ConfigError, match="@factory takes a function"):
        factory(Layer)
    import functools

    def inner() -> None: ...

    @functools.wraps(inner)
    def wrapped() -> None: ...

    with pytest.raises(ConfigError, match="put @factory directly above `def`"):
        factory(wrapped)


# --- call time -----------------------------------------------------------------------------------


@factory
def typo() -> Net:
    return Net(layers=[], dropuot=0.1)  # L-typo


def test_a_bad_argument_names_the_users_line_and_suggests_the_fix() -> None:
    with pytest.raises(ConfigError) as info:
        typo()
    message = str(info.value)
    assert f"{__file__}:{line_of('L-typo')}" in message
    assert "dropuot: unexpected keyword argument (did you mean 'dropout'?)" in message


@factory
def method_on_node() -> Net:
    model = Net(layers=[])
    model.fit([1, 2])  # L-method
    return model


def test_calling_a_method_on_a_lazy_node() -> None:
    with pytest.raises(ConfigError) as info:
        method_on_node()
    message = str(info.value)
    assert f"{__file__}:{line_of('L-method')}" in message
    assert "cannot call .fit() on a lazy fixtures.factory.Net node" in message
    assert "after instantiate" in message and "@lazycfg.eager" in message


@factory
def arithmetic_on_node() -> Optim:
    rate = Optim(lr=0.1)
    return Optim(lr=rate * 2)  # L-arith


def test_arithmetic_on_a_lazy_node() -> None:
    with pytest.raises(ConfigError) as info:
        arithmetic_on_node()
    message = str(info.value)
    assert f"in factory arithmetic_on_node at {__file__}:{line_of('L-arith')}" in message
    assert "a lazy node was used as a value" in message and "builtins" in message


@factory
def iterating_a_node() -> Pair:
    pair = Pair(1, 2)
    left, right = pair  # L-iter
    return Pair(left, right)


def test_iterating_a_lazy_node() -> None:
    with pytest.raises(ConfigError, match=f"{line_of('L-iter')}.*lazy node was used as a value"):
        iterating_a_node()


@factory
def calling_a_node() -> Any:
    layer = Layer(3)
    return layer(4)  # L-call-node


def test_calling_a_lazy_node() -> None:
    with pytest.raises(ConfigError, match=f":{line_of('L-call-node')}: a lazy fixtures.factory.Layer"):
        calling_a_node()


@factory
def value_use(use: str) -> Any:
    layer = Layer(3)

    def helper() -> str:
        return f"size-{layer}"  # L-nested

    one, two, keyed = "net-%s", "%s-%s", "net-{x}"  # templates (not literals, for the linter)
    if use == "isinstance":
        return Pair(isinstance(layer, Layer), layer)  # L-isinstance
    if use == "issubclass":
        return Pair(issubclass(layer, Layer), layer)  # L-issubclass
    if use == "type":
        return Pair(type(layer) is Layer, layer)  # L-type
    if use == "callable":
        return Pair(callable(layer), layer)  # L-callable
    if use == "str":
        return Net(layers=[], name=str(layer))  # L-str
    if use == "repr":
        return Net(layers=[], name=repr(layer))  # L-repr
    if use == "format":
        return Net(layers=[], name=format(layer, ""))  # L-format
    if use == "f-string":
        return Net(layers=[], name=f"net-{layer}")  # L-f-string
    if use == "f-string !r":
        return Net(layers=[], name=f"net-{layer!r:>5}")  # L-f-string !r
    if use == "f-string of a list":
        return Net(layers=[], name=f"net-{[1, layer]}")  # L-f-string of a list
    if use == "percent":
        return Net(layers=[], name=one % layer)  # L-percent
    if use == "percent tuple":
        return Net(layers=[], name=two % ("net", layer))  # L-percent tuple
    if use == "str.format":
        return Net(layers=[], name=one.replace("%s", "{}").format(layer))  # L-str.format
    if use == "str.format keyword":
        return Net(layers=[], name=keyed.format(x={"k": layer}))  # L-str.format keyword
    return Net(layers=[], name=helper())


@pytest.mark.parametrize(
    "use",
    [
        "isinstance",
        "issubclass",
        "type",
        "callable",
        "str",
        "repr",
        "format",
        "f-string",
        "f-string !r",
        "f-string of a list",
        "percent",
        "percent tuple",
        "str.format",
        "str.format keyword",
        "nested",
    ],
)
def test_type_checks_and_formatting_of_a_lazy_node_are_refused_at_the_line(use: str) -> None:
    with pytest.raises(ConfigError) as info:
        value_use(use)
    message = str(info.value)
    line = line_of(f"L-{use}")
    assert f"in factory value_use at {__file__}:{line}" in message
    assert "a lazy node was used as a value" in message and "fixtures.factory.Layer" in message
    assert "isinstance" in message and "string formatting" in message


@factory
def plain_value_uses(name: str = "a") -> Any:
    layer = Layer(3)
    flags = [isinstance(layer, lazycfg.Lazy), isinstance([layer], list), type([layer]) is list]
    template = "%s-%d"
    text = f"{name}-{[1, 2]!r}-{3:>3}" + template % (name, 4) + "{}".replace("{", "{0").format(5)
    return Pair(flags, Net(layers=[layer], name=text))


def test_type_checks_and_formatting_of_plain_values_still_run() -> None:
    config = plain_value_uses()
    assert config.left == [True, True, True]
    assert config.right.name == "a-[1, 2]-  3a-45"
    assert repr(config.right.layers[0]) == "lazy(fixtures.factory.Layer)(3)"


def local_maker() -> Any:
    def make_size() -> int:
        return 4

    @factory
    def uses_local() -> Layer:
        return Layer(make_size())  # L-local

    return uses_local


def test_a_local_function_call_says_to_mark_it_eager() -> None:
    with pytest.raises(ConfigError) as info:
        local_maker()()
    message = str(info.value)
    assert f"{__file__}:{line_of('L-local')}" in message
    assert "defined inside a function" in message and "@lazycfg.eager" in message


@factory
def raises_inside() -> Layer:
    size = {"a": 1}["b"]  # L-keyerror
    return Layer(size)


def test_tracebacks_point_into_the_users_file_at_the_right_line() -> None:
    with pytest.raises(KeyError) as info:
        raises_inside()
    frames = traceback.extract_tb(info.value.__traceback__)
    assert (frames[-1].filename, frames[-1].lineno) == (__file__, line_of("L-keyerror"))
    assert frames[-1].line is not None and "L-keyerror" in frames[-1].line


class Indented:
    @staticmethod
    @factory
    def deep() -> Layer:
        return Layer(1 / 0)  # L-indented


def test_indented_factories_keep_lines_and_columns() -> None:
    with pytest.raises(ZeroDivisionError) as info:
        Indented.deep()
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.lineno == line_of("L-indented")
    assert frame.colno is not None and HERE[frame.lineno - 1][frame.colno :].startswith("1 / 0")
