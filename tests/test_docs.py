"""Every ```python block of the README and of each docs chapter runs.

A chapter's blocks are joined, in order, into one script that runs as a real file in a fresh
interpreter from the repository root: classes defined there are importable targets and
``@factory`` can read their source, exactly as in a user's own file.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(page: pathlib.Path) -> list[str]:
    return BLOCK.findall(page.read_text())


def test_every_chapter_is_found() -> None:
    chapters = [p.name for p in PAGES if p.parent.name == "docs"]
    assert "01_quickstart.md" in chapters
    assert len(chapters) >= 5


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: p.name)
def test_examples_run(page: pathlib.Path, tmp_path: pathlib.Path) -> None:
    script = tmp_path / f"doc_{page.stem}.py"
    script.write_text("\n\n".join(python_blocks(page)))
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{page.name} examples failed:\n{result.stderr[-4000:]}"
