"""A bureau (국) reporting its divisions: every block rolls them up, and the budget table
prints the full vocabulary (본예산 … 지출액, rates, units, summaries)."""

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import tablib
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import BudgetCategory, BudgetLine, BudgetSnapshot
from budgets.resources import BudgetLineResource, BudgetSnapshotResource
from budgets.tables import budget_table, subtotal_warnings, units_table
from council import compare
from council.access import Reader
from departments.access import Role
from departments.models import Department
from reports_site import editions
from reports_site import style as house
from reports_site.models import Briefing
from reports_site.report import blocks_of, build_report, walk

from .block_helpers import html, one, rows
from .budget_factories import AS_OF, make_budget_snapshot, make_line
from .council_factories import make_edition
from .factories import (
    make_briefing,
    make_department,
    make_facility,
    make_fleet,
    make_session,
    make_snapshot,
    make_user,
)
from .program_factories import approve
from .test_demo_data import run_demo
from .test_imports import problems
from .test_pdf import MEDIA, pdf_pages, squeeze
from .tools import needs_korean_font, needs_poppler

EXPENDITURE, REVENUE = BudgetLine.Kind.EXPENDITURE, BudgetLine.Kind.REVENUE
L = BudgetLine.Level


def make_division(bureau, n):
    """A division with staff, cars, a facility and two budget lines, figures scaled by n:
    기본경비 (a policy) with a 기본경비 unit below it, and a project under a category."""
    division = make_department(f"{n}과", parent=bureau, order=n)
    make_snapshot(division, counts=((("일반직", "5급"), 1, 1), (("일반직", "6급"), 3 * n, n)))
    make_fleet(division, counts=((("승용", "중형"), n),))
    make_facility(division, name=f"{n}과 청사", floor_area=Decimal(100 * n))
    basic = make_line(division, "기본경비", level=L.POLICY, order=2)
    unit = make_line(division, "기본경비", level=L.UNIT, parent=basic, original_budget=50 * n)
    make_budget_snapshot(unit, budget=50 * n, executed=10 * n, committed=20 * n)
    project = make_line(
        division,
        f"{n}과 사업",
        category=BudgetCategory.objects.get(name="사업비"),
        original_budget=1_000 * n,
        prior_budget=900 * n,
        order=1,
    )
    make_budget_snapshot(
        project, budget=1_200 * n, executed=600 * n, committed=800 * n, supplementary=200 * n
    )
    return division


def make_bureau(divisions):
    bureau = make_department("총무국", kind=Department.Kind.BUREAU)
    for n in range(1, divisions + 1):
        make_division(bureau, n)
    return bureau, make_briefing(bureau)


class BureauRollUpTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        BudgetCategory.objects.create(kind=EXPENDITURE, name="사업비", order=1)
        BudgetCategory.objects.create(kind=EXPENDITURE, name="행정운영경비", order=2)
        cls.bureau, cls.briefing = make_bureau(3)

    def table(self, kind, **options):
        return rows(html(self.briefing, kind, **options))

    def test_the_staffing_total_is_the_sum_of_the_divisions(self):
        found = self.table("staffing", scope="units", gap="none")
        # 부서 | 구분 | 계 | 일반직 소계 | 5급 | 6급
        self.assertEqual(found[2], ["계", "정원", "21", "21", "3", "18"])
        self.assertEqual(found[3], ["현원", "9", "9", "3", "6"])
        self.assertEqual(found[4], ["1과", "정원", "4", "4", "1", "3"])
        self.assertEqual(found[8], ["3과", "정원", "10", "10", "1", "9"])
        self.assertEqual(self.table("staffing"), [])  # the bureau alone has no staff

    def test_vehicles_and_facilities_take_in_every_division(self):
        cars = self.table("vehicles", scope="units")
        self.assertEqual(cars[2][:3], ["총계", "대수", "6"])
        self.assertEqual(
            [row[:3] for row in cars[3:]],
            [["1과", "대수", "1"], ["2과", "대수", "2"], ["3과", "대수", "3"]],
        )
        text = " ".join(" ".join(row) for row in self.table("facilities", scope="units"))
        for n in (1, 2, 3):
            self.assertIn(f"{n}과 청사", text)

    def test_the_budget_rolls_up_per_division_with_the_same_names_in_each(self):
        found = self.table(
            "budget",
            scope="units",
            detail=True,
            columns=[
                "original",
                "changes",
                "budget",
                "committed",
                "commit_rate",
                "executed",
                "rate",
            ],
            headers="budget=예산현액\nexecuted=지출액",
            as_of_in_header=False,
        )
        self.assertEqual(
            found[0],
            [
                "단위사업명",
                "본예산",
                "추경 등",
                "예산현액",
                "원인행위액",
                "원인행위율(%)",
                "지출액",
                "집행률(%)",
            ],
        )
        # 계 = Σ divisions: budget (1,250 + 2,500 + 3,750), original (1,050 × 6)
        self.assertEqual(
            found[1], ["계", "6,300", "1,200", "7,500", "4,920", "65.6", "3,660", "48.8"]
        )
        self.assertEqual(found[2], ["1과", "1,050", "200", "1,250", "820", "65.6", "610", "48.8"])
        self.assertEqual(found[3][0], "1과 사업 (단위사업)")
        self.assertEqual(found[4][0], "기본경비 (정책사업)")
        self.assertEqual(
            found[5], ["기본경비 (단위사업)", "50", "-", "50", "20", "40.0", "10", "20.0"]
        )
        names = [row[0] for row in found]
        self.assertEqual(names.count("기본경비 (정책사업)"), 3)  # once in each division

    def test_the_summaries_by_division_and_by_category(self):
        by_unit = self.table("budget", rows="by_unit", columns=["budget", "executed", "rate"])
        self.assertEqual(
            by_unit[1:],
            [
                ["계", "7,500", "3,660", "48.8"],
                ["1과", "1,250", "610", "48.8"],
                ["2과", "2,500", "1,220", "48.8"],
                ["3과", "3,750", "1,830", "48.8"],
            ],
        )
        by_category = self.table(
            "budget", scope="units", rows="by_category", columns=["budget", "share"]
        )
        self.assertEqual(
            by_category[1:],
            [["계", "7,500", "100.0"], ["사업비", "7,200", "96.0"], ["구분 없음", "300", "4.0"]],
        )

    def test_rates_beside_their_amounts_and_a_larger_unit(self):
        found = self.table(
            "budget",
            scope="units",
            columns=["budget", "executed", "rate"],
            rates="beside",
            unit="백만원",
            decimals=1,
        )
        self.assertEqual(found[0], ["단위사업명", "예산액", "집행액"])
        self.assertEqual(found[1], ["계", "7.5", "3.7 (48.8)"])  # 3,660천원: 3.66 → 3.7
        markup = html(self.briefing, "budget", scope="units", unit="억원", decimals=2)
        self.assertIn("단위: 억원", markup)
        self.assertEqual(house.in_unit(3_650, "백만원", 1), Decimal("3.7"))  # half up
        self.assertEqual(house.in_unit(123_456_789, "억원", 0), Decimal("1235"))
        self.assertEqual(house.in_unit(3_650, "천원", 1), 3_650)  # stored as it is

    def test_net_increase_when_the_base_year_is_known(self):
        bureau_lines = units_table(Department.objects.units_of(self.bureau), 2025)
        basic = next(
            row for row in bureau_lines.rows if row.name == "기본경비" and not row.children
        )
        self.assertTrue(basic.is_new)  # no prior budget where others have one: 순증
        self.assertEqual(basic.change, 50)
        project = next(row for row in bureau_lines.rows if row.name == "1과 사업")
        self.assertEqual((project.change, project.change_rate), (300, Decimal("33.3")))

    def test_query_counts_do_not_grow_with_the_divisions(self):
        counts = []
        for size in (2, 5):
            bureau, briefing = make_bureau(size)
            bureau.code = f"B{size}"
            with CaptureQueriesContext(connection) as queries:
                for kind, options in (
                    ("staffing", {}),
                    ("vehicles", {}),
                    ("facilities", {}),
                    ("budget", {"detail": True}),
                    ("budget", {"rows": "by_unit"}),
                    ("council_requests", {"count_table": "by_kind"}),
                ):
                    one(briefing, kind, scope="units", **options)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])


class BudgetLineRulesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.division = make_department("총무과")

    def test_a_name_repeats_under_other_parents_but_not_under_the_same(self):
        policy = make_line(self.division, "기본경비", level=L.POLICY)
        make_line(self.division, "기본경비", level=L.UNIT, parent=policy)  # a parent's name
        make_line(self.division, "기본경비", level=L.UNIT)  # at the top: another place
        for parent in (self.division_line("1과"), self.division_line("2과")):
            make_line(self.division, "기본경비", level=L.POLICY, parent=parent)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_line(self.division, "기본경비", level=L.UNIT, parent=policy)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_line(self.division, "기본경비", level=L.UNIT)
        twice = BudgetLine(
            department=self.division, year=2025, level=L.UNIT, name="기본경비", parent=policy
        )
        with self.assertRaises(ValidationError) as refused:
            twice.full_clean()
        self.assertIn(
            "같은 상위 사업 아래에 같은 이름의 사업이 이미 있습니다.", str(refused.exception)
        )

    def division_line(self, name):
        return make_line(self.division, name, level=L.DIVISION)

    def test_a_line_is_found_by_its_place_where_its_name_repeats(self):
        first, second = self.division_line("1과"), self.division_line("2과")
        lines = [
            make_line(self.division, "기본경비", level=L.POLICY, parent=p) for p in (first, second)
        ]
        for line in lines:
            key = line.natural_key()
            self.assertEqual(BudgetLine.objects.get_by_natural_key(*key), line)
            snapshot = make_budget_snapshot(line)
            self.assertEqual(
                BudgetSnapshot.objects.get_by_natural_key(*snapshot.natural_key()), snapshot
            )
        with self.assertRaises(BudgetLine.MultipleObjectsReturned):  # the short key is not enough
            BudgetLine.objects.get_by_natural_key(
                self.division.code, 2025, EXPENDITURE, L.POLICY, "기본경비"
            )

    def test_revenue_has_its_own_levels(self):
        section = make_line(self.division, "세외수입", kind=REVENUE, level=L.SECTION)
        item = make_line(self.division, "사용료", kind=REVENUE, level=L.ITEM, parent=section)
        leaf = make_line(self.division, "청사 사용료", kind=REVENUE, parent=item)
        self.assertEqual(leaf.level, L.SUBITEM)
        make_budget_snapshot(leaf, budget=1_000, assessed=800, collected=600)
        wrong = BudgetLine(
            department=self.division, year=2025, kind=REVENUE, level=L.UNIT, name="x"
        )
        with self.assertRaises(ValidationError) as refused:
            wrong.full_clean()
        self.assertIn("세입의 단계는 회계, 부서, 관, 항, 목입니다.", str(refused.exception))
        with self.assertRaises(IntegrityError), transaction.atomic():
            wrong.save()
        found = rows(
            html(
                make_briefing(self.division),
                "budget",
                kind="revenue",
                detail=True,
                columns=["budget", "assessed", "collected", "uncollected", "collection_rate"],
            )
        )
        self.assertEqual(found[1], ["계", "1,000", "800", "600", "200", "75.0"])
        self.assertEqual(
            [row[0] for row in found[2:]], ["세외수입 (관)", "사용료 (항)", "청사 사용료 (목)"]
        )

    def test_the_current_budget_is_the_original_plus_its_changes(self):
        line = make_line(self.division, original_budget=1_000)
        snapshot = BudgetSnapshot(line=line, as_of=AS_OF, budget=1_250, supplementary=200)
        with self.assertRaises(ValidationError) as refused:
            snapshot.full_clean()
        self.assertIn(
            "예산현액 1,250이 본예산 1,000과 추경·이월·변경의 합 1,200과 다릅니다.",
            str(refused.exception),
        )
        snapshot.other_change = 50
        snapshot.full_clean()  # 1,000 + 200 + 50

    def test_a_printed_subtotal_that_differs_is_flagged_not_used(self):
        policy = make_line(self.division, "청사 관리", level=L.POLICY, stated_budget=1_500)
        make_budget_snapshot(make_line(self.division, parent=policy), budget=1_000)
        make_budget_snapshot(make_line(self.division, parent=policy), budget=400)
        table = budget_table(self.division, 2025)
        self.assertEqual(table.row(policy.pk).budget, 1_400)  # the sum, never the print
        self.assertEqual(table.warnings, [{"name": "청사 관리", "stated": 1_500, "sum": 1_400}])
        warnings = subtotal_warnings(BudgetLine.objects.all())
        self.assertEqual(
            warnings,
            [
                "총무과 2025년 '청사 관리': 인쇄된 소계 1,500천원이 하위 항목의 합계 "
                "1,400천원과 다릅니다. 표에는 합계가 나갑니다."
            ],
        )
        self.client.force_login(make_user(Role.STAFF, self.division))
        page = self.client.get(reverse("admin:budgets_budgetline_changelist"))
        self.assertContains(page, "인쇄된 소계 1,500천원이 하위 항목의 합계 1,400천원과 다릅니다")
        policy.stated_budget = 1_400
        policy.save()
        self.assertEqual(subtotal_warnings(BudgetLine.objects.all()), [])


class BureauWorkbookTests(TestCase):
    """One workbook for a whole bureau: each row names its division by code."""

    LINES = ["부서 코드", "회계연도", "세입·세출", "단계", "상위 사업", "사업명", "표시 순서",
             "재원", "전년도 최종예산(천원)", "본예산(천원)", "예산 구분"]  # fmt: skip
    FIGURES = ["부서 코드", "회계연도", "세입·세출", "사업명", "기준일", "예산액(천원)",
               "추경(천원)", "원인행위액(천원)", "집행액(천원)", "징수액(천원)"]  # fmt: skip

    @classmethod
    def setUpTestData(cls):
        BudgetCategory.objects.create(kind=EXPENDITURE, name="사업비")
        cls.bureau = make_department("총무국", kind=Department.Kind.BUREAU)
        cls.divisions = [make_department(f"{n}과", parent=cls.bureau) for n in (1, 2, 3)]
        cls.staff = make_user(Role.STAFF, cls.bureau)

    def load(self, resource, headers, rows):
        return resource().import_data(tablib.Dataset(*rows, headers=headers), user=self.staff)

    def test_lines_and_figures_of_three_divisions_in_one_file(self):
        lines = []
        figures = []
        for n, division in enumerate(self.divisions, 1):
            code = division.code
            lines += [
                [code, 2025, "세출", "정책사업", "", "기본경비", 1, "", None, None, ""],
                [code, 2025, "세출", "단위사업", "정책사업:기본경비", "기본경비", 1, "구비",
                 None, 100 * n, "사업비"],
            ]  # fmt: skip
            figures.append(
                [code, 2025, "세출", "기본경비", AS_OF, 100 * n + 10, 10, 50 * n, 40 * n, None]
            )
        self.assertEqual(problems(self.load(BudgetLineResource, self.LINES, lines)), [])
        self.assertEqual(problems(self.load(BudgetSnapshotResource, self.FIGURES, figures)), [])
        table = units_table(Department.objects.units_of(self.bureau), 2025)
        self.assertEqual((table.total.original, table.total.budget), (600, 630))
        self.assertEqual(table.total.supplementary, 30)
        self.assertEqual([row.budget for row in table.roots], [110, 210, 310])
        leaf = BudgetLine.objects.get(department=self.divisions[1], level=L.UNIT)
        self.assertEqual((leaf.parent.level, leaf.category.name), (L.POLICY, "사업비"))

    def test_a_wrong_current_budget_names_its_row_and_changes_nothing(self):
        line = make_line(self.divisions[0], "청사 관리", original_budget=1_000)
        code = self.divisions[0].code
        rows = [[code, 2025, "세출", "청사 관리", AS_OF, 1_500, 200, None, None, None]]
        result = self.load(BudgetSnapshotResource, self.FIGURES, rows)
        self.assertEqual(
            problems(result),
            [
                "2행 예산액(천원) '1500': 예산현액 1,500이 본예산 1,000과 "
                "추경·이월·변경의 합 1,200과 다릅니다."
            ],
        )
        self.assertFalse(line.snapshots.exists())

    def test_a_bureau_held_in_one_department_repeats_names_under_each_division(self):
        code = self.bureau.code
        lines, figures = [], []
        for n in (1, 2):
            lines += [
                [code, 2025, "세출", "부서", "", f"{n}과", n, "", None, None, ""],
                [code, 2025, "세출", "정책사업", f"{n}과", "행정운영경비", 1, "", None, None, ""],
                [code, 2025, "세출", "단위사업", f"{n}과 > 행정운영경비", "기본경비", 1, "구비",
                 None, 100 * n, ""],
            ]  # fmt: skip
            figures.append(
                [code, 2025, "세출", f"{n}과 > 기본경비", AS_OF, 100 * n, None, None, 10 * n, None]
            )
        self.assertEqual(problems(self.load(BudgetLineResource, self.LINES, lines)), [])
        self.assertEqual(problems(self.load(BudgetSnapshotResource, self.FIGURES, figures)), [])
        table = budget_table(self.bureau, 2025)
        self.assertEqual([(r.name, r.budget) for r in table.roots], [("1과", 100), ("2과", 200)])
        self.assertEqual(BudgetLine.objects.filter(name="기본경비").count(), 2)
        # the file imports again unchanged: each row finds its own line by its place
        self.assertEqual(problems(self.load(BudgetLineResource, self.LINES, lines)), [])
        self.assertEqual(BudgetLine.objects.filter(department=self.bureau).count(), 6)
        # a name alone that is used under both is refused, naming the places
        rows = [[code, 2025, "세출", "기본경비", AS_OF, 1, None, None, None, None]]
        self.assertEqual(
            problems(self.load(BudgetSnapshotResource, self.FIGURES, rows)),
            [
                "2행 사업명 '기본경비': 같은 이름의 사업이 여러 상위 사업 아래에 있습니다 "
                "(1과 > 행정운영경비 > 기본경비, 2과 > 행정운영경비 > 기본경비). "
                "'1과 > 행정운영경비 > 기본경비'처럼 상위 사업을 앞에 적으세요."
            ],
        )

    def test_a_name_at_two_levels_asks_for_the_level(self):
        code = self.divisions[0].code
        policy = make_line(self.divisions[0], "기본경비", level=L.POLICY)
        make_line(self.divisions[0], "기본경비", level=L.UNIT, parent=policy)
        rows = [[code, 2025, "세출", "단위사업", "기본경비", "새 사업", 1, "", None, None, ""]]
        self.assertEqual(
            problems(self.load(BudgetLineResource, self.LINES, rows)),
            [
                "2행 상위 사업 '기본경비': 같은 이름의 사업이 여러 단계(정책사업, 단위사업)에 "
                "있습니다. '정책사업:기본경비'처럼 단계를 앞에 적으세요."
            ],
        )
        # figures go on the one without lines below it, the name alone is enough
        rows = [[code, 2025, "세출", "기본경비", AS_OF, 70, None, None, None, None]]
        self.assertEqual(problems(self.load(BudgetSnapshotResource, self.FIGURES, rows)), [])
        self.assertEqual(BudgetSnapshot.objects.get().line.level, L.UNIT)


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class DemoBureauTests(TestCase):
    """The demo's synthetic bureau: its briefing's totals are the sums of its divisions in
    every block, on the page, in the PDF data and in the downloads."""

    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.briefing = Briefing.objects.get(department__code="EXM-ADM")
        cls.edition = editions.publish(cls.briefing)  # what readers get
        cls.blocks = [b for s in walk(build_report(cls.briefing)["sections"]) for b in s["blocks"]]

    def kind(self, name):
        return [block for block in self.blocks if block["kind"] == name]

    def test_count_tables_total_their_divisions(self):
        for block in self.kind("staffing") + self.kind("vehicles"):
            table = block["table"]
            self.assertTrue(table["by_unit"])
            total = [row for row in table["rows"] if row["unit"] == table["total_label"]]
            units = [row for row in table["rows"] if row["unit"] != table["total_label"]]
            self.assertEqual(len({row["unit"] for row in units}), 3)
            for row in total:
                same = [u for u in units if u["label"] == row["label"]]
                self.assertEqual(row["total"], sum(u["total"] for u in same))
                self.assertEqual(
                    row["cells"], [sum(c) for c in zip(*(u["cells"] for u in same), strict=True)]
                )

    def test_budget_tables_total_their_units_and_lines(self):
        summary, by_category, detail, revenue = self.kind("budget")
        table = summary["tables"][0]
        self.assertEqual(
            [row["name"] for row in table["rows"]],
            ["총무과 (합성 예시)", "회계과 (합성 예시)", "정보화담당관 (합성 예시)"],
        )
        self.assertEqual(summary["unit"], "백만원")
        for block in (detail, revenue):
            table = block["tables"][0]
            units = [row for row in table["rows"] if row["is_unit"]]
            for name in ("original", "budget", "executed", "committed", "collected"):
                figures = [row[name] for row in units if row[name] is not None]
                self.assertEqual(table["total"][name], sum(figures) if figures else None, name)
        self.assertEqual(
            [c["name"] for c in detail["columns"]][:4], ["source", "original", "changes", "budget"]
        )
        self.assertEqual(
            by_category["tables"][0]["total"]["budget"], summary["tables"][0]["total"]["budget"]
        )
        self.assertEqual(detail["warnings"], [])  # the printed subtotals match their sums

    def test_the_bureau_in_the_pdf_on_the_page_and_in_the_download(self):
        with self.edition.pdf.open("rb") as stored:
            text = squeeze("".join(pdf_pages(stored.read())))
        self.assertIn("자치행정국(합성예시)", text)
        self.assertIn("계12,24568512,9308,14163.0", text)  # 부서별 세출예산, 백만원
        args = (self.briefing.session_id, "EXM-ADM")
        page = self.client.get(reverse("council:briefing_section", args=(*args, "budget")))
        self.assertContains(page, "자치행정국 (합성 예시)")
        self.assertContains(page, "원인행위액")
        download = self.client.get(
            reverse("council:briefing_table", args=(*args, "budget", "budget-detail-1", "xlsx"))
        )
        self.assertEqual(download.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
        headers = [cell.value for cell in sheet[2]]
        self.assertIn("원인행위액(천원)", headers)
        self.assertIn("설명자료 쪽수", headers)

    def test_council_requests_count_a_shared_request_once(self):
        (block,) = self.kind("council_requests")
        self.assertEqual(block["counts"]["total"]["total"], 3)  # 총무과's, shared with 회계과
        self.assertEqual(
            [row["kind"] for row in block["counts"]["rows"]], ["시정·처리요구", "건의", "자료제출"]
        )
        shared = [r for r in block["requests"] if r["shared"]]
        self.assertEqual([(r["department"], r["shared"]) for r in shared],
                         [("총무과 (합성 예시)", ["회계과 (합성 예시)"])])  # fmt: skip


class BureauPlaceTests(TestCase):
    """A bureau's briefing comes before its divisions' on the session page and in the
    booklet, in the organisation's order, its divisions set under it."""

    @classmethod
    def setUpTestData(cls):
        session = make_session()
        other = make_department("가나과", order=1)  # sorts first by name and order alone
        cls.bureau = make_department("총무국", kind=Department.Kind.BUREAU, order=5)
        divisions = [make_department(f"{n}과", parent=cls.bureau, order=n) for n in (2, 1)]
        cls.expected = ["가나과", "총무국", "1과", "2과"]
        for department in [*divisions, cls.bureau, other]:
            make_edition(make_briefing(department, session=session, status="published"))
        cls.session = session

    def test_the_booklet_and_the_session_page_follow_the_organisation(self):
        found = editions.booklet_editions(self.session)
        self.assertEqual([e.briefing.department.name for e in found], self.expected)
        page = self.client.get(reverse("council:session", args=[self.session.pk]))
        listed = page.content.decode().split('class="briefing-list"', 1)[1]
        names = re.findall(r'<li( class="under-parent")?>\s*<a href="[^"]+">([^<]+)</a>', listed)
        self.assertEqual([name for _under, name in names], self.expected)
        self.assertEqual([bool(under) for under, _name in names], [False, False, True, True])

    def test_the_clerks_board_lists_the_bureau_before_its_divisions(self):
        self.client.force_login(make_user(Role.CLERK))
        page = self.client.get(reverse("admin:departments_reportingperiod_board")).content.decode()
        positions = [page.find(f">{name}<") for name in self.expected]
        self.assertNotIn(-1, positions)
        self.assertEqual(positions, sorted(positions))


class BureauComparisonTests(TestCase):
    """The reader's comparison with last year sums the same units as this year's table."""

    @classmethod
    def setUpTestData(cls):
        BudgetCategory.objects.create(kind=EXPENDITURE, name="사업비", order=1)
        cls.bureau, cls.briefing = make_bureau(2)
        last_year = dt.date(2024, 5, 31)
        for n, division in enumerate(cls.bureau.children.order_by("order"), 1):
            line = make_line(division, "기본경비", year=2024, level=L.UNIT)
            make_budget_snapshot(line, budget=40 * n, executed=5 * n, as_of=last_year)
            make_snapshot(division, last_year, counts=((("일반직", "6급"), 2 * n, n),))
            for year in (2024, 2025):
                approve(division, year, 2)
        approve(cls.bureau, 2025, 2)
        cls.reader = Reader(AnonymousUser())

    def block(self, kind, **options):
        section = one(self.briefing, kind, **options)["sections"][0]
        return blocks_of(section, kind)[0]

    def test_a_bureau_by_division_is_set_beside_each_divisions_last_year(self):
        table = self.block("budget", rows="by_unit", scope="units")["tables"][0]
        found = compare.budget_comparison(self.bureau, table, self.reader)
        by_name = {row["name"]: row for row in found["rows"]}
        self.assertEqual(by_name["1과"]["last_budget"], 40)
        self.assertEqual(by_name["2과"]["last_budget"], 80)
        self.assertEqual(by_name["2과"]["change"], 2 * 1_250 - 80)
        self.assertEqual(found["total"]["last_budget"], 120)

    def test_a_bureaus_staffing_is_set_beside_its_divisions_tables_of_last_year(self):
        staffing = self.block("staffing", scope="units")
        found = compare.staffing_comparison(self.bureau, staffing, self.reader)
        self.assertEqual((found["total"]["last_authorised"], found["total"]["last_actual"]), (6, 3))

    def test_a_summary_by_category_or_in_millions_is_not_compared(self):
        for options in ({"rows": "by_category"}, {"unit": "백만원"}):
            section = {"blocks": [self.block("budget", scope="units", **options)], "children": []}
            self.assertIsNone(compare.summary_budget(section), options)
