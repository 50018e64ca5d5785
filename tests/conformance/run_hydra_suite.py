"""Run Hydra's own ``tests/instantiate`` (v1.3.5) twice, against Hydra and against lazycfg.

Usage: ``python tests/conformance/run_hydra_suite.py [--keep-going]``

The suite lives outside the repository, in ``shared/conformance/hydra-1.3.5/`` next to an
ancestor of this checkout (override with ``LAZYCFG_CONFORMANCE_DIR``). It needs pytest 7, so it
runs in a venv of its own, ``.venv-conformance`` at the checkout root, created once: pytest<8,
attrs, the hydra-core of the interpreter running this script, and this checkout's lazycfg
installed editable (so the venv always runs this checkout's source). The suite is copied to a
temporary directory (it is read-only) and run plain, then with ``-p lazycfg_swap``, which puts
`lazycfg.instantiate` where Hydra's ``instantiate_func`` fixture reads it.

Exit status 0 only when every case passes with lazycfg except the one that calls Hydra's own
``_resolve_target`` instead of ``instantiate`` (it fails with Hydra 1.3.8 as well).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import venv
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV = ROOT / ".venv-conformance"
SUITE = "hydra-1.3.5"
# Calls hydra._internal.instantiate._instantiate2._resolve_target, not instantiate.
NOT_INSTANTIATE = {"test_allowlist_works_for_prefix_blocked_target"}
# Cases about the safety policy's allow/block lists (counted apart in the summary).
POLICY_WORDS = ("allowlist", "blocklist", "blocked", "ALLOWLIST")


def find_suite() -> Path:
    """The read-only suite directory; exits with a clear message when it is not there."""
    override = os.environ.get("LAZYCFG_CONFORMANCE_DIR")
    candidates = [Path(override)] if override else []
    candidates += [p / "shared" / "conformance" / SUITE for p in ROOT.parents]
    for path in candidates:
        if (path / "tests" / "instantiate").is_dir():
            return path
    sys.exit(
        f"conformance: Hydra's suite not found; looked for shared/conformance/{SUITE} next to "
        f"every ancestor of {ROOT}"
        + (f" and in LAZYCFG_CONFORMANCE_DIR={override}" if override else "")
        + ". Put the shared folder back (see its README) or set LAZYCFG_CONFORMANCE_DIR."
    )


def requirements() -> list[str]:
    try:
        hydra = f"hydra-core=={metadata.version('hydra-core')}"
    except metadata.PackageNotFoundError:
        hydra = "hydra-core>=1.3.2,<1.4"
    return ["pytest<8", "attrs", hydra, "-e", str(ROOT)]


def ensure_venv() -> Path:
    """``.venv-conformance`` with the requirements installed; reinstalled when they change."""
    python = VENV / "bin" / "python"
    wanted = requirements()
    key = hashlib.sha256(
        "\n".join([*wanted, (ROOT / "pyproject.toml").read_text()]).encode()
    ).hexdigest()
    stamp = VENV / ".installed"
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    print(f"conformance: creating {VENV.name} ({' '.join(wanted)})", flush=True)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *wanted], check=True)
    stamp.write_text(key)
    return python


def writable_copy(suite: Path, into: Path) -> Path:
    """Copy the read-only suite so pytest may write beside it (``__pycache__``)."""
    copy = into / SUITE
    shutil.copytree(suite, copy)
    for path in [copy, *copy.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return copy


def run_suite(python: Path, suite: Path, plugin: str | None, report: Path) -> dict[str, str]:
    """Run pytest on the suite; {case id: "passed" | "failed" | "skipped" | ...}."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(HERE)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["--junitxml", str(report), "tests/instantiate"]
    if plugin:
        command += ["-p", plugin]
    done = subprocess.run(command, cwd=suite, env=env, capture_output=True, text=True)
    if not report.exists():
        sys.exit(f"conformance: pytest did not run:\n{done.stdout}\n{done.stderr}")
    return read_report(report)


def read_report(report: Path) -> dict[str, str]:
    """Outcomes by case id from a junit XML report, with the first line of each failure."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                message = (child.get("message") or "").strip().splitlines()
                outcome = "failed: " + (message[0][:160] if message else child.tag)
                break
            if child.tag == "skipped":
                outcome = "skipped"
        outcomes[name] = outcome
    return outcomes


def is_policy_case(case: str) -> bool:
    return any(word in case for word in POLICY_WORDS)


def summary(plain: dict[str, str], swapped: dict[str, str]) -> tuple[str, list[str]]:
    """The printed summary and the cases that fail with lazycfg and are not excused."""
    passed_plain = {c for c, o in plain.items() if o == "passed"}
    passed = {c for c, o in swapped.items() if o == "passed"}
    failing = sorted(c for c in swapped if c not in passed)
    unexcused = [c for c in failing if c.split("::")[1].split("[")[0] not in NOT_INSTANTIATE]
    policy = [c for c in swapped if is_policy_case(c)]
    lines = [
        f"Hydra's tests/instantiate ({SUITE}): {len(swapped)} cases",
        f"  hydra-core instantiate: {len(passed_plain)} pass",
        f"  lazycfg.instantiate:    {len(passed)} pass "
        f"(allow/block-list cases: {sum(c in passed for c in policy)} of {len(policy)})",
        f"  pass with Hydra, fail with lazycfg: {len(passed_plain - passed)}",
        f"  fail with Hydra, pass with lazycfg: {len(passed - passed_plain)}",
    ]
    if failing:
        lines.append("Failing with lazycfg:")
        for case in failing:
            excused = "" if case in unexcused else "  (expected: not an instantiate call)"
            lines.append(f"  {case}{excused}\n      {swapped[case]}")
    return "\n".join(lines), unexcused


def main() -> int:
    suite = find_suite()
    python = ensure_venv()
    with tempfile.TemporaryDirectory(prefix="lazycfg-conformance-") as tmp:
        copy = writable_copy(suite, Path(tmp))
        plain = run_suite(python, copy, None, Path(tmp) / "plain.xml")
        swapped = run_suite(python, copy, "lazycfg_swap", Path(tmp) / "lazycfg.xml")
    if len(plain) < 400:
        sys.exit(f"conformance: only {len(plain)} cases collected; is the suite complete?")
    text, unexcused = summary(plain, swapped)
    print(text)
    if unexcused:
        print(f"conformance: FAILED, {len(unexcused)} case(s) fail with lazycfg")
        return 1
    print("conformance: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
