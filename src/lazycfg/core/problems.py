"""Problems as records: where, what kind, and the words a user reads.

Every check in lazycfg reports a `Problem`, never a string to be parsed again: at definition
(`lazycfg.check.signature.bind_problems`, the value checks of `lazycfg.define`), when reading a
config (`lazycfg.emit`) and before instantiating (`lazycfg.instantiate`). Code decides by a
record's ``kind`` and ``path``; ``str(problem)`` is the text `ConfigError` shows.
"""

from __future__ import annotations

from typing import NamedTuple

# Kinds found by binding a call to its target's signature (at definition and by instantiate).
UNBOUND_KIND = "unbound"  # a required argument not given
UNEXPECTED_KIND = "unexpected"  # a keyword the target does not take
POSITIONAL_KIND = "positional"  # too many positional arguments, or positional-only by keyword
TWICE_KIND = "twice"  # one argument given twice (by position and keyword, by name and alias)
TYPE_KIND = "type"  # a value that does not fit its parameter's annotation
# A value no config can hold (an object, a numpy scalar) or a malformed interpolation.
VALUE_KIND = "value"
# Kinds of a tree's special keys and targets. Hydra adds ``full_key: path`` to its messages
# of the first four and of `UNBOUND_KIND` and `BINDING_KIND`.
TARGET_KIND, POLICY_KIND, FLAG_KIND, ARGS_KIND = "target", "policy", "flag", "args"
MISSING_KIND = "missing"  # a ``???`` value the construction needs
BINDING_KIND = "binding"  # instantiate's word for any binding problem but `UNBOUND_KIND`
INTERPOLATION_KIND = "interpolation"  # an interpolation that cannot be resolved
OTHER_KIND = "other"  # a problem given to `ConfigError` as text

_WITH_FULL_KEY = frozenset(
    {TARGET_KIND, POLICY_KIND, FLAG_KIND, ARGS_KIND, UNBOUND_KIND, BINDING_KIND}
)


class Problem(NamedTuple):
    """One reason a config cannot be what it says.

    ``path`` is where: a formatted config path (``model.layers[0]``) in a tree, an argument's
    path (``lr``, ``hidden[1]``, ``_args_[0]``) in one call, ``""`` for the whole tree or call.
    ``message`` is Hydra's own message for it (empty when Hydra has none), ``detail``
    lazycfg's (the cause, did-you-mean, how to fix it). ``argument`` is the call's argument the
    problem is about (a parameter name, or the index of a ``*args`` item), when it is one.
    """

    path: str
    kind: str
    message: str
    detail: str = ""
    full_key: str | None = None  # Hydra's full_key when it is not ``path`` (a call's node)
    cause: BaseException | None = None  # what Hydra chains to its error (a failed import)
    argument: str | int | None = None

    def __str__(self) -> str:
        if not self.message:  # lazycfg's words only: ``path: detail``
            return f"{self.path}: {self.detail}" if self.path else self.detail
        text = self.message
        full_key = self.path if self.full_key is None else self.full_key
        if full_key and self.kind in _WITH_FULL_KEY:
            text += f"\nfull_key: {full_key}"
        return f"{text}\n{self.path or '<root>'}: {self.detail}" if self.detail else text

    def under(self, prefix: str) -> Problem:
        """This problem of one call, with its path under the call's config path ``prefix``
        (``""`` for a call at the root)."""
        if not self.path:
            return self._replace(path=prefix or "<root>")
        return self._replace(path=f"{prefix}.{self.path}" if prefix else self.path)


def as_problem(problem: str | Problem) -> Problem:
    """A `Problem` as is; a text as a problem of kind `OTHER_KIND` whose ``str`` is the text."""
    if isinstance(problem, Problem):
        return problem
    return Problem("", OTHER_KIND, "", problem)
