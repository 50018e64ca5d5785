"""A progress bar for long migrations, on a terminal only (tqdm draws it on stderr).

`Progress` hands out one bar per stage (read, write, check); each is a no-op when the bar is
off: output not a terminal, ``-q``, the API called without ``progress=True``, or tqdm missing.
"""

from __future__ import annotations

import sys
from typing import Any

_SMALL = 50  # a tree this small is done before a bar would be read


class _Off:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class Progress:
    """Bars for the stages of one run (see the module doc)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()

    def stage(self, label: str, total: int) -> Any:
        """A bar with ``update(n)`` and ``close()`` for ``total`` steps (a no-op when off)."""
        if not self.enabled or total < _SMALL:
            return _Off()
        try:
            from tqdm import tqdm
        except ImportError:  # a bar is a comfort, never a requirement
            return _Off()
        return tqdm(total=total, desc=label, unit="file", leave=False, file=sys.stderr)


OFF = Progress(False)
