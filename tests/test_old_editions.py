"""Editions published by the first version of the product (fixed section kinds, no blocks)
still read, print and compare as they did.

tests/data/edition_v1.json is the `data` of the 2025 총무과 edition (제261회) as commit
b97e4a9 published it (`manage.py demo --no-serve`); edition_v1_cells.json is the text of
every table data cell that version's part.html printed for it, in order.
"""

import copy
import json
import re
from pathlib import Path

from django.template.loader import render_to_string
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from departments.models import Department
from reports_site import editions
from reports_site.models import Edition
from reports_site.report import SCHEMA, build_report, content_hash, upgrade

from .block_helpers import MEDIA, pdf_text, rows, squeeze, text_of
from .council_factories import main_text, make_district
from .tools import needs_korean_font, needs_poppler

DATA = Path(__file__).parent / "data"


def v1():
    return json.loads((DATA / "edition_v1.json").read_text())


def cells(markup):
    found = re.findall(r"<td[^>]*>(.*?)</td>", markup, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in found]


class UpgradeTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old = v1()
        cls.data = upgrade(v1())
        cls.html = render_to_string("reports/part.html", {"report": cls.data})

    def test_the_file_is_a_first_version_edition(self):
        self.assertNotIn("schema", self.old)
        self.assertEqual(
            [s["kind"] for s in self.old["sections"]], ["general", "programs", "new_programs"]
        )

    def test_upgraded_to_the_current_schema_with_the_same_sections(self):
        self.assertEqual(self.data["schema"], SCHEMA)
        self.assertEqual(SCHEMA, 4)
        self.assertEqual(
            [(s["id"], s["key"], s["mark"], s["heading"]) for s in self.data["sections"]],
            [
                ("s-YDP-GA-general", "general", "I.", "일반현황"),
                ("s-YDP-GA-programs", "programs", "II.", "주요업무 추진실적"),
                ("s-YDP-GA-new_programs", "new_programs", "III.", "신규·중점사업 추진실적"),
            ],
        )
        general = self.data["sections"][0]
        self.assertEqual(
            [(c["mark"], c["heading"]) for c in general["children"]],
            [("1", "조직"), ("2", "인력"), ("3", "주요시설 및 장비"), ("4", "예산현황")],
        )
        self.assertEqual(
            [b["kind"] for c in general["children"] for b in c["blocks"]],
            ["organisation", "staffing", "facilities", "vehicles", "budget"],
        )
        self.assertEqual(self.data["style"]["heading_numbering"], "I. 1 □ ○")
        self.assertIs(upgrade(self.data), self.data)  # the current version is left as it is
        self.assertEqual(v1(), self.old)  # and the stored data is not changed

    def test_the_web_page_prints_the_figures_as_before(self):
        before = json.loads((DATA / "edition_v1_cells.json").read_text())
        self.assertEqual(cells(self.html), before)
        staffing = rows(self.html, "count-table")
        self.assertEqual(staffing[2][:3], ["정원", "50", "45"])
        self.assertEqual(staffing[3][:3], ["현원", "51", "46"])
        self.assertEqual(staffing[4][:8], ["과부족", "1", "1", "-", "7", "1", "4", "△11"])
        budget = rows(self.html, "budget")
        self.assertEqual(budget[1], ["계", "137,351,335", "60,741,935", "44.2"])
        self.assertEqual(budget[5], ["대외교류 활성화", "79,369", "39,400", "49.6"])  # no level
        self.assertIn("79,369(구비)", cells(self.html))
        text = text_of(self.html)
        self.assertIn("I. 일반현황 1 조직 총무과 – (2)개팀", text)
        self.assertIn("III. 신규·중점사업 추진실적", text)

    def test_the_new_programs_print_without_an_index_as_before(self):
        before = json.loads((DATA / "edition_v1_cells.json").read_text())
        self.assertEqual(cells(self.html), before)


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class OldEditionPdfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.document, cls.pages, cls.text = pdf_text(v1())

    def test_the_contents_list_the_sections_on_their_pages(self):
        entries = re.findall(r"^\s*([IVX]+\.\s*.+?)\s*[· ]+\s(\d+)\s*$", self.pages[1], re.M)
        self.assertEqual(
            [squeeze(label) for label, _page in entries],
            ["I.일반현황", "II.주요업무추진실적", "III.신규·중점사업추진실적"],
        )
        for label, page in entries:
            self.assertTrue(squeeze(self.pages[1 + int(page)]).startswith(squeeze(label)))

    def test_the_figures(self):
        for figure in [
            "정원5045",
            "현원5146",
            "△11",
            "7,622",
            "15,667",
            "137,351,335",
            "60,741,935",
            "44.2",
            "79,369(구비)",
            "6,444,228(구비)",
            "55.2",
        ]:
            self.assertIn(figure, self.text.replace("감소", ""))

    def test_the_general_section_keeps_its_sub_sections_together(self):
        first = squeeze(self.pages[2])
        for heading in ("I.일반현황", "1조직", "2인력"):
            self.assertIn(heading, first)


class OldEditionPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)
        Department.objects.filter(pk=cls.ga.pk).update(code="YDP-GA")
        cls.ga.refresh_from_db()
        data = v1()
        cls.old = Edition.objects.create(
            session=cls.session,
            briefing=cls.published,
            number=2,
            data=data,
            content_hash=content_hash(data),
            pdf="",
            pdf_hash="",
            pages=11,
            page_map={},
        )

    def test_the_briefing_page_shows_the_old_edition(self):
        response = self.client.get(reverse("council:briefing", args=[self.session.pk, "YDP-GA"]))
        self.assertEqual(response.status_code, 200)
        text = main_text(response.content.decode())
        for heading in ("일반현황", "주요업무 추진실적", "신규·중점사업 추진실적"):
            self.assertIn(heading, text)

    def test_each_section_page(self):
        expected = {
            "general": ["137,351,335", "60,741,935", "44.2", "7,622", "15,667"],
            "programs": ["79,369(구비)", "안전하고 쾌적한 청사환경 조성"],
            "new_programs": ["6,444,228(구비)", "55.2"],
        }
        for key, figures in expected.items():
            url = reverse("council:briefing_section", args=[self.session.pk, "YDP-GA", key])
            with self.subTest(key=key):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                text = main_text(response.content.decode())
                for figure in figures:
                    self.assertIn(figure, text)

    def test_compared_with_the_live_briefing(self):
        found = editions.changes(self.old.data, build_report(self.published))
        budget_total = [
            c for c in found if c["change"] == "revised" and c.get("old") == "137,351,335"
        ]
        self.assertEqual([c["new"] for c in budget_total], ["1,000,000"])
        self.assertEqual(editions.changes(self.old.data, upgrade(v1())), [])
        changed = copy.deepcopy(upgrade(v1()))
        changed["sections"][0]["children"][1]["blocks"][0]["table"]["rows"][1]["total"] = 52
        self.assertEqual(
            [(c["change"], c["old"], c["new"]) for c in editions.changes(self.old.data, changed)],
            [("revised", "51", "52")],
        )
