"""Tracking: flatten, unflatten, diff and fingerprint configs.

All four work on the emitted config (`lazycfg.to_dict`), so a lazy tree, its plain dict and its
DictConfig give the same answers. Flat keys join path segments with dots: ``model.n_estimators``,
list items by index (``layers.0.size``).

Keys are escaped so that ``unflatten(flatten(x))`` gives back exactly ``to_dict(x)``: the rules
(dots, digit-only keys, number and bool keys, refused keys) are in `lazycfg.track.flatkeys`. An
empty dict or list is kept as a value (``{"optim.groups": []}``).

The one loss: a list at the very top that is empty flattens to ``{}`` and comes back as ``{}``.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring_ascii
from typing import Any

from lazycfg.core.errors import ConfigError
from lazycfg.core.node import Key, Place, fold_at, place_path, walk_at
from lazycfg.track.flatkeys import (
    DIGITS,
    check_key,
    escape_key,
    key_problem,
    split_key,
)

__all__ = [
    "canonical_json",
    "escape_key",
    "fingerprint",
    "flat_tree",
    "flatten",
    "key_problem",
    "plain_config",
    "split_key",
    "unflatten",
]


# --- the plain config ----------------------------------------------------------------------------


def _is_omegaconf(x: Any) -> bool:
    return type(x).__module__.startswith("omegaconf")


def plain_config(x: Any, *, full: bool = False, resolve: bool = False) -> Any:
    """The emitted config of a lazy tree, dict, list or DictConfig, as plain dicts and lists.

    ``full=True``: targets are imported and every parameter is written, defaults included.
    ``resolve`` (as `flatten` and `fingerprint` do): interpolations are resolved as the job sees
    them (``${..trainer.epochs}`` is its value), all or, when one cannot be (a resolver only the
    task registers), none: as `lazycfg.callback.LogConfig` logs them.
    """
    from lazycfg.emit.convert import from_config, to_dict
    from lazycfg.emit.read import resolved_data

    if _is_omegaconf(x):
        from omegaconf import OmegaConf

        from lazycfg.emit.read import READ_FRAMES, omegaconf_call

        container = x
        x = omegaconf_call(
            lambda: OmegaConf.to_container(container, resolve=False),
            container,
            "reading a DictConfig",
            READ_FRAMES,
        )
    if full:
        # A plain config is read back into a lazy tree first so that its targets' defaults show.
        from lazycfg.core.node import Lazy

        has_nodes = any(isinstance(v, Lazy) for _, v in walk_at(x))
        if not has_nodes:
            x = from_config(x)
    tree = to_dict(x, full=full)
    return resolved_data(tree) if resolve else tree


# --- flatten and unflatten ------------------------------------------------------------------------


def flat_tree(x: Any, *, full: bool = False, check_keys: bool = True, resolve: bool = True) -> Any:
    """The emitted config `flatten` and `diff` read: a dict or list (else `ConfigError`).

    With ``check_keys`` every dict key is checked first, in order, as `flatten` does.
    """
    tree = plain_config(x, full=full, resolve=resolve)
    if not isinstance(tree, dict | list):
        raise ConfigError(
            [f"flatten() takes a config (node, dict, list or DictConfig), got {tree!r:.60}"],
            "cannot flatten",
        )
    if check_keys:
        for at, value in walk_at(tree):
            if type(value) is dict:
                for key in value:
                    if key_problem(key):
                        check_key(key, place_path(at))
    return tree


def flatten(x: Any, *, full: bool = False, resolve: bool = True) -> dict[str, Any]:
    """``{"model.n_estimators": 3000, "model._target_": "...", ...}`` for any config.

    ``x`` is a lazy tree, a dict or list (with or without lazy nodes) or a DictConfig. With
    ``full=True`` every parameter of every target is listed, defaults included, so a changed
    library default shows up in a diff. Interpolations are resolved (``resolve=False`` keeps
    them), so the task's ``flatten(cfg, full=True)`` is what `lazycfg.callback.LogConfig`
    logs. Empty dicts and lists are kept as values. Keys are
    escaped as the module docstring says, so `unflatten` gives back `lazycfg.to_dict` exactly.
    Linear in the size of the config and of its flat keys, however deep it nests.
    """
    tree = flat_tree(x, full=full, check_keys=False, resolve=resolve)
    flat: dict[str, Any] = {}
    # Flat prefix of each non-empty container (None for the top), and whether it is a list;
    # by id of its place, the place kept alive alongside so that the id stays its own.
    containers: dict[int, tuple[Place, str | None, bool]] = {}
    for at, value in walk_at(tree):
        if at is None:
            containers[id(at)] = (at, None, type(value) is list)
            continue
        parent, key = at
        _, prefix, in_list = containers[id(parent)]
        if in_list:
            segment = str(key)
        else:
            if type(key) is not str and key_problem(key):
                check_key(key, place_path(parent))
            segment = escape_key(key)
        here = segment if prefix is None else f"{prefix}.{segment}"
        if (type(value) is dict or type(value) is list) and value:
            containers[id(at)] = (at, here, type(value) is list)
        else:
            flat[here] = value
    return flat


def unflatten(flat: dict[str, Any]) -> Any:
    """The nested config of a flattened one: ``unflatten(flatten(x)) == lazycfg.to_dict(x)``.

    Raises `ConfigError` naming the keys when they cannot come from one config (``a`` both a
    value and a container, index and name segments under one prefix, list indices with gaps).
    Linear in the text of the keys, however deep they go.
    """
    if not flat:
        return {}
    tree = _unflatten_by_prefix(flat)
    return tree if tree is not None else _unflatten_by_segments(flat)


def _split_last(flat_key: str) -> tuple[str | None, str]:
    """(prefix, last segment) of a flat key, at its last unescaped dot (prefix None: none).

    A dot is escaped when an odd run of backslashes stands before it (``\\\\`` is one
    escaped backslash, see `escape_key`)."""
    i = flat_key.rfind(".")
    while i >= 0:
        j = i
        while j and flat_key[j - 1] == "\\":
            j -= 1
        if (i - j) % 2 == 0:
            return flat_key[:i], flat_key[i + 1 :]
        i = flat_key.rfind(".", 0, j)
    return None, flat_key


def _segment_key(segment: str) -> tuple[bool, Key]:
    """(is a list index, key) of one flat-key segment (raises `ConfigError` when malformed)."""
    if "\\" in segment:
        return split_key(segment)[0]
    return (True, int(segment)) if DIGITS.fullmatch(segment) else (False, segment)


def _unflatten_by_prefix(flat: dict[str, Any]) -> Any:
    """`unflatten`, each flat prefix split once however many keys share it; None when the keys
    do not fit together (`_unflatten_by_segments` then names the problems)."""
    root: dict[Key, Any] = {}
    by_prefix: dict[str, dict[Key, Any]] = {}
    try:
        is_list = {id(root): split_key(next(iter(flat)))[0][0]}
        for flat_key, value in flat.items():
            prefix, segment = _split_last(flat_key)
            parent = root if prefix is None else by_prefix.get(prefix)
            if parent is None:
                assert prefix is not None
                parent = _make_prefixes(prefix, segment, root, by_prefix, is_list)
            if parent is None or not _put(parent, _segment_key(segment), value, is_list):
                return None
    except ConfigError:  # a malformed segment: said with its whole key by the other reading
        return None
    tree, problems = _lists_rebuilt(root, is_list)
    return None if problems else tree


def _make_prefixes(
    prefix: str,
    segment: str,
    root: dict[Key, Any],
    by_prefix: dict[str, dict[Key, Any]],
    is_list: dict[int, bool],
) -> dict[Key, Any] | None:
    """The container at ``prefix`` (whose next segment is ``segment``), made with the
    prefixes above it that are not made yet; None when one of them is a value already."""
    missing: list[tuple[str, str]] = []  # (prefix, its last segment), innermost first
    head: str | None = prefix
    while head is not None and head not in by_prefix:
        above, last = _split_last(head)
        missing.append((head, last))
        head = above
    parent = root if head is None else by_prefix[head]
    below = [last for _, last in missing[-2::-1]] + [segment]
    for (made, last), next_segment in zip(reversed(missing), below, strict=True):
        child: dict[Key, Any] = {}
        is_list[id(child)] = _segment_key(next_segment)[0]
        if not _put(parent, _segment_key(last), child, is_list):
            return None
        by_prefix[made] = parent = child
    return parent


def _put(container: dict[Key, Any], segment: tuple[bool, Key], value: Any, is_list: Any) -> bool:
    index, key = segment
    if is_list[id(container)] != index or key in container:
        return False
    container[key] = value
    return True


def _unflatten_by_segments(flat: dict[str, Any]) -> Any:
    """`unflatten` key by key, segment by segment from the top, with every problem named."""
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
    tree, problems = _lists_rebuilt(root, is_list)
    if problems:
        raise ConfigError(problems, "cannot unflatten")
    return tree


def _lists_rebuilt(root: dict[Key, Any], is_list: dict[int, bool]) -> tuple[Any, list[str]]:
    """The rebuilt tree with index-keyed containers as lists, and the gaps found."""
    problems: list[str] = []

    def rebuild(value: Any, at: Place, kids: list[tuple[Key, Any]] | None) -> Any:
        if kids is None:
            return value
        if not is_list.get(id(value), type(value) is not dict):
            return dict(kids)
        indices = [k for k, _ in kids]
        if sorted(indices) != list(range(len(indices))):  # type: ignore[type-var]
            where = ".".join(str(k) for k in place_path(at)) or "the top"
            problems.append(f"list indices under {where} are not 0..{len(indices) - 1}: {indices}")
        return [v for _, v in sorted(kids)]  # type: ignore[type-var]

    return fold_at(root, rebuild), problems


# --- fingerprint ---------------------------------------------------------------------------------


def canonical_json(x: Any, *, full: bool = False, resolve: bool = True) -> str:
    """The emitted config as canonical JSON: sorted keys, no spaces, ASCII only.

    Each key type has its own prefix, so that ``{1: x}``, ``{1.0: x}``, ``{True: x}`` and
    ``{"1": x}`` all differ: int ``\\x00``, float ``\\x01`` (then its repr), bool ``\\x02``; a
    string key starting with one of ``\\x00``..``\\x03`` gets ``\\x03`` in front (other strings,
    the usual case, are written as they are). Other key types raise `ConfigError`.
    The text is what ``json.dumps(..., sort_keys=True, separators=(",", ":"))`` writes, made
    without recursion, so any depth works.
    """
    return "".join(_json_pieces(plain_config(x, full=full, resolve=resolve)))


class _Raw(str):
    """JSON text to write as it is (the stack of `_json_pieces` also holds values)."""

    __slots__ = ()


_COMMA, _COLON = _Raw(","), _Raw(":")
_CLOSE = {dict: _Raw("}"), list: _Raw("]")}


def _json_pieces(tree: Any) -> list[str]:
    """Canonical JSON of plain data, as pieces to join; depth first, without recursion."""
    out: list[str] = []
    stack: list[Any] = [(None, tree)]
    while stack:
        item = stack.pop()
        if type(item) is _Raw:
            out.append(item)
            continue
        at, value = item
        kind = type(value)
        if kind is dict:
            for key in value:
                if key_problem(key):
                    check_key(key, place_path(at))
            items = sorted((_canonical_key(k), v, k) for k, v in value.items())
            out.append("{")
            stack.append(_CLOSE[dict])
            for i in range(len(items) - 1, -1, -1):
                text, child, key = items[i]
                stack.append(((at, key), child))
                stack.append(_Raw(encode_basestring_ascii(text) + ":"))
                if i:
                    stack.append(_COMMA)
        elif kind is list or kind is tuple:
            out.append("[")
            stack.append(_CLOSE[list])
            for i in range(len(value) - 1, -1, -1):
                stack.append(((at, i), value[i]))
                if i:
                    stack.append(_COMMA)
        else:
            out.append(_json_leaf(value))
    return out


def _json_leaf(value: Any) -> str:
    """A leaf as `json.dumps` writes it."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=True)  # True, False, None; anything else as json does


def _canonical_key(key: Any) -> str:
    kind = type(key)
    if kind is str:
        return "\x03" + key if key[:1] in _PREFIXES else key
    if kind is bool:
        return f"\x02{key}"
    return f"\x01{key!r}" if kind is float else f"\x00{key}"  # ints: as before this change


_PREFIXES = ("\x00", "\x01", "\x02", "\x03")


def fingerprint(x: Any, *, full: bool = False, length: int = 12, resolve: bool = True) -> str:
    """A stable short hash of the emitted config: sha256 of `canonical_json`, ``length`` hex.

    The same config gives the same hash in any process, Python version and key order; any value
    change gives a different one (``1``, ``1.0``, ``True`` and ``"1"`` all differ).
    Interpolations are resolved first (``resolve=False`` hashes them as written), so the task's
    fingerprint of its ``DictConfig`` is the one `lazycfg.callback.LogConfig` logs.
    """
    text = canonical_json(x, full=full, resolve=resolve)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:length]
