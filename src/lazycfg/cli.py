"""The ``lazycfg`` command: a dispatcher; each subcommand lives with the feature it serves."""

from __future__ import annotations

import argparse
import sys

from lazycfg.migrate import cli as migrate_cli
from lazycfg.track import show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lazycfg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    migrate_cli.add_parser(sub)
    show.add_parser(sub)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
