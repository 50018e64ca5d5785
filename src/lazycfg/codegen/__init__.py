"""Config tree -> readable Python source (``to_python``)."""

from lazycfg.codegen.module import CommentMap, Module, identifier
from lazycfg.codegen.python import generate
from lazycfg.codegen.syntax import GeneratedCodeError, prove, value_ast

__all__ = [
    "CommentMap",
    "GeneratedCodeError",
    "Module",
    "generate",
    "identifier",
    "prove",
    "value_ast",
]
