"""/healthz: 200 when the database, a worker and the media folder are fine, 503 naming
what is not."""

import datetime as dt
import tempfile
from pathlib import Path
from unittest import mock

from django.db import OperationalError, connection
from django.test import TestCase, override_settings
from django.utils import timezone

from reports_site.models import WorkerHeartbeat

MEDIA = tempfile.mkdtemp(prefix="briefing-test-health-")


@override_settings(MEDIA_ROOT=MEDIA)
class HealthzTests(TestCase):
    def get(self):
        response = self.client.get("/healthz")
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertNotIn("sessionid", response.cookies)
        return response, response.json()

    def test_all_well_is_200_with_two_reads_and_nothing_left_in_media(self):
        WorkerHeartbeat.beat("worker-1")
        with self.assertNumQueries(2):  # SELECT 1, and the worker's heartbeat
            response, body = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            body, {"status": "ok", "checks": {"database": "ok", "worker": "ok", "media": "ok"}}
        )
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertEqual(list(Path(MEDIA).iterdir()), [])

    def test_no_worker_ever_seen_is_503_naming_the_worker(self):
        with self.assertLogs("reports_site.health", "WARNING") as logged:
            response, body = self.get()
        self.assertIn("worker: ", logged.output[0])
        self.assertEqual(response.status_code, 503)
        self.assertEqual(body["failing"], ["worker"])
        self.assertIn("db_worker", body["checks"]["worker"])
        self.assertEqual(body["checks"]["database"], "ok")

    def test_a_worker_last_seen_minutes_ago_is_gone(self):
        WorkerHeartbeat.objects.create(
            worker_id="gone", seen_at=timezone.now() - dt.timedelta(minutes=5)
        )
        response, body = self.get()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(body["failing"], ["worker"])

    def test_media_that_takes_no_file_is_503_naming_media(self):
        WorkerHeartbeat.beat("worker-1")
        with tempfile.NamedTemporaryFile() as not_a_folder:
            # A path under a plain file fails for root too (a read-only chmod would not).
            with override_settings(MEDIA_ROOT=str(Path(not_a_folder.name, "media"))):
                response, body = self.get()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(body["failing"], ["media"])
        self.assertIn("Error", body["checks"]["media"])

    def test_an_unreachable_database_is_503_naming_the_database_first(self):
        WorkerHeartbeat.beat("worker-1")
        down = OperationalError("connection refused")
        with mock.patch.object(connection, "cursor", side_effect=down):
            response, body = self.get()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(body["failing"], ["database", "worker"])
        self.assertIn("connection refused", body["checks"]["database"])
        self.assertEqual(body["checks"]["media"], "ok")

    def test_no_login_is_asked_even_where_the_reports_need_one(self):
        WorkerHeartbeat.beat("worker-1")
        with override_settings(REPORTS_REQUIRE_LOGIN=True):
            response, _ = self.get()
        self.assertEqual(response.status_code, 200)

    def test_plain_http_is_answered_where_every_other_page_redirects_to_https(self):
        WorkerHeartbeat.beat("worker-1")
        with override_settings(SECURE_SSL_REDIRECT=True):
            self.assertEqual(self.client.get("/").status_code, 301)
            response, _ = self.get()
        self.assertEqual(response.status_code, 200)

    def test_only_get_and_head(self):
        self.assertEqual(self.client.post("/healthz").status_code, 405)
