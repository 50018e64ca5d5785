"""Names from the input reach generated code only as literals: fuzzed, and proven by parsing."""

from __future__ import annotations

import ast
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from fixtures.migrate import write_tree
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from lazycfg.codegen import CommentMap, GeneratedCodeError, Module, identifier, prove
from lazycfg.migrate import MARKER, migrate

MARKER_FILE = "lazycfg-names-pwned"  # written in the current directory if the payload ran
PAYLOAD = f'__import__("os").system("touch {MARKER_FILE}")'
BREAKOUTS = [
    "",
    f'""";{PAYLOAD};"""',
    f"''';{PAYLOAD};'''",
    f'\\";{PAYLOAD};#',
    f"\n{PAYLOAD}\n",
    f"\r{PAYLOAD}#",
    f"'{PAYLOAD}'",
]
CHARS = list("ab_-. '\"\\#{}$:,=\n\t") + ['"""', "'''", "ü", "名", "é", "\u2028", "\x0c"]
pieces = st.lists(st.sampled_from(CHARS), min_size=1, max_size=6).map("".join)
names = st.tuples(pieces, st.sampled_from(BREAKOUTS), pieces).map("".join)


@contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Run in ``folder``, where a payload would leave its marker."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _file_name(name: str) -> bool:
    """Names a file system and Hydra's config names take (the check composes through Hydra)."""
    return (
        "/" not in name
        and name.strip(".") != ""
        and len(name.encode()) < 200
        and not name.endswith((".yaml", ".yml"))
    )


def _comment(name: str) -> str:
    """A name as a YAML comment can hold it: one line, no control characters."""
    for char in "\n\r\u2028\x0c\t":
        name = name.replace(char, " ")
    return name


comments = names.map(_comment)


@settings(max_examples=25, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    folder=names.filter(_file_name),
    file=names.filter(_file_name),
    key=names,
    value=names,
    comment=comments,
)
def test_fuzzed_names_convert_compose_equal_and_run_nothing(
    folder: str, file: str, key: str, value: str, comment: str
) -> None:
    body = yaml.safe_dump({key: value, "plain": {key: [value, 1]}}, allow_unicode=True)
    option = f"# {comment}\n{body}# {comment}\n"
    with tempfile.TemporaryDirectory() as tmp, _inside(Path(tmp)):
        tree = write_tree(
            Path(tmp) / "conf",
            {"config.yaml": f"# {comment}\n{body}", f"{folder}/{file}.yaml": option},
        )
        result = migrate(tree, Path(tmp) / "out")
        assert result.ok, result.report()
        assert not Path(MARKER_FILE).exists()
        text = (Path(tmp) / "out" / "__init__.py").read_text(encoding="utf-8")
        assert text.startswith(MARKER)


def test_a_comment_with_a_line_break_stays_a_comment() -> None:
    module = Module("doc")
    notes = CommentMap({("a",): [f"x\n{PAYLOAD}"]}, {("a",): f"y\r{PAYLOAD}"})
    module.add_factory("config", {"a": 1}, notes)
    text = module.source()
    prove(text, module.meant(), "config.py")  # one function, one return: nothing else
    assert [type(s).__name__ for s in ast.parse(text).body] == ["Expr", "ImportFrom", "FunctionDef"]


def test_a_docstring_with_quotes_and_backslashes_stays_one_string() -> None:
    for doc in ['ends with a quote"', 'has """ inside', "back\\slash", "line\nbreak", " pad "]:
        module = Module(doc)
        prove(module.source(), module.meant(), "m.py")
        assert ast.get_docstring(ast.parse(module.source()), clean=False) == doc


@pytest.mark.parametrize("text", ["²", "ﬁle", "x\u200by", "名前", "1abc", "class", "a-b"])
def test_identifiers_are_ascii_names_python_reads_back_unchanged(text: str) -> None:
    name = identifier(text)
    assert name.isascii() and name.isidentifier()
    assert ast.parse(f"{name} = 1").body[0].targets[0].id == name  # type: ignore[attr-defined]


def test_a_module_edited_after_writing_is_never_imported(tmp_path: Path) -> None:
    module = Module("doc")
    module.add_factory("config", {"a": 1})
    with pytest.raises(GeneratedCodeError, match="does not read back as written"):
        prove(module.source() + f"\n{PAYLOAD}\n", module.meant(), "config.py")
    with pytest.raises(GeneratedCodeError, match="not valid Python"):
        prove(module.source() + '\n"""\n', module.meant(), "config.py")
    with pytest.raises(GeneratedCodeError, match="does not read back"):
        prove(module.source().replace("1", "True"), module.meant(), "config.py")
    with pytest.raises(GeneratedCodeError, match="not valid Python"):
        prove(module.source() + "# \0\n", module.meant(), "config.py")
    # A coding line changes what an import reads from the same bytes: the proof reads bytes.
    utf7 = "# coding: utf-7\n" + module.source() + "# +AAo-import os\n"
    prove(utf7, module.meant(), "config.py")  # as text already decoded: a comment
    with pytest.raises(GeneratedCodeError, match="does not read back"):
        prove(utf7.encode(), module.meant(), "config.py")  # a line break, then an import
