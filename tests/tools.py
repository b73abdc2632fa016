"""System tools some tests need, and the reason they skip without them.

`uv run pytest` passes on a machine that lacks them (those tests skip and say why); CI
installs them all and sets REQUIRE_ALL_TESTS, so there such a skip fails the run
(tests/conftest.py).
"""

import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from .require_all import MISSING_TOOL

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")


def _has_korean_font():
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=MISSING_TOOL + "/usr/bin/chromium (apt-get install chromium)"
)
needs_axe = pytest.mark.skipif(
    not AXE.exists(), reason=MISSING_TOOL + "axe-core (run `npm ci` in the project folder)"
)
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason=MISSING_TOOL + "poppler-utils (pdftotext, pdffonts)",
)
needs_korean_font = pytest.mark.skipif(
    not _has_korean_font(), reason=MISSING_TOOL + "a Korean font (apt-get install fonts-nanum)"
)


def _redis_answers(address=("127.0.0.1", 6379)):
    try:
        with socket.create_connection(address, timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_answers(),
    reason=MISSING_TOOL + "Redis on 127.0.0.1:6379 (apt-get install redis-server)",
)
