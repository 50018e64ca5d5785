"""``lazycfg show`` and ``lazycfg diff``: look at a config, compare two.

A config is named on the command line as ``module:attr`` (importable from the current
directory) or ``file.py:attr``, a YAML file, or a Hydra job output dir (its
``.hydra/config.yaml``). Only what is a config is loaded: a `Lazy` node, a dict or list, a
DictConfig, or a ``@factory`` function, which is called with no arguments (building its lazy
tree is what a factory is for; it constructs none of its targets). Anything else, a plain
function above all, is refused and never called: it could do anything. Naming a module runs
its top-level code, as importing it anywhere would.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from lazycfg.core.errors import ConfigError, did_you_mean
from lazycfg.core.node import Lazy

JOB_CONFIG = Path(".hydra") / "config.yaml"
RECORD = "lazycfg.json"  # written by lazycfg.callback.LogConfig


def _bad(message: str) -> ConfigError:
    return ConfigError([message], "bad input")


def load(spec: str, *, full: bool = False) -> Any:
    """The config named by ``spec``: a lazy tree (``module:attr``) or a plain dict (files).

    With ``full=True``, the full plain config (every default written out). For a job dir the
    full config logged by `LogConfig` at run time is used when there is one, so the defaults
    are those the job ran with, not today's, and nothing is imported.
    """
    config = _load(spec, full=full)
    if full and not (Path(spec).is_dir() and (Path(spec) / RECORD).is_file()):
        from lazycfg.track.flat import plain_config

        return plain_config(config, full=True)
    return config


def _load(spec: str, *, full: bool) -> Any:
    path = Path(spec)
    if path.is_dir():
        record = path / RECORD
        if full and record.is_file():
            logged = json.loads(record.read_text())
            if logged.get("full"):
                from lazycfg.track.flat import unflatten

                return unflatten(logged["config"])
        if not (path / JOB_CONFIG).is_file():
            raise _bad(f"{spec}: a directory without {JOB_CONFIG}; is it a Hydra job output dir?")
        return _load_yaml(path / JOB_CONFIG)
    module_part = spec.rpartition(":")[0]
    if module_part.endswith(".py"):
        return _load_attr(spec, file=Path(module_part))
    if path.suffix == ".py":
        raise _bad(_name_an_attribute(path))
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise _bad(f"{spec}: no such file")
        return _load_yaml(path)
    if ":" not in spec:
        raise _bad(
            f"{spec!r} is not a YAML file, a job output dir or module:attr "
            "(e.g. experiments:rf, or conf/rf.yaml)"
        )
    return _load_attr(spec)


def _load_yaml(path: Path) -> Any:
    from omegaconf import OmegaConf

    from lazycfg.migrate.loader import MigrateError, check_cost

    try:
        check_cost(path)  # size, depth, alias expansion: bounded before OmegaConf expands it
    except MigrateError as exc:
        where, _, problem = str(exc).partition(": ")
        raise _bad(f"{path}: not a readable YAML config: {problem} (at {where})") from None
    try:
        return OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    except Exception as exc:  # YAML syntax errors: say where, without a traceback
        raise _bad(f"{path}: not a readable YAML config: {exc}") from None


def _name_an_attribute(path: Path) -> str:
    """How to name a config inside a Python file (its candidates read by parsing, not running)."""
    import ast

    factories: list[str] = []
    values: list[str] = []
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        tree = None
    for node in tree.body if tree else []:
        if isinstance(node, ast.FunctionDef) and any(
            "factory" in ast.unparse(d) for d in node.decorator_list
        ):
            factories.append(node.name)
        elif isinstance(node, ast.Assign):  # constants (ALL_CAPS) are rarely configs
            values += [t.id for t in node.targets if isinstance(t, ast.Name) and not t.id.isupper()]
    names = factories + values
    example = names[0] if names else "config"
    listed = f" ({', '.join(names[:8])} look like candidates)" if names else ""
    module = ".".join(path.with_suffix("").parts)
    return (
        f"{path} is a Python file: name the config in it as {path}:{example} "
        f"or {module}:{example}{listed}"
    )


def _import(spec: str, file: Path | None) -> Any:
    module_name = spec.rpartition(":")[0]
    if file is not None:
        if not file.is_file():
            raise _bad(f"{spec}: no such file {file}")
        folder = str(file.resolve().parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)  # the file imports its neighbours as when run
        module_name = file.stem
    elif os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise _bad(f"{spec}: cannot import {module_name!r} from {os.getcwd()}: {exc}") from None


def _load_attr(spec: str, file: Path | None = None) -> Any:
    from lazycfg.factory.decorator import factory_info

    value: Any = _import(spec, file)
    for part in spec.rpartition(":")[2].split("."):
        if not hasattr(value, part):
            names = [n for n in dir(value) if not n.startswith("_")]
            hint = did_you_mean(part, names)
            raise _bad(f"{spec}: {getattr(value, '__name__', value)!r} has no {part!r}{hint}")
        value = getattr(value, part)
    if factory_info(value) is not None:
        try:
            value = value()
        except TypeError as exc:
            raise _bad(f"{spec}: calling the factory with no arguments failed: {exc}") from None
    elif callable(value) and not isinstance(value, Lazy):
        kind = "class" if isinstance(value, type) else "plain function or callable"
        raise _bad(
            f"{spec} is a {kind}, not a config; lazycfg show never calls one (it could do "
            "anything). Decorate a function that builds the config with @factory, or name a "
            "config value (a lazy node, dict or DictConfig)"
        )
    if not _is_config(value):
        raise _bad(
            f"{spec} is {_a(type(value).__name__)}, not a config "
            "(a lazy node, dict, DictConfig or @factory)"
        )
    return value


def _is_config(value: Any) -> bool:
    if isinstance(value, Lazy | dict | list | tuple):
        return True
    module = type(value).__module__
    return module.startswith("omegaconf") and type(value).__name__ in ("DictConfig", "ListConfig")


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def as_tree(config: Any) -> Any:
    """A lazy tree for drawing: plain configs are read back, importing targets where possible."""
    if any(isinstance(v, Lazy) for v in _values(config)):
        return config
    from lazycfg.emit.convert import from_config

    try:
        return from_config(config)
    except ConfigError:
        return from_config(config, resolve_targets=False)


def _values(config: Any) -> list[Any]:
    from lazycfg.core.node import walk

    return [v for _, v in walk(config)]


def format_flat(flat: dict[str, Any]) -> str:
    """One ``key: value`` line per flat key (values in JSON, so the whole is valid YAML)."""
    return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in flat.items())


def run_show(args: argparse.Namespace) -> int:
    from lazycfg.emit.convert import to_yaml
    from lazycfg.track.flat import flatten, plain_config

    config = load(args.target, full=args.full)
    if args.graph:
        from lazycfg.track.graph import to_html, to_svg

        out = Path(args.graph)
        if out.suffix not in (".svg", ".html"):
            raise _bad(f"--graph {out}: the file name must end in .svg or .html")
        text = to_html(as_tree(config), args.target) if out.suffix == ".html" else None
        _write(out, text or to_svg(as_tree(config)))
        print(f"wrote {out}")
        return 0
    if args.flat:
        print(format_flat(flatten(config)))
    elif args.python:
        from lazycfg.codegen.python import to_python

        name = args.target.rpartition(":")[2].rpartition(".")[2] if ":" in args.target else ""
        source = to_python(config, name=name or "config")
        print(source.rstrip())
    else:
        print(to_yaml(plain_config(config)).rstrip())
    return 0


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (`ConfigError` saying why not)."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)  # never a half-written picture
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise _bad(f"--graph {path}: cannot write: {reason}; give a writable file path") from None


def resolved(config: Any, spec: str) -> Any:
    """The plain config with every ``${...}`` interpolation replaced by its value (OmegaConf's
    resolvers, environment included); `ConfigError` naming the key when one cannot resolve."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from lazycfg.track.flat import plain_config

    try:
        return OmegaConf.to_container(OmegaConf.create(plain_config(config)), resolve=True)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "<root>"
        reason = str(exc).split("\n", 1)[0]
        raise _bad(f"{spec}: --resolve: cannot resolve {key}: {reason}") from None


def run_diff(args: argparse.Namespace) -> int:
    from lazycfg.track.diff import diff

    a, b = load(args.a, full=args.full), load(args.b, full=args.full)
    if args.resolve:
        a, b = resolved(a, args.a), resolved(b, args.b)
    changes = diff(a, b)  # already full when asked: see load
    print(changes.markdown() if args.markdown else str(changes))
    return 1 if changes else 0


def _guarded(run: Any) -> Any:
    def guarded(args: argparse.Namespace) -> int:
        try:
            return int(run(args))
        except ConfigError as exc:
            print(f"lazycfg {args.command}: error: {exc}", file=sys.stderr)
            return 2

    return guarded


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the ``show`` and ``diff`` subcommands."""
    where = (
        "module:attr or file.py:attr (a config value, or a @factory, which is called), "
        "a YAML file, or a Hydra job output dir"
    )
    show = sub.add_parser("show", help="print a config (YAML, flat, Python) or draw it")
    show.add_argument("target", help=where)
    mode = show.add_mutually_exclusive_group()
    mode.add_argument("--yaml", action="store_true", help="Hydra YAML (the default)")
    mode.add_argument("--flat", action="store_true", help="flat dotted keys, as logged")
    mode.add_argument("--python", action="store_true", help="Python source of a factory")
    mode.add_argument("--graph", metavar="OUT", help="write the config DAG to OUT.svg or OUT.html")
    show.add_argument("--full", action="store_true", help="include every target's defaults")
    show.set_defaults(run=_guarded(run_show))

    compare = sub.add_parser("diff", help="compare two configs; exit 1 when they differ")
    compare.add_argument("a", help=where)
    compare.add_argument("b", help=where)
    compare.add_argument("--full", action="store_true", help="compare full signatures")
    compare.add_argument("--markdown", action="store_true", help="a markdown table")
    compare.add_argument(
        "--resolve",
        action="store_true",
        help="resolve ${...} interpolations on both sides first (default: compare them as written)",
    )
    compare.set_defaults(run=_guarded(run_diff))
