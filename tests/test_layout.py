"""The package's layout: no import cycles, no layer importing one above it, small modules.

The import graph is read from the source (``ast``), module-level and function-local imports
alike, so an upward import hidden inside a function is found as surely as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# The layers, lowest first: a module may import its own layer and the ones before it only.
# A subpackage is one layer unless a module is named here on its own.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("lazycfg.core.caches",),  # weakly keyed, bounded caches: imports nothing of lazycfg
    ("lazycfg.safety",),  # which targets a config may name: names and objects, nothing else
    ("lazycfg.core",),  # the Lazy node, the walk, target names, reprs, errors
    ("lazycfg.check",),  # signature specs, annotation checkers, leaf values
    ("lazycfg.define",),  # lazy, partial, Partial, replace
    ("lazycfg.emit",),  # to_dict/to_config/to_yaml, from_config, renames
    ("lazycfg.instantiate",),  # plan, run, Hydra-compatible errors
    ("lazycfg.factory",),  # @factory: decorator, call runtime, source rewrite, knobs
    ("lazycfg.codegen",),  # to_python
    ("lazycfg.migrate",),  # YAML tree -> Python factories
    ("lazycfg.track",),  # flatten/diff/fingerprint, graph, notebook display, show/diff commands
    ("lazycfg.hydra",),  # store, overrides, app, task, callback
    # The top: the public API, the paths users import by name, the console script.
    ("lazycfg", "lazycfg.app", "lazycfg.callback", "lazycfg.cli", "lazycfg.__main__"),
)

# Upward imports kept on purpose, each function-local (importer, imported). Keep this short.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}

# Function-local imports that close a cycle inside one layer, kept on purpose. Keep this short.
ALLOWED_CYCLE_EDGES: dict[tuple[str, str], str] = {
}

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Over the limits today, to be split: (module, function, or "" for the module itself).
TOO_LONG: set[tuple[str, str]] = {
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "lazycfg").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The lazycfg modules ``path`` imports, anywhere in it (top level or inside functions)."""
    out: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    # Imports under ``if TYPE_CHECKING:`` are read by type checkers only, never run.
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "lazycfg":
                continue
            for alias in node.names:  # ``from lazycfg.x import y``: y may be a module
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "lazycfg")
        assert not (isinstance(node, ast.ImportFrom) and node.level), f"{path}: relative import"
    return out


def _graph() -> dict[str, set[str]]:
    return {name: _imports(path) - {name} for name, path in MODULES.items()}


def _layer(module: str) -> int:
    best, at = -1, -1
    for index, names in enumerate(LAYERS):
        for prefix in names:
            exact = module == prefix
            if (exact or module.startswith(prefix + ".")) and len(prefix) > best:
                best, at = len(prefix) + (1 if exact else 0), index
    assert at >= 0, f"{module} is in no layer: add it to LAYERS"
    return at


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        _layer(module)


def test_no_layer_imports_one_above_it() -> None:
    upward = sorted(
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(module) and (module, target) not in ALLOWED_UPWARD
    )
    assert upward == []


def test_the_allowed_upward_imports_are_still_needed_and_function_local() -> None:
    graph = _graph()
    for module, target in {**ALLOWED_UPWARD, **ALLOWED_CYCLE_EDGES}:
        assert target in graph[module], f"{module} no longer imports {target}: drop the entry"
        top = ast.parse(MODULES[module].read_text()).body
        for node in top:
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
                assert target not in names, f"{module} imports {target} at module level"


def test_the_import_graph_has_no_cycle() -> None:
    allowed = {**ALLOWED_UPWARD, **ALLOWED_CYCLE_EDGES}
    graph = {m: {t for t in ts if (m, t) not in allowed} for m, ts in _graph().items()}
    # Iterative depth-first search; a grey node met again closes a cycle.
    colour: dict[str, int] = {}
    for root in graph:
        if colour.get(root):
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(graph[root]))]
        colour[root] = 1
        while stack:
            module, todo = stack[-1]
            if not todo:
                colour[module] = 2
                stack.pop()
                continue
            target = todo.pop()
            if colour.get(target) == 1:
                cycle = [m for m, _ in stack]
                cycle = [*cycle[cycle.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if not colour.get(target) and target in graph:
                colour[target] = 1
                stack.append((target, sorted(graph[target])))


def test_the_cycle_check_finds_a_cycle() -> None:
    # The checks above would pass on an empty graph; make sure they read this one.
    graph = _graph()
    assert "lazycfg.core.node" in graph["lazycfg.emit.convert"]
    assert _layer("lazycfg.instantiate.plan") > _layer("lazycfg.core.node")
    assert _layer("lazycfg.callback") == len(LAYERS) - 1


def _function_lengths(tree: ast.AST) -> list[tuple[str, int]]:
    """(name, lines) of every function, counted from its first statement after the docstring
    to its end: the signature and the docstring (a public entry point's is the user's
    reference) are not code to split."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if len(body) > 1 and _is_docstring(body[0]):
                body = body[1:]
            first = body[0]
            start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", []))])
            end = node.end_lineno or node.lineno
            out.append((node.name, end - start + 1))
    return out


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def test_a_function_is_measured_from_its_first_statement_after_the_docstring() -> None:
    source = 'def f(\n    a,\n):\n    """Doc.\n\n    More."""\n    x = a\n    return x\n'
    assert _function_lengths(ast.parse(source)) == [("f", 2)]
    assert _function_lengths(ast.parse('def g():\n    "Doc."\n')) == [("g", 1)]


def test_modules_and_functions_are_small() -> None:
    over = []
    for module, path in MODULES.items():
        text = path.read_text()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES and (module, "") not in TOO_LONG:
            over.append(f"{module}: {lines} lines")
        for name, length in _function_lengths(ast.parse(text)):
            if length > MAX_FUNCTION_LINES and (module, name) not in TOO_LONG:
                over.append(f"{module}.{name}: {length} lines")
    assert over == []


def test_the_allow_list_of_long_code_is_current() -> None:
    lengths = {}
    for module, path in MODULES.items():
        text = path.read_text()
        lengths[(module, "")] = len(text.splitlines())
        for name, length in _function_lengths(ast.parse(text)):
            lengths[(module, name)] = max(length, lengths.get((module, name), 0))
    limit = {True: MAX_MODULE_LINES, False: MAX_FUNCTION_LINES}
    stale = [key for key in TOO_LONG if lengths.get(key, 0) <= limit[key[1] == ""]]
    assert stale == [], "now within the limits: remove from TOO_LONG"


# --- the tests go through the public API and the subpackages' own ---------------------------

TESTS = Path(__file__).resolve().parent
# The paths users import by name (and the console script's module); a subpackage's own
# ``__init__`` (``lazycfg.check``, ``lazycfg.track``, ...) is its API for the tests too.
USER_PATHS = ("lazycfg", "lazycfg.app", "lazycfg.callback", "lazycfg.cli")
# Tests that reach into a module on purpose, for state or a code path no API shows:
# (test file under tests/, module) -> why. Keep this short.
REACHING_IN: dict[tuple[str, str], str] = {
    ("test_depth.py", "lazycfg.emit.renames"): "a spy on apply_renames counts path spellings",
    ("test_depth.py", "lazycfg.track.flat"): "unflatten's two readings compared with each other",
    ("hydra/test_task.py", "lazycfg.factory.knobs"): "a fresh worker: the link registry emptied",
    ("instantiate/test_instantiate_adversarial.py", "lazycfg.safety.policy"): (
        "configs that attack the policy module's own state, which the test reads back"
    ),
    ("instantiate/test_instantiate_omega.py", "lazycfg.instantiate.omega"): (
        "the fast layout and its OmegaConf fallback, each forced by patching the layout probe"
    ),
    ("instantiate/test_instantiate_omega.py", "lazycfg.instantiate.read"): (
        "the fast reading and its to_container fallback, each forced by patching the probe"
    ),
    ("migrate/test_migrate_realtrees.py", "lazycfg.migrate.compare"): (
        "a converted side that raises, which no small real tree provokes"
    ),
    ("migrate/test_migrate_safety.py", "lazycfg.migrate.output"): (
        "a file that appears between staging and publishing"
    ),
    ("migrate/test_migrate_startup.py", "lazycfg.factory.rewrite_cache"): "the cache's bound",
    ("migrate/test_migrate_verify.py", "lazycfg.migrate.verify"): (
        "the loading shortcut compared with Hydra's own, and one side replaced"
    ),
    ("core/test_caches.py", "lazycfg.check.checkers"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_caches.py", "lazycfg.check.signature"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_caches.py", "lazycfg.core.caches"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_caches.py", "lazycfg.core.targets"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_caches.py", "lazycfg.factory.rewrite_cache"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_caches.py", "lazycfg.instantiate.engine"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_caches.py", "lazycfg.migrate.class_names"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_caches.py", "lazycfg.safety.policy"): "a cache's bound and its weak keys, which no API shows",
    ("core/test_node.py", "lazycfg.core.views"): "the display hooks before the top installs them",
    ("core/test_node.py", "lazycfg.track.notebook"): "the display hooks the top installs",
    ("migrate/test_migrate_extends.py", "lazycfg.migrate.extend"): (
        "a wrong merge forced, to show the fallback to the literal form"
    ),
    ("migrate/test_migrate_jsonargparse.py", "lazycfg.migrate.jsonargparse_check"): (
        "the check's messages, and the class_path form written back (a property)"
    ),
    ("migrate/test_migrate_jsonargparse.py", "lazycfg.migrate.readers"): (
        "one file read as jsonargparse reads it, without a tree"
    ),
}


def _bound_names(path: Path) -> set[str]:
    """The names a module binds at its top level (``lazycfg.migrate`` binds ``verify``, the
    function, over its submodule of that name)."""
    bound = set()
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.ImportFrom):  # a submodule imported by name stays a module
            modules = {a.name for a in node.names if f"{node.module}.{a.name}" in MODULES}
            bound.update(a.asname or a.name for a in node.names if a.name not in modules)
        elif isinstance(node, ast.Import):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
    return bound


def _reached_into() -> set[tuple[str, str]]:
    """(test file, module) for every import under tests/ of a lazycfg module that is neither a
    path users import nor a subpackage's ``__init__``."""
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    public = {*USER_PATHS, *packages}
    found = set()
    for path in sorted(TESTS.rglob("*.py")):
        where = path.relative_to(TESTS).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] != "lazycfg":
                    continue
                if node.module not in public:
                    names = [node.module]
                else:  # ``from lazycfg.x import y``: y may be a module, unless x binds y itself
                    bound = _bound_names(MODULES[node.module])
                    names = [f"{node.module}.{a.name}" for a in node.names if a.name not in bound]
                    names = [name for name in names if name in MODULES and name not in public]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.split(".")[0] == "lazycfg"]
                names = [name for name in names if name not in public]
            found.update((where, name) for name in names)
    return found


def test_tests_import_public_paths_and_subpackage_apis_only() -> None:
    found = _reached_into()
    assert sorted(found - set(REACHING_IN)) == [], "import it from lazycfg or its subpackage"
    assert sorted(set(REACHING_IN) - found) == [], "no longer reached into: drop the entry"
    assert ("test_depth.py", "lazycfg.track.flat") in found  # the reader reads the tests
