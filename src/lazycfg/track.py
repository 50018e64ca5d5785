"""Tracking: flatten, unflatten, diff and fingerprint configs.

All four work on the emitted config (`lazycfg.to_dict`), so a lazy tree, its plain dict and its
DictConfig give the same answers. Flat keys join path segments with dots: ``model.n_estimators``,
list items by index (``layers.0.size``).

Escaping, so that ``unflatten(flatten(x))`` gives back exactly ``to_dict(x)``:

- in a dict key, ``\\`` is written ``\\\\`` and ``.`` is written ``\\.``;
- a dict key made only of digits gets a leading ``\\`` (``"0"`` -> ``\\0``), since a bare
  number is a list index;
- a number or bool dict key (OmegaConf allows them) is written ``\\#`` and its Python repr:
  ``\\#3``, ``\\#-0\\.5`` (the dot escaped as above), ``\\#True``; so ``1``, ``1.0`` and
  ``True`` stay three keys;
- any other key (None, an enum member, a tuple) is refused with a `ConfigError`;
- an empty dict or list is kept as a value (``{"optim.groups": []}``).

The one loss: a list at the very top that is empty flattens to ``{}`` and comes back as ``{}``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lazycfg.errors import ConfigError
from lazycfg.node import Key, Path, fold, format_path, walk

TARGET = "_target_"
_DIGITS = re.compile(r"[0-9]+")
_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.[0-9]*(?:e[-+]?[0-9]+)?|[0-9]+e[-+]?[0-9]+|inf|nan)")
_KEY_TYPES = frozenset((str, int, float, bool))


# --- the plain config ----------------------------------------------------------------------------


def _is_omegaconf(x: Any) -> bool:
    return type(x).__module__.startswith("omegaconf")


def plain_config(x: Any, *, full: bool = False) -> Any:
    """The emitted config of a lazy tree, dict, list or DictConfig, as plain dicts and lists.

    With ``full=True`` targets are imported and every parameter is written, defaults included.
    """
    from lazycfg.emit import from_config, to_dict

    if _is_omegaconf(x):
        from omegaconf import OmegaConf

        x = OmegaConf.to_container(x, resolve=False)
    if full:
        # A plain config is read back into a lazy tree first so that its targets' defaults show.
        from lazycfg.node import Lazy

        has_nodes = any(isinstance(v, Lazy) for _, v in walk(x))
        if not has_nodes:
            x = from_config(x)
    return to_dict(x, full=full)


# --- flat keys -------------------------------------------------------------------------------------


def key_problem(key: Any) -> str | None:
    """Why a dict key cannot be flattened or fingerprinted, or None."""
    if type(key) in _KEY_TYPES:
        return None
    return (
        f"dict key {key!r:.40} ({type(key).__name__}): configs take str, int, float or bool "
        "keys; write it as a string"
    )


def _check_key(key: Any, path: Path) -> None:
    problem = key_problem(key)
    if problem:
        raise ConfigError([f"{format_path(path) if path else '<root>'}: {problem}"], "bad key")


def escape_key(key: Any) -> str:
    """One dict key as a flat-key segment (see the module docstring)."""
    _check_key(key, ())
    if type(key) is str:
        text = key.replace("\\", "\\\\").replace(".", "\\.")
        return "\\" + text if _DIGITS.fullmatch(text) else text
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
        return [(True, int(p)) if _DIGITS.fullmatch(p) else (False, p) for p in flat_key.split(".")]
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
            elif kind == "plain" and _DIGITS.fullmatch(text):
                segments.append((True, int(text)))
            else:
                segments.append((False, text))
            chars, kind = [], "plain"
        else:
            chars.append(ch)
        i += 1
    return segments


def flatten(x: Any, *, full: bool = False) -> dict[str, Any]:
    """``{"model.n_estimators": 3000, "model._target_": "...", ...}`` for any config.

    ``x`` is a lazy tree, a dict or list (with or without lazy nodes) or a DictConfig. With
    ``full=True`` every parameter of every target is listed, defaults included, so a changed
    library default shows up in a diff. Empty dicts and lists are kept as values. Keys are
    escaped as the module docstring says, so `unflatten` gives back `lazycfg.to_dict` exactly.
    """
    tree = plain_config(x, full=full)
    if not isinstance(tree, dict | list):
        raise ConfigError(
            [f"flatten() takes a config (node, dict, list or DictConfig), got {tree!r:.60}"],
            "cannot flatten",
        )
    flat: dict[str, Any] = {}
    # Flat prefix of each non-empty container, and whether it is a list (bare index segments).
    containers: dict[Path, tuple[str | None, bool]] = {(): (None, type(tree) is list)}
    for path, value in walk(tree):
        if not path:
            continue
        prefix, in_list = containers[path[:-1]]
        if not in_list:
            _check_key(path[-1], path[:-1])
        segment = str(path[-1]) if in_list else escape_key(path[-1])
        here = segment if prefix is None else f"{prefix}.{segment}"
        if isinstance(value, dict | list) and value:
            containers[path] = (here, type(value) is list)
        else:
            flat[here] = value
    return flat


def unflatten(flat: dict[str, Any]) -> Any:
    """The nested config of a flattened one: ``unflatten(flatten(x)) == lazycfg.to_dict(x)``.

    Raises `ConfigError` naming the keys when they cannot come from one config (``a`` both a
    value and a container, index and name segments under one prefix, list indices with gaps).
    """
    if not flat:
        return {}
    root: dict[Key, Any] = {}
    # Containers being rebuilt, by id: whether each holds list indices (else names).
    is_list: dict[int, bool] = {id(root): split_key(next(iter(flat)))[0][0]}
    problems: list[str] = []
    for flat_key, value in flat.items():
        segments = split_key(flat_key)
        level = root
        for depth, (is_index, key) in enumerate(segments):
            if is_list[id(level)] != is_index:
                kind, other = ("a list index", "names") if is_index else ("a name", "indices")
                problems.append(
                    f"{flat_key!r}: segment {depth} is {kind}, but siblings use {other}"
                )
                break
            if depth == len(segments) - 1:
                if key in level:
                    problems.append(f"{flat_key!r}: given twice, or as a value and a container")
                level[key] = value
                break
            child = level.get(key)
            if child is None and key not in level:
                child = level[key] = {}
                is_list[id(child)] = segments[depth + 1][0]
            elif type(child) is not dict or id(child) not in is_list:
                problems.append(f"{flat_key!r}: its prefix is also given as a value")
                break
            level = child
    if problems:
        raise ConfigError(problems, "cannot unflatten")

    def rebuild(value: Any, path: Path, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        if not is_list.get(id(value), type(value) is not dict):
            return dict(kids)
        indices = [k for k, _ in kids]
        if sorted(indices) != list(range(len(indices))):  # type: ignore[type-var]
            where = ".".join(str(k) for k in path) or "the top"
            problems.append(f"list indices under {where} are not 0..{len(indices) - 1}: {indices}")
        return [v for _, v in sorted(kids)]  # type: ignore[type-var]

    tree = fold(root, rebuild)
    if problems:
        raise ConfigError(problems, "cannot unflatten")
    return tree


# --- diff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is "changed", "added", "removed" or "target".

    A "target" change means the subtree at ``path`` is a different thing (its ``_target_``
    changed, or it gained or lost one); ``old`` and ``new`` are then the two targets (or the
    plain value on the side without one), and the subtree's arguments are not listed one by one.
    ``node`` marks an entry that stands for a whole node (a target change, or a node added or
    removed as a whole, with ``old``/``new`` written ``target(...)``).
    """

    path: str
    kind: str
    old: Any = None
    new: Any = None
    node: bool = False


_SIGNS = {"changed": "~", "target": "~", "added": "+", "removed": "-"}
_MISSING = object()


def _show(value: Any, width: int = 60) -> str:
    if value is _MISSING:
        return ""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except ValueError:  # circular: cannot come from a config, but never fail on display
        text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Diff:
    """The differences between two configs; ``str()`` is a readable table, `markdown` another.

    Falsy when the configs are equal. ``changed`` includes target changes (``targets``).
    """

    entries: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.entries if c.kind in ("changed", "target")]

    @property
    def added(self) -> list[Change]:
        return [c for c in self.entries if c.kind == "added"]

    @property
    def removed(self) -> list[Change]:
        return [c for c in self.entries if c.kind == "removed"]

    @property
    def targets(self) -> list[Change]:
        return [c for c in self.entries if c.kind == "target"]

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for c in self.entries:
            show = str if c.node else _show
            old = "" if c.kind == "added" else show(c.old)
            new = "" if c.kind == "removed" else show(c.new)
            note = "target changed" if c.kind == "target" else ""
            rows.append((_SIGNS[c.kind], c.path or "<root>", old, new, note))
        return rows

    def __str__(self) -> str:
        if not self.entries:
            return "no differences"
        rows = [("", "path", "old", "new", ""), *self._rows()]
        widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
        lines = [
            "  ".join(str(cell).ljust(w) for cell, w in zip(row[:4], widths, strict=True))
            + (f"  ({row[4]})" if row[4] else "")
            for row in rows
        ]
        counts = (
            f"{len(self.changed)} changed, {len(self.added)} added, {len(self.removed)} removed"
        )
        return "\n".join(line.rstrip() for line in lines) + f"\n{counts}"

    def markdown(self) -> str:
        """The diff as a markdown table (for PR comments and run notes)."""
        if not self.entries:
            return "_no differences_"
        lines = ["| | path | old | new |", "|---|---|---|---|"]
        for sign, path, old, new, note in self._rows():
            cells = [sign, f"`{path}`", _md(old), _md(new) + (f" ({note})" if note else "")]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def _md(text: str) -> str:
    return f"`{text}`".replace("|", "\\|") if text else ""


def _target_prefixes(flat: dict[str, Any]) -> dict[str, Any]:
    """Flat prefix of every node -> its target ("" for the root node)."""
    out = {}
    for key, value in flat.items():
        if key == TARGET:
            out[""] = value
        elif key.endswith("." + TARGET) and split_key(key)[-1] == (False, TARGET):
            out[key[: -len(TARGET) - 1]] = value
    return out


def _under(key: str, prefix: str) -> bool:
    return prefix == "" or key == prefix or key.startswith(prefix + ".")


def _same(x: Any, y: Any) -> bool:
    # 1, 1.0 and True are equal in Python but not in a config, nor 0.0 and -0.0: as fingerprint.
    if type(x) is float and type(y) is float:
        return repr(x) == repr(y)
    return type(x) is type(y) and x == y


def diff(a: Any, b: Any, *, full: bool = False) -> Diff:
    """The changed, added and removed flat paths from config ``a`` to config ``b``.

    Both are anything `flatten` takes. A subtree whose ``_target_`` changed is one "target"
    entry, not a list of argument changes. ``full=True`` compares full signatures, defaults
    included. ``print(diff(a, b))`` shows a table; ``bool(...)`` says whether they differ.
    """
    fa, fb = flatten(a, full=full), flatten(b, full=full)
    order = {k: i for i, k in enumerate([*fa, *(k for k in fb if k not in fa)])}
    ta, tb = _target_prefixes(fa), _target_prefixes(fb)
    entries: list[tuple[int, Change]] = []
    collapsed: list[str] = []
    for prefix in sorted(set(ta) | set(tb), key=lambda p: (p.count("."), p)):
        if ta.get(prefix, _MISSING) == tb.get(prefix, _MISSING):
            continue
        if any(_under(prefix, done) for done in collapsed):
            continue
        in_a = [k for k in fa if _under(k, prefix)]
        in_b = [k for k in fb if _under(k, prefix)]
        old = ta.get(prefix, fa.get(prefix, "(no target)"))
        new = tb.get(prefix, fb.get(prefix, "(no target)"))
        if not in_a:
            change = Change(prefix, "added", new=f"{new}(...)", node=True)
        elif not in_b:
            change = Change(prefix, "removed", old=f"{old}(...)", node=True)
        else:
            change = Change(prefix, "target", str(old), str(new), node=True)
        collapsed.append(prefix)
        entries.append((min(order[k] for k in in_a + in_b), change))
    for key in order:
        if any(_under(key, done) for done in collapsed):
            continue
        old, new = fa.get(key, _MISSING), fb.get(key, _MISSING)
        if old is _MISSING:
            entries.append((order[key], Change(key, "added", new=new)))
        elif new is _MISSING:
            entries.append((order[key], Change(key, "removed", old=old)))
        elif not _same(old, new):
            entries.append((order[key], Change(key, "changed", old, new)))
    return Diff([change for _, change in sorted(entries, key=lambda e: e[0])])


# --- fingerprint ---------------------------------------------------------------------------------


def canonical_json(x: Any, *, full: bool = False) -> str:
    """The emitted config as canonical JSON: sorted keys, no spaces, ASCII only.

    Each key type has its own prefix, so that ``{1: x}``, ``{1.0: x}``, ``{True: x}`` and
    ``{"1": x}`` all differ: int ``\\x00``, float ``\\x01`` (then its repr), bool ``\\x02``; a
    string key starting with one of ``\\x00``..``\\x03`` gets ``\\x03`` in front (other strings,
    the usual case, are written as they are). Other key types raise `ConfigError`.
    """

    def canonical(value: Any, path: Path, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        if type(value) is dict:
            for k, _ in kids:
                _check_key(k, path)
            return {_canonical_key(k): v for k, v in kids}
        return [v for _, v in kids]

    tree = fold(plain_config(x, full=full), canonical)
    return json.dumps(tree, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _canonical_key(key: Any) -> str:
    kind = type(key)
    if kind is str:
        return "\x03" + key if key[:1] in _PREFIXES else key
    if kind is bool:
        return f"\x02{key}"
    return f"\x01{key!r}" if kind is float else f"\x00{key}"  # ints: as before this change


_PREFIXES = ("\x00", "\x01", "\x02", "\x03")


def fingerprint(x: Any, *, full: bool = False, length: int = 12) -> str:
    """A stable short hash of the emitted config: sha256 of `canonical_json`, ``length`` hex.

    The same config gives the same hash in any process, Python version and key order; any value
    change gives a different one (``1``, ``1.0``, ``True`` and ``"1"`` all differ).
    """
    return hashlib.sha256(canonical_json(x, full=full).encode("ascii")).hexdigest()[:length]
