"""Login throttling on both logins, the working-day session and its warning, the security
headers, the login's `next`, and `.env.example` passing Django's deployment check."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client, RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from departments.access import Role
from reports_site import security

from .factories import make_user

LOGINS = {"admin": "/admin/login/", "site": "/login/"}
ATTACKER, OTHER = "203.0.113.7", "198.51.100.9"


def attempt(client, login, username, password, address=ATTACKER, **headers):
    return client.post(
        LOGINS[login], {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def logged_in(client):
    return "_auth_user_id" in client.session


class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user(Role.CLERK, username="clerk1")
        cls.other = make_user(Role.CLERK, username="clerk2")

    def fail(self, login, times, username="clerk1", address=ATTACKER):
        return [attempt(self.client, login, username, "wrong", address) for _ in range(times)]

    def test_five_wrong_passwords_lock_the_account_and_the_address_on_both_logins(self):
        for login in LOGINS:
            with self.subTest(login=login):
                responses = self.fail(login, settings.AXES_FAILURE_LIMIT)
                self.assertEqual([r.status_code for r in responses[:-1]], [200] * 4)
                self.assertEqual(responses[-1].status_code, 429)
                right = attempt(self.client, login, "clerk1", "pw")
                self.assertEqual(right.status_code, 429, "the right password is refused too")
                self.assertFalse(logged_in(self.client))
                page = right.content.decode()
                self.assertIn("로그인이 잠겼습니다. 30분 뒤에 다시 시도하세요.", page)
                self.assertIn('role="alert"', page)
                self.assertTemplateUsed(right, "council/locked_out.html")
                # The address is locked for every account, the account from every address.
                self.assertEqual(attempt(self.client, login, "clerk2", "pw").status_code, 429)
                self.assertEqual(
                    attempt(self.client, login, "clerk1", "pw", OTHER).status_code, 429
                )
                from axes.utils import reset

                reset()

    def test_fewer_failures_are_forgotten_after_a_right_password(self):
        self.fail("site", settings.AXES_FAILURE_LIMIT - 1)
        self.assertEqual(attempt(self.client, "site", "clerk1", "pw").status_code, 302)
        self.client.logout()
        self.fail("site", settings.AXES_FAILURE_LIMIT - 1)
        self.assertEqual(attempt(self.client, "site", "clerk1", "pw").status_code, 302)

    def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(self):
        for n in range(settings.AXES_FAILURE_LIMIT):
            attempt(self.client, "site", f"nobody{n}", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        self.assertEqual(attempt(self.client, "site", "clerk2", "pw").status_code, 429)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_the_forwarded_address_is_locked(self):
        proxy = "10.0.0.1"
        forwarded = {"HTTP_X_FORWARDED_FOR": ATTACKER}
        for n in range(settings.AXES_FAILURE_LIMIT):
            attempt(self.client, "site", f"nobody{n}", "x", proxy, **forwarded)
        self.assertEqual(
            attempt(self.client, "site", "clerk2", "pw", proxy, **forwarded).status_code, 429
        )
        other = {"HTTP_X_FORWARDED_FOR": OTHER}
        self.assertEqual(
            attempt(self.client, "site", "clerk2", "pw", proxy, **other).status_code, 302
        )


class ClientAddressTests(SimpleTestCase):
    def address(self, forwarded=None):
        headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
        return security.client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers))

    def test_no_proxy_takes_the_connection(self):
        self.assertEqual(self.address("1.2.3.4"), "10.0.0.1")

    def test_the_entry_each_trusted_proxy_added(self):
        with self.settings(TRUSTED_PROXY_COUNT=1):
            self.assertEqual(self.address("6.6.6.6, 1.2.3.4"), "1.2.3.4")  # first is forged
            self.assertEqual(self.address(), "10.0.0.1")
        with self.settings(TRUSTED_PROXY_COUNT=2):
            self.assertEqual(self.address("6.6.6.6, 1.2.3.4, 10.0.0.2"), "1.2.3.4")
            self.assertEqual(self.address("1.2.3.4"), "10.0.0.1")  # not through both


class SessionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user(Role.CLERK)

    def test_a_session_lasts_a_working_day(self):
        self.assertEqual(settings.SESSION_COOKIE_AGE, 9 * 3600)
        response = self.client.post("/login/", {"username": self.user.username, "password": "pw"})
        self.assertEqual(response.status_code, 302)
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertAlmostEqual(int(cookie["max-age"]), 9 * 3600, delta=5)

    def warning(self, url):
        page = self.client.get(url).content.decode()
        found = re.search(r'<div id="session-warning"[^>]*>', page)
        return page, found and found[0]

    def test_pages_of_a_logged_in_user_carry_the_warning_and_its_script(self):
        for url in ("/", "/admin/"):
            with self.subTest(url=url):
                self.client.logout()
                self.assertIsNone(self.warning(url)[1], "no warning before a login")
                self.client.force_login(self.user)
                page, box = self.warning(url)
                self.assertIn("hidden", box)
                left = int(re.search(r'data-seconds-left="(\d+)"', box)[1])
                self.assertAlmostEqual(left, settings.SESSION_COOKIE_AGE, delta=5)
                self.assertIn(f'data-warn-seconds="{settings.SESSION_WARNING_SECONDS}"', box)
                self.assertIn("로그인 연장", page)
                self.assertIn(f'action="{reverse("session_extend")}"', page)
                self.assertIn('<script src="/static/council/session.js" defer></script>', page)
        script = Path(settings.BASE_DIR, "council", "static", "council", "session.js").read_text()
        self.assertIn("seconds_left", script)

    def test_the_endpoint_extends_the_session_by_a_working_day(self):
        self.client.force_login(self.user)
        session = self.client.session
        session.set_expiry(60)
        session.save()
        self.assertLessEqual(self.client.session.get_expiry_age(), 60)
        response = self.client.post(reverse("session_extend"))
        self.assertEqual(response.status_code, 200)
        self.assertAlmostEqual(
            json.loads(response.content)["seconds_left"], settings.SESSION_COOKIE_AGE, delta=5
        )
        self.assertAlmostEqual(
            self.client.session.get_expiry_age(), settings.SESSION_COOKIE_AGE, delta=5
        )

    def test_the_endpoint_wants_a_post_with_its_token_and_a_login(self):
        url = reverse("session_extend")
        self.assertEqual(self.client.post(url).status_code, 401)
        self.client.force_login(self.user)
        self.assertEqual(self.client.get(url).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.user)
        self.assertEqual(strict.post(url).status_code, 403)


class HeaderTests(TestCase):
    def test_report_pages_allow_only_their_own_files(self):
        response = self.client.get("/")
        policy = response["Content-Security-Policy"]
        self.assertIn("default-src 'self'", policy)
        self.assertNotIn("unsafe", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertIn("camera=()", response["Permissions-Policy"])

    def test_the_admin_allows_style_attributes_and_one_known_handler(self):
        policy = self.client.get("/admin/login/")["Content-Security-Policy"]
        self.assertIn("style-src 'self' 'unsafe-inline'", policy)
        self.assertNotIn("'unsafe-inline'", policy.split("script-src")[1].split(";")[0])

    def test_no_template_of_the_report_pages_has_inline_script_or_style(self):
        """What the pages' policy would refuse: inline scripts, handlers, style attributes.
        The PDF's overlay is only ever read by WeasyPrint."""
        inline = re.compile(
            r"<script(?![^>]*\bsrc=)|<[a-z][^>]*\s(on[a-z]+|style)=|javascript:", re.I
        )
        roots = [Path(settings.BASE_DIR, "templates", name) for name in
                 ("council", "reports", "tables", "programs")]  # fmt: skip
        found = [
            f"{path.relative_to(settings.BASE_DIR)}: {match[0]}"
            for root in roots
            for path in root.rglob("*.html")
            if path.name != "overlay.html" and "admin" not in path.parts
            for match in inline.finditer(path.read_text())
        ]
        self.assertEqual(found, [])


class LoginRedirectTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user(Role.COUNCIL)

    def test_next_never_leaves_the_site(self):
        for login in LOGINS:
            for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example",
                           "javascript:alert(1)"):  # fmt: skip
                with self.subTest(login=login, target=target):
                    self.client.logout()
                    data = {"username": self.user.username, "password": "pw", "next": target}
                    if login == "admin":
                        self.user.is_staff = True
                        self.user.save()
                    response = self.client.post(LOGINS[login], data, REMOTE_ADDR=OTHER)
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(response["Location"], "/")

    def test_a_page_of_the_site_is_kept(self):
        data = {"username": self.user.username, "password": "pw", "next": "/periods/"}
        self.assertEqual(self.client.post("/login/", data)["Location"], "/periods/")


class DeployCheckTests(SimpleTestCase):
    def test_the_example_environment_passes_the_deployment_check_once_debug_is_off(self):
        example = Path(settings.BASE_DIR, ".env.example").read_text()
        variables = dict(
            line.split("=", 1)
            for line in example.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        )
        self.assertIn("AXES_FAILURE_LIMIT", variables)
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            **variables,
            "DEBUG": "false",
            "SECRET_KEY": "test-only-" + "k3y-" * 15,
        }
        checked = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
        )
        self.assertEqual(checked.returncode, 0, checked.stderr + checked.stdout)
