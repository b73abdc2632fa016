"""What people type cannot act: markup prints as text on the pages and in the PDF, a cell
that a spreadsheet would run stays text, a download name cannot climb folders, and the PDF
renderer reads nothing but the project's static files and the stored images."""

import io
import os
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from reports_site import pdf
from reports_site.downloads import safe_filename
from reports_site.report import build_report

from .budget_factories import make_leaf
from .council_factories import make_district, make_edition, make_sections
from .factories import make_request
from .test_pdf import pdf_pages, squeeze
from .tools import needs_korean_font, needs_poppler

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'
FORMULAS = ("=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)")
MEDIA = tempfile.mkdtemp(prefix="council-test-injection-")


@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class TypedMarkupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)
        cls.program.title = f"청사 {SCRIPT}"
        cls.program.save()
        cls.program.progress.filter(quarter=2).update(achievements=f"- 정비 {IMAGE}")
        make_request(cls.ga, text=f"요구 {SCRIPT} {IMAGE}")
        for name in FORMULAS:
            make_leaf(cls.ga, 1_000, 10, name=name)
        make_sections(cls.published, "council_requests")
        cls.edition = make_edition(cls.published)

    def section(self, kind):
        args = [self.published.session_id, self.ga.code, kind]
        return reverse("council:briefing_section", args=args)

    def test_the_pages_print_markup_as_text(self):
        for kind in ("programs", "council_requests"):
            with self.subTest(kind=kind):
                page = self.client.get(self.section(kind)).content.decode()
                self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
                self.assertNotIn(SCRIPT, page)
                self.assertNotIn("<img src=x", page)
                self.assertNotIn("<script>", page.replace("<script src=", ""))
        page = self.client.get(self.section("council_requests")).content.decode()
        self.assertIn("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;", page)

    def test_the_html_given_to_the_pdf_renderer_holds_no_markup_of_theirs(self):
        from django.template.loader import render_to_string

        html = render_to_string("reports/pdf/part.html", {"report": build_report(self.published)})
        self.assertNotIn(SCRIPT, html)
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;script&gt;", html)

    @needs_poppler
    @needs_korean_font
    def test_the_pdf_prints_the_markup_as_text(self):
        document, _pages = pdf.briefing_pdf(build_report(self.published))
        text = squeeze("".join(pdf_pages(document)))
        self.assertIn(squeeze(SCRIPT), text)
        self.assertIn(squeeze(IMAGE).replace('"', ""), text.replace('"', "").replace("”", ""))

    def test_spreadsheet_cells_that_would_run_stay_text(self):
        url = self.section("general") + "budget.xlsx"
        sheet = load_workbook(io.BytesIO(self.client.get(url).content)).active
        cells = {cell.value: cell for row in sheet.iter_rows(min_row=3) for cell in row[:1]}
        for formula in FORMULAS:
            with self.subTest(formula=formula):
                cell = next(c for value, c in cells.items() if str(value).endswith(formula))
                self.assertEqual(cell.data_type, "s")
                self.assertTrue(cell.quotePrefix)


class DownloadNameTraversalTests(SimpleTestCase):
    def test_a_name_cannot_climb_out_of_the_downloads_folder(self):
        for title, name in (
            ("../../etc/passwd", "etc passwd.pdf"),
            ("..\\..\\Windows\\win.ini", "Windows win.ini.pdf"),
            ("/etc/passwd", "etc passwd.pdf"),
            ("..", "자료.pdf"),
        ):
            with self.subTest(title=title):
                self.assertEqual(safe_filename(title, "pdf"), name)


def png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


@override_settings(MEDIA_ROOT=MEDIA)
class PdfFetcherTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with override_settings(MEDIA_ROOT=MEDIA):
            if not default_storage.exists("blocks/fetch.png"):
                default_storage.save("blocks/fetch.png", ContentFile(png()))
        cls.image = Path(MEDIA, "blocks", "fetch.png").as_uri()
        cls.css = Path(finders.find("reports/report.css")).as_uri()

    def test_only_static_files_and_stored_images_may_be_read(self):
        self.assertTrue(pdf.allowed_file(self.css))
        self.assertTrue(pdf.allowed_file(self.image))
        link = Path(MEDIA, "blocks", "passwd.png")
        if not link.is_symlink():
            os.symlink("/etc/passwd", link)
        refused = [
            "file:///etc/passwd",
            "http://example.invalid/x.css",
            "https://example.invalid/x.png",
            "ftp://example.invalid/x.png",
            "data:text/css,body{}",
            "file://example.invalid/etc/passwd",
            Path(MEDIA, "..", "..", "etc", "passwd").as_uri(),
            link.as_uri(),  # a link in the media folder to a file outside it
            Path(settings.BASE_DIR, "reports_site", "settings.py").as_uri(),
        ]
        self.assertEqual([url for url in refused if pdf.allowed_file(url)], [])

    def test_only_block_images_are_read_from_the_media_storage(self):
        self.assertEqual(pdf.fetch_stored(pdf.media_url("blocks/fetch.png")).read(), png())
        for name in ("editions/x.pdf", "blocks/../editions/x.pdf", "/etc/passwd", "blocks\\..\\x"):
            with self.subTest(name=name), self.assertRaises(ValueError):
                pdf.fetch_stored(pdf.media_url(name))

    def test_refused_urls_are_never_fetched_and_allowed_ones_are(self):
        from weasyprint.urls import URLFetcher

        fetched = []
        original = URLFetcher.fetch

        def recording(fetcher, url, headers=None):
            fetched.append(url)
            return original(fetcher, url, headers)

        html = (
            '<link rel="stylesheet" href="http://example.invalid/x.css">'
            '<link rel="stylesheet" href="file:///etc/passwd">'
            '<p><img src="file:///etc/passwd"><img src="http://example.invalid/a.png">'
            f'<img src="{self.image}"></p>'
            '<div class="bg">x</div><style>.bg { background: url(http://example.invalid/b.png) }'
            "@import url(file:///etc/hosts);</style>"
        )
        with mock.patch.object(URLFetcher, "fetch", recording):
            document = pdf._render(html)
        self.assertEqual(fetched, [self.image])
        self.assertEqual(len(document.pages), 1)
