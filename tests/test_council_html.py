"""The report pages are well-formed HTML: tags closed and nested, ids unique, tables labelled."""

from html.parser import HTMLParser

from django.test import TestCase
from django.urls import reverse

from departments.models import ReportingPeriod

from .council_factories import LEGACY_KINDS, make_district, make_edition, make_sections

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Elements a browser would not keep inside an open <p> (it closes the paragraph first).
BLOCKS = {"address", "article", "aside", "blockquote", "div", "dl", "fieldset", "figure",
          "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav",
          "ol", "p", "pre", "section", "table", "ul"}  # fmt: skip


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.problems = [], set(), []
        self.tables = self.captions = 0

    def where(self):
        line, column = self.getpos()
        return f"line {line}:{column}"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS and "p" in self.stack and "svg" not in self.stack:
            self.problems.append(f"<{tag}> inside <p> at {self.where()}")
        if "id" in attrs:
            if attrs["id"] in self.ids:
                self.problems.append(f"duplicate id {attrs['id']!r} at {self.where()}")
            self.ids.add(attrs["id"])
        if tag == "th" and "scope" not in attrs:
            self.problems.append(f"<th> without scope at {self.where()}")
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            open_tag = self.stack[-1] if self.stack else "nothing"
            self.problems.append(f"</{tag}> closes <{open_tag}> at {self.where()}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def check(self, html):
        self.feed(html)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {self.stack}")
        if self.tables != self.captions:
            self.problems.append(f"{self.tables} tables, {self.captions} captions")
        return self.problems


class HtmlValidityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)
        ReportingPeriod.objects.create(department=cls.ga, year=2025, quarter=2, status="approved")
        kinds = [k for k in LEGACY_KINDS if k not in ("general", "programs")]
        make_sections(cls.published, *kinds)
        make_edition(cls.published)  # the edition with every section
        make_edition(cls.draft, {f"s-{cls.clean.code}-general": 5}, booklet=True)

    def pages(self):
        session, code = self.session.pk, self.ga.code
        urls = [
            reverse("council:home"),
            reverse("council:session", args=[session]),
            reverse("council:briefing", args=[session, code]),
            reverse("council:periods"),
            reverse("council:period", args=[2025, 2]),
            reverse("council:period_report", args=[2025, 2, code]),
            reverse("council:departments"),
            reverse("council:department", args=[code]),
            reverse("council:committees"),
            reverse("council:committee", args=[self.committee.pk]),
            reverse("council:program", args=[code, 2025, "main", self.program.order]),
            reverse("council:search") + "?q=청사",
            reverse("council:login"),
        ]
        for kind in LEGACY_KINDS:
            urls.append(reverse("council:briefing_section", args=[session, code, kind]))
        for kind in ("general", "programs", "kpis", "council_requests"):
            urls.append(reverse("council:period_section", args=[2025, 2, code, kind]))
        return urls

    def test_every_page_type_is_well_formed_with_unique_ids_and_labelled_tables(self):
        self.client.force_login(self.users["clerk"])
        for url in self.pages():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(Checker().check(response.content.decode()), [])

    def test_the_checker_finds_what_it_looks_for(self):
        bad = '<div id="a"><p><ul></ul></p><span id="a"></div><table><th>x</th></table>'
        problems = Checker().check(bad)
        self.assertTrue(any("inside <p>" in p for p in problems))
        self.assertTrue(any("duplicate id" in p for p in problems))
        self.assertTrue(any("closes <span>" in p for p in problems))
        self.assertTrue(any("without scope" in p for p in problems))
        self.assertTrue(any("captions" in p for p in problems))
