"""``lazycfg show`` and ``lazycfg diff``. (Issue 7; stub.)"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the ``show`` and ``diff`` subcommands."""
