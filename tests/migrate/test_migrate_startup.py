"""A converted tree starts fast: the rewrite cache (never trusted blindly) and deferred stores."""

from __future__ import annotations

import hmac
import marshal
import os
import pickle
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from lazycfg import ConfigError

FACTORY = """
from lazycfg import factory, store, to_dict

@factory
def config(size: int = 3):
    return {"size": size, "items": list(range(2))}

print(to_dict(config()))
"""


def run(tmp_path: Path, cache: Path, source: str = FACTORY) -> str:
    (tmp_path / "user_factories.py").write_text(textwrap.dedent(source))
    env = {**os.environ, "LAZYCFG_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "user_factories.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def entry_file(cache: Path) -> Path:
    (found,) = [p for p in cache.iterdir() if p.suffix == ".bin"]
    return found


def forged_payload(blob: bytes, marker: Path) -> bytes:
    """The cached entries with each function's code replaced by code that writes ``marker``."""
    tag, name, digest, entries = marshal.loads(blob[32:])
    module = compile(
        f"def config(size=3):\n    open({str(marker)!r}, 'w').write('ran')\n    return {{}}\n",
        name,
        "exec",
    )
    (payload_code,) = [c for c in module.co_consts if isinstance(c, types.CodeType)]
    forged = {key: (payload_code, *entry[1:]) for key, entry in entries.items()}
    return marshal.dumps((tag, name, digest, forged))


def test_a_second_start_reads_the_cache_and_gives_the_same_config(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run(tmp_path, cache)
    assert first == "{'size': 3, 'items': [0, 1]}"
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    assert oct((cache / "key").stat().st_mode & 0o777) == "0o600"
    kept = entry_file(cache).read_bytes()
    assert run(tmp_path, cache) == first
    assert entry_file(cache).read_bytes() == kept  # a hit writes nothing


def test_a_signed_entry_is_used_so_the_cache_is_read(tmp_path: Path) -> None:
    """The positive control for the test below: an entry signed with the key is used."""
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    marker = tmp_path / "marker"
    path = entry_file(cache)
    payload = forged_payload(path.read_bytes(), marker)
    key = (cache / "key").read_bytes()
    path.write_bytes(hmac.new(key, payload, "sha256").digest() + payload)
    run(tmp_path, cache)
    assert marker.exists()


@pytest.mark.parametrize("how", ["forged", "truncated", "garbage", "other key"])
def test_a_tampered_or_corrupt_entry_is_ignored_and_never_run(tmp_path: Path, how: str) -> None:
    cache = tmp_path / "cache"
    expected = run(tmp_path, cache)
    marker = tmp_path / "marker"
    path = entry_file(cache)
    blob = path.read_bytes()
    payload = forged_payload(blob, marker)
    if how == "forged":  # the old signature over new content
        path.write_bytes(blob[:32] + payload)
    elif how == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
    elif how == "garbage":
        path.write_bytes(os.urandom(len(blob)))
    else:
        path.write_bytes(hmac.new(os.urandom(32), payload, "sha256").digest() + payload)
    assert run(tmp_path, cache) == expected
    assert not marker.exists()


def test_an_edited_source_is_rewritten_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    edited = FACTORY.replace("range(2)", "range(3)")
    assert run(tmp_path, cache, edited) == "{'size': 3, 'items': [0, 1, 2]}"


def test_a_cache_folder_open_to_others_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    assert run(tmp_path, cache) == "{'size': 3, 'items': [0, 1]}"
    assert list(cache.iterdir()) == []


def test_a_deferred_store_builds_on_first_read_once(tmp_path: Path) -> None:
    from hydra import compose, initialize
    from hydra.core.config_store import ConfigStore
    from hydra.core.global_hydra import GlobalHydra

    from lazycfg import factory, store

    calls: list[int] = []

    @factory
    def deferred_opt():
        calls.append(4)
        return {"width": 4}

    store(deferred_opt, group="startup_test", defer=True)
    assert calls == []  # registered, not built
    GlobalHydra.instance().clear()
    with initialize(config_path=None, version_base="1.3"):
        for _ in range(3):
            cfg = compose("startup_test/deferred_opt")
            assert cfg == {"startup_test": {"width": 4}}
    GlobalHydra.instance().clear()
    assert calls == [4]
    shipped = pickle.loads(pickle.dumps(ConfigStore.instance().repo["startup_test"]))
    assert shipped["deferred_opt.yaml"].node == {"width": 4}  # as launchers ship the store

    @factory
    def broken() -> dict[str, int]:
        raise ConfigError(["broken on purpose"], "a factory that fails")

    store(broken, group="startup_test", defer=True)  # its error shows when it is read
    with initialize(config_path=None, version_base="1.3"):
        with pytest.raises(Exception, match="broken on purpose"):
            compose("startup_test/broken")
    GlobalHydra.instance().clear()
    ConfigStore.instance().repo.pop("startup_test")


def test_the_cache_keeps_the_newest_files_and_touches_nothing_else(tmp_path: Path) -> None:
    from lazycfg.factory import rewrite_cache

    store = rewrite_cache._Store(tmp_path / "cache")
    made = []
    for i in range(rewrite_cache.MAX_FILES + 5):
        path = tmp_path / "cache" / f"{i:040x}.bin"
        path.write_bytes(b"x")
        os.utime(path, ns=(i * 10**9, i * 10**9))
        made.append(path)
    (tmp_path / "cache" / "notes.txt").write_text("mine")
    store.prune()
    assert [p.exists() for p in made[:5]] == [False] * 5
    assert all(p.exists() for p in made[5:])
    assert (tmp_path / "cache" / "notes.txt").read_text() == "mine"


def test_the_check_leaves_no_cache_entry_for_its_staging_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "config.yaml").write_text("a: 1\n")
    cache = tmp_path / "cache"
    lazycfg = str(Path(sys.executable).parent / "lazycfg")
    done = subprocess.run(
        [lazycfg, "migrate", "conf", "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "LAZYCFG_CACHE_DIR": str(cache)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not list(cache.glob("*.bin"))
