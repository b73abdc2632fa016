"""The background worker as it runs in production: its own process, beside the web's, on
the out-of-the-box SQLite file database."""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.db import connection
from django.test import TestCase

from reports_site import tasks
from reports_site.models import BriefingSection

from .factories import make_briefing, make_department

BASE = Path(settings.BASE_DIR)
PUBLISH = """
import django; django.setup()
from reports_site.editions import publish
from reports_site.models import Briefing
print("edition", publish(Briefing.objects.get()).number)
"""


def wait_for(database, query, expected, seconds=120):
    """Poll the file database until the query answers `expected` (or give up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(database, timeout=30) as db:
            if db.execute(query).fetchone() == expected:
                return True
        time.sleep(0.2)
    return False


@skipUnless(connection.vendor == "sqlite", "the SQLite file database out of the box")
class SqliteWorkerTests(TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory(prefix="briefing-worker-")
        self.addCleanup(folder.cleanup)
        self.database = f"{folder.name}/db.sqlite3"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "MEDIA_ROOT": f"{folder.name}/media",
            "BRIEFING_PDF_WORKERS": "1",
            "DJANGO_SETTINGS_MODULE": "reports_site.settings",
        }
        department = make_department("총무과")
        briefing = make_briefing(department, status="published")
        BriefingSection.objects.create(briefing=briefing, kind="general", order=1)
        with self.captureOnCommitCallbacks(execute=True):
            tasks.start_booklet(briefing.session)
        # The test database lives in memory: copy it, queued job included, to a file.
        # (The test database shares its cache: SQLite's backup would wait on its lock.)
        with sqlite3.connect(self.database) as target:
            target.executescript("\n".join(connection.connection.iterdump()))

    def start_worker(self):
        # A short poll interval: the worker's queue transactions meet the web's writes.
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.05"],
            cwd=BASE,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.addCleanup(worker.wait, 30)
        self.addCleanup(worker.terminate)
        return worker

    def test_a_publish_succeeds_beside_a_worker_that_has_run_a_job(self):
        worker = self.start_worker()
        done = "SELECT status FROM reports_site_bookletjob"
        self.assertTrue(wait_for(self.database, done, ("done",)), "the booklet job never ended")
        publish = subprocess.run(
            [sys.executable, "-c", PUBLISH], cwd=BASE, env=self.env, capture_output=True, text=True
        )
        self.assertEqual(publish.returncode, 0, publish.stderr[-2000:])
        self.assertIn("edition 1", publish.stdout)
        alive = worker.poll() is None
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
        self.assertTrue(alive, output[-3000:])
        self.assertNotIn("locked", output)
