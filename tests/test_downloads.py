"""Every download is named from its titles by one function, safe on every system."""

import re
import tempfile
from urllib.parse import unquote

from django.core.files.base import ContentFile
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from budgets.models import BudgetSnapshot
from reports_site.admin import pdf_response
from reports_site.downloads import safe_filename

from .council_factories import make_district, make_edition


def section_url(briefing, kind):
    args = [briefing.session_id, briefing.department.code, kind]
    return reverse("council:briefing_section", args=args)


TRICKY = '<script>/보고\\"인쇄"\n: 1|2?*'


def download_name(response):
    """The file name a browser saves, read back from Content-Disposition."""
    header = response["Content-Disposition"]
    encoded = re.search(r"filename\*=utf-8''(\S+)", header)
    if encoded:
        return unquote(encoded[1])
    return re.search(r'filename="((?:[^"\\]|\\.)*)"', header)[1].replace('\\"', '"')


class SafeFilenameTests(SimpleTestCase):
    def test_path_separators_markup_quotes_and_newlines_are_removed(self):
        self.assertEqual(safe_filename(TRICKY, "pdf"), "script 보고 인쇄 1 2.pdf")

    def test_korean_and_ordinary_punctuation_stay(self):
        name = "총무과 2025년 주요업무 보고 (제261회) 'A'·B, 1.5%"
        self.assertEqual(safe_filename(name, "xlsx"), f"{name}.xlsx")

    def test_control_and_direction_characters_cannot_disguise_the_extension(self):
        self.assertEqual(safe_filename("보고\u202efdp.exe\x00\x1f", "pdf"), "보고fdp.exe.pdf")
        self.assertEqual(safe_filename("보고\u3000\u00a0표", "csv"), "보고 표.csv")

    def test_dots_spaces_device_names_and_empty_titles(self):
        self.assertEqual(safe_filename(" ..숨김.. ", "pdf"), "숨김.pdf")
        self.assertEqual(safe_filename("con", "pdf"), "_con.pdf")
        self.assertEqual(safe_filename("LPT1.보고", "pdf"), "_LPT1.보고.pdf")
        self.assertEqual(safe_filename("/ / \\", "pdf"), "자료.pdf")

    def test_a_long_title_is_cut_whole_syllables_and_keeps_its_extension(self):
        name = safe_filename("가" * 300, "xlsx")
        self.assertTrue(name.endswith("가.xlsx"))
        self.assertLessEqual(len(name.encode()), 200)


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="council-test-media-"))
class DownloadNameTests(TestCase):
    """The council pages', the admin's and the exports' downloads, for a tricky title."""

    @classmethod
    def setUpTestData(cls):
        make_district(cls)
        cls.published.title = TRICKY
        cls.published.save()
        cls.ga.name = "총무/과"
        cls.ga.save()
        cls.session.council = "테스트/구의회"
        cls.session.save()
        for edition in (cls.edition, make_edition(cls.published, booklet=True)):
            edition.pdf.save(f"{edition.pk}.pdf", ContentFile(b"%PDF-1.7 "))

    def assertSafe(self, response, extension):
        self.assertEqual(response.status_code, 200)
        name = download_name(response)
        self.assertNotRegex(name, r'[/\\<>:"|?*\x00-\x1f]')
        self.assertTrue(name.endswith(f".{extension}"), name)
        return name

    def test_table_downloads_of_the_report_pages(self):
        for fmt in ("xlsx", "csv"):
            with self.subTest(fmt=fmt):
                response = self.client.get(section_url(self.published, "general") + f"budget.{fmt}")
                self.assertIn("attachment", response["Content-Disposition"])
                name = self.assertSafe(response, fmt)
                self.assertTrue(name.startswith("총무 과 script 보고 인쇄 1 2 "), name)

    def test_the_published_pdf_and_the_booklet_on_the_report_pages(self):
        url = reverse("council:briefing_pdf", args=[self.session.pk, self.ga.code])
        name = self.assertSafe(self.client.get(url), "pdf")
        self.assertEqual(name, "총무 과 script 보고 인쇄 1 2.pdf")
        booklet = self.client.get(reverse("council:booklet_pdf", args=[self.session.pk]))
        self.assertEqual(
            self.assertSafe(booklet, "pdf"), "제261회 테스트 구의회 제1차 정례회 1.pdf"
        )

    def test_the_admin_pdfs(self):
        rendered = pdf_response(b"%PDF-1.7 ", f"{self.ga} {TRICKY}")  # what pdf_view sends
        self.assertEqual(self.assertSafe(rendered, "pdf"), "총무 과 script 보고 인쇄 1 2.pdf")
        self.client.force_login(self.users["clerk"])
        url = reverse("admin:reports_site_edition_pdf", args=[self.published.pk, 1])
        self.assertEqual(
            self.assertSafe(self.client.get(url), "pdf"), "총무 과 script 보고 인쇄 1 2 1판.pdf"
        )
        url = reverse("admin:reports_site_booklet_pdf", args=[self.session.pk, 1])
        self.assertEqual(
            self.assertSafe(self.client.get(url), "pdf"),
            "제261회 테스트 구의회 제1차 정례회 업무보고 1판.pdf",
        )

    def test_admin_exports_are_named_by_their_table(self):
        self.client.force_login(self.users["ga_staff"])
        for fmt, extension in (("0", "xlsx"), ("1", "csv")):
            with self.subTest(extension=extension):
                response = self.client.post(
                    reverse("admin:budgets_budgetsnapshot_export"),
                    {"resource": "0", "format": fmt},
                )
                name = self.assertSafe(response, extension)
                self.assertRegex(
                    name,
                    rf"^{BudgetSnapshot._meta.verbose_name_plural} \d{{4}}-\d\d-\d\d\.{extension}$",
                )
