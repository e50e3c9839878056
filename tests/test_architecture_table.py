"""docs/architecture.md's endpoint table stays true: every route, its view, what the view calls.

The table's section lists every URL pattern of the URL conf (found by walking the resolver, as
the BOLA matrix does) with its methods, the view and the file it is in, the services or
selectors the view calls and the module doing the work. This test fails when a route is missing
or extra, when a method, a view or a file is wrong, when the view's code no longer calls what the
table says, or when the work is not in the called function's module or one it imports: so every
endpoint reaches its work within five files from config/urls.py (the root URL conf, the app's
urls.py, the view, the service or selector, the module doing the work).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.routes import Route, all_routes

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
HEADING = "## Every endpoint, from its URL to its work"
PROJECT = ("accounts", "diary", "insights", "config")
CELL = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Row:
    methods: frozenset[str]
    pattern: str
    view_file: str
    view: str
    calls: tuple[str, ...]
    work: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@cache
def table() -> dict[str, Row]:
    text = DOC.read_text()
    assert HEADING in text, f"docs/architecture.md has no section {HEADING!r}"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    rows: dict[str, Row] = {}
    for line in section.splitlines():
        if not re.match(r"\| [A-Z]", line):
            continue  # the header, its rule and the prose
        methods, pattern, view, calls, work = _cells(line)
        (path,) = CELL.findall(pattern)
        view_file, view_name = CELL.findall(view)
        assert path not in rows, f"{path} is in the table twice"
        rows[path] = Row(
            frozenset(m.strip().lower() for m in methods.split(",")),
            path,
            view_file,
            view_name,
            tuple(CELL.findall(calls)),
            tuple(CELL.findall(work)),
        )
    return rows


def pattern_of(route: Route) -> str:
    """The route as the table writes it: a leading slash, each parameter as ``<name>``."""
    path = re.sub(r"\(\?P<(\w+)>.*?\)(?=/|$)", r"<\1>", route.path)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", path)


def _is_admin(route: Route) -> bool:
    # Django's admin: one row in the table, its many routes are Django's.
    return route.path.startswith(settings.ADMIN_URL)


def project_routes() -> list[Route]:
    return [route for route in all_routes() if not _is_admin(route)]


def view_of(route: Route) -> Any:
    callback = route.callback
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None) or inspect.unwrap(callback)


def test_every_route_is_in_the_table_and_every_row_is_a_route():
    routes = {pattern_of(route) for route in project_routes()}
    admin = f"/{settings.ADMIN_URL}..."

    assert any(_is_admin(route) for route in all_routes()) and admin in table()
    assert sorted(routes - set(table())) == [], "routes missing from docs/architecture.md's endpoint table"
    assert sorted(set(table()) - routes - {admin}) == [], "rows of the endpoint table that match no route"


def test_each_row_names_the_routes_methods_and_its_view_in_the_file_it_is_in():
    for route in project_routes():
        row = table()[pattern_of(route)]
        view = view_of(route)
        module = importlib.import_module(row.view_file.removesuffix(".py").replace("/", "."))

        named = getattr(module, row.view, None)
        assert named is not None and inspect.unwrap(named) is view, (
            f"{row.pattern}: {row.view} is not in {row.view_file}"
        )
        # A plain function view does not say its methods; a class does.
        assert not route.allowed or route.allowed == row.methods, f"{row.pattern}: methods {sorted(route.allowed)}"


def _project_classes(view: type) -> list[type]:
    return [cls for cls in view.__mro__ if cls.__module__.split(".")[0] in PROJECT]


def _referenced(code: Any, depth: int = 2) -> set[int]:
    """The ids of what the code names, resolved in its module: ``services.x(...)``, ``x(...)``,
    ``staticmethod(selectors.x)``; through the module's private helpers (``_open``) it calls."""
    module = inspect.getmodule(code)
    tree = ast.parse(textwrap.dedent(inspect.getsource(code)))
    found: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute | ast.Name) or not isinstance(node.ctx, ast.Load):
            continue
        parts: list[str] = []
        target: ast.expr = node
        while isinstance(target, ast.Attribute):
            parts.insert(0, target.attr)
            target = target.value
        if not isinstance(target, ast.Name):
            continue
        obj: Any = vars(module).get(target.id)
        for part in parts:
            obj = getattr(obj, part, None)
        if obj is None:
            continue
        found.add(id(obj))
        helper = inspect.isfunction(obj) and obj.__module__ == getattr(module, "__name__", None)
        if helper and obj.__name__.startswith("_") and depth > 0:
            found |= _referenced(obj, depth - 1)
    return found


def _dotted(name: str) -> Any:
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def test_each_view_calls_what_the_table_says():
    for route in project_routes():
        row = table()[pattern_of(route)]
        view = view_of(route)
        named: set[int] = set()
        for code in _project_classes(view) if inspect.isclass(view) else [view]:
            named |= _referenced(code)

        assert row.calls or (not _project_classes(view) and inspect.isclass(view)), f"{row.pattern}: no call named"
        for name in row.calls:
            assert id(_dotted(name)) in named, f"{row.pattern}: {row.view} does not call {name}"


def _imports(path: str) -> set[str]:
    """The files of the project a module imports, anywhere in it."""
    tree = ast.parse((ROOT / path).read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    files = set()
    for name in names:
        for candidate in (name.replace(".", "/") + ".py", name.replace(".", "/") + "/__init__.py"):
            if (ROOT / candidate).is_file():
                files.add(candidate)
    return files


def _file_of(module: str) -> str:
    return str(Path(inspect.getsourcefile(importlib.import_module(module)) or "").relative_to(ROOT))


def test_the_work_is_in_the_called_module_or_one_it_imports():
    for row in table().values():
        if not row.calls:
            continue
        called_files = {_file_of(name.rpartition(".")[0]) for name in row.calls}
        reachable = set(called_files)
        for path in called_files:
            reachable |= _imports(path)
        assert row.work, f"{row.pattern}: the table names no module doing the work"
        for work in row.work:
            assert (ROOT / work).is_file(), f"{row.pattern}: no file {work}"
            assert work in reachable, f"{row.pattern}: {work} is neither {sorted(called_files)} nor imported by them"
