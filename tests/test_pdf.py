"""The council-briefing PDF, read back the way a person or a printer would read it."""

import errno
import hashlib
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import TestCase, override_settings
from django.urls import reverse

from budgets.models import BudgetLine, BudgetSnapshot
from departments.models import Department, Facility, StaffingCount
from reports_site import editions, pdf
from reports_site.models import Briefing, CouncilSession
from reports_site.report import blocks_of, build_report

from .council_factories import freeze_published, make_edition, make_sections
from .test_demo_data import run_demo
from .tools import needs_korean_font, needs_poppler

pytestmark = needs_korean_font  # every test here renders a PDF (reports_site.fonts)

MEDIA = tempfile.mkdtemp(prefix="briefing-test-media-")


def pdf_pages(document, mode="-layout"):
    """The text of each page in order: laid out as printed, or (-raw) in drawing order."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(document)
        file.flush()
        text = subprocess.run(
            ["pdftotext", mode, file.name, "-"], capture_output=True, check=True, text=True
        ).stdout
    return text.split("\f")[:-1]


def squeeze(text):
    return re.sub(r"\s+", "", text)


def folio(page_text):
    """The page number printed in the footer ("- 7 -"), or None on unnumbered pages."""
    match = re.search(r"-\s*(\d+)\s*-\s*$", page_text.strip())
    return int(match[1]) if match else None


def printed_page(pages, number):
    """The page that carries the folio ``number``."""
    return next(text for text in pages if folio(text) == number)


@needs_poppler
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class DemoBriefingPdfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.briefing = Briefing.objects.get(session__number=261, department__code="YDP-GA")
        cls.data = build_report(cls.briefing)
        cls.document, cls.page_map = pdf.briefing_pdf(cls.data)
        cls.pages = pdf_pages(cls.document)
        cls.text = "\n".join(cls.pages)

    def test_the_cover_and_the_key_figures_read_as_in_the_document(self):
        cover = self.pages[0]
        for expected in [
            "제261회",
            "2025. 6. 12. ~ 6. 27.",
            "희망 행복 미래도시 영등포",
            "2025년 주요업무 보고",
            "2025. 6.",
        ]:
            self.assertIn(expected, cover)
        self.assertIn("총무과", squeeze(cover))
        for figure in [
            "137,351,335",
            "60,741,935",
            "44.2",
            "6,444,228",
            "3,556,748",
            "55.2",
            "△11",
            "7,622",
            "15,667",
            "236",
        ]:
            self.assertIn(figure, self.text)

    def test_contents_page_numbers_are_the_pages_the_sections_start_on(self):
        contents = self.pages[1]
        entries = re.findall(r"^\s*([IVX]+)\.\s*(.+?)\s*[· ]+\s(\d+)\s*$", contents, re.M)
        self.assertEqual([e[0] for e in entries], ["I", "II", "III"])
        for numeral, heading, number in entries:
            page = printed_page(self.pages, int(number))
            self.assertIn(squeeze(f"{numeral}. {heading}"), squeeze(page))
        # and no earlier page carries that heading
        first = int(entries[1][2])
        self.assertNotIn("II.주요업무추진실적", squeeze("".join(self.pages[2 : first + 1])))

    def test_each_contents_line_links_to_its_page(self):
        starts = [self.page_map[s["id"]] for s in self.data["sections"]]
        self.assertEqual(contents_links(self.document), [2 + page - 1 for page in starts])

    def test_the_program_index_points_at_each_programs_page(self):
        index_page = printed_page(self.pages, self.page_map["s-YDP-GA-programs"])
        rows = re.findall(r"([①-⑳])\s+(.+?)\s{2,}(\d+)\s*$", index_page, re.M)
        self.assertEqual(len(rows), 5)
        for mark, title, number in rows:
            page = printed_page(self.pages, int(number))
            self.assertIn(squeeze(f"{mark} {title}"), squeeze(page[:200]))

    def test_every_page_after_the_front_matter_has_its_folio(self):
        numbers = [folio(text) for text in self.pages[2:]]
        self.assertEqual(numbers, list(range(1, len(self.pages) - 1)))
        self.assertIsNone(folio(self.pages[0]))

    def test_every_record_of_the_web_report_is_in_the_pdf(self):
        html = render_to_string("reports/part.html", {"report": self.data})
        cells = re.findall(r"<(?:td|th|span class=\"outline-text\")[^>]*>(.*?)</", html, re.S)
        # an outline item's own text, after its marker (level-1 texts are in the spans above)
        marker = r'(?:<span class="outline-marker[^>]*>[^<]*</span>)?'
        cells += re.findall(rf'<li class="outline-item[^"]*">\s*{marker}\s*([^<]+)', html)
        # Drawing order keeps each table cell's text together, however it wraps.
        pdf_text = squeeze("".join(pdf_pages(self.document, "-raw")))
        records = {squeeze(re.sub(r"<[^>]+>", "", cell)) for cell in cells}
        records = {r for r in records if r and "감소" not in r}
        self.assertGreater(len(records), 150)
        missing = sorted(r for r in records if r.replace("&#x27;", "'") not in pdf_text)
        self.assertEqual(missing, [])

    def test_fonts_are_embedded_and_hangul_is_not_drawn_in_type3(self):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(self.document)
            file.flush()
            fonts = subprocess.run(
                ["pdffonts", file.name], capture_output=True, check=True, text=True
            ).stdout.splitlines()[2:]
        self.assertTrue(fonts)
        for line in fonts:
            self.assertNotIn("Type 3", line)
            self.assertRegex(line, r"\byes\s+yes\s+yes\b", line)  # embedded, subset, unicode

    def test_metadata_bookmarks_and_language(self):
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(self.document))
        self.assertEqual(reader.metadata.title, "총무과 2025년 주요업무 보고")
        self.assertEqual(reader.metadata.author, "총무과")
        self.assertEqual(reader.trailer["/Root"]["/Lang"], "ko")
        outline = reader.outline
        titles = [item.title for item in outline if not isinstance(item, list)]
        self.assertIn("보고 순서", titles)
        self.assertIn("총무과", titles)
        nested = [i.title for group in outline if isinstance(group, list) for i in _flat(group)]
        self.assertIn("I. 일반현황", nested)
        self.assertTrue(any("안전하고 쾌적한 청사환경 조성" in t for t in nested))


def _flat(items):
    for item in items:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


@needs_poppler
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=2)
class BookletTests(TestCase):
    """A session booklet of two departments: one numbering, one contents, parts reused."""

    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.session = CouncilSession.objects.get(number=261)
        clean = Department.objects.get(code="YDP-CLEAN")
        general = Briefing.objects.get(session=cls.session, department__code="YDP-GA")
        second = Briefing.objects.create(
            session=cls.session,
            department=clean,
            as_of=general.as_of,
            title="2025년 주요업무 보고",
            issued=general.issued,
        )
        make_sections(second, "general")
        # The booklet orders departments by their order in the district.
        Department.objects.filter(pk=clean.pk).update(order=0)
        cls.general = general
        for briefing in (general, second):  # the booklet binds what editions froze
            editions.publish(briefing)

    def test_one_numbering_and_one_contents_across_departments(self):
        edition = editions.publish_booklet(self.session)
        with edition.pdf.open("rb") as stored:
            pages = pdf_pages(stored.read())
        contents = pages[1]
        entries = re.findall(r"^\s*(.+?)\s*[· ]+\s(\d+)\s*$", contents, re.M)
        labels = [squeeze(label) for label, _ in entries]
        self.assertEqual(labels[0], "청소과")
        ga = labels.index("총무과")
        ga_start = int(entries[ga][1])
        self.assertGreater(ga_start, 1)  # after the other department's pages
        for label, number in entries:
            if label.strip().startswith(("I.", "II.", "III.")):
                self.assertIn(squeeze(label), squeeze(printed_page(pages, int(number))))
        # The 총무과 program index carries booklet page numbers, not the department's own.
        index_page = printed_page(pages, edition.page_map["s-YDP-GA-programs"])
        rows = re.findall(r"([①-⑳])\s+(.+?)\s{2,}(\d+)\s*$", index_page, re.M)
        self.assertEqual(int(rows[0][2]), edition.page_map["YDP-GA-main-1"])
        self.assertGreater(int(rows[0][2]), ga_start)
        self.assertEqual([folio(p) for p in pages[2:]], list(range(1, len(pages) - 1)))

    def test_an_unchanged_booklet_is_served_from_storage(self):
        first = editions.publish_booklet(self.session)
        with mock.patch.object(pdf, "render_part", wraps=pdf.render_part) as render:
            again = editions.publish_booklet(self.session)
        self.assertEqual(again, first)
        render.assert_not_called()

    @override_settings(BRIEFING_PDF_WORKERS=1)
    def test_after_one_department_changes_only_its_part_is_rendered_again(self):
        first = editions.publish_booklet(self.session)
        snapshot = BudgetSnapshot.objects.filter(line__department__code="YDP-GA").first()
        BudgetSnapshot.objects.filter(pk=snapshot.pk).update(executed=snapshot.executed + 1)
        with mock.patch.object(pdf, "render_part", wraps=pdf.render_part) as render:
            editions.publish(self.general)  # its part, rendered once, serves the booklet too
            second = editions.publish_booklet(self.session)
        self.assertEqual(render.call_count, 1)
        self.assertEqual(render.call_args.args[0]["department"]["code"], "YDP-GA")
        self.assertEqual(second.number, first.number + 1)


@needs_poppler
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class EditionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.briefing = Briefing.objects.get(session__number=261, department__code="YDP-GA")

    def test_a_published_edition_never_changes_and_the_next_one_shows_what_changed(self):
        first = editions.publish(self.briefing)
        with first.pdf.open("rb") as stored:
            before = stored.read()
        snapshot = BudgetSnapshot.objects.filter(
            line__department=self.briefing.department, line__name="대외교류 활성화"
        ).latest("as_of")
        BudgetSnapshot.objects.filter(pk=snapshot.pk).update(executed=40_000)

        first.refresh_from_db()
        with first.pdf.open("rb") as stored:
            self.assertEqual(stored.read(), before)
        self.assertEqual(editions.publish(self.briefing), editions.latest_edition(self.briefing))
        second = editions.latest_edition(self.briefing)
        self.assertEqual(second.number, 2)
        self.assertIn("40,000", "\n".join(pdf_pages(second.pdf.open("rb").read())))
        revised = [c for c in editions.changes(first.data, second.data) if c["what"] == "집행액"]
        self.assertTrue(any(c["old"] == "39,400" and c["new"] == "40,000" for c in revised))

    def test_publishing_unchanged_data_keeps_the_edition(self):
        first = editions.publish(self.briefing)
        self.assertEqual(editions.publish(self.briefing), first)
        self.assertEqual(self.briefing.editions.count(), 1)

    def test_a_program_added_or_removed_is_listed(self):
        old = build_report(self.briefing)
        new = build_report(self.briefing)
        removed = blocks_of(new["sections"][1], "programs")[0]["programs"].pop(0)
        found = editions.changes(old, new)
        self.assertEqual(
            found, [{"change": "removed", "where": ["주요업무 추진실적"], "what": removed["title"]}]
        )


class EditionChangeTests(TestCase):
    """What changed between two editions: every text, outline line, row and figure."""

    @classmethod
    def setUpTestData(cls):
        from programs.models import ProgressEntry

        from .budget_factories import make_leaf
        from .council_factories import make_edition
        from .factories import make_briefing, make_department, make_facility, make_user
        from .program_factories import make_program, make_progress

        cls.department = make_department("총무과")
        cls.briefing = make_briefing(cls.department)
        make_sections(cls.briefing, "general", "programs")
        cls.line = make_leaf(cls.department, 79_369, 1_234, name="대외교류 활성화")
        make_leaf(cls.department, 1_000, 500, name="기본경비")
        make_facility(cls.department, name="본관", notes="- 1층: 우리은행")
        cls.program = make_program(cls.department, title="안전하고 쾌적한 청사환경 조성")
        make_progress(cls.program)
        cls.entries = ProgressEntry.objects.filter(program=cls.program)
        cls.old = build_report(cls.briefing)
        make_edition(cls.briefing)
        cls.clerk = make_user("의회 담당자")

    def changed(self):
        return editions.changes(self.old, build_report(self.briefing))

    def test_unchanged_data_has_no_changes(self):
        self.assertEqual(self.changed(), [])

    def test_a_new_plan_line_is_listed_under_its_program(self):
        self.entries.update(
            plans="- 본관 청사 외벽타일 점검 및 보수: 6월\n- 사무실 재배치: 7월 / 26,400천원"
        )
        where = ["주요업무 추진실적", "안전하고 쾌적한 청사환경 조성", "향후계획"]
        self.assertEqual(
            self.changed(),
            [{"change": "added", "where": where, "what": "사무실 재배치: 7월 / 26,400천원"}],
        )

    def test_a_changed_text_shows_old_and_new(self):
        self.program.purpose = "청사를 안전하게"
        self.program.save()
        Facility.objects.filter(department=self.department).update(notes="- 1층: 은행")
        self.assertEqual(
            self.changed(),
            [
                revised(
                    ["일반현황", "주요시설 및 장비", "구 청사", "본관"],
                    "비고",
                    "- 1층: 우리은행",
                    "- 1층: 은행",
                ),
                revised(
                    ["주요업무 추진실적", "안전하고 쾌적한 청사환경 조성"],
                    "목적",
                    "",
                    "청사를 안전하게",
                ),
            ],
        )

    def test_a_revised_outline_line_shows_old_and_new(self):
        self.entries.update(plans="- 본관 외벽 보수: 6월")
        where = ["주요업무 추진실적", "안전하고 쾌적한 청사환경 조성", "향후계획"]
        self.assertEqual(
            self.changed(),
            [revised(where, "내용", "본관 청사 외벽타일 점검 및 보수", "본관 외벽 보수")],
        )

    def test_a_budget_row_added_or_removed_is_listed(self):
        from .budget_factories import make_leaf

        make_leaf(self.department, 5_000, name="인력운영비")
        BudgetLine.objects.filter(name="기본경비").delete()
        found = [c for c in self.changed() if c["change"] != "revised"]
        self.assertEqual(
            found,
            [
                {
                    "change": "removed",
                    "where": ["일반현황", "예산현황", "세출"],
                    "what": "기본경비",
                },
                {
                    "change": "added",
                    "where": ["일반현황", "예산현황", "세출"],
                    "what": "인력운영비",
                },
            ],
        )

    def test_a_figure_is_printed_with_thousands_separators(self):
        BudgetSnapshot.objects.filter(line=self.line).update(executed=1_300)
        found = self.changed()
        self.assertIn(
            revised(
                ["일반현황", "예산현황", "세출", "대외교류 활성화"], "집행액", "1,234", "1,300"
            ),
            found,
        )
        self.assertIn(
            revised(["일반현황", "예산현황", "세출", "계"], "집행액", "1,734", "1,800"), found
        )

    def test_a_staffing_cell_names_its_column(self):
        from .factories import make_snapshot

        make_snapshot(self.department, counts=((("일반직", "9급"), 13, 2),))
        old = build_report(self.briefing)
        StaffingCount.objects.filter(snapshot__department=self.department).update(actual=3)
        found = editions.changes(old, build_report(self.briefing))
        self.assertIn(revised(["일반현황", "인력", "현원"], "일반직 9급", "2", "3"), found)

    def test_the_editions_page_lists_a_new_plan_line(self):
        from .council_factories import make_edition

        self.entries.update(plans="- 본관 청사 외벽타일 점검 및 보수: 6월\n- 사무실 재배치: 7월")
        BudgetSnapshot.objects.filter(line=self.line).update(executed=1_300)
        make_edition(self.briefing, number=2)
        self.client.force_login(self.clerk)
        page = self.client.get(
            reverse("admin:reports_site_editions", args=[self.briefing.pk])
        ).content.decode()
        self.assertNotIn("바뀐 내용이 없습니다", page)
        self.assertIn("사무실 재배치", page)
        self.assertIn("1,234", page)
        self.assertIn("1,300", page)


def revised(where, what, old, new):
    return {"change": "revised", "where": where, "what": what, "old": old, "new": new}


class BookletContentTests(TestCase):
    def test_the_booklet_binds_only_what_editions_froze(self):
        from .factories import make_briefing, make_department

        briefing = make_briefing(make_department("총무과"))
        make_sections(briefing, "general")
        Briefing.objects.filter(pk=briefing.pk).update(status="published")  # no edition
        self.assertEqual(editions.booklet_reports(briefing.session), [])
        edition = make_edition(briefing)
        self.assertEqual(editions.booklet_reports(briefing.session), [edition.data])


class BriefingPdfCommandTests(TestCase):
    @override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
    def test_the_command_writes_a_department_pdf_and_a_booklet(self):
        run_demo()
        freeze_published()
        with tempfile.TemporaryDirectory() as folder:
            for extra in (["--department", "YDP-GA"], []):
                out = f"{folder}/out.pdf"
                call_command(
                    "briefing_pdf",
                    "--session",
                    "261",
                    *extra,
                    "--output",
                    out,
                    stdout=mock.MagicMock(),
                )
                with open(out, "rb") as file:
                    self.assertTrue(file.read().startswith(b"%PDF-"))


@needs_poppler
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class LongTableTests(TestCase):
    def test_a_table_that_runs_over_pages_repeats_its_header_and_headings_stay_with_it(self):
        from .budget_factories import make_tree
        from .factories import make_briefing, make_department

        department = make_department("예산과")
        make_tree(department, leaves=70)
        briefing = make_briefing(department)
        make_sections(briefing, "budget_detail")
        document, _pages = pdf.briefing_pdf(build_report(briefing))
        body = pdf_pages(document)[2:]
        self.assertGreaterEqual(len(body), 3)
        for page in body:  # every page of the table starts with its header row
            self.assertIn("전년도 예산", page)
        # the sub-heading and the unit caption sit on the page where the table starts
        self.assertIn("세출", body[0])
        self.assertIn("(단위: 천원", body[0])


def contents_links(document):
    """The page index each link on the contents page leads to."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(document))
    index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    links = [a.get_object() for a in reader.pages[1]["/Annots"]]
    return [index[link["/Dest"][0].idnum] for link in links]


@needs_poppler
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class PdfLanguageTests(TestCase):
    def test_the_pdf_is_korean_whoever_asks_for_it(self):
        from django.utils import translation

        from .budget_factories import make_leaf
        from .factories import make_briefing, make_department, make_snapshot

        department = make_department("총무과")
        make_snapshot(department)
        make_leaf(department, 1_000, 500)
        briefing = make_briefing(department)
        make_sections(briefing, "general")
        with translation.override("en"):  # an English-speaking clerk publishes
            data = build_report(briefing)
            document, _pages = pdf.briefing_pdf(data)
        text = squeeze("".join(pdf_pages(document)))
        for korean in ("일반현황", "정원", "현원", "과부족", "단위사업명", "보고순서"):
            self.assertIn(korean, text)
        for english in ("General", "Authorised", "Total", "Unit"):
            self.assertNotIn(english, text)
        staffing = blocks_of(data["sections"][0], "staffing")[0]
        self.assertEqual(staffing["table"]["total_label"], "계")


class _FullDisk:
    """A file on a disk that fills up halfway through the first write."""

    def __init__(self, fd, mode):
        self.file = os.fdopen(fd, mode)

    def write(self, chunk):
        self.file.write(chunk[: len(chunk) // 2])
        self.file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self):
        self.file.close()


class _OsWithFullDisk:
    """`os` as Django's file storage sees it, with the full disk above."""

    fdopen = _FullDisk

    def __getattr__(self, name):
        return getattr(os, name)


CONFIRMED = {"confirm_unapproved": "yes"}  # the test briefings' quarters are not approved


def stored_files(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


@override_settings(BRIEFING_PDF_WORKERS=1)
class StoredFilesTests(TestCase):
    """Files are complete before a row points at them; a full disk leaves nothing behind."""

    @classmethod
    def setUpTestData(cls):
        from departments.access import Role

        from .factories import make_briefing, make_department, make_user

        cls.briefing = make_briefing(make_department("총무과"), status="approved")
        make_sections(cls.briefing, "general")
        cls.session = cls.briefing.session
        cls.clerk = make_user(Role.CLERK)

    def setUp(self):
        folder = tempfile.TemporaryDirectory(prefix="briefing-media-")
        self.addCleanup(folder.cleanup)
        self.media = folder.name
        self.enterContext(override_settings(MEDIA_ROOT=self.media))

    def test_a_full_disk_tells_the_clerk_and_leaves_no_file_or_row(self):
        from django.core.files.storage import filesystem
        from django.urls import reverse

        from reports_site.models import Edition, RenderedPart

        self.client.force_login(self.clerk)
        url = reverse("admin:reports_site_publish", args=[self.briefing.pk])
        with mock.patch.object(filesystem, "os", _OsWithFullDisk()):
            response = self.client.post(url, CONFIRMED, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "저장 공간이 부족합니다")
        self.assertEqual(stored_files(self.media), [])
        self.assertFalse(Edition.objects.exists())
        self.assertFalse(RenderedPart.objects.exists())
        self.briefing.refresh_from_db()
        self.assertEqual(self.briefing.status, "approved")

        self.client.post(url, CONFIRMED)  # with room again, it is published whole
        edition = Edition.objects.get()
        with edition.pdf.open("rb") as stored:
            self.assertEqual(hashlib.sha256(stored.read()).hexdigest(), edition.pdf_hash)
        self.assertEqual(len(stored_files(self.media)), 2)  # the edition and its part

    def test_a_booklet_job_run_again_while_the_first_still_renders_makes_one_edition(self):
        from reports_site.models import Edition

        Briefing.objects.filter(pk=self.briefing.pk).update(status="published")
        make_edition(self.briefing)  # frozen, without a file of its own
        render = pdf.booklet_pdf
        recovered = []

        def slow_first_run(*args, **kwargs):
            # While this run renders, the job started again by the recovery runs to the end.
            with mock.patch.object(pdf, "booklet_pdf", render):
                recovered.append(editions.publish_booklet(self.session))
            return render(*args, **kwargs)

        with mock.patch.object(pdf, "booklet_pdf", slow_first_run):
            first = editions.publish_booklet(self.session)
        self.assertEqual(first, recovered[0])
        self.assertEqual(Edition.objects.booklets().count(), 1)
        self.assertEqual(len(stored_files(Path(self.media, "editions"))), 1)

    def test_two_clerks_publishing_the_same_content_at_once_make_one_edition(self):
        from reports_site.models import Edition

        render = pdf.briefing_pdf
        other = []

        def slow_first_publish(*args, **kwargs):
            with mock.patch.object(pdf, "briefing_pdf", render):
                other.append(editions.publish(self.briefing))
            return render(*args, **kwargs)

        with mock.patch.object(pdf, "briefing_pdf", slow_first_publish):
            first = editions.publish(self.briefing)
        self.assertEqual(first, other[0])
        self.assertEqual(Edition.objects.filter(briefing=self.briefing).count(), 1)
        self.assertEqual(len(stored_files(Path(self.media, "editions"))), 1)

    def test_a_publish_overtaken_by_newer_content_publishes_what_is_current(self):
        from reports_site.models import Edition

        render = pdf.briefing_pdf
        newer = []

        def overtaken(*args, **kwargs):
            Briefing.objects.filter(pk=self.briefing.pk).update(title="2025년 주요업무 보고 (수정)")
            with mock.patch.object(pdf, "briefing_pdf", render):
                newer.append(editions.publish(Briefing.objects.get(pk=self.briefing.pk)))
            return render(*args, **kwargs)

        with mock.patch.object(pdf, "briefing_pdf", overtaken):
            edition = editions.publish(self.briefing)
        self.assertEqual(edition, newer[0])
        self.assertEqual(edition.data["title"], "2025년 주요업무 보고 (수정)")
        self.assertEqual(Edition.objects.filter(briefing=self.briefing).count(), 1)
        self.assertEqual(len(stored_files(Path(self.media, "editions"))), 1)

    def test_a_character_no_font_has_is_refused_with_the_font_package_named(self):
        from django.urls import reverse

        from reports_site.models import Edition

        Briefing.objects.filter(pk=self.briefing.pk).update(title="2025년 주요업무 보고 \ue000")
        self.client.force_login(self.clerk)
        url = reverse("admin:reports_site_publish", args=[self.briefing.pk])
        response = self.client.post(url, CONFIRMED, follow=True)
        self.assertContains(response, "fonts-nanum")
        self.assertFalse(Edition.objects.exists())


NO_KOREAN_FONT = """<?xml version="1.0"?>
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>
"""
RENDER = """
import django; django.setup()
from reports_site import pdf
document = pdf._render("<p>총무과 2025년 주요업무 보고</p>")
print(len(pdf._write(document)))
"""


class MissingFontTests(TestCase):
    def test_without_a_korean_font_rendering_refuses_and_names_the_package(self):
        from django.conf import settings

        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder, "fonts.conf")
            config.write_text(NO_KOREAN_FONT.format(cache=folder))
            env = {
                **os.environ,
                "FONTCONFIG_FILE": str(config),
                "DJANGO_SETTINGS_MODULE": "reports_site.settings",
            }
            run = subprocess.run(
                [sys.executable, "-c", RENDER],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
            )
        self.assertNotEqual(run.returncode, 0, run.stdout)
        self.assertIn("MissingFont", run.stderr)
        self.assertIn("fonts-nanum", run.stderr)

    def test_a_stored_pdf_is_usable_only_whole_with_its_pages_and_a_hangul_font(self):
        from pypdf import PdfWriter

        from reports_site import fonts

        document = pdf._write(pdf._render("<p>총무과 2025년 주요업무 보고</p>"))
        self.assertTrue(fonts.usable(document, pages=1))
        self.assertFalse(fonts.usable(document, pages=2))
        self.assertFalse(fonts.usable(document[: len(document) // 2]))
        self.assertFalse(fonts.usable(b""))
        blank = PdfWriter()
        blank.add_blank_page(595, 842)
        buffer = io.BytesIO()
        blank.write(buffer)
        self.assertFalse(fonts.usable(buffer.getvalue(), pages=1))  # no font at all
