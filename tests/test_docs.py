"""The documentation points only at things that exist.

Every markdown file (README.md and docs/*.md) is read: each path it names (`diary/views.py`,
`insights/analysis/`), each bare file name (`sync_views.py`: it must exist somewhere in the tree),
each `make <target>`, each environment variable or constant in capitals, each relative link (and
its #anchor), each section it cites by title ("Known days" below; docs/clinical.md, "FHIR export")
and each dotted name of the project's packages (`diary.services.record_save`, or a Celery task's
name such as `email.dispatch_weekly`). Nothing starts a server; the whole file runs in seconds.
"""

from __future__ import annotations

import importlib
import os
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PRODUCT_PACKAGES = ("accounts", "diary", "insights", "config")
# The repository's top-level folders: a word followed by one of these and a slash is a path.
TOP_FOLDERS = (*PRODUCT_PACKAGES, "tests", "bench", "deploy", "docs", ".ci")
# Celery queues name tasks outside the packages' module paths ("email.send_weekly_summary").
TASK_PREFIXES = ("insights", "email", "reports")
# Folders no doc speaks of: tools' caches, installed packages, what make run writes.
UNSEARCHED = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
UNSEARCHED |= {".hypothesis", "var", "staticfiles"}
# Files a doc names that are not in the repository, but made by what it describes.
MADE_NOT_STORED = {
    "README.txt": "the CSV export's column guide, inside the zip",
}
# Folders made at run time (git-ignored): the embedded default's database, media and uploads, and
# what collectstatic writes.
MADE_AT_RUN_TIME = ("var/", "staticfiles/")
BARE_NAME_SUFFIXES = ("py", "md", "js", "sh", "toml", "yml", "yaml", "txt", "json", "lua", "conf", "cfg", "html")


def _rel(doc: Path) -> str:
    return str(doc.relative_to(ROOT))


@cache
def _parts(doc: Path) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """(text, prose without fenced blocks, the prose's code spans, the fenced blocks)."""
    text = doc.read_text()
    fenced = tuple(re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M))
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    spans = tuple(re.findall(r"`([^`\n]+)`", prose))
    return text, prose, spans, fenced


def _per_doc(collect) -> list[tuple[str, str]]:
    return sorted({(_rel(doc), item) for doc in DOCS for item in collect(doc)})


# --- Paths ----------------------------------------------------------------------------------


def _is_path(span: str) -> bool:
    # A folder in it, no leading slash (a URL's path), and not the generic "migrations/" of each app.
    return bool(re.fullmatch(r"\.?[\w-][\w.-]*/[\w./-]*", span)) and not span.startswith("migrations/")


def _paths(doc: Path) -> set[str]:
    _, prose, spans, fenced = _parts(doc)
    found = {s for s in spans if _is_path(s)}
    top = "|".join(re.escape(f) for f in TOP_FOLDERS)
    for chunk in (prose, *fenced):
        found |= set(re.findall(rf"(?<![\w./-])((?:{top})/[\w./-]*[\w/])", chunk))
    return found


def _link_targets(doc: Path) -> set[str]:
    _, prose, _, _ = _parts(doc)
    return {t for t in re.findall(r"\]\(([^)\s]+)\)", prose) if not re.match(r"[a-z]+:", t)}


# --- Bare file names ------------------------------------------------------------------------


def _bare_names(doc: Path) -> set[str]:
    _, prose, _, _ = _parts(doc)
    suffixes = "|".join(BARE_NAME_SUFFIXES)
    # A name not preceded by a folder ("diary/views.py" is a path, checked above).
    return set(re.findall(rf"(?<![\w/.-])([\w-]+(?:\.[\w-]+)*\.(?:{suffixes}))(?![\w/-])", prose))


@cache
def _tree_names() -> frozenset[str]:
    names: set[str] = set()
    for _, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in UNSEARCHED]
        names.update(files)
    return frozenset(names)


# --- make targets ---------------------------------------------------------------------------


def _make_targets(doc: Path) -> set[str]:
    _, _, spans, fenced = _parts(doc)
    return {t for chunk in (*spans, *fenced) for t in re.findall(r"(?<![\w-])make ([a-z][\w-]*)", chunk)}


@cache
def _makefile_targets() -> frozenset[str]:
    text = (ROOT / "Makefile").read_text()
    return frozenset(re.findall(r"^([\w.-]+):(?!=)", text, re.M)) - {".PHONY"}


# --- Environment variables and constants ----------------------------------------------------

CAPITALS = r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"


def _capitals(doc: Path) -> set[str]:
    """Every name in capitals with an underscore in a code span (`NAME`, `NAME=value`)."""
    _, _, spans, _ = _parts(doc)
    names = set()
    for span in spans:
        for part in re.split(r"[,\s]+", span):
            match = re.fullmatch(rf"({CAPITALS})(?:=\S*)?", part)
            if match:
                names.add(match.group(1))
    return names


def _env_table_names(doc: Path) -> set[str]:
    """The first column of every table whose header's first cell is "variable"."""
    names: set[str] = set()
    in_table = False
    for line in _parts(doc)[1].splitlines():
        if re.match(r"\|\s*variable\s*\|", line):
            in_table = True
            continue
        if in_table and line.startswith("|"):
            names |= set(re.findall(rf"`({CAPITALS})`", line.split("|")[1]))
        else:
            in_table = False
    return names


def _env_assignments(doc: Path) -> set[str]:
    """Names set for a command: `NAME=value` in a code span, `export NAME=...` or `NAME=value command`
    in an example. A line that only assigns (`SHARE_URL=$(...)`) sets a shell variable of the example."""
    _, _, spans, fenced = _parts(doc)
    names = set()
    for span in spans:
        names |= set(re.findall(rf"(?:^|\s)({CAPITALS})=", span))
    for chunk in fenced:
        names |= set(re.findall(rf"export\s+((?:{CAPITALS}=\S*\s*)+)", chunk))
        names |= set(re.findall(rf"^\s*({CAPITALS})=\S+\s+[a-z.]", chunk, re.M))
    return {n for group in names for n in re.findall(rf"({CAPITALS})=", group + "=")}


@cache
def _read_from_environment() -> frozenset[str]:
    """Every name the code, the image and the Makefile read from the environment."""
    functions = ("env", r"env\.\w+", "_url_setting", "_redis_url", "_rate", "_count", "_int", "_origins", "getenv")
    readers = f"(?:{'|'.join(functions)}|environ\\.get|environ\\.setdefault)"
    names: set[str] = set()
    files = [*ROOT.glob("config/*.py"), *ROOT.glob("deploy/*"), *ROOT.glob("bench/*"), *ROOT.glob("tests/**/*.py")]
    files += [ROOT / name for name in ("Makefile", "docker-compose.yml", "Dockerfile", ".ci/run")]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        names |= set(re.findall(rf"{readers}\(\s*[\"']({CAPITALS})[\"']", text))
        names |= set(re.findall(rf"environ\[\"({CAPITALS})\"\]", text))
        names |= set(re.findall(rf"\$[{{(]?({CAPITALS})", text))  # shell, compose, Makefile
        names |= set(re.findall(rf"^ARG ({CAPITALS})", text, re.M))  # Dockerfile build arguments
        names |= set(re.findall(rf"^({CAPITALS})\s*\??=", text, re.M))  # Makefile variables
        names |= set(re.findall(rf"^\s+({CAPITALS}):", text, re.M))  # compose environment keys
    return frozenset(names)


@cache
def _names_in_code() -> frozenset[str]:
    names: set[str] = set()
    for folder in (*PRODUCT_PACKAGES, "tests", "bench", "deploy"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".js", ".sh") and not UNSEARCHED.intersection(path.parts):
                names |= set(re.findall(CAPITALS, path.read_text(errors="replace")))
    return frozenset(names) | _read_from_environment()


# --- Dotted names ---------------------------------------------------------------------------


def _dotted_names(doc: Path) -> set[str]:
    _, prose, spans, _ = _parts(doc)
    packages = "|".join((*PRODUCT_PACKAGES, *TASK_PREFIXES))
    pattern = rf"(?:{packages})(?:\.\w+)+"
    found = {s for s in spans if re.fullmatch(pattern, s)}
    # Dotted names in plain prose too; a file name ("diary.csv.zip") is not one.
    found |= {
        n
        for n in re.findall(rf"(?<![\w./-])({pattern})(?![\w/-])", prose)
        if not re.search(r"\.(?:py|md|zip|json|pdf|csv|xml|txt)$", n)
    }
    return found


@cache
def _celery_tasks() -> frozenset[str]:
    from config.celery_app import app

    app.loader.import_default_modules()  # registers every app's tasks, as a worker does at start
    return frozenset(app.tasks)


def _resolves(name: str) -> bool:
    """A Celery task's name, or the longest importable module prefix of ``name`` and the rest as attributes."""
    if name in _celery_tasks():
        return True
    parts = name.split(".")
    if parts[0] not in PRODUCT_PACKAGES:
        return False
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


# --- Sections cited by title ----------------------------------------------------------------


def _headings(doc: Path) -> list[str]:
    return [h.strip() for h in re.findall(r"^#{1,6} (.+)$", _parts(doc)[1], re.M)]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _cited_sections(doc: Path) -> set[tuple[str, str]]:
    """(the doc cited, the title): `docs/x.md, "Title"`, `[x.md](x.md), "Title"`, `"Title" below`."""
    _, prose, _, _ = _parts(doc)
    flat = re.sub(r"\s+", " ", prose)
    cited = set()
    for target, title in re.findall(r"([\w./-]+\.md)\)?,? \"([^\"]+)\"", flat):
        path = (ROOT / target) if (ROOT / target).exists() else (doc.parent / target)
        cited.add((str(path.resolve().relative_to(ROOT)), title))
    for title in re.findall(r"\"([^\"]+)\" (?:below|above)", flat):
        cited.add((_rel(doc), title))
    return cited


# --- The tests ------------------------------------------------------------------------------


def test_the_docs_name_paths_files_and_code():
    # Guards the tests below against a change of notation that would leave them checking nothing.
    assert len(_per_doc(_paths)) > 100 and len(_per_doc(_dotted_names)) > 30
    assert len(_per_doc(_bare_names)) > 10 and len(_per_doc(_make_targets)) > 10
    assert len(_per_doc(_link_targets)) > 15 and len(_per_doc(_cited_sections)) > 5
    assert len(_per_doc(_env_table_names)) > 20


def test_the_readme_is_a_front_door():
    assert len((ROOT / "README.md").read_text().splitlines()) < 200


@pytest.mark.parametrize(("doc", "path"), _per_doc(_paths))
def test_every_path_exists(doc, path):
    if path.startswith(MADE_AT_RUN_TIME):
        pytest.skip(f"{path} is made at run time")
    assert (ROOT / path).exists(), f"{doc} names {path}, which is not in the repository"


@pytest.mark.parametrize(("doc", "name"), _per_doc(_bare_names))
def test_every_bare_file_name_exists_somewhere(doc, name):
    assert name in _tree_names() or name in MADE_NOT_STORED, f"{doc} names {name}, which no folder holds"


@pytest.mark.parametrize(("doc", "target"), _per_doc(_make_targets))
def test_every_make_target_exists(doc, target):
    assert target in _makefile_targets(), f"{doc} says `make {target}`, which the Makefile does not define"


@pytest.mark.parametrize(("doc", "name"), _per_doc(_capitals))
def test_every_name_in_capitals_is_in_the_code(doc, name):
    assert name in _names_in_code(), f"{doc} names {name}, which no code defines or reads"


@pytest.mark.parametrize(("doc", "name"), _per_doc(lambda d: _env_table_names(d) | _env_assignments(d)))
def test_every_environment_variable_is_read_from_the_environment(doc, name):
    assert name in _read_from_environment(), f"{doc} names the variable {name}, which nothing reads"


@pytest.mark.parametrize(("doc", "target"), _per_doc(_link_targets))
def test_every_relative_link_resolves(doc, target):
    file, _, anchor = target.partition("#")
    path = (ROOT / doc).parent / file if file else ROOT / doc
    assert path.exists(), f"{doc} links to {target}, which does not exist"
    if anchor:
        assert anchor in {_slug(h) for h in _headings(path)}, f"{doc} links to #{anchor}, no heading of {file}"


@pytest.mark.parametrize(("doc", "cited"), _per_doc(_cited_sections))
def test_every_section_cited_by_title_exists(doc, cited):
    target, title = cited
    assert (ROOT / target).exists(), f"{doc} cites {target}, which does not exist"
    headings = _headings(ROOT / target)
    assert any(h.startswith(title) for h in headings), f'{doc} cites "{title}", no heading of {target}'


@pytest.mark.parametrize(("doc", "name"), _per_doc(_dotted_names))
def test_every_dotted_name_resolves(doc, name):
    assert _resolves(name), f"{doc} names {name}, which does not import"


def test_the_sync_code_in_the_api_doc_is_the_file_the_end_to_end_tests_run():
    shown = re.findall(r"^```js\n(.*?)^```", (ROOT / "docs" / "api.md").read_text(), re.S | re.M)
    assert shown == [(ROOT / "tests" / "e2e" / "watermelon" / "sync.js").read_text()]


@cache
def _test_functions() -> frozenset[str]:
    return frozenset(
        name for path in (ROOT / "tests").rglob("test_*.py") for name in re.findall(r"def (test_\w+)", path.read_text())
    )


@pytest.mark.parametrize(("doc", "name"), _per_doc(lambda d: {s for s in _parts(d)[2] if re.fullmatch(r"test_\w+", s)}))
def test_every_test_a_doc_cites_exists(doc, name):
    assert name in _test_functions(), f"{doc} cites the test {name}, which no test module defines"
