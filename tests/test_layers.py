"""The import layers of the product packages hold, and no module takes part in an import cycle.

The layers (docs/architecture.md, "Layers"): config/ is wiring that every app may import but that
imports none of them (settings name them in strings); accounts/ and diary/ never import insights/;
insights/ sits on top. Every import counts, including one inside a function: a function-local
import that dodges a cycle still is one. Only imports under ``if TYPE_CHECKING:`` are left out:
they never run, so they add no dependency at run time (config/typing.py names the User model that
way for annotations).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_PACKAGES = ("accounts", "diary", "insights", "config")
# (importing package, imported package): why the import is forbidden.
FORBIDDEN = {
    ("diary", "insights"): "diary sits below insights",
    ("accounts", "insights"): "accounts sits below insights",
    ("config", "accounts"): "config is wiring; name apps in settings strings",
    ("config", "diary"): "config is wiring; name apps in settings strings",
    ("config", "insights"): "config is wiring; name apps in settings strings",
}


@dataclass(frozen=True)
class Import:
    importer: str  # the importing module, dotted
    imported: str  # the imported product module, dotted
    line: int

    def where(self, root: Path) -> str:
        path = self.importer.replace(".", "/")
        file = f"{path}/__init__.py" if (root / path).is_dir() else f"{path}.py"
        return f"{file}:{self.line} imports {self.imported}"


def product_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of the packages, dotted name -> file."""
    modules = {}
    for package in packages:
        for file in sorted((root / package).rglob("*.py")):
            parts = list(file.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = file
    return modules


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement at any depth (functions, classes, try blocks), except TYPE_CHECKING blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif _is_type_checking_block(child):
            assert isinstance(child, ast.If)
            for other in child.orelse:
                yield from _import_nodes(other)
        else:
            yield from _import_nodes(child)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(name: str, modules: dict[str, Path]) -> Iterator[str]:
    """The product modules that importing ``name`` runs: the module and each package above it."""
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            yield candidate


def product_imports(root: Path, packages: tuple[str, ...]) -> list[Import]:
    """Every import from one product module of another, each with its line."""
    modules = product_modules(root, packages)
    found = []
    for module, file in modules.items():
        tree = ast.parse(file.read_text(), filename=str(file))
        for node in _import_nodes(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = _resolve(module, file.name == "__init__.py", node)
                # `from pkg import name` imports the module pkg.name when there is one, else pkg.
                names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            for name in names:
                found += [Import(module, target, node.lineno) for target in _loaded_targets(module, name, modules)]
    return found


def _loaded_targets(module: str, name: str, modules: dict[str, Path]) -> Iterator[str]:
    """The product modules that importing ``name`` from ``module`` can run, other than ``module``.

    A package enclosing ``module`` has started loading before ``module`` runs, so passing through it
    on the way to one of its own modules runs nothing new: a package's __init__ may re-export its
    modules while they import each other. Importing the enclosing package itself (a name its
    __init__ defines) still counts.
    """
    targets = list(_targets(name, modules))
    for target in targets:
        passed_through = target != targets[-1] and module.startswith(target + ".")
        if target != module and not passed_through:
            yield target


def layer_violations(imports: list[Import]) -> list[Import]:
    """The forbidden imports, each named once by the deepest module it loads (not every package above it)."""
    upward = [i for i in imports if (i.importer.split(".")[0], i.imported.split(".")[0]) in FORBIDDEN]
    return [
        i
        for i in upward
        if not any(
            o.importer == i.importer and o.line == i.line and o.imported.startswith(i.imported + ".") for o in upward
        )
    ]


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        graph.setdefault(i.importer, set()).add(i.imported)
        graph.setdefault(i.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def _describe_cycles(cycles: list[list[str]], imports: list[Import], root: Path) -> str:
    lines = []
    for group in cycles:
        members = set(group)
        lines.append("cycle: " + ", ".join(group))
        lines += [f"  {i.where(root)}" for i in imports if i.importer in members and i.imported in members]
    return "\n".join(lines)


def test_no_product_module_imports_a_layer_above_it() -> None:
    violations = layer_violations(product_imports(ROOT, PRODUCT_PACKAGES))
    reasons = [f"{i.where(ROOT)} ({FORBIDDEN[i.importer.split('.')[0], i.imported.split('.')[0]]})" for i in violations]
    assert not reasons, "upward imports:\n" + "\n".join(reasons)


def test_no_product_modules_import_each_other_in_a_cycle() -> None:
    imports = product_imports(ROOT, PRODUCT_PACKAGES)
    cycles = import_cycles(imports)
    assert not cycles, _describe_cycles(cycles, imports, ROOT)


# The analysis runs from plain records in tests, benches and workers alike: neither it nor any
# product module it loads may import the web framework (docs/architecture.md, "Layers").
PURE_PACKAGE = "insights.analysis"
FRAMEWORKS = ("django", "rest_framework", "celery")


def loaded_by(start: str, imports: list[Import]) -> set[str]:
    """Every product module that importing the modules under ``start`` loads, those included."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        graph.setdefault(i.importer, set()).add(i.imported)
    seen = {m for m in graph if m == start or m.startswith(start + ".")}
    todo = list(seen)
    while todo:
        for nxt in graph.get(todo.pop(), set()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def framework_imports(file: Path) -> list[str]:
    """The framework modules a file imports (outside TYPE_CHECKING blocks)."""
    found = []
    for node in _import_nodes(ast.parse(file.read_text(), filename=str(file))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        found += [name for name in names if not _is_relative(node) and name.split(".")[0] in FRAMEWORKS]
    return found


def _is_relative(node: ast.Import | ast.ImportFrom) -> bool:
    return isinstance(node, ast.ImportFrom) and node.level > 0


def test_the_analysis_and_what_it_loads_import_no_framework() -> None:
    modules = product_modules(ROOT, PRODUCT_PACKAGES)
    loaded = loaded_by(PURE_PACKAGE, product_imports(ROOT, PRODUCT_PACKAGES))
    assert "insights.wording" in loaded  # the words it shares with every surface
    found = [
        f"{name} imports {', '.join(imported)}"
        for name in sorted(loaded)
        if (imported := framework_imports(modules[name]))
    ]
    assert not found, "\n".join(found)


# The checker itself, on small made-up packages, so the two tests above cannot pass by finding nothing.


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


def test_the_scan_finds_the_real_packages_imports() -> None:
    imports = product_imports(ROOT, PRODUCT_PACKAGES)
    assert any(i.importer == "insights.reports.tasks" and i.imported == "insights.reports.services" for i in imports)
    assert len({i.importer for i in imports}) > 50


def test_an_upward_import_inside_a_function_is_reported_with_its_line(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "diary/__init__.py": "",
            "diary/record_checks.py": "def check():\n    from insights.analysis import tremor\n    return tremor\n",
            "insights/__init__.py": "",
            "insights/analysis/__init__.py": "",
            "insights/analysis/tremor.py": "X = 1\n",
            "accounts/__init__.py": "",
            "config/__init__.py": "",
        },
    )
    violations = layer_violations(product_imports(root, PRODUCT_PACKAGES))
    assert [v.where(root) for v in violations] == ["diary/record_checks.py:2 imports insights.analysis.tremor"]


def test_config_importing_an_app_is_reported_but_a_type_checking_import_is_not(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "config/__init__.py": "",
            "config/admin_site.py": "from accounts.throttles import AdminLoginThrottle\n",
            "config/typing.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from accounts.models import User\n"
            ),
            "accounts/__init__.py": "",
            "accounts/throttles.py": "",
            "accounts/models.py": "",
            "diary/__init__.py": "",
            "insights/__init__.py": "",
        },
    )
    violations = layer_violations(product_imports(root, PRODUCT_PACKAGES))
    assert [(v.importer, v.imported) for v in violations] == [("config.admin_site", "accounts.throttles")]


def test_a_cycle_hidden_by_a_function_local_import_is_reported(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "insights/__init__.py": "",
            "insights/reports/__init__.py": "",
            "insights/reports/services.py": "def enqueue():\n    from insights.reports.tasks import build\n",
            "insights/reports/tasks.py": "from insights.reports import services\n",
            "insights/reports/views.py": "from . import services\n",
            "accounts/__init__.py": "",
            "diary/__init__.py": "",
            "config/__init__.py": "",
        },
    )
    imports = product_imports(root, PRODUCT_PACKAGES)
    assert import_cycles(imports) == [["insights.reports.services", "insights.reports.tasks"]]
    assert "insights/reports/services.py:2 imports insights.reports.tasks" in _describe_cycles(
        import_cycles(imports), imports, root
    )


def test_a_package_that_re_exports_its_modules_is_no_cycle_unless_a_module_imports_the_package(
    tmp_path: Path,
) -> None:
    files = {
        "insights/__init__.py": "",
        "insights/engine/__init__.py": (
            "from insights.engine.run import run\nfrom insights.engine.model import fit\nLEVEL = 1\n"
        ),
        "insights/engine/run.py": "from insights.engine.model import fit\n",
        "insights/engine/model.py": "def fit():\n    return 1\n",
    }
    assert import_cycles(product_imports(_write(tmp_path / "clean", files), ("insights",))) == []
    # A name the package's __init__ defines: the __init__ must have run that far first.
    files["insights/engine/model.py"] = "from insights.engine import LEVEL\n"
    cycles = import_cycles(product_imports(_write(tmp_path / "cycle", files), ("insights",)))
    assert cycles == [["insights.engine", "insights.engine.model", "insights.engine.run"]]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from . import services\n", "insights.reports.services"),
        ("from .services import enqueue\n", "insights.reports.services"),
        ("from .. import models\n", "insights.models"),
        ("import insights.reports.services as s\n", "insights.reports.services"),
    ],
)
def test_relative_and_aliased_imports_resolve_to_the_module_they_load(
    tmp_path: Path, source: str, expected: str
) -> None:
    root = _write(
        tmp_path,
        {
            "insights/__init__.py": "",
            "insights/models.py": "",
            "insights/reports/__init__.py": "",
            "insights/reports/services.py": "",
            "insights/reports/views.py": source,
        },
    )
    imported = {i.imported for i in product_imports(root, ("insights",)) if i.importer == "insights.reports.views"}
    assert expected in imported


def test_no_test_module_imports_another_test_module() -> None:
    # What tests share lives in support modules (builders.py, query_counts.py, rest_calls.py...) or
    # a conftest; importing a test module would also collect its tests twice under another name.
    imports = product_imports(ROOT, ("tests",))
    shared = [i.where(ROOT) for i in imports if i.imported.rsplit(".", 1)[-1].startswith("test_")]
    assert not shared, "test modules imported by others:\n" + "\n".join(shared)
