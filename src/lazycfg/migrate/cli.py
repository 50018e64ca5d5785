"""``lazycfg migrate``. (Issue 6; stub.)"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the ``migrate`` subcommand (sets ``run`` to a function of args -> exit code)."""
