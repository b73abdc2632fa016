"""System tools some tests need, and the reason they skip without them.

`uv run pytest` passes on a machine that lacks them (those tests skip and say why); CI
installs them all and sets REQUIRE_ALL_TESTS, so there a skipped test fails the run
(tests/conftest.py).
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")


def _has_korean_font():
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"
)
needs_axe = pytest.mark.skipif(
    not AXE.exists(), reason="axe-core is not installed (run `npm ci` in the project folder)"
)
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)
needs_korean_font = pytest.mark.skipif(
    not _has_korean_font(), reason="no Korean font is installed (apt-get install fonts-nanum)"
)
