"""Error types. Every message says what is wrong, where (config path, file:line) and the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from lazycfg.core.problems import Problem, as_problem


class ConfigError(TypeError):
    """A config that cannot be what it says: bad argument, value or target.

    ``problems`` holds one line per problem, each naming its config path; all problems of one
    call or one tree are reported together. ``records`` holds the same problems as `Problem`
    records (path, kind, message, detail), for code that decides by what went wrong.
    """

    def __init__(self, problems: Sequence[str | Problem], header: str = "invalid config") -> None:
        self.records: list[Problem] = [as_problem(p) for p in problems]
        self.problems: list[str] = [str(p) for p in problems]
        texts = self.problems
        lines = "\n".join(f"  - {p}" for p in texts)
        super().__init__(f"{header}:\n{lines}" if len(texts) != 1 else f"{header}: {texts[0]}")


class TargetError(ConfigError):
    """A target that cannot be imported, is not allowed, or cannot be imported back."""


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
