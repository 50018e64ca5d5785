"""Near-identical configs of a group written as a call of a shared base with what differs.

A config whose body differs from an earlier sibling's in a few keys becomes
``{**base(), "lr": 0.1}`` (top-level changes) or ``config = base()`` and one assignment or
``del`` per change: the lines a person would write for an ablation row. The check proves it
equal like every other config. A config is derived only when that takes at most half the
entries written out, and only when every comment it carries stays visible: on the base at the
same place, or on a changed entry.
"""

from __future__ import annotations

from typing import Any

from lazycfg.codegen_module import CommentMap

DELETE = object()  # a key the base has and the config has not
_MIN_SIZE = 6  # entries: below this, writing the config out is as short as any call
Change = tuple[tuple[Any, ...], Any]  # (config path, resolved value or DELETE)


def same(a: Any, b: Any) -> bool:
    """Equal as YAML data: types too (``1`` is not ``True``), order of keys aside."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def size(value: Any) -> int:
    """Entries written for a value: one per key or item, nested ones included."""
    if type(value) is dict:
        return 1 + sum(size(v) for v in value.values())
    if type(value) is list:
        return 1 + sum(size(v) for v in value)
    return 1


def changes(base: Any, body: Any, base_tree: Any, tree: Any) -> list[Change]:
    """What turns ``base`` into ``body`` (raw YAML data), values from the resolved ``tree``.

    A path descends into a key only where both raw values and both resolved values are plain
    dicts (a target node becomes a call and is replaced whole).
    """
    out: list[Change] = []
    stack: list[tuple[tuple[Any, ...], Any, Any, Any, Any]] = [((), base, body, base_tree, tree)]
    while stack:
        path, a, b, ta, tb = stack.pop()
        for key in b:
            here = (*path, key)
            if key not in a:
                out.append((here, tb[key]))
            elif same(a[key], b[key]):
                continue
            elif all(type(x) is dict for x in (a[key], b[key], ta.get(key), tb.get(key))):
                stack.append((here, a[key], b[key], ta[key], tb[key]))
            else:
                out.append((here, tb[key]))
        out += [((*path, key), DELETE) for key in a if key not in b]
    return sorted(out, key=lambda c: [str(k) for k in c[0]])


def cost(found: list[Change], body: Any) -> int:
    """Entries the derived form writes."""
    total = 1
    for path, value in found:
        total += 1 if value is DELETE else _raw_size(body, path)
    return total


def _raw_size(body: Any, path: tuple[Any, ...]) -> int:
    for key in path:
        body = body[key]
    return size(body)


def comments_kept(notes: CommentMap, base: CommentMap, found: list[Change]) -> bool:
    """Whether every comment of the config shows in the derived form (see the module doc)."""
    changed = [p for p, v in found if v is not DELETE]
    for table, base_table in (
        (notes.above, base.above),
        (notes.inline, base.inline),
        (notes.after, base.after),
    ):
        for path, text in table.items():
            if base_table.get(path) == text:
                continue
            if not any(path[: len(c)] == c for c in changed):
                return False
    return True


def best_base(
    body: Any, tree: Any, notes: CommentMap, bases: list[tuple[str, Any, Any, CommentMap]]
) -> tuple[str, list[Change]] | None:
    """The base (function name) and changes that write ``body`` in the fewest entries, if that
    is at most half of writing it out."""
    whole = size(body)
    if type(body) is not dict or type(tree) is not dict or whole < _MIN_SIZE:
        return None
    best: tuple[int, str, list[Change]] | None = None
    for name, base_body, base_tree, base_notes in bases:
        found = changes(base_body, body, base_tree, tree)
        spent = cost(found, body)
        if spent * 2 <= whole and (best is None or spent < best[0]):
            if comments_kept(notes, base_notes, found):
                best = (spent, name, found)
    return None if best is None else (best[1], best[2])
