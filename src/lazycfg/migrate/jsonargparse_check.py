"""The jsonargparse part of the check: each jsonargparse file as jsonargparse itself reads it.

The Hydra check (`lazycfg.migrate.verify`) compares the package with lazycfg's own reading of
a class_path file. This one asks jsonargparse: per file, an ``ArgumentParser`` in
``parser_mode="omegaconf"`` (interpolations resolved, as jsonargparse resolves them within a
file) with one argument per top-level entry. A class_path node is added as a CLI adds it
(``add_subclass_arguments`` with its class, or the ``--class-module`` base it subclasses, so
jsonargparse resolves a short name itself; the required parameters the node leaves to the CLI
skipped, as LightningCLI skips an optimizer's ``params``); a list of them is typed
``list[A | B]``; anything else ``Any``. The original file is parsed with ``parse_path`` (a
file whose root is a class_path node: as the value of one such argument, ``--model FILE``),
the converted config (its ``store`` node, interpolations resolved by OmegaConf, each
``_target_`` node written back as ``class_path`` + ``init_args``, what only ``**kwargs``
takes as ``dict_kwargs``) with ``parse_object``. Both come back with every argument
jsonargparse fills from the signatures (defaults, nested class_path nodes, short names
resolved) and must be equal.

jsonargparse imports the classes the configs name (as the writer does to check each call), so
it runs only with imports on; it is an optional extra (``lazycfg[migrate-jsonargparse]``) and,
when it does not import, the report says the check is partial.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from inspect import Parameter
from typing import Any, Union

from lazycfg.migrate.class_names import named_bases
from lazycfg.migrate.compare import Check, diff
from lazycfg.migrate.progress import OFF, Progress
from lazycfg.migrate.readers import JSONARGPARSE, Source

NOT_INSTALLED = (
    "partial check: jsonargparse is not installed: compared with lazycfg's own reading; "
    "pip install lazycfg[migrate-jsonargparse] for the full check"
)
NO_IMPORT = (
    "partial check: --no-import: jsonargparse's own parse (which imports the classes the "
    "configs name) was not run; compared with lazycfg's own reading"
)
_LISTED = 10  # files named in the report's note, at most


def jsonargparse_checks(
    sources: list[Source],
    converted: dict[str, Any],
    class_modules: Sequence[str] = (),
    imports: bool = True,
    progress: Progress = OFF,
) -> tuple[list[Check], list[str]]:
    """One check per jsonargparse file (``converted``: the converted side's loads by config
    path), and the report's notes on what was and was not compared."""
    files = [s for s in sources if s.dialect == JSONARGPARSE]
    if not files or not converted:  # nothing of the kind, or the package did not even import
        return [], []
    if not imports:
        return [], [NO_IMPORT]
    try:
        import jsonargparse  # noqa: F401
    except ImportError:
        return [], [NOT_INSTALLED]
    bases = named_bases(class_modules)
    bar = progress.stage("jsonargparse", len(files))
    checks = []
    for source in files:
        checks.append(_check_file(source, converted.get(source.config_path), bases))
        bar.update()
    bar.close()
    return checks, [_standalone_note(files, sources)]


def _standalone_note(files: list[Source], sources: list[Source]) -> str:
    count = f"{len(files)} jsonargparse file{'s' if len(files) > 1 else ''}"
    how = "--config FILE"
    if any(_is_class_node(s.body) for s in files):
        how += "; one whose root is a class_path node as an argument's value, --model FILE"
    note = f"{count} checked against jsonargparse's own parse, each as a standalone config ({how})"
    if any(not s.group for s in sources):
        return note
    names = [str(s.file.name if not s.group else f"{s.group}/{s.file.name}") for s in files]
    shown = ", ".join(names[:_LISTED]) + (
        f" and {len(names) - _LISTED} more" * (len(names) > _LISTED)
    )
    return f"{note}: {shown}"


_VALUE = "value"  # the one argument a file whose root is a class_path node is the value of


def _check_file(source: Source, loaded: Any, bases: tuple[type, ...]) -> Check:
    check = Check(f"jsonargparse {source.config_path}")
    if not isinstance(source.body, dict | None):
        check.note = (
            "not parsed: a list at the root is an argument's value, not a config jsonargparse "
            "reads on its own (compared with lazycfg's reading)"
        )
        return check
    as_value = _is_class_node(source.body)
    try:
        parser, untyped = _parser({_VALUE: source.body} if as_value else source.body, bases)
        original = _parse_original(parser, source, as_value)
    except Exception as exc:  # jsonargparse's refusal of the original proves nothing
        check.unverified = f"jsonargparse cannot parse the original {source.file}: {_text(exc)}"
        return check
    try:
        converted = _as_class_paths(_resolved(loaded))
        parsed = parser.parse_object({_VALUE: converted} if as_value else converted).as_dict()
    except Exception as exc:
        check.differences = [f"the converted side fails: {_text(exc)}"]
        return check
    check.differences = diff(original, parsed)
    if untyped and not check.differences:
        check.note = f"read as plain data (the class does not import here): {', '.join(untyped)}"
    return check


def _parse_original(parser: Any, source: Source, as_value: bool) -> Any:
    """The original file as jsonargparse reads it: a whole config (``--config FILE``), or the
    value of a class-typed argument (``--model FILE``)."""
    if not as_value:
        return parser.parse_path(str(source.file)).as_dict()
    parsed = parser.parse_args([f"--{_VALUE}", str(source.file)]).as_dict()
    if isinstance(parsed.get(_VALUE), dict):
        parsed[_VALUE].pop("__path__", None)  # where it was read from, not a value
    return parsed


def _parser(body: Any, bases: tuple[type, ...]) -> tuple[Any, list[str]]:
    """A parser for one file's top-level entries, and the class_path nodes it could not type."""
    from jsonargparse import ArgumentParser

    parser = ArgumentParser(parser_mode="omegaconf", exit_on_error=False, add_help=False)
    untyped: list[str] = []
    stack: list[tuple[str, Any]] = [(str(k), v) for k, v in (body or {}).items()]
    while stack:
        key, value = stack.pop()
        kind: Any = _class_type(value["_target_"], bases) if _is_class_node(value) else Any
        if kind is not Any:  # as a CLI adds a class: what the node does not give is skipped
            skip = _unfilled(value) or None
            parser.add_subclass_arguments(kind, key, required=False, skip=skip)
            continue
        if isinstance(value, list) and value and all(map(_is_class_node, value)):
            classes = [_class_type(item["_target_"], bases) for item in value]
            kind = list[Union[tuple(classes)]] if Any not in classes else Any  # noqa: UP007
        elif isinstance(value, dict) and not _is_class_node(value) and _holds_class_nodes(value):
            stack += [(f"{key}.{k}", v) for k, v in value.items()]
            continue
        if kind is Any and _holds_class_nodes(value):
            untyped.append(key)
        parser.add_argument(f"--{key}", type=kind)
    return parser, sorted(untyped)


def _is_class_node(value: Any) -> bool:
    return isinstance(value, dict) and "_target_" in value


def _holds_class_nodes(value: Any) -> bool:
    """Whether a class_path node is in ``value``, outside another one's arguments."""
    stack = [value]
    while stack:
        here = stack.pop()
        if _is_class_node(here):
            return True
        if isinstance(here, dict):
            stack += here.values()
        elif isinstance(here, list):
            stack += here
    return False


def _class_of(target: Any) -> type | None:
    """The class a dotted ``target`` names, imported as the writer imports it; None when it
    does not import. A bare name is never imported (it would be a module of that name)."""
    from lazycfg.core.targets import locate

    if not isinstance(target, str) or "." not in target:
        return None
    try:
        cls = locate(target)
    except Exception:
        return None
    return cls if isinstance(cls, type) else None


def _class_type(target: Any, bases: tuple[type, ...]) -> Any:
    """The type jsonargparse should parse a node of class ``target`` with: a named base it
    subclasses, else the class; ``Any`` when it does not import."""
    cls = _class_of(target)
    if cls is None:
        return Any
    return next((b for b in bases if issubclass(cls, b)), cls)


def _unfilled(node: dict[Any, Any]) -> set[str]:
    """Required parameters of the node's class that the node does not give: the CLI fills
    them at run time (LightningCLI: an optimizer's ``params``), so the parser skips them."""
    cls = _class_of(node.get("_target_"))
    try:
        parameters = inspect.signature(cls).parameters.values() if cls else ()
    except (TypeError, ValueError):
        return set()
    keywords = (Parameter.POSITIONAL_OR_KEYWORD, Parameter.KEYWORD_ONLY)
    return {
        p.name
        for p in parameters
        if p.kind in keywords and p.default is Parameter.empty and p.name not in node
    }


def _resolved(loaded: Any) -> Any:
    """The converted config as a plain dict, interpolations resolved by OmegaConf."""
    from omegaconf import OmegaConf

    if not isinstance(loaded, dict) or "body" not in loaded:
        raise ValueError((loaded or {}).get("error", "the converted config is missing"))
    body = loaded["body"] if loaded["body"] is not None else {}
    return OmegaConf.to_container(OmegaConf.create(body), resolve=True)


def _as_class_paths(value: Any) -> Any:
    """``{_target_: X, **args}`` nodes written back as ``{class_path: X, init_args: args}``,
    what X's ``**kwargs`` take (no parameter of its own) as ``dict_kwargs``."""
    if isinstance(value, list):
        return [_as_class_paths(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "_target_" not in value:
        return {k: _as_class_paths(v) for k, v in value.items()}
    args = {k: _as_class_paths(v) for k, v in value.items() if k != "_target_"}
    node: dict[str, Any] = {"class_path": value["_target_"]}
    extra = _kwargs_only(value["_target_"], args)
    named = {k: v for k, v in args.items() if k not in extra}
    if named:
        node["init_args"] = named
    if extra:
        node["dict_kwargs"] = {k: args[k] for k in extra}
    return node


def _kwargs_only(target: Any, args: dict[str, Any]) -> list[str]:
    """The ``args`` that only the ``**kwargs`` of ``target``'s class take."""
    cls = _class_of(target)
    try:
        parameters = inspect.signature(cls).parameters if cls else {}
    except (TypeError, ValueError):
        return []
    if not any(p.kind is Parameter.VAR_KEYWORD for p in parameters.values()):
        return []
    return [k for k in args if k not in parameters]


def _text(exc: BaseException) -> str:
    """jsonargparse's multi-line message on one line, bounded."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 400 else text[:397] + "..."
