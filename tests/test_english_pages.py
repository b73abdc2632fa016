"""In English, every page shows English except what people typed (names, headings, outlines).

Each report page type and the main admin pages are read as an English-speaking clerk. Text
that comes from the database (and the pieces the outlines are parsed into) is taken out of
each text node; any Hangul left is a label, unit or message the code generated without the
catalog.
"""

import csv
import io
import re
from html import escape
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models
from django.test import TestCase
from django.urls import reverse

from council.models import Committee
from programs import outline
from reports_site.editions import publish
from reports_site.layouts import STANDARD as PERIOD_SECTIONS
from reports_site.models import Briefing, CouncilSession

from .test_demo_data import run_demo
from .tools import needs_korean_font

pytestmark = needs_korean_font  # every test here renders a PDF (reports_site.fonts)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
OUR_APPS = ("departments", "budgets", "programs", "reports_site", "council")
SHOWN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
SEARCHED = "청사"
# The outline syntax staff type, quoted by the outline fields' help text in every language.
OUTLINE_EXAMPLE = "‘: 4월 / 95,700천원’"


class TextNodes(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read aloud."""

    def __init__(self):
        super().__init__()
        self.texts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style", "textarea", "option")
        self.texts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style", "textarea", "option")

    def handle_data(self, data):
        if not self.hidden:
            self.texts.append(data)


def text_nodes(html):
    parser = TextNodes()
    parser.feed(html.replace("<mark>", "").replace("</mark>", ""))  # one text, highlighted
    return [" ".join(text.split()) for text in parser.texts if HANGUL.search(text)]


def _pieces(text):
    """A typed text, its lines, and the parts an outline shows of each item."""
    yield text
    for line in text.splitlines():
        yield line.strip()
        yield from (cell.strip() for cell in line.split("\t"))  # a typed table's cells
    stack = list(outline.tree(text))
    while stack:
        item = stack.pop()
        yield from (item.text, item.when or "")
        stack += item.children


def typed_texts(*also):
    """Every text stored in the project's tables, in pieces, the sessions' titles (proper
    names, kept in Korean in every language) and `also`, longest first."""
    found = {session.title for session in CouncilSession.objects.all()} | set(also)
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        for values in model.objects.values_list(*fields):
            for value in filter(None, values):
                found.update(" ".join(p.split()) for p in _pieces(str(value)))
    found = {text for text in found if HANGUL.search(text)}
    return sorted(found, key=len, reverse=True)


def untranslated(html, typed, corpus):
    """The text nodes with Hangul left once the typed texts are taken out."""
    left = []
    for node in text_nodes(html):
        rest = node
        for text in typed:
            if text in rest:
                rest = rest.replace(text, " ")
        # A piece of a typed text (a search snippet, a chart's shortened label).
        piece = node.strip("…: ")
        if HANGUL.search(rest) and not (len(piece) >= 6 and piece in corpus):
            left.append(node)
    return left


class EnglishPagesTests(TestCase):
    maxDiff = None

    @classmethod
    def setUpTestData(cls):
        run_demo()
        publish(Briefing.objects.get(session__number=261))  # an edition: frozen in Korean
        cls.clerk = User.objects.get(username="clerk")
        cls.typed = typed_texts(SEARCHED, OUTLINE_EXAMPLE)
        cls.corpus = "\n".join(cls.typed)

    def setUp(self):
        self.client.force_login(self.clerk)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def assert_english(self, urls):
        found = {}
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            html = response.content.decode()
            self.assertIn('<html lang="en"', html, url)
            left = untranslated(html, self.typed, self.corpus)
            if left:
                found[url] = left[:8]
        self.assertEqual(found, {})

    def test_every_report_page_type_is_english_but_for_typed_text(self):
        briefing = Briefing.objects.get(session__number=261)
        older = Briefing.objects.filter(session__starts_on__year=2007).get()
        self.assertTrue(briefing.editions.exists(), "the 2025 briefing shows its edition")
        code, section = "YDP-GA", "council:briefing_section"
        urls = [
            reverse("council:home"),
            reverse("council:session", args=[briefing.session_id]),
            reverse("council:briefing", args=[briefing.session_id, code]),
            *[
                reverse(section, args=[b.session_id, code, s.slug])
                for b in (briefing, older)
                for s in b.sections.top_level()
            ],  # fmt: skip
            reverse("council:periods"),
            reverse("council:period", args=[2025, 2]),
            reverse("council:period_report", args=[2025, 2, code]),
            *[reverse("council:period_section", args=[2025, 2, code, k]) for k in PERIOD_SECTIONS],
            reverse("council:departments"),
            reverse("council:department", args=[code]),
            reverse("council:committees"),
            reverse("council:committee", args=[Committee.objects.first().pk]),
            reverse("council:program", args=[code, 2025, "main", 1]),
            reverse("council:search") + f"?q={SEARCHED}",
            reverse("council:login"),
        ]
        self.assert_english(urls)

    def test_the_downloaded_tables_are_english_but_for_typed_text(self):
        briefing = Briefing.objects.get(session__number=261)
        pages = [
            reverse("council:briefing_section", args=[briefing.session_id, "YDP-GA", s.slug])
            for s in briefing.sections.top_level()
        ] + [
            reverse("council:period_section", args=[2025, 2, "YDP-GA", kind])
            for kind in PERIOD_SECTIONS
        ]
        found, downloads = {}, 0
        for page in pages:
            html = self.client.get(page).content.decode()
            for url in re.findall(r'href="([^"]+\.csv)"', html):
                downloads += 1
                content = io.StringIO(self.client.get(url).content.decode("utf-8-sig"))
                cells = [cell for row in csv.reader(content) for cell in row]
                table = "".join(f"<td>{escape(cell)}</td>" for cell in cells)
                left = untranslated(table, self.typed, self.corpus)
                if left:
                    found[url] = left[:8]
        self.assertGreater(downloads, 5)
        self.assertEqual(found, {})

    def test_the_main_admin_pages_are_english_but_for_typed_text(self):
        briefing = Briefing.objects.get(session__number=261)
        urls = [
            reverse("admin:index"),
            reverse("admin:departments_reportingperiod_board"),
            reverse("admin:reports_site_editions", args=[briefing.pk]),
            reverse("admin:reports_site_booklet", args=[briefing.session_id]),
        ]
        for model in admin.site._registry:
            meta = model._meta
            if meta.app_label not in OUR_APPS:
                continue
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
            first = model.objects.order_by("pk").first()
            if first is not None:
                args = [first.pk]
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=args))
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=args))
        self.assert_english(urls)


class ScheduleLanguageTests(TestCase):
    """A schedule's months and quarters, generated from numbers, follow the reader."""

    @classmethod
    def setUpTestData(cls):
        from programs.models import ScheduleItem

        from .council_factories import make_edition, make_sections
        from .factories import make_briefing, make_department, make_user
        from .program_factories import make_program

        department = make_department("총무과")
        program = make_program(department, title="청사 환경 개선")
        ScheduleItem.objects.create(program=program, year=2025, month=6, order=1, text="점검")
        ScheduleItem.objects.create(program=program, year=2025, quarter=3, order=2, text="보수")
        cls.briefing = make_sections(make_briefing(department, status="published"), "schedule")
        make_edition(cls.briefing)
        cls.user, cls.code = make_user(None), department.code

    def test_the_schedule_shows_months_and_quarters_in_english(self):
        self.client.force_login(self.user)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        args = [self.briefing.session_id, self.code, "schedule"]
        page = self.client.get(reverse("council:briefing_section", args=args)).content.decode()
        self.assertIn("Month 6", page)
        self.assertIn("Q3", page)
        self.assertNotIn("6월", page)
        self.assertNotIn("3분기", page)
        csv = reverse("council:briefing_table", args=[*args, "schedule", "csv"])
        self.assertIn("Month 6", self.client.get(csv).content.decode("utf-8-sig"))
