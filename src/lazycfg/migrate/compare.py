"""Comparing the two sides of a check: differences by config path, and what a composition
the original cannot make proves (see `lazycfg.migrate.verify`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_MISSING = object()


@dataclass
class Check:
    """The outcome of one comparison."""

    what: str  # "load model/mnist" or "compose train experiment=example"
    differences: list[str] = field(default_factory=list)
    note: str = ""  # why nothing was compared, when that proves nothing wrong
    unverified: str = ""  # why nothing could be compared: a failure, like a difference


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    # The converted side's loads by config path (package, defaults, body), for later checks.
    converted: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.differences or c.unverified]


def diff(original: Any, converted: Any, limit: int = 20) -> list[str]:
    """Path-level differences between two plain configs (dict order ignored)."""
    out: list[str] = []
    stack: list[tuple[str, Any, Any]] = [("", original, converted)]
    while stack and len(out) < limit:
        path, a, b = stack.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            for key in reversed([*a, *(k for k in b if k not in a)]):
                here = f"{path}.{key}" if path else str(key)
                stack.append((here, a.get(key, _MISSING), b.get(key, _MISSING)))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            stack.extend((f"{path}[{i}]", a[i], b[i]) for i in reversed(range(len(a))))
        elif a is _MISSING:
            out.append(f"{path}: only in the converted config: {b!r:.80}")
        elif b is _MISSING:
            out.append(f"{path}: missing from the converted config (original {a!r:.80})")
        elif type(a) is not type(b) or a != b:
            out.append(f"{path}: original {a!r:.80} != converted {b!r:.80}")
    return out


def _compose_checks(
    compositions: list[tuple[str, list[str]]],
    original: dict[str, Any],
    converted: dict[str, Any],
) -> list[Check]:
    """One check per composition; one the original cannot compose has proven nothing.

    An override set the original cannot compose with one primary is skipped there only when it
    composes with another (it was meant for that one); otherwise it is a failure. A primary
    with a mandatory choice (``defaults: [{db: ???}]``) cannot compose bare: it counts as
    verified through the override sets that make the choice, if one was given.
    """
    by_key = {" ".join([p, *o]): (p, o) for p, o in compositions}
    fitting = {tuple(o) for key, (_, o) in by_key.items() if _error(original[key]) is None}
    chosen: dict[str, int] = {}
    for key, (primary, overrides) in by_key.items():
        if overrides and _error(original[key]) is None:
            chosen[primary] = chosen.get(primary, 0) + 1
    checks: list[Check] = []
    for key, (primary, overrides) in by_key.items():
        check = Check(f"compose {key}")
        error = _error(original[key])
        choice = _mandatory_choice(error)
        if error is None:
            check.differences = _differences(original[key], converted[key])
        elif overrides and tuple(overrides) in fitting:
            check.note = f"skipped: the original does not compose ({error})"
        elif choice and not overrides and chosen.get(primary):
            n = chosen[primary]
            check.note = (
                f"a choice of {choice!r} is mandatory ({choice}: ???): verified through the "
                f"{n} --override set{'s' if n > 1 else ''} that choose{'' if n > 1 else 's'} it"
            )
        elif choice and not overrides:
            check.unverified = (
                f"a choice of {choice!r} is mandatory ({choice}: ???) and no --override set "
                f"composes {primary}: give one, e.g. --override {choice}=<option>"
            )
        else:
            check.unverified = f"could not compose {key} on the original: {error}"
        checks.append(check)
    return checks


def _one_error(exc: BaseException) -> str:
    """An exception as one report line: its type and its first line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _mandatory_choice(error: str | None) -> str | None:
    """The group of Hydra's "You must specify 'db'" error (a ``???`` choice), else None."""
    marker = "You must specify '"
    if error is None or marker not in error:
        return None
    return error.split(marker, 1)[1].split("'", 1)[0]


def _differences(original: Any, converted: Any) -> list[str]:
    """`diff`, or the converted side's own error when only it failed (the real exception, not
    a list of everything missing)."""
    error = _error(converted)
    if error is not None and _error(original) is None:
        return [f"the converted side fails: {error}"]
    return diff(original, converted)


def _error(composed: Any) -> str | None:
    """The error `_composed` recorded instead of a config, or None if it composed."""
    if isinstance(composed, dict) and set(composed) == {"error"}:
        return str(composed["error"])
    return None
