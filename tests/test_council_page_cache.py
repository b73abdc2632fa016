"""Whole pages of published briefings kept for visitors (council.pagecache): a kept page
costs two queries, carries each visitor's own CSRF token, and shows a rename at once;
signed-in readers are never served a kept page."""

import io
import re

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.access import Role
from departments.models import Department
from reports_site.models import Briefing, CouncilSession

from .council_factories import make_edition
from .factories import make_user

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PublishedPageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("synth", "--departments", 2, "--years", 2, stdout=io.StringIO())
        cls.department = Department.objects.filter(code__startswith="SYN-D").order_by("code")[0]
        session = CouncilSession.objects.filter(briefings__department=cls.department)
        cls.session = session.latest("starts_on")
        cls.briefing = Briefing.objects.get(session=cls.session, department=cls.department)
        make_edition(cls.briefing)
        args = [cls.session.pk, cls.department.code]
        cls.urls = [
            reverse("council:briefing", args=args),
            *[
                reverse("council:briefing_section", args=[*args, kind])
                for kind in ("general", "programs", "new_programs")
            ],
        ]

    def setUp(self):
        cache.clear()

    def get(self, client, url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode(), len(queries)

    def test_a_kept_page_costs_two_queries_and_is_the_same_page(self):
        for url in self.urls:
            with self.subTest(url=url):
                first, cold = self.get(self.client, url)
                second, warm = self.get(self.client, url)
                self.assertEqual(warm, 2)  # the briefing (who may read it) and its editions
                self.assertLess(warm, cold)
                self.assertEqual(TOKEN.sub("", first), TOKEN.sub("", second))

    def test_each_visitor_gets_a_token_of_their_own_that_works(self):
        url = self.urls[1]
        self.get(self.client, url)  # kept
        other = self.client_class(enforce_csrf_checks=True)
        page, queries = self.get(other, url)
        self.assertEqual(queries, 2)
        token = TOKEN.search(page)[1]
        self.assertNotIn("@@", page)
        self.assertIn("csrftoken", other.cookies)
        response = other.post(
            reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token}
        )
        self.assertEqual(response.status_code, 302)  # 403 with someone else's token

    def test_a_renamed_department_shows_at_once(self):
        url = self.urls[2]
        self.get(self.client, url)
        Department.objects.filter(pk=self.department.pk).update(name="새이름과")
        page, _queries = self.get(self.client, url)
        self.assertIn("새이름과", page)

    def test_a_signed_in_reader_is_never_served_a_kept_page(self):
        url = self.urls[1]
        self.get(self.client, url)
        self.client.force_login(make_user(Role.COUNCIL, username="의원1"))
        page, queries = self.get(self.client, url)
        self.assertGreater(queries, 2)
        self.assertIn("의원1", page)

    def test_each_language_is_kept_apart(self):
        url = self.urls[1]
        korean, _ = self.get(self.client, url)
        self.client.cookies["django_language"] = "en"
        english, _ = self.get(self.client, url)
        self.assertIn('lang="ko"', korean)
        self.assertIn('lang="en"', english)
