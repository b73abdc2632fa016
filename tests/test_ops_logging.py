"""Logging: every 500 leaves one line on stderr with its traceback, method, path and user."""

import json
import logging
import logging.config
import os
import subprocess
import sys
import tempfile

from django.conf import settings
from django.test import Client, TestCase, override_settings
from django.urls import path

from reports_site import urls as site_urls
from reports_site.logs import JsonFormatter, TextFormatter, logging_config

from .factories import make_user


def broken_view(request):
    return 1 // 0


# The site's own addresses too: middleware names some of them (reports_site.security).
urlpatterns = [path("boom/", broken_view), *site_urls.urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
class ServerErrorLogTests(TestCase):
    def test_a_500_is_logged_with_its_traceback_request_and_user(self):
        user = make_user()
        client = Client(raise_request_exception=False)
        client.force_login(user)
        with self.assertLogs("django.request", "ERROR") as logged:
            response = client.get("/boom/?q=1")
        self.assertEqual(response.status_code, 500)
        [record] = logged.records
        line = JsonFormatter().format(record)
        self.assertNotIn("\n", line)
        entry = json.loads(line)
        self.assertEqual(entry["level"], "ERROR")
        self.assertEqual(entry["logger"], "django.request")
        self.assertEqual(entry["method"], "GET")
        self.assertEqual(entry["path"], "/boom/")
        self.assertEqual(entry["status"], 500)
        self.assertEqual(entry["user_id"], user.pk)
        self.assertIn("ZeroDivisionError", entry["exception"])
        self.assertIn("in broken_view", entry["traceback"])

        text = TextFormatter().format(record)
        self.assertIn(f"method=GET path=/boom/ status=500 user_id={user.pk}", text)
        self.assertIn("ZeroDivisionError", text)

    def test_an_anonymous_request_has_no_user_id(self):
        with self.assertLogs("django.request", "ERROR") as logged:
            Client(raise_request_exception=False).post("/boom/")
        entry = json.loads(JsonFormatter().format(logged.records[0]))
        self.assertEqual((entry["method"], entry["user_id"]), ("POST", None))


# Run in a fresh process: the settings configure logging once, when Django starts.
SERVE_A_500 = f"""
import django
from django.test import Client
from django.test.utils import override_settings
django.setup()
with override_settings(ROOT_URLCONF="{__name__}"):
    print(Client(raise_request_exception=False).get("/boom/", secure=True).status_code)
"""


def serve_a_500(**env):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reports_site.settings",
        "SECRET_KEY": "only-for-this-test-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="briefing-test-static-"),  # no warning of it
        **env,
    }
    for name in ("LOG_FORMAT", "LOG_LEVEL"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", SERVE_A_500],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


class LoggingSettingsTests(TestCase):
    def test_without_debug_a_500_is_one_json_line_on_stderr(self):
        done = serve_a_500(DEBUG="false")
        self.assertEqual(done.stdout.strip(), "500")
        records = [json.loads(line) for line in done.stderr.strip().splitlines()]  # all JSON
        errors = [r for r in records if r["logger"] == "django.request"]
        self.assertEqual(len(errors), 1, done.stderr)  # Django's own handlers print nothing
        [entry] = errors
        self.assertEqual((entry["path"], entry["method"]), ("/boom/", "GET"))
        self.assertIn("ZeroDivisionError", entry["traceback"])

    def test_with_debug_the_default_is_text(self):
        text = serve_a_500(DEBUG="true").stderr
        self.assertIn("ERROR django.request: Internal Server Error: /boom/", text)
        self.assertIn("method=GET path=/boom/ status=500 user_id=None", text)
        self.assertIn("Traceback (most recent call last)", text)

    def test_log_level_and_format_are_checked(self):
        config = logging_config("WARNING", "json")
        self.assertEqual(config["root"]["level"], "WARNING")
        with self.assertRaises(ValueError):
            logging_config("INFO", "xml")
        with self.assertRaises(ValueError):
            logging_config("LOUD", "text")

    def test_chatty_libraries_print_their_warnings_only(self):
        logging.config.dictConfig(logging_config("INFO", "text"))
        try:
            weasyprint = logging.getLogger("weasyprint.progress")
            self.assertFalse(weasyprint.isEnabledFor(logging.INFO))
            self.assertTrue(weasyprint.isEnabledFor(logging.WARNING))
            self.assertTrue(logging.getLogger("reports_site").isEnabledFor(logging.INFO))
        finally:
            logging.config.dictConfig(settings.LOGGING)
