"""Every report page runs the same number of queries whatever the amount of data, ≤ 20.

The synthetic district (`manage.py synth`) is built at two sizes, one after the other in the
same test (each rolled back), and every page type is fetched as a visitor, a council
member, the department's staff and a clerk.
"""

import datetime as dt
import io
from contextlib import contextmanager

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.access import Role
from departments.models import Department, ReportingPeriod
from programs.models import Program
from reports_site.layouts import STANDARD as PERIOD_SECTIONS
from reports_site.models import Briefing, CouncilSession

from .council_factories import LEGACY_KINDS, make_edition, make_sections
from .factories import make_request, make_user
from .program_factories import make_kpi, make_progress

MAX_QUERIES = 22  # a live briefing reads its layout (sections with blocks) first
ALL_SECTIONS = list(LEGACY_KINDS)


@contextmanager
def unlocked(departments):
    """Past quarters of the departments opened while the test adds rows, then closed again."""
    periods = ReportingPeriod.objects.filter(department__in=departments)
    approved = list(periods.filter(status="approved").values_list("pk", flat=True))
    periods.update(status="draft")
    yield
    ReportingPeriod.objects.filter(pk__in=approved).update(status="approved")


def grow(department, year, extra):
    """More programs (with progress and indicators) and council requests for a department."""
    start = Program.objects.filter(department=department, year=year).count() + 100
    for n in range(extra):
        program = Program.objects.create(
            department=department, year=year, order=start + n, title=f"추가 사업 {n} 청사"
        )
        make_progress(program, quarter=1)
        make_progress(program, quarter=2)
        make_kpi(program).values.create(year=year, target=10, actual=n)
        make_request(department, "처리요구", year=year, quarter=1, order=start + n,
                     text=f"청사 요구 {n}")  # fmt: skip


def build(departments, years, extra):
    """The synthetic district, and what the page types need on top of it."""
    call_command("synth", "--departments", departments, "--years", years, stdout=io.StringIO())
    divisions = Department.objects.filter(code__startswith="SYN-D", kind="division")
    d1, d2 = divisions.order_by("code")[:2]
    session = CouncilSession.objects.filter(briefings__department=d1).latest("starts_on")
    year = session.starts_on.year
    with unlocked([d1, d2]):
        grow(d1, year, extra)
        grow(d2, year, extra)
    published = Briefing.objects.get(session=session, department=d1)
    published.sections.all().delete()
    make_sections(published, *ALL_SECTIONS)  # every section type
    make_edition(published)  # published: what readers see is frozen
    make_edition(Briefing.objects.get(session=session, department=d2))
    earlier = CouncilSession.objects.filter(starts_on__lt=session.starts_on).latest("starts_on")
    draft = Briefing.objects.create(
        session=earlier, department=d1, as_of=dt.date(year - 1, 5, 31), title="초안",
        issued=dt.date(year - 1, 6, 1),
    )  # fmt: skip
    make_sections(draft, *ALL_SECTIONS)
    return d1, d2, session, earlier, year


def pages(d1, d2, session, earlier, year):
    """{page name: url} of every page type."""
    live = [session.pk, d1.code]
    urls = {
        "home": reverse("council:home"),
        "session": reverse("council:session", args=[session.pk]),
        "briefing": reverse("council:briefing", args=live),
        "edition": reverse("council:briefing", args=[session.pk, d2.code]),
        "draft": reverse("council:briefing", args=[earlier.pk, d1.code]),
        "periods": reverse("council:periods"),
        "period": reverse("council:period", args=[year, 2]),
        "period report": reverse("council:period_report", args=[year, 2, d1.code]),
        "departments": reverse("council:departments"),
        "department": reverse("council:department", args=[d1.code]),
        "committees": reverse("council:committees"),
        "program": reverse("council:program", args=[d1.code, year, "main", 1]),
        "search": reverse("council:search") + "?q=청사",
    }
    for kind in ALL_SECTIONS:
        urls[f"section {kind}"] = reverse("council:briefing_section", args=[*live, kind])
        urls[f"draft {kind}"] = reverse(
            "council:briefing_section", args=[earlier.pk, d1.code, kind]
        )
    for kind in PERIOD_SECTIONS:
        urls[f"period {kind}"] = reverse("council:period_section", args=[year, 2, d1.code, kind])
    for kind in ("general", "programs", "new_programs"):
        urls[f"edition {kind}"] = reverse(
            "council:briefing_section", args=[session.pk, d2.code, kind]
        )
    urls["xlsx"] = reverse("council:briefing_table", args=[*live, "general", "budget", "xlsx"])
    urls["csv"] = reverse("council:briefing_table", args=[*live, "programs", "programs", "csv"])
    return urls


class QueryCountTests(TestCase):
    def measure(self, departments, years, extra):
        """{(role, page): queries} for the district at that size (rolled back after)."""
        counts = {}
        with transaction.atomic():
            d1, d2, session, earlier, year = build(departments, years, extra)
            readers = {
                "visitor": None,
                "member": make_user(Role.COUNCIL),
                "staff": make_user(Role.STAFF, d1),
                "clerk": make_user(Role.CLERK),
            }
            for role, user in readers.items():
                self.client.logout()
                if user:
                    self.client.force_login(user)
                for name, url in pages(d1, d2, session, earlier, year).items():
                    cache.clear()  # the worst case: an edition not yet read by this process
                    with CaptureQueriesContext(connection) as queries:
                        status = self.client.get(url).status_code
                    counts[role, name] = (status, len(queries))
            transaction.set_rollback(True)
        return counts

    def test_every_page_costs_the_same_queries_at_two_sizes_and_at_most_twenty(self):
        small = self.measure(departments=2, years=3, extra=1)
        large = self.measure(departments=8, years=5, extra=12)
        differ = {key: (small[key], large[key]) for key in large if small[key] != large[key]}
        self.assertEqual(differ, {}, "(status, queries) small vs large")
        too_many = {key: n for key, (status, n) in large.items() if n > MAX_QUERIES}
        self.assertEqual(too_many, {})
        statuses = {key: status for key, (status, _n) in large.items()}
        signed_in_only = ("periods", "period", "period report", "program", "period ")
        for (role, name), status in statuses.items():
            if name.startswith("draft"):
                expected = 200 if role in ("staff", "clerk") else 404
            elif role == "visitor" and name.startswith(signed_in_only):
                expected = 302
            else:
                expected = 200
            with self.subTest(role=role, page=name):
                self.assertEqual(status, expected)
