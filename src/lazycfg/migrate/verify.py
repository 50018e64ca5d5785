"""Proof that a converted tree equals its original, through Hydra itself.

One Hydra session per side: the YAML directory through ``initialize_config_dir``, in a forked
child process where the OS allows (else here, first); the generated package (imported, so its
``store`` calls register) through ``initialize`` with no config directory, in this process,
whose ConfigStore is restored afterwards. Per side:

- every config file is loaded as ``compose`` would find it: its package, defaults list and body
  must be equal (all 1,000 files of a big tree). YAML files are read by Hydra's config
  repository; a config the generated package registered is read from the ConfigStore node
  itself (the node the repository would deep-copy), its defaults list parsed by the
  repository's own parser;
- every primary config is composed (``compose(..., return_hydra_config=True)``) with no
  overrides and with each override set; the results must be equal, ``hydra:`` node included
  (less the list of config sources, which names the two directories). A composition the
  original cannot compose proves nothing and fails the check (`Check.unverified`), except an
  override set that composes with another primary: it is noted as skipped for this one.

The comparison itself (differences by path, what a failed composition proves) is
`lazycfg.migrate.compare`.

Hydra deep-copies the config repository for every compose, ConfigStore included (1,000
registered configs on the converted side); while checking, the store is shared instead
(`_shared_store`): composition only reads it, and each node it hands out is still copied.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lazycfg.factory import rewrite_cache
from lazycfg.migrate.compare import Check, Verification, _compose_checks, _differences, _one_error
from lazycfg.migrate.defaults import absolute_loaded
from lazycfg.migrate.extend import expected_load
from lazycfg.migrate.progress import OFF, Progress
from lazycfg.migrate.readers import Source

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

_counter = itertools.count()


def _plain(cfg: Any) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.to_container(cfg, resolve=False)


def _defaults(items: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in vars(d).items() if not k.startswith("parent") and v is not None}
        for d in items or []
    ]


def _loaded(repository: Any, path: str) -> Any:
    """What Hydra's loader reads for one config: package, defaults list, body."""
    try:
        stored = _stored_node(repository, path)
        if stored is not None:
            return _loaded_from_store(repository, path, stored)
        result = repository.load_config(path)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    if result is None:
        return {"error": f"config {path!r} not found"}
    return {
        "package": result.header.get("package"),
        "defaults": _defaults(result.defaults_list),
        "body": _plain(result.config),
    }


def _stored_node(repository: Any, path: str) -> Any:
    """The ConfigStore node ``repository.load_config(path)`` would copy, or None if not stored."""
    from hydra.core.object_type import ObjectType

    source = repository._find_object_source(config_path=path, object_type=ObjectType.CONFIG)
    if type(source).__name__ != "StructuredConfigSource":
        return None
    return source.store._load(source._normalize_file_name(path))


def _loaded_from_store(repository: Any, path: str, stored: Any) -> Any:
    """`_loaded` for a stored node, as the repository reads it but without copying the node.

    The repository deep-copies the node, pops ``defaults`` from the copy and parses it; here the
    plain container is taken from the node itself and only the defaults list is re-created for
    the repository's parser.
    """
    from omegaconf import DictConfig, OmegaConf

    node = stored.node
    if not isinstance(node, DictConfig) or node._is_typed():
        # Typed (dataclass) nodes keep their defaults in a way only a real load reproduces.
        result = repository.load_config(path)
        return {
            "package": result.header.get("package"),
            "defaults": _defaults(result.defaults_list),
            "body": _plain(result.config),
        }
    body = _plain(node)
    raw = body.pop("defaults", [])
    if not isinstance(raw, list):
        kind = "mapping" if isinstance(raw, dict) else type(raw).__name__
        raise ValueError(f"Invalid defaults list in '{path}', defaults must be a list (got {kind})")
    defaults = repository._create_defaults_list(path, OmegaConf.create(raw))
    return {"package": stored.package, "defaults": _defaults(defaults), "body": body}


def _composed(primary: str, overrides: list[str]) -> Any:
    from hydra import compose

    try:
        cfg = compose(primary, overrides=overrides, return_hydra_config=True)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
    data = _plain(cfg)
    data.get("hydra", {}).get("runtime", {}).pop("config_sources", None)
    return data


def _session(
    sources: list[Source], compositions: list[tuple[str, list[str]]], bar: Any = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    from hydra.core.global_hydra import GlobalHydra

    repository = GlobalHydra.instance().config_loader().repository  # type: ignore[attr-defined]
    bar = bar or OFF.stage("", 0)
    loads = {}
    for source in sources:
        loads[source.config_path] = _loaded(repository, source.config_path)
        bar.update()
    composes = {}
    for primary, overrides in compositions:
        composes[" ".join([primary, *overrides])] = _composed(primary, overrides)
        bar.update()
    bar.close()
    return loads, composes


def import_package(directory: Path) -> None:
    """Import a generated package from its directory (its ``store`` calls register).

    This runs the package: `lazycfg.migrate.migrate` calls it only on modules it has just
    proven (`lazycfg.migrate.writer.prove_package`) to be exactly what it wrote.
    """
    name = f"_lazycfg_migrated_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    writes, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ published
    try:
        with rewrite_cache.disabled():  # a staging folder: its rewrites would never be read
            spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes
        for key in [k for k in sys.modules if k == name or k.startswith(f"{name}.")]:
            del sys.modules[key]


@contextmanager
def _shared_store() -> Iterator[None]:
    """Let Hydra's per-compose copy of the repository share the ConfigStore, not copy it.

    ``copy.deepcopy`` honours a ``__deepcopy__`` found on the instance; the attribute lives only
    for the duration of the check. Composition reads the store through ``ConfigStore.load``,
    which copies each node it returns, so sharing changes no result.
    """
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    store.__deepcopy__ = lambda memo: store  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del store.__deepcopy__  # type: ignore[attr-defined]


def _snapshot(tree: dict[str, Any]) -> dict[str, Any]:
    """A copy of the ConfigStore's tree of groups (nodes shared: the store never edits them)."""
    return {k: _snapshot(v) if isinstance(v, dict) else v for k, v in tree.items()}


Sides = tuple[dict[str, Any], dict[str, Any]]  # (loads by config path, composes by key)


def _original_side(
    yaml_dir: Path, sources: list[Source], compositions: list[tuple[str, list[str]]]
) -> Sides:
    """The YAML tree's loads and composes, in a Hydra session of its own."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    try:
        config_dir = str(yaml_dir.resolve())
        with (
            _shared_store(),
            initialize_config_dir(config_dir=config_dir, version_base="1.3", job_name="app"),
        ):
            return _session(sources, compositions)
    finally:
        GlobalHydra.instance().clear()


def _child_side(writer: Connection, parent: int, *args: Any) -> None:
    """Run `_original_side` in a forked process and send back its result (or its failure).

    The child dies with its parent: a run killed mid-check leaves no process behind.
    """
    from lazycfg.migrate.cleanup import die_with_parent

    die_with_parent(parent)
    try:
        writer.send(("ok", _original_side(*args)))
    except BaseException as exc:  # reported to the parent, which then runs the side itself
        writer.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        writer.close()


class _OriginalSide:
    """The YAML side, run in a forked process while this one checks the converted side.

    The two sides share nothing but their inputs, so on a machine with two cores they run at
    once. Where ``fork`` is unavailable, or the child fails, the side runs here instead, so the
    result never depends on the process it ran in.
    """

    def __init__(self, parallel: bool, *args: Any) -> None:
        import multiprocessing

        self.args = args
        self.process: Any = None
        if not parallel or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        process = context.Process(
            target=_child_side, args=(writer, os.getpid(), *args), daemon=True
        )
        try:
            process.start()
        except OSError:  # no process to be had (limits): the side runs here instead
            self.reader.close()
        else:
            self.process = process
        finally:
            writer.close()

    def result(self) -> Sides:
        if self.process is not None:
            try:
                status, payload = self.reader.recv()
            except (EOFError, OSError):
                status, payload = "failed", None  # the child ended without a result
            finally:
                self.close()
            if status == "ok":
                return payload  # type: ignore[no-any-return]
        return _original_side(*self.args)

    def close(self) -> None:
        if self.process is not None:
            self.reader.close()
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process = None


def verify(
    sources: list[Source],
    yaml_dir: Path,
    package_dir: Path,
    override_sets: list[list[str]],
    *,
    parallel: bool = True,
    progress: Progress = OFF,
    extends: dict[str, tuple[str, bool]] | None = None,
) -> Verification:
    """Compare the YAML tree at ``yaml_dir`` with the package at ``package_dir`` (see above).

    With ``parallel`` (where the OS can fork) the YAML side runs in a child process meanwhile.
    A config written as a call of the sibling it extends (``extends``: config path -> (the
    sibling's, whether ``_self_`` came first)) must load as the two merged
    (`lazycfg.migrate.extend.expected_load`) and is also composed alone on both sides.
    """
    extends = extends or {}
    from hydra import initialize
    from hydra.core.config_store import ConfigStore
    from hydra.core.global_hydra import GlobalHydra

    primaries = [s.name for s in sources if not s.group]
    compositions = [(p, []) for p in primaries]
    compositions += [(p, list(o)) for o in override_sets for p in primaries]
    compositions += [(path, []) for path in extends]
    store = ConfigStore.instance()
    GlobalHydra.instance().clear()
    # Hydra's plugins register their configs at the first session of a process: let them, so
    # the snapshot below (restored at the end) keeps exactly those and drops the package's.
    with initialize(config_path=None, version_base="1.3", job_name="app"):
        pass
    GlobalHydra.instance().clear()
    saved = _snapshot(store.repo)
    original_side = _OriginalSide(parallel, yaml_dir, sources, compositions)
    try:
        try:
            import_package(package_dir)
        except Exception as exc:  # the package's own store calls refused something
            failed = Check("import the converted package", [_one_error(exc)])
            return Verification([failed])
        with _shared_store(), initialize(config_path=None, version_base="1.3", job_name="app"):
            bar = progress.stage("check", len(sources) + len(compositions))
            converted = _session(sources, compositions, bar)
        GlobalHydra.instance().clear()
        store.repo = saved
        original = original_side.result()
    finally:
        original_side.close()
        GlobalHydra.instance().clear()
        store.repo = saved
    result = Verification(converted=converted[0])
    groups = {s.config_path: s.group for s in sources}
    for path, loaded in original[0].items():
        loaded = absolute_loaded(loaded, groups[path])  # as `absolute_defaults` wrote them
        if path in extends:
            loaded = expected_load(original[0], path, *extends[path])
        result.checks.append(Check(f"load {path}", _differences(loaded, converted[0][path])))
    result.checks += _compose_checks(compositions, original[1], converted[1])
    return result
