"""The demo's second council (synthetic, fixtures/demo/90_second_council.json): another
house style, and a briefing that uses every block kind."""

import os
import subprocess
import tempfile
from unittest import mock

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.test import TestCase, override_settings
from django.urls import reverse

from departments.management.commands.demo import copy_media
from reports_site import blocks, editions
from reports_site.models import Block, Briefing
from reports_site.report import build_report, walk

from .block_helpers import rows
from .test_demo_data import run_demo
from .test_pdf import MEDIA, pdf_pages, squeeze
from .tools import needs_korean_font, needs_poppler

COUNCIL = "예시광역시의회 (합성 예시)"
DEPARTMENT = "문화예술과 (합성 예시)"
IMAGE = "blocks/demo/exm-art-org-chart.png"
ALT = "문화예술과장 아래에 문화정책담당, 예술지원담당, 시설운영담당 세 담당이 있는 조직도"


def block_kinds(data):
    """The kinds of the blocks a report prints, those inside programs included."""
    found = set()
    for section in walk(data["sections"]):
        for block in section["blocks"]:
            found.add(block["kind"])
            for program in block.get("programs", []) if block["kind"] == "programs" else []:
                found |= {inner["kind"] for inner in program["blocks"]}
    return found


@override_settings(MEDIA_ROOT=MEDIA)
class SecondCouncilDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        copy_media()  # a replayed demo put the rows back, not the files
        cls.briefing = Briefing.objects.get(session__council=COUNCIL, department__code="EXM-ART")

    def test_the_briefing_uses_every_block_kind_in_its_own_house_style(self):
        data = build_report(self.briefing)
        self.assertEqual(block_kinds(data), set(blocks.KINDS))
        self.assertEqual(data["style"]["heading_numbering"], "1. 가. 1) ○")
        self.assertEqual(data["style"]["program_numbering"], "grouped")
        marks = [(s["level"], s["mark"]) for s in walk(data["sections"])]
        self.assertEqual(marks[:3], [(1, "1."), (2, "가."), (2, "나.")])
        self.assertIn((3, "1)"), marks)
        self.assertTrue(data["department"]["name"].endswith("(합성 예시)"))

    def test_a_table_placed_in_a_program_prints_inside_it(self):
        placed = Block.objects.get(section__briefing=self.briefing, program__isnull=False)
        (programs,) = [
            b
            for s in walk(build_report(self.briefing)["sections"])
            for b in s["blocks"]
            if b["kind"] == "programs"
        ]
        inside = {p["title"]: [b["kind"] for b in p["blocks"]] for p in programs["programs"]}
        self.assertEqual(inside[placed.program.title], ["table"])
        self.assertEqual(
            {len(blocks) for title, blocks in inside.items() if title != placed.program.title}, {0}
        )
        # grouped under the department's strategies, numbered from 1 in each
        marks = [(p["group"]["mark"], p["mark"]) for p in programs["programs"]]
        self.assertEqual(marks, [("1.", "1-1"), ("1.", "1-2"), ("2.", "2-1")])

    def test_the_demo_copies_its_image_once(self):
        self.assertEqual(copy_media(), [])  # already there: nothing written again
        self.assertEqual(default_storage.listdir("blocks/demo")[1], ["exm-art-org-chart.png"])
        image = Block.objects.get(section__briefing=self.briefing, kind="image")
        self.assertEqual((image.image.name, image.alt_text), (IMAGE, ALT))


@needs_korean_font
@needs_poppler
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class SecondCouncilPdfTests(TestCase):
    """One render: the published edition's PDF; the command then reuses its part."""

    @classmethod
    def setUpTestData(cls):
        run_demo()
        copy_media()
        cls.briefing = Briefing.objects.select_related("session", "department").get(
            session__council=COUNCIL, department__code="EXM-ART"
        )
        cls.edition = editions.publish(cls.briefing)
        with cls.edition.pdf.open("rb") as stored:
            cls.document = stored.read()
        cls.pages = pdf_pages(cls.document)
        cls.text = "\n".join(cls.pages)
        cls.flat = squeeze(cls.text)

    def section_page(self, slug):
        args = [self.briefing.session_id, self.briefing.department.code, slug]
        response = self.client.get(reverse("council:briefing_section", args=args))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_headings_and_programs_are_numbered_the_house_way(self):
        for heading in ("1.일반현황", "가.조직", "라.예산현황", "1)지원금정산절차", "5.운영개선"):
            self.assertIn(heading, self.flat)
        self.assertNotIn("I.", self.text)
        program = next(page for page in self.pages if "찾아가는 예술무대" in page.split("\n")[0])
        self.assertIn("1-2찾아가는예술무대", squeeze(program))
        self.assertIn("◆추진실적", squeeze(program))  # renamed, with the block's marker
        self.assertIn("◆향후추진계획", squeeze(program))

    def test_groups_the_strategy_table_and_the_quarter_grid(self):
        for text in (
            "연번사업명쪽1.생활속문화누림확대(합성예시)1-1생활문화센터권역별운영5",
            "2.예술인창작기반강화(합성예시)2-1예술단체창작지원(합성예시)예술지원담당",
            "구분계1/42/43/44/4생활문화활성화1,260,000250,000320,000390,000300,000",
        ):
            self.assertIn(text, self.flat)
        html = render_to_string("reports/pdf/part.html", {"report": self.edition.data})
        self.assertEqual(
            rows(html, "strategy")[1:],
            [
                ["1. 생활 속 문화 누림 확대 (합성 예시)", "1-1 생활문화센터 권역별 운영"],
                ["1-2 찾아가는 예술무대"],
                ["2. 예술인 창작 기반 강화 (합성 예시)", "2-1 예술단체 창작 지원 (합성 예시)"],
            ],
        )
        schedule = [r[0] for r in rows(html, "schedule")[1:] if len(r) == 4]  # a program's first
        self.assertEqual(schedule[0], "1-1 생활문화센터 권역별 운영")  # numbered by its group
        self.assertEqual(schedule[-1], "2-1 예술단체 창작 지원 (합성 예시)")

    def test_zero_negative_and_dates_follow_the_house(self):
        # the rows by their figures: a line's name may wrap in its fixed-width column
        budget = next(line for line in self.text.split("\n") if "760,000" in line)
        self.assertIn("760,000 760,000 0 0.0", " ".join(budget.split()))
        falling = next(line for line in self.text.split("\n") if "-65,000" in line)
        self.assertIn("-65,000", falling)
        self.assertIn("-13.5", falling)
        self.assertNotIn("△", self.text)
        self.assertIn("'25.8.31.", self.text)  # the as-of captions
        self.assertIn("'25.9.2. ~ 9.12.", self.pages[0])  # the cover, in the short style
        self.assertNotIn("2025. 8. 31.", self.text)

    def test_the_free_table_merges_its_cells(self):
        html = render_to_string("reports/pdf/part.html", {"report": self.edition.data})
        self.assertIn('<th scope="col" colspan="2" rowspan="2">구분</th>', html)
        self.assertIn('<th scope="col" colspan="2">2024년</th>', html)
        self.assertIn('<th scope="row" rowspan="2">생활문화센터</th>', html)
        self.assertIn('<th scope="row" colspan="2">찾아가는 예술무대</th>', html)
        for text in (
            "2025년(8월말)",
            "행사(회)참여(명)",
            "동부권241,820191,410",
            "계828,880708,075",
        ):
            self.assertIn(text, self.flat)

    def test_the_image_is_embedded_with_its_caption(self):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(self.document)
            file.flush()
            listing = subprocess.run(
                ["pdfimages", "-list", file.name], capture_output=True, check=True, text=True
            ).stdout
        self.assertGreaterEqual(len(listing.strip().split("\n")), 3, listing)  # 2 header lines
        self.assertIn("문화예술과 조직도 (합성 예시)", self.text)

    def test_the_published_pages_show_the_image_and_the_free_table(self):
        page = self.section_page("general")
        self.assertIn(f'alt="{ALT}"', page)
        self.assertIn(IMAGE, page)
        self.assertIn("<figcaption>문화예술과 조직도 (합성 예시)</figcaption>", page)
        page = self.section_page("improvements")
        self.assertIn('class="data free-table"', page)
        self.assertIn('colspan="2" rowspan="2">구분</th>', page)
        self.assertIn("【 추진 방향 】", page)
        self.assertIn('<p class="compare-label">개선</p>', page)

    def test_the_command_exports_one_briefing_by_its_id(self):
        with tempfile.TemporaryDirectory() as folder:
            out = os.path.join(folder, "second.pdf")
            call_command(
                "briefing_pdf",
                "--briefing",
                str(self.briefing.pk),
                "--output",
                out,
                stdout=mock.MagicMock(),
            )
            with open(out, "rb") as file:
                text = "\n".join(pdf_pages(file.read()))
        self.assertIn(DEPARTMENT, text)
        with self.assertRaisesMessage(CommandError, "999999번 업무보고가 없습니다."):
            call_command("briefing_pdf", "--briefing", "999999", "--output", out)
