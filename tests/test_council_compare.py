"""Comparisons with last year, the plan to date, the charts, and the table downloads."""

import csv
import datetime as dt
import io

from django.contrib.auth.models import AnonymousUser
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from budgets.models import BudgetLine, QuarterPlan
from council import charts, compare
from council.access import Reader
from reports_site.report import blocks_of

from .budget_factories import make_budget_snapshot, make_leaf, make_line
from .council_factories import freeze_published, links, main_text, make_district, make_edition
from .factories import make_snapshot
from .program_factories import approve, make_program, make_progress
from .test_demo_data import run_demo

GENERAL = "general"


def section_url(briefing, kind):
    args = [briefing.session_id, briefing.department.code, kind]
    return reverse("council:briefing_section", args=args)


class ComparisonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)  # 2025: 청사 관리 1,000,000 / 442,000 at 5.31.; 일반직 9급 13 / 2
        line = BudgetLine.objects.get(department=cls.ga, year=2025, name="청사 관리")
        QuarterPlan.objects.create(line=line, quarter=1, amount=300_000)
        QuarterPlan.objects.create(line=line, quarter=2, amount=300_000)
        QuarterPlan.objects.create(line=line, quarter=3, amount=400_000)
        last = make_line(cls.ga, "청사 관리", year=2024)
        make_budget_snapshot(last, 800_000, 100_000, dt.date(2024, 3, 31))
        make_budget_snapshot(last, 900_000, 300_000, dt.date(2024, 5, 31))
        make_budget_snapshot(last, 900_000, 600_000, dt.date(2024, 6, 30))  # after the date
        policy = make_line(cls.ga, "주민 소통", level=BudgetLine.Level.POLICY)
        child = make_leaf(cls.ga, 50_000, 40_000, name="소식지 발간", parent=policy)
        QuarterPlan.objects.create(line=child, quarter=1, amount=10_000)
        make_snapshot(cls.ga, dt.date(2024, 5, 31), [(("일반직", "9급"), 10, 5),
                                                    (("관리운영직", "8급"), 1, 1)])  # fmt: skip
        make_snapshot(cls.ga, dt.date(2023, 5, 31), [(("일반직", "9급"), 99, 99)])  # too old
        earlier = make_program(cls.ga, year=2024, title="청사 환경 개선")
        make_progress(earlier, quarter=1, budget=100, executed=50)
        make_progress(earlier, quarter=2, budget=2_000_000, executed=1_000_000)
        make_progress(earlier, quarter=3, budget=9_000_000, executed=9_000_000)  # later
        make_edition(cls.published)  # with the lines added above
        for year, quarter in ((2024, 1), (2024, 2), (2025, 1), (2025, 2)):  # readers see them
            approve(cls.ga, year, quarter)
        cls.reader = Reader(AnonymousUser())

    def general(self):
        """{block kind: its data} of the published briefing's 일반현황."""
        from council.reports import briefing_report, load_sections

        report = briefing_report(self.published)
        section = load_sections(report, [GENERAL]).sections[GENERAL]
        return {block["kind"]: block for block in blocks_of(section)}

    def test_each_budget_line_is_set_beside_the_same_date_last_year(self):
        budget = compare.budget_comparison(
            self.ga, self.general()["budget"]["tables"][0], self.reader
        )
        row = next(r for r in budget["rows"] if r["name"] == "청사 관리")
        self.assertEqual((row["last_budget"], row["last_executed"]), (900_000, 300_000))
        self.assertEqual(row["change"], 100_000)
        self.assertEqual(str(row["last_rate"]), "33.3")
        self.assertEqual(budget["last_as_of"], dt.date(2024, 5, 31))
        new = next(r for r in budget["rows"] if r["name"] == "주민 소통")
        self.assertTrue(new["is_new"])
        self.assertEqual(new["change"], 50_000)

    def test_execution_behind_the_plan_to_date_is_flagged(self):
        budget = compare.budget_comparison(
            self.ga, self.general()["budget"]["tables"][0], self.reader
        )
        row = next(r for r in budget["rows"] if r["name"] == "청사 관리")
        # the first quarter in full, the second for 61 of its 91 days
        self.assertEqual(row["planned"], 300_000 + 300_000 * 61 // 91)
        self.assertTrue(row["behind"])
        parent = next(r for r in budget["rows"] if r["name"] == "주민 소통")
        self.assertEqual(parent["planned"], 10_000)  # a child's plan counts for its top line
        self.assertFalse(parent["behind"])
        page = main_text(self.client.get(section_url(self.published, GENERAL)).content.decode())
        self.assertIn("44.2 계획 미달", page)

    def test_staffing_is_set_beside_the_table_of_a_year_before(self):
        staffing = compare.staffing_comparison(self.ga, self.general()["staffing"], self.reader)
        rows = {row["name"]: row for row in staffing["rows"]}
        general = rows["일반직"]
        self.assertEqual((general["authorised"], general["last_authorised"]), (13, 10))
        self.assertEqual((general["actual_change"], general["authorised_change"]), (-3, 3))
        self.assertEqual(rows["관리운영직"]["last_actual"], 1)
        self.assertEqual(staffing["total"]["last_authorised"], 11)
        self.assertEqual(staffing["last_as_of"], dt.date(2024, 5, 31))

    def test_programs_are_set_beside_last_years_program_of_the_same_title(self):
        page = self.client.get(section_url(self.published, "programs")).content.decode()
        table = page.split('id="t-programs-compare"', 1)[1].split("</table>", 1)[0]
        text = main_text('<main id="main">' + table + "</main>")
        self.assertIn("2,698,307 1,862,509 69.0 2,000,000 1,000,000 50.0 698,307", text)

    def test_program_history_is_linked_for_signed_in_readers(self):
        url = reverse("council:program", args=[self.ga.code, 2025, "main", self.program.order])
        self.assertNotIn(
            url, self.client.get(section_url(self.published, "programs")).content.decode()
        )
        self.client.force_login(self.users["member"])
        self.assertIn(
            url, self.client.get(section_url(self.published, "programs")).content.decode()
        )


def table_text(page, table_id):
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return main_text('<main id="main">' + table + "</main>")


class NoBaseYearTests(TestCase):
    """No figures last year: nothing to compare with, "-" on the page and nothing in the
    download, never the whole budget as the change (budgets.tables.year_change)."""

    @classmethod
    def setUpTestData(cls):
        make_district(cls)  # 2025 only: 청사 관리 1,000,000 / 442,000; 일반직 9급 13 / 2

    def test_the_budget_comparison_shows_no_change_without_last_year(self):
        page = self.client.get(section_url(self.published, GENERAL)).content.decode()
        text = table_text(page, "t-budget-compare")
        self.assertIn("계 1,000,000 442,000 44.2 - - - -", text)
        self.assertIn("청사 관리 1,000,000 442,000 44.2 - - - -", text)
        self.assertNotIn("순증", text)
        staffing = table_text(page, "t-staffing-compare")
        self.assertIn("계 13 - - 2 - -", staffing)

    def test_the_budget_download_has_no_change_without_last_year(self):
        url = section_url(self.published, GENERAL) + "budget.xlsx"
        sheet = load_workbook(io.BytesIO(self.client.get(url).content)).active
        header = [cell.value for cell in sheet[2]]
        change = header.index("예산 증감(천원)")
        rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
        self.assertEqual(rows["계"][1].value, 1_000_000)
        self.assertIsNone(rows["계"][change].value)
        self.assertIsNone(rows["청사 관리"][change].value)
        self.assertIsNone(rows["청사 관리"][change + 1].value)  # 집행 증감

    def test_the_program_comparison_shows_no_change_and_a_new_program_in_a_known_year(self):
        page = self.client.get(section_url(self.published, "programs")).content.decode()
        self.assertIn("2,698,307 1,862,509 69.0 - - - -", table_text(page, "t-programs-compare"))
        earlier = make_program(self.ga, year=2024, title="다른 사업")
        make_progress(earlier, quarter=2, budget=100, executed=50)
        self.client.force_login(self.users["clerk"])  # 2024's figures are not reviewed
        page = self.client.get(section_url(self.published, "programs")).content.decode()
        self.assertIn("2,698,307 1,862,509 69.0 - - - 순증", table_text(page, "t-programs-compare"))
        url = section_url(self.published, "programs") + "programs.xlsx"
        sheet = load_workbook(io.BytesIO(self.client.get(url).content)).active
        row = next(r for r in sheet.iter_rows(min_row=3) if r[1].value == "청사 환경 개선")
        self.assertEqual(row[-1].value, "순증")


class ChartTests(TestCase):
    def test_the_execution_chart_marks_the_plan_and_scales_to_the_largest_rate(self):
        row = {"name": "청사 관리", "rate": "44.2", "last_rate": None, "planned_rate": "55.1",
               "behind": True}  # fmt: skip
        chart = charts.execution_chart({"total": row | {"name": "계"}, "rows": [row]})
        self.assertEqual(chart.ticks[-1]["label"], "100")
        group = chart.groups[1]
        self.assertEqual(group.bars[0].text, "44.2% (계획 미달)")
        self.assertEqual(group.bars[1].text, "-")
        self.assertEqual(len(group.markers), 1)
        self.assertGreater(group.markers[0]["x"], group.bars[0].x + group.bars[0].width)

    def test_a_long_label_is_shortened_but_kept_whole_in_its_title(self):
        chart = charts.bar_chart("c", "t", "s", "t1", [("bar-now", "a", "v")],
                                 [("아주 긴 이름의 단위사업 명칭입니다", {"v": 5})])  # fmt: skip
        self.assertTrue(chart.groups[0].label.endswith("…"))
        self.assertEqual(chart.groups[0].full_label, "아주 긴 이름의 단위사업 명칭입니다")

    def test_the_page_draws_svg_charts_with_a_name_and_the_table_beside(self):
        make_district(self)
        page = self.client.get(section_url(self.published, GENERAL)).content.decode()
        self.assertEqual(page.count('role="img"'), 2)
        for chart_id, table_id in (("chart-staffing", "t-staffing-compare"),
                                   ("chart-execution", "t-budget-compare")):  # fmt: skip
            self.assertIn(f'aria-labelledby="{chart_id}-t {chart_id}-d"', page)
            self.assertIn(f'<title id="{chart_id}-t">', page)
            self.assertIn(f'href="#{table_id}"', page)
            self.assertIn(f'id="{table_id}"', page)


class DownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)
        make_leaf(cls.ga, 1_000, 100, name='=HYPERLINK("http://x","y")')
        make_edition(cls.published)

    def download(self, kind, table, fmt):
        response = self.client.get(section_url(self.published, kind) + f"{table}.{fmt}")
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_xlsx_holds_real_numbers_in_the_thousand_won_format(self):
        response = self.download(GENERAL, "budget", "xlsx")
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertIn("총무과", sheet["A1"].value)
        self.assertEqual(sheet["B2"].value, "예산액(천원)")
        self.assertEqual(sheet.freeze_panes, "B3")
        row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "청사 관리")
        self.assertEqual(row[1].value, 1_000_000)
        self.assertIsInstance(row[1].value, int)
        self.assertEqual(row[1].number_format, '#,##0;"△"#,##0;"-"')
        self.assertEqual(float(row[3].value), 44.2)

    def test_formula_like_text_stays_text(self):
        sheet = load_workbook(io.BytesIO(self.download(GENERAL, "budget", "xlsx").content)).active
        cell = next(r[0] for r in sheet.iter_rows(min_row=3) if "HYPERLINK" in str(r[0].value))
        self.assertEqual(cell.data_type, "s")
        self.assertTrue(cell.quotePrefix)
        text = self.download(GENERAL, "budget", "csv").content.decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", text)

    def test_the_csv_is_utf8_with_a_bom_and_plain_numbers(self):
        content = self.download(GENERAL, "staffing", "csv").content
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][:2], ["구분", "계(명)"])
        self.assertEqual(rows[3][:2], ["과부족", "-11"])


class DemoDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        freeze_published()

    def test_every_table_of_every_demo_section_downloads_in_both_formats(self):
        report = self.client.get("/").content.decode()
        session = self.client.get(next(h for t, h in links(report) if "제261회" in t)).content
        briefing = next(h for t, h in links(session.decode()) if t == "총무과")
        toc = self.client.get(briefing).content.decode().split('class="toc"')[1].split("</ol>")[0]
        downloads = 0
        for _label, section in links(toc):
            page = self.client.get(section).content.decode()
            box = page.split('class="downloads"', 1)[1].split("</section>", 1)[0]
            for _text, href in links(box):
                response = self.client.get(href)
                self.assertEqual(response.status_code, 200, href)
                self.assertGreater(len(response.content), 50)
                downloads += 1
        self.assertGreaterEqual(downloads, 10)
