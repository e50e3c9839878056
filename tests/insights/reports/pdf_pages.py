"""Reading a rendered report back: text per page (pypdf) and ink per page (pdftoppm)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdf
import pytest

# The labels page 1 prints, in its order; none of them may spill onto page 2.
PAGE_ONE_LABELS = (
    "Onset:",
    "Frequency:",
    "Trend:",
    "Spread:",
    "Red flags",
    "Pertinent negatives:",
    "Medications",
    "Triggers tested",
)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with whitespace collapsed, so assertions do not depend on line breaks."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def assert_page_one_stands_alone(pages: list[str], next_section: str | None = "Timeline") -> None:
    """Page 1 holds every one of its blocks in order, and page 2 (if any) starts the next section."""
    first = pages[0]
    positions = [first.find(label) for label in PAGE_ONE_LABELS]
    assert -1 not in positions, [label for label, p in zip(PAGE_ONE_LABELS, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    if len(pages) > 1:
        second = pages[1]
        for label in ("Onset:", "Pertinent negatives:", "Red flags", "Triggers tested"):
            assert label not in second, f"{label!r} spilled onto page 2"
        if next_section:
            assert next_section in second


def body_ink(pdf: bytes) -> list[float]:
    """The share of dark pixels per page inside the body (header and footer bands cut off)."""
    pdftoppm = shutil.which("pdftoppm") or ("/usr/bin/pdftoppm" if Path("/usr/bin/pdftoppm").exists() else None)
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed, so the pages cannot be rasterised")
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            [pdftoppm, "-r", "30", "-gray", "-png", str(path), str(Path(folder) / "page")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        shares = []
        for png in sorted(Path(folder).glob("page*.png")):
            image = Image.open(png)
            width, height = image.size
            body = image.crop((0, int(height * 0.09), width, int(height * 0.89)))
            dark = sum(count for level, count in enumerate(body.histogram()) if level < 200)
            shares.append(dark / (body.width * body.height))
        return shares
