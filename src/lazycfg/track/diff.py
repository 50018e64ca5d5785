"""`diff`: what changed between two configs, as flat paths, in one walk over both trees.

Both configs are emitted (`lazycfg.track.flat.plain_config`) and walked side by side: values at the
same flat key are compared, a subtree on one side only is added or removed, and a subtree whose
``_target_`` changed is one "target" entry. Only the entries' own paths are spelled out, so the
cost is linear in the size of the configs however deep they nest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lazycfg.core.node import Place, fold_at, place_path, walk_at
from lazycfg.track.flatkeys import TARGET, check_key, escape_key, key_problem


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


def _same(x: Any, y: Any) -> bool:
    # 1, 1.0 and True are equal in Python but not in a config, nor 0.0 and -0.0: as fingerprint.
    if type(x) is float and type(y) is float:
        return repr(x) == repr(y)
    return type(x) is type(y) and x == y


def diff(a: Any, b: Any, *, full: bool = False, resolve: bool = False) -> Diff:
    """The changed, added and removed flat paths from config ``a`` to config ``b``.

    Both are anything `flatten` takes. A subtree whose ``_target_`` changed is one "target"
    entry, not a list of argument changes. ``full=True`` compares full signatures, defaults
    included. Interpolations are compared as written (``lazycfg diff`` too); ``resolve=True``
    resolves them first, as `flatten` does. ``print(diff(a, b))`` shows a table; ``bool(...)`` says whether they differ.
    Entries come in the order of ``flatten(a)``, then what only ``b`` has in its own order.
    """
    from lazycfg.track.flat import flat_tree

    old = flat_tree(a, full=full, check_keys=False, resolve=resolve)
    new = flat_tree(b, full=full, check_keys=False, resolve=resolve)
    return Diff([change for _, change in sorted(_entries(old, new), key=lambda e: e[0])])


def _is_branch(value: Any, at: Place) -> bool:
    """Whether `flatten` goes into ``value`` (a non-empty dict or list, or the top)."""
    kind = type(value)
    return (kind is dict or kind is list) and (bool(value) or at is None)


def _target(value: Any) -> Any:
    """The node target a value has as a flat key ``<prefix>._target_``, or `_MISSING`."""
    if type(value) is dict and TARGET in value:
        target = value[TARGET]
        kind = type(target)
        if not ((kind is dict or kind is list) and target):
            return target
    return _MISSING


def _sizes(tree: Any) -> dict[int, int]:
    """How many flat keys each dict or list of ``tree`` holds, by id (a shared one is the same
    wherever it sits). Raises `ConfigError` for a dict key `flatten` refuses."""
    sizes: dict[int, int] = {}

    def count(value: Any, at: Place, kids: list[tuple[Any, int]] | None) -> int:
        if kids is None:
            return 1
        if type(value) is dict:
            for key, _ in kids:
                if type(key) is not str and key_problem(key):
                    check_key(key, place_path(at))
        size = sum(n for _, n in kids) if kids or at is None else 1
        sizes[id(value)] = size
        return size

    fold_at(tree, count)
    return sizes


def _flat_count(value: Any, at: Place) -> int:
    """How many flat keys ``value`` (at ``at``) stands for; its dict keys are checked too."""
    if value is _MISSING:
        return 0
    count = 0
    for here, item in walk_at(value, at):
        kind = type(item)
        if kind is dict:
            for key in item:
                if type(key) is not str and key_problem(key):
                    check_key(key, place_path(here))
        if not ((kind is dict or kind is list) and (item or here is None)):
            count += 1
    return count


def _flat_key(at: Place) -> str:
    """The flat key of a place whose keys are already escaped segments."""
    segments: list[str] = []
    while at is not None:
        at, segment = at
        segments.append(str(segment))
    return ".".join(reversed(segments))


def _segments(value: Any, escaped: dict[Any, str], at: Place) -> list[tuple[str, Any]]:
    """(flat-key segment, child) of a dict or list; ``escaped`` caches dict keys' segments."""
    if type(value) is list:
        return [(str(i), v) for i, v in enumerate(value)]
    out = []
    for key, child in value.items():
        segment = escaped.get(key) if type(key) is str else None
        if segment is None:
            if type(key) is not str and key_problem(key):
                check_key(key, place_path(at))
            segment = escape_key(key)
            if type(key) is str:
                escaped[key] = segment
        out.append((segment, child))
    return out


# An entry's place in the output: (0, position among a's flat keys) or (1, among b's).
Order = tuple[int, int]


def _entries(old: Any, new: Any) -> list[tuple[Order, Change]]:
    """Every change from ``old`` to ``new``, each with its place in the output order.

    ``old`` is walked in its own order, which numbers its flat keys as it goes; what only
    ``new`` has is numbered by where it sits in ``new``, from the flat-key counts of its
    subtrees (`_sizes`).
    """
    size_new = _sizes(new)

    out: list[tuple[Order, Change]] = []
    escaped: dict[Any, str] = {}
    position = 0  # of the next flat key of ``old``, which is walked in its own order
    # (place, old value, new value, position of the new value's first flat key in ``new``)
    stack: list[tuple[Place, Any, Any, int]] = [(None, old, new, 0)]
    while stack:
        at, a, b, second = stack.pop()
        target_a, target_b = _target(a), _target(b)
        if target_a != target_b:
            count = _flat_count(a, at)
            out.append(_node_change(at, a, b, target_a, target_b, count, position, second))
            position += count
            continue
        branch_a = a is not _MISSING and _is_branch(a, at)
        branch_b = b is not _MISSING and _is_branch(b, at)
        if a is not _MISSING and not branch_a:
            if b is _MISSING or branch_b:
                out.append(((0, position), Change(_flat_key(at), "removed", old=a)))
            elif not _same(a, b):
                out.append(((0, position), Change(_flat_key(at), "changed", a, b)))
            position += 1
        if b is not _MISSING and not branch_b and (a is _MISSING or branch_a):
            out.append(((1, second), Change(_flat_key(at), "added", new=b)))
        # Children at the same flat key are compared; the rest stand alone, in their order.
        items: list[tuple[Place, Any, Any, int]] = []
        index: dict[str, int] = {}
        if branch_a:
            for segment, child in _segments(a, escaped, at):
                index[segment] = len(items)
                items.append(((at, segment), child, _MISSING, 0))
        if branch_b:
            for segment, child in _segments(b, escaped, at):
                i = index.get(segment)
                if i is None:
                    items.append(((at, segment), _MISSING, child, second))
                else:
                    items[i] = (items[i][0], items[i][1], child, second)
                second += size_new[id(child)] if _is_branch(child, (at, segment)) else 1
        stack.extend(reversed(items))
    return out


def _node_change(
    at: Place, a: Any, b: Any, target_a: Any, target_b: Any, count: int, first: int, second: int
) -> tuple[Order, Change]:
    """The one entry for a subtree whose target differs (added, removed or changed node)."""
    prefix = _flat_key(at)
    old = target_a if target_a is not _MISSING else a if _is_leaf(a, at) else "(no target)"
    new = target_b if target_b is not _MISSING else b if _is_leaf(b, at) else "(no target)"
    if count == 0:
        return (1, second), Change(prefix, "added", new=f"{new}(...)", node=True)
    if b is _MISSING or (at is None and not b):
        return (0, first), Change(prefix, "removed", old=f"{old}(...)", node=True)
    return (0, first), Change(prefix, "target", str(old), str(new), node=True)


def _is_leaf(value: Any, at: Place) -> bool:
    return value is not _MISSING and not _is_branch(value, at)
