"""What ``@factory`` computes per function, kept between runs, keyed by the source.

Rewriting a factory (`lazycfg.factory.rewrite.rewrite`) reads, parses, analyses and compiles its
source: about 2 ms a function, which a converted tree of hundreds of factories pays at every
start. Like Python's bytecode caches, the result is kept on disk, one file per source file,
valid only for the exact bytes of that file, this Python and this version of the rewriter.

Unlike bytecode caches, an entry is never trusted because of where it lies: each cache file
carries an HMAC (SHA-256) under a random key that lazycfg created in its own cache directory
(mode 0700, key 0600, both owned by this user). A file that is corrupt, truncated, edited,
written by anything else or for other source bytes is ignored and the function is rewritten
from its source, as without a cache; so nothing runs that the source itself does not say.

The directory is ``$LAZYCFG_CACHE_DIR``, else ``$XDG_CACHE_HOME/lazycfg``, else
``~/.cache/lazycfg``; ``LAZYCFG_CACHE_DIR=off`` turns the cache off. A directory that cannot
be made or is not private to this user turns it off too: a cache only ever saves time.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import marshal
import os
import re
import stat
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lazycfg.factory.rewrite import Rewritten
from lazycfg.factory.rewrite_uses import DerivedUse

_KEY_BYTES = 32
MAX_FILES = 2000  # cache files kept; the least recently written go first
MAX_OPEN = 256  # source files whose entries stay in memory; the first read goes first
_NAME = re.compile(r"[0-9a-f]{40}\.bin")
Key = tuple[str, int, bytes]  # (qualname, first line, fingerprint of the compiled function)


def cache_dir() -> Path | None:
    """The cache directory (see the module doc), or None when the cache is off."""
    chosen = os.environ.get("LAZYCFG_CACHE_DIR")
    if chosen is not None:
        return None if chosen in ("", "off", "0") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lazycfg"


def _private(path: Path, kind: int) -> bool:
    """Whether ``path`` is a ``kind`` (S_IFDIR, S_IFREG) owned by this user, closed to others."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_IFMT(info.st_mode) == kind and owned and not info.st_mode & 0o077


class _Store:
    """The cache directory and its key; `load` and `save` one source file's entries."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.key = self._key()
        self.tag = _rewriter_tag()

    def _key(self) -> bytes | None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(self.directory, stat.S_IFDIR):
                return None
            path = self.directory / "key"
            if not path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(os.urandom(_KEY_BYTES))
            if not _private(path, stat.S_IFREG):
                return None
            key = path.read_bytes()
        except OSError:
            return None
        return key if len(key) == _KEY_BYTES else None

    def _path(self, filename: str) -> Path:
        return self.directory / (hashlib.sha256(filename.encode()).hexdigest()[:40] + ".bin")

    def load(self, filename: str, digest: bytes) -> dict[Key, Any]:
        """The entries kept for ``filename`` with these source bytes; {} when none is valid."""
        if self.key is None:
            return {}
        try:
            blob = self._path(filename).read_bytes()
        except OSError:
            return {}
        mac, payload = blob[:32], blob[32:]
        if not hmac.compare_digest(mac, hmac.new(self.key, payload, "sha256").digest()):
            return {}  # not written by lazycfg with this key: corrupt or tampered with
        try:
            tag, name, kept_digest, entries = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return {}
        if (tag, name, kept_digest) != (self.tag, filename, digest) or type(entries) is not dict:
            return {}
        return entries

    def save(self, filename: str, digest: bytes, entries: dict[Key, Any]) -> None:
        if self.key is None:
            return
        payload = marshal.dumps((self.tag, filename, digest, entries))
        blob = hmac.new(self.key, payload, "sha256").digest() + payload
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, self._path(filename))  # whole or not at all, for a reader meanwhile
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def prune(self) -> None:
        """Keep the `MAX_FILES` most recently written cache files (only files named as this
        module names them are ever removed)."""
        try:
            kept = [p for p in self.directory.iterdir() if _NAME.fullmatch(p.name)]
            if len(kept) <= MAX_FILES:
                return
            kept.sort(key=lambda p: p.stat().st_mtime_ns)
        except OSError:
            return
        for path in kept[: len(kept) - MAX_FILES]:
            with contextlib.suppress(OSError):
                path.unlink()


def _rewriter_tag() -> str:
    """This Python and the bytes of the code that produces an entry: any change invalidates."""
    from lazycfg.factory import calls as auto_calls
    from lazycfg.factory import rewrite as autorewrite
    from lazycfg.factory import rewrite_uses as autorewrite_uses

    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for module in (autorewrite, autorewrite_uses, auto_calls, sys.modules[__name__]):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(os.urandom(16))  # unreadable: never matches, so never reused
    return digest.hexdigest()


class _File:
    """One source file's entries in memory, loaded once per process."""

    def __init__(self, store: _Store, filename: str, digest: bytes) -> None:
        self.store, self.filename, self.digest = store, filename, digest
        self.entries = store.load(filename, digest)


_STORE: list[_Store | None] = []
# Source file name -> its entries (code objects and strings: no function is kept). Bounded: a
# notebook names a new file per cell; a file that gained entries is saved as it leaves.
_FILES: dict[str, _File | None] = {}
_DIRTY: set[str] = set()  # files whose entries grew in this run
_OFF: list[bool] = []  # inside `disabled`


def _file_for(filename: str) -> _File | None:
    if filename in _FILES:
        return _FILES[filename]
    if not _STORE:
        directory = cache_dir()
        _STORE.append(_Store(directory) if directory is not None else None)
    store = _STORE[0]
    found = None
    if store is not None and store.key is not None and os.path.isabs(filename):
        try:
            digest = hashlib.sha256(Path(filename).read_bytes()).digest()
        except OSError:
            digest = None
        found = _File(store, filename, digest) if digest is not None else None
    if len(_FILES) >= MAX_OPEN:
        _forget_oldest()
    _FILES[filename] = found
    return found


def _forget_oldest() -> None:
    oldest = next(iter(_FILES))
    file = _FILES.pop(oldest)
    if oldest in _DIRTY:
        _DIRTY.discard(oldest)
        if file is not None:
            file.store.save(file.filename, file.digest, file.entries)


def cached_rewrite(
    fn: types.FunctionType, rewrite: Callable[[types.FunctionType], Rewritten]
) -> Rewritten:
    """``rewrite(fn)``, from the cache when its source file is byte for byte the one cached."""
    code = fn.__code__
    file = None if _OFF else _file_for(code.co_filename)
    if file is None:
        return rewrite(fn)
    key: Key = (fn.__qualname__, code.co_firstlineno, _fingerprint(code))
    entry = file.entries.get(key)
    if entry is not None:
        try:
            return _rewritten(entry)
        except (TypeError, ValueError):
            pass  # a well-signed entry of another shape: rewrite
    result = rewrite(fn)
    file.entries[key] = _entry(result)
    if not _DIRTY:
        atexit.register(_save_all)
    _DIRTY.add(file.filename)
    return result


def _save_all() -> None:
    """Write the files that gained entries in this run (once each, at exit)."""
    for filename in sorted(_DIRTY):
        file = _FILES.get(filename)
        if file is not None:
            file.store.save(file.filename, file.digest, file.entries)
    _DIRTY.clear()
    if _STORE and _STORE[0] is not None:
        _STORE[0].prune()


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """No cache for the factories defined meanwhile (code imported once, from a temporary
    folder: an entry would never be read again)."""
    _OFF.append(True)
    try:
        yield
    finally:
        _OFF.pop()


def _fingerprint(code: types.CodeType) -> bytes:
    """A digest of a compiled function, nested code included: an entry serves only the very
    function it was made from (not another one compiled since from the same file name)."""
    digest = hashlib.sha256()
    stack = [code]
    while stack:
        here = stack.pop()
        parts = (
            here.co_code,
            here.co_names,
            here.co_varnames,
            here.co_freevars,
            here.co_cellvars,
            here.co_firstlineno,
            getattr(here, "co_linetable", b""),
            here.co_flags,
            here.co_argcount,
            here.co_kwonlyargcount,
        )
        digest.update(repr(parts).encode())
        for const in here.co_consts:
            if isinstance(const, types.CodeType):
                stack.append(const)
            elif isinstance(const, frozenset):  # its order follows string hashing: sort it
                digest.update(repr(sorted(map(repr, const))).encode())
            else:
                digest.update(f"{type(const).__name__}:{const!r}".encode())
    return digest.digest()


def _entry(result: Rewritten) -> tuple[Any, ...]:
    derived = {
        param: [(u.param, u.line, u.what, u.example) for u in uses]
        for param, uses in result.derived.items()
    }
    return (
        result.code,
        result.filename,
        result.firstline,
        result.lastline,
        derived,
        result.examples,
    )


def _rewritten(entry: tuple[Any, ...]) -> Rewritten:
    code, filename, first, last, derived, examples = entry
    if not isinstance(code, types.CodeType):
        raise TypeError("not a code object")
    nested: list[types.CodeType] = []
    stack = [code]
    while stack:
        for const in stack.pop().co_consts:
            if isinstance(const, types.CodeType):
                nested.append(const)
                stack.append(const)
    uses = {p: [DerivedUse(*u) for u in items] for p, items in derived.items()}
    return Rewritten(code, filename, first, last, uses, nested, examples)
