"""Checking values against a target's signature: specs and compiled annotation checkers."""

from lazycfg.check.checkers import checker_for, fast_accepts
from lazycfg.check.signature import bind_problems, positional_names, spec_of

__all__ = ["bind_problems", "checker_for", "fast_accepts", "positional_names", "spec_of"]
