"""Flat keys: one dict key as a dotted-path segment and back (see `lazycfg.track.flat`).

Escaping, so that ``unflatten(flatten(x))`` gives back exactly ``to_dict(x)``:

- in a dict key, ``\\`` is written ``\\\\`` and ``.`` is written ``\\.``;
- a dict key made only of digits gets a leading ``\\`` (``"0"`` -> ``\\0``), since a bare
  number is a list index;
- a number or bool dict key (OmegaConf allows them) is written ``\\#`` and its Python repr:
  ``\\#3``, ``\\#-0\\.5`` (the dot escaped as above), ``\\#True``; so ``1``, ``1.0`` and
  ``True`` stay three keys;
- any other key (None, an enum member, a tuple) is refused with a `ConfigError`.
"""

from __future__ import annotations

import re
from typing import Any

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Path, format_path

TARGET = "_target_"
DIGITS = re.compile(r"[0-9]+")
_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.[0-9]*(?:e[-+]?[0-9]+)?|[0-9]+e[-+]?[0-9]+|inf|nan)")
_KEY_TYPES = frozenset((str, int, float, bool))


def key_problem(key: Any) -> str | None:
    """Why a dict key cannot be flattened or fingerprinted, or None."""
    if type(key) in _KEY_TYPES:
        return None
    return (
        f"dict key {key!r:.40} ({type(key).__name__}): configs take str, int, float or bool "
        "keys; write it as a string"
    )


def check_key(key: Any, path: Path) -> None:
    """Raise `ConfigError` naming the container's path when ``key`` cannot be flattened."""
    problem = key_problem(key)
    if problem:
        raise ConfigError([f"{format_path(path) if path else '<root>'}: {problem}"], "bad key")


def escape_key(key: Any) -> str:
    """One dict key as a flat-key segment (see the module docstring)."""
    check_key(key, ())
    if type(key) is str:
        text = key.replace("\\", "\\\\").replace(".", "\\.")
        return "\\" + text if DIGITS.fullmatch(text) else text
    return "\\#" + repr(key).replace(".", "\\.")  # 3, -0.5, 1e-05, inf, True


def _number_key(text: str) -> int | float | bool | None:
    """The key a ``\\#`` segment names (see `escape_key`), or None."""
    if text in ("True", "False"):
        return text == "True"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return None


def split_key(flat_key: str) -> list[tuple[bool, Any]]:
    """A flat key as (is_index, key) segments; the inverse of joining escaped segments."""
    if "\\" not in flat_key:  # the common case: nothing escaped
        return [(True, int(p)) if DIGITS.fullmatch(p) else (False, p) for p in flat_key.split(".")]
    segments: list[tuple[bool, Any]] = []
    chars: list[str] = []
    kind = "plain"  # "plain", "str" (escaped digits) or "int" (\#n)
    i, n = 0, len(flat_key)
    while i <= n:
        ch = flat_key[i] if i < n else "."
        if ch == "\\" and i + 1 < n:
            nxt = flat_key[i + 1]
            if nxt in "\\.":
                chars.append(nxt)
                i += 2
                continue
            if not chars and nxt == "#":
                kind = "int"
                i += 2
                continue
            if not chars and nxt.isdigit():
                kind = "str"
                i += 1
                continue
        if ch == ".":
            text = "".join(chars)
            if kind == "int":
                number = _number_key(text)
                if number is None:
                    raise ConfigError(
                        [
                            f"{flat_key!r}: '\\#' must be followed by a number or True/False, "
                            f"got {text!r}"
                        ],
                        "invalid flat key",
                    )
                segments.append((False, number))
            elif kind == "plain" and DIGITS.fullmatch(text):
                segments.append((True, int(text)))
            else:
                segments.append((False, text))
            chars, kind = [], "plain"
        else:
            chars.append(ch)
        i += 1
    return segments
