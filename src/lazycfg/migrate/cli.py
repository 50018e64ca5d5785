"""``lazycfg migrate SRC -o DST``: YAML configs -> Python factories, checked equal.

Exit status: 0 converted and equal, 1 converted but the check found differences or could not
compose the original, 2 bad input or an output it may not write (nothing written).

The output is a new folder, or one holding only an earlier `lazycfg migrate` output; never
the source tree, a folder inside it or one containing it. --force writes beside other files
but never replaces or deletes a file lazycfg did not write.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the ``migrate`` subcommand (sets ``run`` to a function of args -> exit code)."""
    parser = sub.add_parser(
        "migrate",
        help="convert YAML configs into Python factory modules and prove them equal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", type=Path, help="the YAML config directory")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="package folder to write: new, or an earlier lazycfg migrate output",
    )
    parser.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="compose original and converted configs through Hydra and compare (default: on)",
    )
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="OVERRIDES",
        help='an override set to compose and compare, e.g. "experiment=example"; repeatable',
    )
    parser.add_argument(
        "--no-import",
        dest="imports",
        action="store_false",
        help="import no target: every _target_ stays a string",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out files (or folders) whose path in the tree matches GLOB; repeatable",
    )
    parser.add_argument(
        "--class-module",
        action="append",
        default=[],
        metavar="MODULE",
        help="a module (its classes) or a base class (its imported subclasses) to import and "
        "search for short jsonargparse class_path names (class_path: ClassificationTask); "
        "repeatable",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds other files (they are never replaced or deleted)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lazycfg.codegen.syntax import GeneratedCodeError
    from lazycfg.migrate import MigrateError, OutputError, migrate

    try:
        overrides = [_override_set(o) for o in args.override]
        result = migrate(
            args.source,
            args.output,
            check=args.check,
            imports=args.imports,
            overrides=overrides,
            exclude=args.exclude,
            force=args.force,
            progress=not args.quiet,  # drawn only when stderr is a terminal
            class_modules=args.class_module,
        )
    except (ValueError, MigrateError, OutputError) as exc:
        return _refused(str(exc))
    except GeneratedCodeError as exc:
        return _refused(f"{exc}; this is a defect of lazycfg, please report it with the input")
    except OSError as exc:
        where = exc.filename or args.output
        reason = exc.strerror or type(exc).__name__
        return _refused(f"cannot write {where}: {reason}; give -o a folder you can write to")
    except KeyboardInterrupt:
        return _refused("interrupted", status=130)
    report = result.report()
    if not result.ok:
        print(report, file=sys.stderr)
        return 1
    if not args.quiet:
        print(report)
    return 0


def _refused(message: str, status: int = 2) -> int:
    print(f"lazycfg migrate: {message}\nnothing written.", file=sys.stderr)
    return status


def _override_set(text: str) -> list[str]:
    """One ``--override`` argument as Hydra overrides; ValueError if Hydra cannot parse it."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        overrides = shlex.split(text)
        OverridesParser.create().parse_overrides(overrides)
    except (ValueError, OverrideParseException) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"--override {text!r}: {problem}") from None
    return overrides
