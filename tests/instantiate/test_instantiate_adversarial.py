"""Hostile configs, one attack class at a time, through every door a config comes in by.

Each attack is tried as a dict, a DictConfig, YAML read by OmegaConf, YAML read by
``from_config`` (targets resolved, and left as strings), under ``allow=`` lists that name the
attacked module, and on the command line of a real Hydra app. Each must be refused, and a marker
proves that nothing ran: a file the payload would have written or deleted, the process
environment, the policy's own state, a shared module-level list.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fixtures.safety
import pytest
import yaml
from hydra.errors import InstantiationException
from omegaconf import OmegaConf

import lazycfg
import lazycfg.safety.policy

PWN = "LAZYCFG_ADVERSARIAL_PWN"
REFUSED = (InstantiationException, lazycfg.ConfigError)


def get(path: str) -> dict[str, Any]:
    return {"_target_": "hydra.utils.get_object", "path": path}


def path(where: Path) -> dict[str, Any]:
    return {"_target_": "pathlib.Path", "_args_": [str(where)]}


@dataclass(frozen=True)
class Attack:
    name: str
    config: Callable[[Path], dict[str, Any]]  # given the marker path
    module: str  # what an allow-list would have to name to let the target's module in


def _shell(marker: Path) -> str:
    return f"touch {marker}"


ATTACKS = [
    # switching the policy off from a config, then running os.system in a second node
    Attack(
        "module-setattr",
        lambda m: {
            "_target_": "types.ModuleType.__setattr__",
            "_args_": [get("lazycfg.safety.policy"), "BLOCKED_NAMES", []],
        },
        "types",
    ),
    Attack(
        "object-setattr",
        lambda m: {
            "_target_": "builtins.object.__setattr__",
            "_args_": [get("fixtures.safety"), "SETTINGS", {}],
        },
        "builtins",
    ),
    Attack(
        "bound-setattr",
        lambda m: {
            "_target_": "lazycfg.safety.policy.__setattr__",
            "_args_": ["BLOCKED_NAMES", []],
        },
        "lazycfg",
    ),
    Attack(
        "type-setattr",
        lambda m: {
            "_target_": "builtins.type.__setattr__",
            "_args_": [{"_target_": "hydra.utils.get_class", "path": "fixtures.safety.Model"}],
        },
        "builtins",
    ),
    Attack(
        "setattr", lambda m: {"_target_": "builtins.setattr", "_args_": ["x", "y", 1]}, "builtins"
    ),
    Attack(
        "policy-state",
        lambda m: {"_target_": "lazycfg.safety.policy.Policy", "_args_": [None]},
        "lazycfg",
    ),
    Attack("policy-module", lambda m: get("lazycfg.safety.policy"), "lazycfg"),
    # the process environment
    Attack(
        "environ-update", lambda m: {"_target_": "os.environ.update", "_args_": [{PWN: "1"}]}, "os"
    ),
    Attack(
        "environ-setitem",
        lambda m: {"_target_": "os.environ.__setitem__", "_args_": [PWN, "1"]},
        "os",
    ),
    Attack(
        "environ-setdefault",
        lambda m: {"_target_": "os.environ.setdefault", "_args_": [PWN, "1"]},
        "os",
    ),
    Attack(
        "environ-dict-update",
        lambda m: {"_target_": "builtins.dict.update", "_args_": [get("os.environ"), {PWN: "1"}]},
        "builtins",
    ),
    Attack("putenv", lambda m: {"_target_": "os.putenv", "_args_": [PWN, "1"]}, "os"),
    # unbound methods and method descriptors
    Attack(
        "path-write-text",
        lambda m: {"_target_": "pathlib.Path.write_text", "_args_": [path(m), "pwned"]},
        "pathlib",
    ),
    Attack(
        "path-touch", lambda m: {"_target_": "pathlib.Path.touch", "_args_": [path(m)]}, "pathlib"
    ),
    Attack(
        "path-unlink",
        lambda m: {"_target_": "pathlib.Path.unlink", "_args_": [path(m.with_name("victim"))]},
        "pathlib",
    ),
    Attack(
        "list-append",
        lambda m: {
            "_target_": "builtins.list.append",
            "_args_": [get("fixtures.safety.REGISTRY"), 1],
        },
        "builtins",
    ),
    Attack(
        "instance-method",
        lambda m: {"_target_": "fixtures.safety.Model.grow", "_args_": [{}, 1]},
        "fixtures.safety",
    ),
    Attack(
        "in-place-operator",
        lambda m: {"_target_": "operator.iadd", "_args_": [get("fixtures.safety.REGISTRY"), [1]]},
        "operator",
    ),
    Attack(
        "metaclass-method",
        lambda m: {"_target_": "fixtures.safety.Base.register", "_args_": [get("builtins.int")]},
        "fixtures.safety",
    ),
    Attack(
        "metaclass", lambda m: {"_target_": "builtins.type", "_args_": ["X", [], {}]}, "builtins"
    ),
    # processes, by every door
    Attack("os-system", lambda m: {"_target_": "os.system", "_args_": [_shell(m)]}, "os"),
    Attack("posix-system", lambda m: {"_target_": "posix.system", "_args_": [_shell(m)]}, "posix"),
    Attack(
        "asyncio-subprocess",
        lambda m: {
            "_target_": "asyncio.run",
            "_args_": [{"_target_": "asyncio.create_subprocess_shell", "_args_": [_shell(m)]}],
        },
        "asyncio",
    ),
    Attack(
        "pty-spawn", lambda m: {"_target_": "pty.spawn", "_args_": [["sh", "-c", _shell(m)]]}, "pty"
    ),
    Attack(
        "posix-spawn",
        lambda m: {"_target_": "os.posix_spawnp", "_args_": ["touch", ["touch", str(m)], {}]},
        "os",
    ),
    Attack(
        "multiprocessing",
        lambda m: {"_target_": "multiprocessing.Process", "target": get("os.system")},
        "multiprocessing",
    ),
    Attack(  # a private standard-library helper that runs a shell command
        "private-stdlib",
        lambda m: {"_target_": "_osx_support._read_output", "_args_": [_shell(m)]},
        "_osx_support",
    ),
    Attack(
        "discovered-system",
        lambda m: {"_target_": "hydra.utils.get_method", "path": "os.system"},
        "hydra",
    ),
]
IDS = [attack.name for attack in ATTACKS]


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    """The file a payload would write; ``victim`` next to it is one it would delete. After the
    test: neither written nor deleted, the environment and shared state untouched."""
    victim = tmp_path / "victim"
    victim.write_text("keep")
    names, prefixes = lazycfg.safety.policy.BLOCKED_NAMES, lazycfg.safety.policy.BLOCKED_PREFIXES
    yield tmp_path / "MARKER"
    assert not (tmp_path / "MARKER").exists(), "a payload wrote its marker"
    assert victim.read_text() == "keep", "a payload deleted or changed a file"
    assert PWN not in os.environ, "a payload changed the process environment"
    assert (
        lazycfg.safety.policy.BLOCKED_NAMES is names
        and lazycfg.safety.policy.BLOCKED_PREFIXES is prefixes
    )
    assert fixtures.safety.REGISTRY == [] and fixtures.safety.SETTINGS == {"mode": "safe"}
    assert "register" not in vars(fixtures.safety.Base) and not issubclass(int, fixtures.safety.Base)


def _with_second_node(config: dict[str, Any], marker: Path) -> dict[str, Any]:
    """The attack first, then a node that would run a shell if the first one got through."""
    return {"attack": config, "then": {"_target_": "os.system", "_args_": [_shell(marker)]}}


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_refused_as_dict_and_dictconfig(attack: Attack, marker: Path) -> None:
    config = {"attack": attack.config(marker)}
    for form in (config, OmegaConf.create(config)):
        with pytest.raises(REFUSED) as info:
            lazycfg.instantiate(form)
        assert "attack" in str(info.value)
    with pytest.raises(REFUSED):
        lazycfg.instantiate(_with_second_node(attack.config(marker), marker))
    with pytest.raises(REFUSED):  # a later call is judged by the same, unchanged policy
        lazycfg.instantiate({"_target_": "os.system", "_args_": [_shell(marker)]})


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_refused_from_yaml(attack: Attack, marker: Path) -> None:
    text = yaml.safe_dump({"model": attack.config(marker)})
    with pytest.raises(REFUSED):
        lazycfg.instantiate(OmegaConf.create(text))
    with pytest.raises(REFUSED):  # read with targets resolved: refused while reading, or after
        lazycfg.instantiate(lazycfg.from_config(text))
    with pytest.raises(REFUSED):  # targets left as strings: judged before import when built
        lazycfg.instantiate(lazycfg.from_config(text, resolve_targets=False))


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_an_allow_list_cannot_widen_the_policy(attack: Attack, marker: Path) -> None:
    config = {"attack": attack.config(marker)}
    for allow in (["fixtures.safety"], [attack.module, "hydra", "pathlib", "fixtures.safety"]):
        with pytest.raises(REFUSED):
            lazycfg.instantiate(config, allow=allow)
        with pytest.raises(REFUSED):
            lazycfg.instantiate(OmegaConf.create(config), allow=allow)


def test_legitimate_kinds_of_targets_still_build() -> None:
    import datetime
    import http
    from pathlib import PurePosixPath

    import torch

    built = lazycfg.instantiate(
        {
            "cls": {"_target_": "fixtures.safety.Model", "size": 2},
            "classmethod": {"_target_": "fixtures.safety.Model.from_config", "size": 3},
            "staticmethod": {"_target_": "fixtures.safety.Model.scaled", "size": 4},
            "function": {"_target_": "fixtures.safety.build", "size": 5},
            "builtin": {"_target_": "torch.zeros", "_args_": [2]},
            "c_classmethod": {"_target_": "builtins.dict.fromkeys", "_args_": [["a"]]},
            "enum": {"_target_": "http.HTTPStatus", "_args_": [404]},
            "path": {"_target_": "pathlib.PurePosixPath", "_args_": ["a/b"]},
            "class_value": {"_target_": "hydra.utils.get_class", "path": "datetime.date"},
            "now": {"_target_": "datetime.datetime.now"},
        }
    )
    assert [built[k].size for k in ("cls", "classmethod")] == [2, 3]
    assert (built["staticmethod"], built["function"].size) == (8, 5)
    assert torch.equal(built["builtin"], torch.zeros(2)) and built["c_classmethod"] == {"a": None}
    assert built["enum"] is http.HTTPStatus.NOT_FOUND and built["path"] == PurePosixPath("a/b")
    assert built["class_value"] is datetime.date and isinstance(built["now"], datetime.datetime)


# --- allow=: judged on the string, before any import ---------------------------------------------


@pytest.fixture
def outsider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A module outside every allow-list: importing it, or looking up its enum (``_missing_``),
    leaves a marker file."""
    name = f"outsider_{abs(hash(tmp_path)) % 10**8}"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            f"""
            import enum, pathlib
            pathlib.Path({str(tmp_path / "imported")!r}).write_text("x")

            class Color(enum.Enum):
                RED = "red"

                @classmethod
                def _missing_(cls, value):
                    pathlib.Path({str(tmp_path / "looked-up")!r}).write_text("x")
                    return cls.RED

            def run(x=1):
                pathlib.Path({str(tmp_path / "ran")!r}).write_text("x")
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, tmp_path
    assert name not in sys.modules, "a module outside the allow-list was imported"
    assert not {"imported", "looked-up", "ran"} & {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize(
    "node",
    [
        {"_target_": "{m}.Color", "_args_": ["blue"]},  # an enum lookup
        {"_target_": "{m}.run"},
        {"_target_": "hydra.utils.get_class", "path": "{m}.Color"},
        {"_target_": "fixtures.safety.build", "size": {"_target_": "{m}.run", "_partial_": True}},
    ],
    ids=["enum-lookup", "function", "discovery", "nested-partial"],
)
def test_allow_list_imports_nothing_outside_it(node: dict[str, Any], outsider: Any) -> None:
    name, _ = outsider
    config = yaml.safe_load(yaml.safe_dump(node).replace("{m}", name))
    for form in (config, OmegaConf.create(config), OmegaConf.create(yaml.safe_dump(config))):
        with pytest.raises(REFUSED, match="allow-list"):
            lazycfg.instantiate(form, allow=["fixtures.safety"])
    lazy = lazycfg.from_config(config, resolve_targets=False)
    with pytest.raises(REFUSED, match="allow-list"):
        lazycfg.instantiate(lazy, allow=["fixtures.safety"])


def test_allowed_module_is_imported_and_runs(outsider: Any) -> None:
    name, where = outsider
    built = lazycfg.instantiate({"_target_": f"{name}.Color", "_args_": ["red"]}, allow=[name])
    assert built.value == "red" and (where / "imported").exists()
    (where / "imported").unlink()
    del sys.modules[name]  # the fixture checks nothing else imported it


# --- HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE --------------------------------------------------------


def test_override_admits_exactly_the_named_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    config = {
        "cwd": {"_target_": "os.getcwd"},
        "kill": {"_target_": "posix.kill", "_partial_": True},
    }
    with pytest.raises(
        InstantiationException, match="HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE=os.getcwd"
    ):
        lazycfg.instantiate(config)
    monkeypatch.setenv("HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE", "os.getcwd:os.kill")
    built = lazycfg.instantiate(config)  # the canonical name admits its posix alias too
    assert built["cwd"] == os.getcwd() and built["kill"].func is os.kill
    # Hydra 1.3.5's tests expect the override to admit even its execution targets
    monkeypatch.setenv("HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE", "builtins.eval")
    assert lazycfg.instantiate({"_target_": "builtins.eval", "_args_": ["1+2"]}) == 3
    monkeypatch.setenv("HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE", "os.getcw:os")  # no prefixes
    with pytest.raises(InstantiationException, match="blocklisted"):
        lazycfg.instantiate(config)
    monkeypatch.delenv("HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE")
    with pytest.raises(InstantiationException, match="blocklisted"):  # verdicts follow the env
        lazycfg.instantiate(config)


@pytest.mark.parametrize(
    "target",
    [
        "pathlib.Path.write_text",  # what the object is
        "os.environ.update",
        "lazycfg.safety.policy.Policy",  # lazycfg's own state
        "hydra._internal.utils.run_and_report",  # Hydra's protected references
    ],
)
def test_override_never_admits_what_is_refused_by_kind(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYDRA_INSTANTIATE_ALLOWLIST_OVERRIDE", target)
    with pytest.raises(REFUSED):
        lazycfg.instantiate({"_target_": target, "_partial_": True})


def test_policy_state_is_immutable() -> None:
    from lazycfg.safety import policy_for

    safety = lazycfg.safety.policy
    assert isinstance(safety.BLOCKED_NAMES, frozenset) and isinstance(
        safety.BLOCKED_PREFIXES, tuple
    )
    assert isinstance(safety.DISCOVERY_TARGETS, frozenset) and isinstance(
        safety.PATH_CLASSES, frozenset
    )
    policy = policy_for(["fixtures.safety"])
    assert isinstance(policy.allow, tuple) and isinstance(policy.override, frozenset)
    with pytest.raises(AttributeError):
        policy.extra = 1  # type: ignore[attr-defined]


# --- a real Hydra app's command line -------------------------------------------------------------

APP = """
import os
import lazycfg
from lazycfg.app import main

@main(version_base="1.3", config_path="conf", config_name="config")
def task(cfg):
    lazycfg.instantiate(cfg)
    print("BUILT", os.environ.get({pwn!r}))

if __name__ == "__main__":
    task()
"""


@pytest.mark.parametrize(
    "overrides",
    [
        ["+x._target_=os.system", "+x._args_=['touch {marker}']"],
        ["model._target_=os.system", "+model._args_=['touch {marker}']"],
        [
            "+x._target_=pathlib.Path.write_text",
            "+x._args_=[{{_target_:pathlib.Path,_args_:['{marker}']}},x]",
        ],
        [
            "model._target_=pathlib.Path.unlink",
            "+model._args_=[{{_target_:pathlib.Path,_args_:['{victim}']}}]",
        ],
        ["model._target_=os.environ.update", "+model._args_=[{{" + PWN + ":'1'}}]"],
        [
            "+x._target_=types.ModuleType.__setattr__",
            "+x._args_=[{{_target_:hydra.utils.get_object,path:lazycfg.safety.policy}},BLOCKED_NAMES,[]]",
        ],
        [
            "+x._target_=asyncio.run",
            "+x._args_=[{{_target_:asyncio.create_subprocess_shell,_args_:['touch {marker}']}}]",
        ],
    ],
    ids=["new-key", "replaced-target", "write-text", "unlink", "environ", "setattr", "asyncio"],
)
def test_refused_on_a_hydra_app_command_line(overrides: list[str], marker: Path) -> None:
    app = marker.parent / "app"
    (app / "conf").mkdir(parents=True)
    (app / "app.py").write_text(APP.format(pwn=PWN))
    (app / "conf" / "config.yaml").write_text(
        "model:\n  _target_: fixtures.safety.Model\n  size: 2\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), *sys.path])}
    args = [o.format(marker=marker, victim=marker.with_name("victim")) for o in overrides]
    result = subprocess.run(
        [sys.executable, str(app / "app.py"), *args, f"hydra.run.dir={app / 'run'}"],
        cwd=app,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0 and "BUILT" not in result.stdout, result.stdout
    assert "nothing was built" in result.stderr, result.stderr


# --- never laxer than Hydra ----------------------------------------------------------------------


def _hydra_listed_targets() -> list[str]:
    """Every dotted name the installed Hydra's target policy lists (read here only to test)."""
    from hydra._internal import target_policy as hydra_policy

    names: set[str] = set()
    for value in vars(hydra_policy).values():
        if isinstance(value, frozenset) and all(isinstance(v, str) for v in value):
            names |= {v for v in value if "." in v}
    prefixes = hydra_policy.UNCONTROLLED_EXECUTION_TARGET_PREFIXES
    names |= {f"{p}x" if p.endswith(".") else f"{p}v" for p in prefixes}
    return sorted(names)


def test_refuses_at_least_what_hydra_refuses() -> None:
    import hydra.utils

    laxer = []
    for name in _hydra_listed_targets():
        config = {"_target_": name, "_partial_": True}  # a partial: nothing is called
        try:
            hydra.utils.instantiate(config)
        except Exception:
            try:
                lazycfg.instantiate(config)
            except REFUSED:
                continue
            laxer.append(name)
    assert laxer == []


def test_hydra_lists_changed_at_run_time_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from hydra._internal import target_policy as hydra_policy

    from lazycfg.safety import Policy

    # lazycfg judges under the snapshot of Hydra's lists it took (and Hydra verified) at import
    monkeypatch.setattr(hydra_policy, "UNCONTROLLED_EXECUTION_TARGETS", frozenset())
    monkeypatch.setattr(hydra_policy, "DEFAULT_BLOCKLISTED_MODULES", frozenset())
    for name in ("builtins.exec", "os.system", "os.remove", "runpy.run_path"):
        assert "blocklisted" in (Policy(None).admit_name(name) or "")


def test_a_shared_objects_method_runs_only_when_named_exactly_in_allow() -> None:
    config = {"_target_": "random.randint", "_partial_": True}
    with pytest.raises(InstantiationException, match=r"allow=\['random.randint'\]"):
        lazycfg.instantiate(config)  # Hydra builds it; lazycfg refuses by default, saying how
    with pytest.raises(InstantiationException, match="bound to a shared Random object"):
        lazycfg.instantiate(config, allow=["random"])  # a module prefix is not enough
    assert lazycfg.instantiate(config, allow=["random.randint"])(3, 3) == 3
    # the environment and unbound methods stay refused, however exactly they are named
    environ = {"_target_": "os.environ.update", "_args_": [{"LAZYCFG_ADVERSARIAL": "1"}]}
    with pytest.raises(InstantiationException):
        lazycfg.instantiate(environ, allow=["os.environ.update"])
    assert "LAZYCFG_ADVERSARIAL" not in os.environ
    writer = {"_target_": "pathlib.Path.write_text", "_args_": ["marker", "x"]}
    with pytest.raises(InstantiationException, match="unbound method"):
        lazycfg.instantiate(writer, allow=["pathlib.Path.write_text"])
