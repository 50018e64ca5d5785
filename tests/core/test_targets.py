"""Target paths: the shortest public path back to the same object, and refusing the rest."""

from __future__ import annotations

import collections
import functools
import math
import os
import os.path
import pathlib

import fixtures.basic as ft
import pytest
import sklearn.ensemble
import sklearn.preprocessing
import torch

from lazycfg import TargetError
from lazycfg.core import import_path, locate


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        # Defined in private modules, re-exported by the public package.
        (sklearn.ensemble.RandomForestClassifier, "sklearn.ensemble.RandomForestClassifier"),
        (sklearn.preprocessing.StandardScaler, "sklearn.preprocessing.StandardScaler"),
        (torch.nn.Linear, "torch.nn.Linear"),
        (torch.optim.Adam, "torch.optim.Adam"),
        (collections.OrderedDict, "collections.OrderedDict"),
        (pathlib.Path, "pathlib.Path"),
        # Builtins, nested classes, functions, a module-level class.
        (dict, "builtins.dict"),
        (len, "builtins.len"),
        (ft.Outer.Inner, "fixtures.basic.Outer.Inner"),
        (ft.add, "fixtures.basic.add"),
        (ft.Pipe, "fixtures.basic.Pipe"),
        (os.path.join, "posixpath.join"),
        (pytest.fixture, "pytest.fixture"),  # defined in the private package _pytest
    ],
)
def test_import_path_is_short_and_resolves_back(obj: object, path: str) -> None:
    assert import_path(obj) == path
    assert locate(path) is obj


def test_import_path_of_a_private_module_falls_back_to_the_defining_module() -> None:
    from sklearn.ensemble import _forest

    # The public parent is preferred even when asked about the private module's own object.
    assert import_path(_forest.RandomForestClassifier) == "sklearn.ensemble.RandomForestClassifier"
    assert locate("sklearn.ensemble._forest.RandomForestClassifier") is (
        sklearn.ensemble.RandomForestClassifier
    )


def test_lambda_is_refused_with_the_fix() -> None:
    with pytest.raises(TargetError, match="lambda.*move it to module level"):
        import_path(lambda x: x)


def test_local_class_is_refused() -> None:
    class Local:
        pass

    with pytest.raises(TargetError, match="<locals>.*module level"):
        import_path(Local)


def test_object_whose_name_does_not_resolve_back_is_refused() -> None:
    shadow = type("Pipe", (), {"__module__": "fixtures.basic"})
    with pytest.raises(TargetError, match="does not resolve back"):
        import_path(shadow)


def test_object_without_a_name_is_refused() -> None:
    with pytest.raises(TargetError, match="module-level class or function"):
        import_path(functools.partial(ft.add, 1))


def test_locate_suggests_the_closest_name() -> None:
    with pytest.raises(TargetError, match="has no attribute 'Pype'.*did you mean 'Pipe'"):
        locate("fixtures.basic.Pype")


def test_locate_names_a_missing_package() -> None:
    with pytest.raises(TargetError, match="no module named 'no_such_pkg'"):
        locate("no_such_pkg.Thing")


@pytest.mark.parametrize("bad", ["", "a..b", ".a"])
def test_locate_refuses_malformed_paths(bad: str) -> None:
    with pytest.raises(TargetError):
        locate(bad)


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        (
            torch.zeros,
            "torch.zeros",
        ),  # a method of torch._VariableFunctionsClass, named torch.zeros
        (torch.ones, "torch.ones"),
        (math.sqrt, "math.sqrt"),
    ],
)
def test_builtin_functions_are_found_by_their_public_name(obj: object, path: str) -> None:
    assert import_path(obj) == path
    assert locate(path) is obj


# --- the policy judges a path before locate imports it -------------------------------------------


@pytest.mark.parametrize(
    "path", ["nt.system", "subprocess.run", "lazycfg.safety.policy.BLOCKED_NAMES"]
)
def test_locate_refuses_a_blocked_path_before_importing_it(path: str) -> None:
    # nt does not exist on this system: the refusal comes from the string alone
    with pytest.raises(TargetError, match="blocklisted|lazycfg itself"):
        locate(path)


def test_locate_refuses_what_a_path_resolves_to() -> None:
    with pytest.raises(TargetError, match="unbound method"):
        locate("pathlib.Path.write_text")
    with pytest.raises(TargetError, match="process environment"):
        locate("os.environ.update")


def test_locate_imports_nothing_outside_an_allow_list(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from lazycfg.safety import Policy

    (tmp_path / "locate_outsider.py").write_text(
        f"import pathlib\npathlib.Path({str(tmp_path / 'imported')!r}).write_text('x')\nX = 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TargetError, match="allow-list"):
        locate("locate_outsider.X", Policy(["fixtures.basic"]))
    assert "locate_outsider" not in sys.modules and not (tmp_path / "imported").exists()
    assert locate("locate_outsider.X", Policy(["locate_outsider"])) == 1
    assert (tmp_path / "imported").exists()
    del sys.modules["locate_outsider"]


def test_locate_honours_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TargetError, match="HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE=os.getcwd"):
        locate("os.getcwd")
    monkeypatch.setenv("HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE", "os.getcwd")
    assert locate("os.getcwd") is os.getcwd
