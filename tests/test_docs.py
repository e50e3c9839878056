"""The architecture doc points only at things that exist: every path and every dotted code name."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PRODUCT_PACKAGES = ("accounts", "diary", "insights", "config")


def _code_spans() -> list[str]:
    return re.findall(r"`([^`\n]+)`", DOC.read_text())


def _paths() -> list[str]:
    # A path has a folder in it; "migrations/" alone (of each app) and URLs ("/api/...") are not paths.
    spans = _code_spans()
    return sorted({s for s in spans if re.fullmatch(r"[\w.-]+/[\w./-]*", s) and s.split("/")[0] != "migrations"})


def _dotted_names() -> list[str]:
    pattern = rf"(?:{'|'.join(PRODUCT_PACKAGES)})(?:\.\w+)+"
    return sorted({s for s in _code_spans() if re.fullmatch(pattern, s)})


def _resolves(name: str) -> bool:
    """A Celery task's name, or the longest importable module prefix of ``name`` and the rest as attributes."""
    from config.celery_app import app

    app.loader.import_default_modules()  # registers every app's tasks, as a worker does at start
    if name in app.tasks:
        return True
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:end]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[end:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_the_doc_names_paths_and_code():
    # Guards the two tests below against a change of notation that would leave them checking nothing.
    assert len(_paths()) > 30 and len(_dotted_names()) > 10


@pytest.mark.parametrize("path", _paths())
def test_every_path_in_the_architecture_doc_exists(path):
    assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which is not in the repository"


@pytest.mark.parametrize("name", _dotted_names())
def test_every_dotted_name_in_the_architecture_doc_resolves(name):
    assert _resolves(name), f"docs/architecture.md names {name}, which does not import"
