"""The background worker as it runs in production: its own process, beside the web's, on
the out-of-the-box SQLite file database."""

import os
import signal
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

from .council_factories import make_edition, make_sections
from .factories import make_briefing, make_department
from .tools import needs_korean_font

pytestmark = needs_korean_font  # every test here renders a PDF (reports_site.fonts)

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
        make_sections(briefing, "general")
        make_edition(briefing)  # the booklet binds what editions froze
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


RENDER_POOL = """
import django, os, signal, sys, time; django.setup()
from django.db import connection
from reports_site import pdf
connection.cursor().execute("SELECT 1")  # a database connection the children inherit
# Like db_worker's graceful shutdown: the first SIGTERM only asks the current job to end.
signal.signal(signal.SIGTERM, lambda *args: None)
pool = pdf.render_pool()
for _ in range(pdf.workers()):
    pool.submit(time.sleep, 300)
print(*pool._processes, flush=True)
time.sleep(300)
"""


def alive(pid):
    """Running, not ended (a zombie nobody reaped has ended too)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    return condition()


def held_files(pid):
    links = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return links


@skipUnless(sys.platform == "linux", "reads /proc")
class RenderProcessTests(TestCase):
    def test_render_processes_hold_no_connection_stop_on_sigterm_and_die_with_their_worker(self):
        env = {**os.environ, "BRIEFING_PDF_WORKERS": "2"}
        folder = tempfile.TemporaryDirectory(prefix="briefing-pool-")
        self.addCleanup(folder.cleanup)
        database = f"{folder.name}/db.sqlite3"
        if connection.vendor == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{database}"
        else:  # the test database, which exists
            db = connection.settings_dict
            env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        parent = subprocess.Popen(
            [sys.executable, "-c", RENDER_POOL],
            cwd=BASE,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(parent.wait, 30)
        self.addCleanup(parent.kill)
        children = [int(pid) for pid in parent.stdout.readline().split()]
        self.assertEqual(len(children), 2)
        self.addCleanup(lambda: [os.kill(pid, signal.SIGKILL) for pid in children if alive(pid)])
        for child in children:  # once started (the fork copies every descriptor)

            def connected(child=child):
                return [f for f in held_files(child) if f.startswith((database, "socket:"))]

            self.assertTrue(until(lambda: not connected()), connected())

        os.kill(children[0], signal.SIGTERM)
        self.assertTrue(until(lambda: not alive(children[0])), "SIGTERM was ignored")
        parent.kill()  # kill -9 of the worker
        self.assertTrue(until(lambda: not alive(children[1])), "outlived its worker")
