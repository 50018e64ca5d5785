"""Config tree -> readable Python source (``to_python``), and the statements migrate writes."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lazycfg.codegen.module import CommentMap, Module, identifier
from lazycfg.codegen.python import generate, ruff_format
from lazycfg.codegen.syntax import GeneratedCodeError, prove, value_ast

if TYPE_CHECKING:
    from lazycfg.codegen.derived import add_derived
    from lazycfg.codegen.stored import add_stored, add_table

__all__ = [
    "CommentMap",
    "GeneratedCodeError",
    "Module",
    "add_derived",
    "add_stored",
    "add_table",
    "generate",
    "identifier",
    "prove",
    "ruff_format",
    "value_ast",
]

# Used by migrate only, so imported when first asked for: ``import lazycfg`` needs to_python alone.
_LATER = {"add_derived": "derived", "add_stored": "stored", "add_table": "stored"}


def __getattr__(name: str) -> Any:
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"lazycfg.codegen.{_LATER[name]}"), name)
