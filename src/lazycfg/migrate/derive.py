"""Near-identical configs of a group written as a call of a shared base with what differs.

A config whose body differs from an earlier sibling's in a few keys becomes
``{**base, "lr": 0.1}`` (top-level changes) or ``row = deepcopy(base)`` and one assignment or
``del`` per change (``base()`` when the base is a factory; see `lazycfg.codegen.derived`): the
lines a person would write for an ablation row. `extension_changes` gives the same for a
config that extends its base through its defaults list. The check proves it
equal like every other config. A config is derived only when that takes at most half the
entries written out, and only when every comment it carries stays visible: on the base at the
same place, or on a changed entry.
"""

from __future__ import annotations

from typing import Any

from lazycfg.codegen.module import CommentMap

DELETE = object()  # a key the base has and the config has not


class Replace:
    """Keywords of a call node changed in place: ``replace(config["model"], hidden=512)``."""

    def __init__(self, keywords: dict[str, Any]) -> None:
        self.keywords = keywords


def _plain(tree: Any) -> Any:
    """A resolved value as a dict where it is one (a target kept as a dict is held by a node)."""
    from lazycfg.core.node import Lazy

    meta = tree._lazy_meta if isinstance(tree, Lazy) else None
    return meta.kept if meta is not None and meta.kept is not None else tree


def _kept(node: Any) -> bool:
    return node._lazy_meta is not None and node._lazy_meta.kept is not None


def plain_tree(tree: Any) -> Any:
    """A resolved value as a dict where it is one (see `_plain`)."""
    return _plain(tree)


def _call_changes(a: Any, b: Any, ta: Any, tb: Any) -> Replace | None:
    """The keywords that turn call node ``ta`` into ``tb`` (same target, same positional
    arguments, keywords only changed or added), from the raw dicts ``a`` and ``b``."""
    from lazycfg.core.node import Lazy

    if not (isinstance(ta, Lazy) and isinstance(tb, Lazy)) or _kept(ta) or _kept(tb):
        return None
    if type(a) is not dict or type(b) is not dict:
        return None
    if ta._lazy_target is not tb._lazy_target or ta._lazy_partial != tb._lazy_partial:
        return None
    if not same(a.get("_args_"), b.get("_args_")) or set(a) - set(b):
        return None
    changed = [k for k in b if k not in a or not same(a[k], b[k])]
    if not changed or any(k.startswith("_") and k.endswith("_") for k in changed):
        return None
    return (
        Replace({k: tb._lazy_kwargs[k] for k in changed if k in tb._lazy_kwargs})
        if all(k in tb._lazy_kwargs for k in changed)
        else None
    )


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
                continue
            if same(a[key], b[key]):
                continue
            pa, pb = _plain(ta.get(key)), _plain(tb.get(key))
            if all(type(x) is dict for x in (a[key], b[key], pa, pb)):
                stack.append((here, a[key], b[key], pa, pb))
                continue
            call = _call_changes(a[key], b[key], ta.get(key), tb.get(key))
            out.append((here, call if call is not None else tb[key]))
        out += [((*path, key), DELETE) for key in a if key not in b]
    return sorted(out, key=lambda c: _position(c[0], body, base))


def _position(path: tuple[Any, ...], body: Any, base: Any) -> list[tuple[int, int]]:
    """Where an entry is written: in the config's key order, a deleted key after the others
    (in the base's order)."""
    out: list[tuple[int, int]] = []
    for key in path:
        inside = body if type(body) is dict and key in body else base
        keys = list(inside) if type(inside) is dict else []
        out.append((0 if inside is body else 1, keys.index(key) if key in keys else 0))
        body = body.get(key) if type(body) is dict else None
        base = base.get(key) if type(base) is dict else None
    return out


def cost(found: list[Change], body: Any) -> int:
    """Entries the derived form writes."""
    total = 1
    for path, value in found:
        if value is DELETE:
            total += 1
        elif isinstance(value, Replace):
            total += sum(_raw_size(body, (*path, k)) for k in value.keywords)
        else:
            total += _raw_size(body, path)
    return total


def _raw_size(body: Any, path: tuple[Any, ...]) -> int:
    for key in path:
        body = body[key]
    return size(body)


def header(body: Any, notes: CommentMap) -> tuple[Any, ...] | None:
    """The path of the first entry, whose comments above head the file (and the function)."""
    return (next(iter(body)),) if type(body) is dict and body else None


def comments_kept(
    notes: CommentMap, base: CommentMap, found: list[Change], first: tuple[Any, ...] | None
) -> bool:
    """Whether every comment of the config shows in the derived form (see the module doc):
    the same on the base, on a changed entry (a call's changed keywords excepted), or the
    file's heading comment (written above the function)."""
    changed = [p for p, v in found if v is not DELETE and not isinstance(v, Replace)]
    tables = (
        (notes.above, base.above),
        (notes.inline, base.inline),
        (notes.after, base.after),
    )
    for table, base_table in tables:
        for path, text in table.items():
            if base_table.get(path) == text or (table is notes.above and path == first):
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
    first = header(body, notes)
    for name, base_body, base_tree, base_notes in bases:
        found = changes(base_body, body, base_tree, tree)
        spent = cost(found, body)
        if spent * 2 <= whole and (best is None or spent < best[0]):
            if comments_kept(notes, base_notes, found, first):
                best = (spent, name, found)
    return None if best is None else (best[1], best[2])


def extension_changes(
    base: tuple[Any, Any, CommentMap], own: Any, merged: tuple[Any, Any], notes: CommentMap
) -> list[Change] | None:
    """The changes that write a config extending a base (see `lazycfg.migrate.extend`) as a
    call of it: every entry its own body states (an unchanged value too, as the YAML says it),
    valued from the merged config. None when a call cannot say it: the base or the config is
    a call at the root, or a comment of the config would go. ``base`` is (body, tree,
    comments), ``merged`` (body, tree)."""
    base_body, base_tree, base_notes = base
    base_plain, plain = _plain(base_tree), _plain(merged[1])
    if type(base_plain) is not dict or type(plain) is not dict:
        return None  # a call at the root: `{**base(), ...}` cannot extend it
    found = changes(base_body, merged[0], base_plain, plain)
    if any(v is DELETE for _, v in found):
        return None
    found = sorted(
        found + _restated(own, base_body, base_plain, plain, [p for p, _ in found]),
        key=lambda c: _position(c[0], own, base_body),
    )
    lead = CommentMap({k: v for k, v in notes.above.items() if k != ("defaults",)})
    lead.inline, lead.after = notes.inline, notes.after
    return found if comments_kept(lead, base_notes, found, header(own, notes)) else None


def _restated(
    own: Any, base: Any, base_tree: Any, tree: Any, covered: list[tuple[Any, ...]]
) -> list[Change]:
    """The entries ``own`` states with the value the base already has (no change, but written
    in the YAML), valued from the merged ``tree``; none under a call node."""
    out: list[Change] = []
    stack: list[tuple[tuple[Any, ...], Any, Any, Any, Any]] = [((), own, base, base_tree, tree)]
    while stack:
        path, o, b, tb, tm = stack.pop()
        for key, value in o.items():
            here = (*path, key)
            if any(here[: len(c)] == c for c in covered):
                continue
            inner = (value, b.get(key), _plain(tb.get(key)), _plain(tm.get(key)))
            if all(type(x) is dict for x in inner):
                stack.append((here, *inner))
            elif key in b and same(value, b[key]):
                out.append((here, tm[key]))
    return out


def has_calls(tree: Any) -> bool:
    """Whether a resolved tree holds a call, a class or a function (then a factory returns it;
    plain data is stored as it is)."""
    import inspect

    from lazycfg.core.node import Lazy

    stack = [tree]
    while stack:
        value = _plain(stack.pop())
        if isinstance(value, Lazy | type) or inspect.isroutine(value):
            return True
        if type(value) is dict:
            stack.extend(value.values())
        elif type(value) is list or type(value) is tuple:
            stack.extend(value)
    return False
