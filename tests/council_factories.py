"""A small district for the report-page tests: a bureau, two divisions, a published and a
draft briefing of one session, a committee, and the people who read them."""

import datetime as dt
import re
from html.parser import HTMLParser

from departments.access import Role
from departments.models import Department
from reports_site import layouts
from reports_site.models import Edition
from reports_site.report import build_report, content_hash

from .budget_factories import make_leaf
from .factories import make_briefing, make_department, make_session, make_snapshot, make_user
from .program_factories import make_program, make_progress

# The sections of the first version, each now a section holding the same blocks.
LEGACY_KINDS = list(layouts.LEGACY)


def make_sections(briefing, *kinds):
    """Adds sections of the first version's kinds (general, programs …) after the
    briefing's own: the standard layout's sections, with their blocks."""
    layouts.save(briefing, [layouts.legacy(kind) for kind in kinds])
    return briefing


def make_district(test):
    """Sets the district's rows as attributes of the test class; the published briefing
    has its first edition (made last, so it shows every row below)."""
    from council.models import Committee

    district = make_department("테스트구", Department.Kind.DISTRICT)
    test.bureau = make_department("행정국", Department.Kind.BUREAU, parent=district)
    test.ga = make_department("총무과", parent=test.bureau, order=1)
    test.clean = make_department("청소과", parent=test.bureau, order=2)
    test.session = make_session(dt.date(2025, 6, 12), number=261)
    test.older = make_session(dt.date(2024, 6, 12), number=250)
    test.published = make_sections(
        make_briefing(test.ga, test.session, status="published"),
        "general",
        "programs",
    )
    test.draft = make_sections(make_briefing(test.clean, test.session), "general")
    make_snapshot(test.ga)
    make_leaf(test.ga, 1_000_000, 442_000, name="청사 관리")
    test.program = make_program(test.ga, title="청사 환경 개선")
    make_progress(test.program, quarter=1, achievements="- 별관 대강당 정비")
    make_progress(test.program, quarter=2)
    test.committee = Committee.objects.create(council="테스트구의회", name="행정위원회", order=1)
    test.committee.departments.add(test.ga, test.clean)
    test.users = {
        "ga_staff": make_user(Role.STAFF, test.ga),
        "ga_reviewer": make_user(Role.REVIEWER, test.ga),
        "clean_staff": make_user(Role.STAFF, test.clean),
        "clerk": make_user(Role.CLERK),
        "member": make_user(Role.COUNCIL),
    }
    test.edition = make_edition(test.published)


def make_edition(briefing, page_map=None, number=None, change=None, booklet=False):
    """A published edition of the briefing (or its session's booklet) without a PDF file;
    numbered after the last one unless given a number."""
    data = build_report(briefing)
    if number is None:
        earlier = Edition.objects.filter(
            session=briefing.session, briefing=None if booklet else briefing
        )
        number = earlier.count() + 1
    if change:
        change(data)
    return Edition.objects.create(
        session=briefing.session,
        briefing=None if booklet else briefing,
        number=number,
        data=data,
        content_hash=content_hash(data),
        pdf="",
        pdf_hash="",
        pages=12,
        page_map=page_map or {},
    )


def freeze_published():
    """An edition (without a PDF) for each published briefing that has none, e.g. the
    demo's loaded with --no-publish: readers see a published briefing only as frozen."""
    from reports_site.models import Briefing

    for briefing in Briefing.objects.filter(status="published", editions__isnull=True):
        make_edition(briefing)


# Reading pages back --------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self._href, self._text = [], None, []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def links(html):
    """[(text, href)] of every link of a page."""
    parser = _Links()
    parser.feed(html)
    return parser.links


def link_to(html, text):
    """The address of the first link whose text contains `text`."""
    found = [href for label, href in links(html) if text in label]
    if not found:
        raise AssertionError(f"no link with {text!r}")
    return found[0]


def main_text(html):
    """The text of <main>, tags dropped, spaces squeezed."""
    body = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())
