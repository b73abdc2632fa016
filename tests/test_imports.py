"""Excel/CSV import and export of quarterly figures: exact, scoped, locked, all or nothing."""

import datetime as dt
import io
import os
import tempfile
import zipfile
from unittest import mock

import openpyxl
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from budgets.models import BudgetLine, BudgetSnapshot
from budgets.resources import BudgetLineResource, BudgetSnapshotResource
from departments.access import Role
from departments.imports import CSV, XLSX, IntegerWidget
from departments.models import PendingImport, StaffingCount, StaffingSnapshot
from departments.resources import StaffingCountResource
from departments.workflow import perform, period_for

from .budget_factories import AS_OF, make_budget_snapshot, make_line
from .factories import make_department, make_grade, make_user
from .import_factories import (
    SNAPSHOT_HEADERS,
    STAFFING_HEADERS,
    upload,
    with_cached_values,
    with_dimension,
    xlsx_bytes,
)

Q3 = dt.date(2025, 8, 31)


def run_import(resource, data, user, dry_run=False):
    dataset = XLSX().create_dataset(data)
    return resource().import_data(dataset, dry_run=dry_run, user=user, file_name="figures.xlsx")


def problems(result):
    """Every message of a result: the file's own, then each row's."""
    found = [str(error.error) for error in result.base_errors]
    return found + [message for row in result.invalid_rows for message in row.error.messages]


def approve(department, year, quarter, clerk):
    period = period_for(department, year, quarter)
    perform(clerk, period, "submit")
    perform(clerk, period, "approve")


class ImportTestData(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.other = make_department("청소과")
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.clerk = make_user(Role.CLERK)
        cls.line = make_line(cls.ga, "청사 관리")
        cls.revenue = make_line(cls.ga, "사용료", kind=BudgetLine.Kind.REVENUE)
        cls.other_line = make_line(cls.other, "가로 청소")

    def row(self, line=None, as_of=AS_OF, budget="1,234", executed=None, **other):
        line = line or self.line
        kind = line.get_kind_display()
        values = [line.department.code, line.year, kind, line.name, as_of, budget, executed]
        return values + [other.get("committed"), other.get("collected")]


class SnapshotImportTests(ImportTestData):
    def test_a_good_file_imports_exact_figures_and_records_history(self):
        rows = [
            self.row(budget="1,234,567", executed="１２３", committed=1000.0),
            self.row(self.revenue, budget=90, collected="45"),
        ]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual(problems(result), [])
        spent = BudgetSnapshot.objects.get(line=self.line)
        self.assertEqual(
            (spent.as_of, spent.budget, spent.executed, spent.committed, spent.collected),
            (AS_OF, 1_234_567, 123, 1000, None),
        )
        self.assertIs(type(spent.committed), int)
        self.assertEqual(BudgetSnapshot.objects.get(line=self.revenue).collected, 45)
        record = spent.history.get()
        self.assertEqual(record.history_user, self.staff)
        self.assertIn("figures.xlsx", record.history_change_reason)

    def test_a_changed_figure_updates_the_row_and_adds_a_history_record(self):
        snapshot = make_budget_snapshot(self.line, budget=1_000)
        data = xlsx_bytes(SNAPSHOT_HEADERS, [self.row(budget="1,500")])
        result = run_import(BudgetSnapshotResource, data, self.staff)
        self.assertEqual(result.totals["update"], 1)
        snapshot.refresh_from_db()
        self.assertEqual(snapshot.budget, 1_500)
        latest = snapshot.history.first()
        delta = latest.diff_against(latest.prev_record)
        self.assertEqual([(c.field, c.old, c.new) for c in delta.changes], [("budget", 1000, 1500)])

    def test_korean_number_forms_parse(self):
        signed, unsigned = IntegerWidget(negative_ok=True), IntegerWidget()
        for typed in ["△1,234", "Δ1,234", "-1,234", "(1,234)", "（１，２３４）"]:
            with self.subTest(typed=typed):
                self.assertEqual(signed.clean(typed), -1234)
        for typed in ["1,234", "１２３４", " 1 234 ", 1234, 1234.0]:
            with self.subTest(typed=typed):
                self.assertEqual(unsigned.clean(typed), 1234)
        self.assertIsNone(unsigned.clean("-"))  # the reports' "none"

    def test_a_fraction_and_a_negative_are_errors_naming_row_and_column(self):
        rows = [self.row(budget="12.7"), self.row(as_of=Q3, budget="△500")]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual([row.number for row in result.invalid_rows], [2, 3])
        self.assertEqual(
            problems(result),
            [
                "2행 예산액(천원) '12.7': 소수는 쓸 수 없습니다. 정수로 적으세요.",
                "3행 예산액(천원) '△500': 음수는 쓸 수 없습니다.",
            ],
        )
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_an_unknown_line_or_bad_key_cell_names_its_own_column(self):
        rows = [
            self.row(),
            [self.ga.code, "이천", "세출", "청사 관리", AS_OF, 1, None, None, None],
            [self.ga.code, 2025, "세출", "없는 사업", AS_OF, 1, None, None, None],
        ]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual(
            problems(result),
            [
                "3행 회계연도 '이천': 숫자가 아닙니다.",
                "4행 사업명 '없는 사업': 이 부서·회계연도·세입세출에 없는 예산 사업입니다.",
            ],
        )
        self.assertFalse(BudgetSnapshot.objects.exists())  # the good row 2 too

    def test_duplicate_rows_are_refused_naming_both(self):
        rows = [self.row(), self.row(as_of=Q3), self.row(as_of="2025-05-31", budget=9)]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual(len(problems(result)), 1)
        self.assertIn("2행과 4행이 같은 항목입니다", problems(result)[0])
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_the_same_item_typed_two_ways_is_refused_too(self):
        rows = [self.row(), self.row(as_of=" 2025. 5. 31.")]
        rows[1][2] = "expenditure"
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual([row.number for row in result.invalid_rows], [3])
        self.assertIn("2행과 3행이 같은 항목입니다", problems(result)[0])
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_unknown_missing_and_space_padded_columns_are_named(self):
        headers = [*SNAPSHOT_HEADERS[:5], "예산액(천원) ", *SNAPSHOT_HEADERS[6:], "비고"]
        result = run_import(
            BudgetSnapshotResource, xlsx_bytes(headers, [self.row() + ["메모"]]), self.staff
        )
        message = problems(result)[0]
        self.assertIn("모르는 열입니다: '예산액(천원) '. 제목 앞뒤의 빈칸을 지우세요.", message)
        self.assertIn("모르는 열입니다: '비고'.", message)
        self.assertIn("'예산액(천원)' 열이 없습니다.", message)
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_a_row_of_another_department_is_refused_and_nothing_is_imported(self):
        rows = [self.row(), self.row(self.other_line)]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual(
            problems(result),
            [
                f"3행 부서 코드 '{self.other.code}': "
                "없는 부서이거나 이 계정으로 자료를 올릴 수 없는 부서입니다."
            ],
        )
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_a_clerk_imports_for_every_department(self):
        rows = [self.row(), self.row(self.other_line)]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.clerk)
        self.assertEqual(problems(result), [])
        self.assertEqual(BudgetSnapshot.objects.count(), 2)

    def test_an_approved_period_refuses_the_import_and_nothing_changes(self):
        snapshot = make_budget_snapshot(self.line, budget=1_000)
        approve(self.ga, 2025, 2, self.clerk)
        rows = [self.row(budget=2_000), self.row(as_of=Q3, budget=3_000)]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual(
            problems(result),
            [
                f"2행 부서 코드 '{self.ga.code}': "
                "2025년 2분기 자료는 승인되어 잠겨 있습니다. "
                "고치려면 부서 검토자나 의회 담당자에게 재개를 요청하세요."
            ],
        )
        snapshot.refresh_from_db()
        self.assertEqual(snapshot.budget, 1_000)
        self.assertEqual(BudgetSnapshot.objects.count(), 1)  # the open Q3 row rolled back too
        self.assertEqual(snapshot.history.count(), 1)

    def test_an_unchanged_row_of_an_approved_period_is_left_alone(self):
        make_budget_snapshot(self.line, budget=1_234)
        approve(self.ga, 2025, 2, self.clerk)
        data = xlsx_bytes(SNAPSHOT_HEADERS, [self.row(budget="1,234")])
        result = run_import(BudgetSnapshotResource, data, self.staff)
        self.assertEqual((problems(result), result.totals["skip"]), ([], 1))

    def test_an_understated_dimension_still_imports_every_row(self):
        rows = [self.row(as_of=dt.date(2025, 6, day), budget=day) for day in range(1, 31)]
        data = with_dimension(xlsx_bytes(SNAPSHOT_HEADERS, rows), "A1:I3")
        trusting = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
        self.assertEqual(len(list(trusting.iter_rows())), 3)  # what a plain read-only read sees
        result = run_import(BudgetSnapshotResource, data, self.staff)
        self.assertEqual(problems(result), [])
        self.assertEqual(BudgetSnapshot.objects.count(), 30)

    def test_blank_lines_inside_the_sheet_keep_excel_row_numbers(self):
        rows = [self.row(), [None] * 9, self.row(as_of=Q3, budget="x")]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), self.staff)
        self.assertEqual(problems(result), ["4행 예산액(천원) 'x': 숫자가 아닙니다."])
        self.assertEqual((result.totals["new"], result.totals["skip"]), (1, 0))

    def test_export_then_import_changes_nothing_in_xlsx_and_csv(self):
        formula = make_line(self.ga, '=HYPERLINK("http://x")')
        make_budget_snapshot(self.line, budget=1_234_567, executed=0)
        make_budget_snapshot(formula, budget=10, committed=5)
        make_budget_snapshot(self.revenue, budget=90, collected=45, as_of=Q3)
        records = BudgetSnapshot.history.count()
        for file_format in (XLSX(), CSV()):
            with self.subTest(format=type(file_format).__name__):
                dataset = BudgetSnapshotResource().export(BudgetSnapshot.objects.all())
                data = file_format.export_data(dataset)
                data = data.encode() if isinstance(data, str) else data
                again = BudgetSnapshotResource().import_data(
                    file_format.create_dataset(data), user=self.staff
                )
                self.assertEqual(problems(again), [])
                self.assertEqual(again.totals["skip"], 3)
                self.assertEqual(again.totals["new"] + again.totals["update"], 0)
        self.assertEqual(BudgetSnapshot.history.count(), records)

    def test_export_keeps_numbers_native_and_defuses_formulas(self):
        make_budget_snapshot(make_line(self.ga, "=1+2"), budget=1_234)
        dataset = BudgetSnapshotResource().export(BudgetSnapshot.objects.all())
        book = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(dataset)))
        row = [cell.value for cell in book.active[2]]
        self.assertEqual(row[3], "'=1+2")
        self.assertEqual(row[5], 1234)
        self.assertEqual(book.active["D2"].data_type, "s")


class FormulaCellTests(ImportTestData):
    """A formula cell is read by the value Excel saved with it; without one it is refused."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_grade("일반직", "9급", 9)
        make_grade("일반직", "8급", 8)

    def staffing(self):
        rows = [
            [self.ga.code, AS_OF, "일반직", "9급", "=10+2", 3],
            [self.ga.code, AS_OF, "일반직", "8급", 4, '=IF(E2>0,"",1)'],
        ]
        return xlsx_bytes(STAFFING_HEADERS, rows)

    def test_formulas_without_saved_values_are_refused_naming_each_cell(self):
        with self.assertRaises(ValidationError) as refused:
            XLSX().create_dataset(self.staffing())
        self.assertEqual(
            refused.exception.messages,
            [
                f"{row}행 {column} ({cell}): 수식의 계산 값이 저장되지 않았습니다 — "
                "Excel에서 저장한 뒤 다시 올려 주세요."
                for row, column, cell in [(2, "정원", "E2"), (3, "현원", "F3")]
            ],
        )

    def test_an_execution_amount_formula_is_refused_in_the_admin_and_nothing_is_saved(self):
        self.client.force_login(self.staff)
        data = xlsx_bytes(SNAPSHOT_HEADERS, [self.row(budget=1_000, executed="=F2/2")])
        response = self.client.post(
            reverse("admin:budgets_budgetsnapshot_import"),
            {"resource": "0", "format": "0", "import_file": upload(data)},
        )
        (error,) = response.context["form"].errors["import_file"]
        self.assertIn("2행 집행액(천원) (G2): 수식의 계산 값이 저장되지 않았습니다", error)
        self.assertIsNone(response.context.get("confirm_form"))
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_formulas_saved_by_excel_import_their_values(self):
        data = with_cached_values(self.staffing(), {"E2": 12, "F3": ""})
        result = run_import(StaffingCountResource, data, self.staff)
        self.assertEqual(problems(result), [])
        counts = StaffingCount.objects.values_list("grade__name", "authorised", "actual")
        self.assertEqual(set(counts), {("9급", 12, 3), ("8급", 4, 0)})


class FileLimitTests(ImportTestData):
    def test_a_zip_bomb_is_refused_before_parsing(self):
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b" " * 5 * 2**20)  # ~5 KB packed
        with self.assertRaisesMessage(ValidationError, "압축을 풀면 지나치게 커지는 파일"):
            XLSX().create_dataset(bomb.getvalue())  # by its ratio
        data = xlsx_bytes(SNAPSHOT_HEADERS, [self.row()])
        with override_settings(IMPORT_MAX_XLSX_UNPACKED_BYTES=len(data)):
            with self.assertRaisesMessage(ValidationError, "압축을 풀면 지나치게 커지는 파일"):
                XLSX().create_dataset(data)  # by its unpacked size

    def test_oversized_files_and_too_many_rows_are_refused(self):
        data = xlsx_bytes(SNAPSHOT_HEADERS, [self.row(as_of=dt.date(2025, 6, d)) for d in (1, 2)])
        with override_settings(IMPORT_MAX_FILE_BYTES=len(data) - 1):
            with self.assertRaisesMessage(ValidationError, "파일이 너무 큽니다"):
                XLSX().create_dataset(data)
        with override_settings(IMPORT_MAX_ROWS=1):
            with self.assertRaisesMessage(ValidationError, "1행까지 가져올 수 있습니다"):
                XLSX().create_dataset(data)

    def test_a_korean_excel_csv_in_cp949_is_read(self):
        text = ",".join(SNAPSHOT_HEADERS) + f"\n{self.ga.code},2025,세출,청사 관리,2025. 5. 31.,"
        dataset = CSV().create_dataset((text + '"1,234",,,\n').encode("cp949"))
        result = BudgetSnapshotResource().import_data(dataset, user=self.staff)
        self.assertEqual(problems(result), [])
        self.assertEqual(BudgetSnapshot.objects.get().budget, 1_234)


class LineAndStaffingImportTests(ImportTestData):
    LINE_HEADERS = [
        "부서 코드",
        "회계연도",
        "세입·세출",
        "단계",
        "상위 사업",
        "사업명",
        "표시 순서",
        "재원",
        "전년도 최종예산(천원)",
    ]

    def test_a_line_tree_imports_with_parents_named_by_name(self):
        code = self.ga.code
        rows = [
            [code, 2026, "세출", "정책사업", None, "청사 운영", 1, None, None],
            [code, 2026, "세출", "단위사업", "청사 운영", "청사 보수", 2, "구비", "5,000"],
        ]
        result = run_import(BudgetLineResource, xlsx_bytes(self.LINE_HEADERS, rows), self.staff)
        self.assertEqual(problems(result), [])
        child = BudgetLine.objects.get(name="청사 보수")
        self.assertEqual(
            (child.parent.name, child.source, child.prior_budget), ("청사 운영", "district", 5000)
        )

    def test_an_out_of_range_choice_is_refused(self):
        rows = [[self.ga.code, 2026, "세출", "기타", None, "청사 운영", 1, None, None]]
        result = run_import(BudgetLineResource, xlsx_bytes(self.LINE_HEADERS, rows), self.staff)
        self.assertEqual(len(problems(result)), 1)
        self.assertIn("2행 단계 '기타': 고를 수 있는 값이 아닙니다.", problems(result)[0])
        self.assertFalse(BudgetLine.objects.filter(year=2026).exists())

    def test_staffing_counts_import_and_start_a_new_snapshot(self):
        make_grade("일반직", "9급", 9)
        make_grade("일반직", "8급", 8)
        rows = [
            [self.ga.code, AS_OF, "일반직", "9급", "13", "2"],
            [self.ga.code, AS_OF, "일반직", "8급", None, "-"],
        ]
        result = run_import(StaffingCountResource, xlsx_bytes(STAFFING_HEADERS, rows), self.staff)
        self.assertEqual(problems(result), [])
        snapshot = StaffingSnapshot.objects.get(department=self.ga, as_of=AS_OF)
        counts = {c.grade.name: (c.authorised, c.actual) for c in snapshot.counts.all()}
        self.assertEqual(counts, {"9급": (13, 2), "8급": (0, 0)})
        self.assertEqual(StaffingCount.history.count(), 2)

    def test_an_unknown_grade_or_a_locked_quarter_is_a_row_error(self):
        make_grade("일반직", "9급", 9)
        approve(self.ga, 2025, 2, self.clerk)
        rows = [
            [self.ga.code, Q3, "일반직", "10급", 1, 1],
            [self.ga.code, AS_OF, "일반직", "9급", 1, 1],
        ]
        result = run_import(StaffingCountResource, xlsx_bytes(STAFFING_HEADERS, rows), self.staff)
        self.assertEqual(
            problems(result),
            [
                "2행 직급 '10급': 직종·직급 목록에 없는 직급입니다.",
                f"3행 부서 코드 '{self.ga.code}': "
                "2025년 2분기 자료는 승인되어 잠겨 있습니다. "
                "고치려면 부서 검토자나 의회 담당자에게 재개를 요청하세요.",
            ],
        )
        self.assertFalse(StaffingSnapshot.objects.exists())


class AdminImportTests(ImportTestData):
    def setUp(self):
        self.import_url = reverse("admin:budgets_budgetsnapshot_import")
        self.confirm_url = reverse("admin:budgets_budgetsnapshot_process_import")

    def preview(self, data, name="figures.xlsx"):
        return self.client.post(
            self.import_url, {"resource": "0", "format": "0", "import_file": upload(data, name)}
        )

    def confirm(self, preview):
        return self.client.post(self.confirm_url, preview.context["confirm_form"].initial)

    def test_staff_import_through_the_preview_and_the_confirm_step(self):
        self.client.force_login(self.staff)
        page = self.client.get(self.import_url).content.decode()
        for korean in ("가져오기", "파일", "형식", "제출", "예산액(천원)"):
            self.assertIn(korean, page)
        preview = self.preview(xlsx_bytes(SNAPSHOT_HEADERS, [self.row(budget="△0")]))
        self.assertContains(preview, "미리보기")
        self.assertFalse(BudgetSnapshot.objects.exists())  # the preview is a dry run
        response = self.confirm(preview)
        self.assertRedirects(response, reverse("admin:budgets_budgetsnapshot_changelist"))
        self.assertEqual(
            [str(m) for m in get_messages(response.wsgi_request)],
            ["가져오기를 마쳤습니다: 새 항목 1건, 고친 항목 0건, 그대로 0건."],
        )
        snapshot = BudgetSnapshot.objects.get()
        self.assertEqual((snapshot.budget, snapshot.history.get().history_user), (0, self.staff))

    def test_row_errors_are_shown_in_korean_and_no_confirm_is_offered(self):
        self.client.force_login(self.staff)
        rows = [self.row(), self.row(self.other_line)]
        response = self.preview(xlsx_bytes(SNAPSHOT_HEADERS, rows))
        self.assertIsNone(response.context.get("confirm_form"))
        self.assertContains(response, "유효성 검증에 실패한 행이 있습니다.")
        self.assertContains(response, "3행 부서 코드")

    def test_a_refused_file_shows_its_reason_without_a_stack_trace(self):
        self.client.force_login(self.staff)
        response = self.preview(xlsx_bytes(SNAPSHOT_HEADERS, [self.row(), self.row()]))
        self.assertContains(response, "2행과 3행이 같은 항목입니다")
        self.assertNotContains(response, "Traceback")

    def test_an_unreadable_or_oversized_upload_is_a_form_error(self):
        self.client.force_login(self.staff)
        response = self.preview(b"not a spreadsheet")
        self.assertContains(response, "엑셀(xlsx) 파일이 아닙니다.")
        with override_settings(IMPORT_MAX_FILE_BYTES=10):
            response = self.preview(b"x" * 11)
        self.assertContains(response, "파일이 너무 큽니다")

    def test_approval_between_preview_and_confirm_saves_nothing(self):
        self.client.force_login(self.staff)
        preview = self.preview(xlsx_bytes(SNAPSHOT_HEADERS, [self.row(), self.row(as_of=Q3)]))
        approve(self.ga, 2025, 2, self.clerk)
        response = self.confirm(preview)
        self.assertRedirects(response, self.import_url)
        (message,) = get_messages(response.wsgi_request)
        self.assertIn("아무것도 가져오지 않았습니다. 2행 부서 코드", str(message))
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_import_needs_the_add_permission(self):
        changelist = reverse("admin:budgets_budgetsnapshot_changelist")
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(changelist), self.import_url)
        viewer = make_user(Role.COUNCIL)
        viewer.is_staff = True
        viewer.save()
        viewer.user_permissions.add(Permission.objects.get(codename="view_budgetsnapshot"))
        self.client.force_login(viewer)
        self.assertNotContains(self.client.get(changelist), self.import_url)
        self.assertEqual(self.client.get(self.import_url).status_code, 403)

    def test_an_admin_export_imports_back_without_changes(self):
        make_budget_snapshot(self.line, budget=1_234, executed=1_000)
        make_budget_snapshot(self.other_line, budget=5)
        self.client.force_login(self.staff)
        exported = self.client.post(
            reverse("admin:budgets_budgetsnapshot_export"), {"resource": "0", "format": "0"}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
        self.assertEqual(sheet.max_row, 2)  # the header and this department's one row
        response = self.confirm(self.preview(exported.content))
        self.assertEqual(
            [str(m) for m in get_messages(response.wsgi_request)],
            ["가져오기를 마쳤습니다: 새 항목 0건, 고친 항목 0건, 그대로 1건."],
        )

    def test_the_staffing_export_lists_the_counts_of_the_users_department(self):
        grade = make_grade("일반직", "9급", 9)
        for department in (self.ga, self.other):
            snapshot = StaffingSnapshot.objects.create(department=department, as_of=AS_OF)
            StaffingCount.objects.create(snapshot=snapshot, grade=grade, authorised=13, actual=2)
        self.client.force_login(self.staff)
        exported = self.client.post(
            reverse("admin:departments_staffingsnapshot_export"), {"resource": "0", "format": "0"}
        )
        rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.values)
        self.assertEqual(
            rows,
            [
                tuple(STAFFING_HEADERS),
                (self.ga.code, dt.datetime(2025, 5, 31), "일반직", "9급", 13, 2),
            ],
        )


class ConfirmStepTests(ImportTestData):
    """The confirm step reads only the user's own pending upload, once, or says why not."""

    GONE = "가져올 파일을 찾지 못했습니다."
    TAMPERED = "확인 단계의 양식이 올린 파일과 맞지 않습니다."

    def setUp(self):
        self.import_url = reverse("admin:budgets_budgetsnapshot_import")
        self.confirm_url = reverse("admin:budgets_budgetsnapshot_process_import")
        self.client.force_login(self.staff)

    def preview(self, rows=None, user=None):
        if user:
            self.client.force_login(user)
        data = xlsx_bytes(SNAPSHOT_HEADERS, rows or [self.row()])
        response = self.client.post(
            self.import_url, {"resource": "0", "format": "0", "import_file": upload(data)}
        )
        form = response.context.get("confirm_form")
        return form and dict(form.initial)

    def confirm(self, fields, user=None):
        if user:
            self.client.force_login(user)
        return self.client.post(self.confirm_url, fields)

    def assertRefused(self, response, message):
        self.assertRedirects(response, self.import_url)
        (shown,) = get_messages(response.wsgi_request)
        self.assertEqual(shown.level_tag, "error")
        self.assertIn(message, str(shown))

    def test_the_confirm_form_carries_a_random_token_not_a_path(self):
        fields = self.preview()
        upload_row = PendingImport.objects.get()
        self.assertEqual(fields["import_file_name"], upload_row.token)
        self.assertGreaterEqual(len(upload_row.token), 40)
        self.assertEqual((upload_row.user, upload_row.file_name), (self.staff, "figures.xlsx"))

    def test_another_users_upload_cannot_be_confirmed_or_removed(self):
        fields = self.preview()
        colleague = make_user(Role.STAFF, self.ga)
        self.assertRefused(self.confirm(fields, user=colleague), self.GONE)
        self.assertFalse(BudgetSnapshot.objects.exists())
        self.assertTrue(PendingImport.objects.exists())
        response = self.confirm(fields, user=self.staff)  # its owner still can
        self.assertRedirects(response, reverse("admin:budgets_budgetsnapshot_changelist"))
        self.assertEqual(BudgetSnapshot.objects.get().history.get().history_user, self.staff)

    def test_a_path_or_an_unknown_name_reads_no_file(self):
        fields = self.preview()
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as other_file:
            other_file.write(xlsx_bytes(SNAPSHOT_HEADERS, [self.row(budget=9)]))
        self.addCleanup(os.remove, other_file.name)
        for name in [
            os.path.basename(other_file.name),
            other_file.name,
            "../../etc/passwd",
            "unknown",
            fields["import_file_name"] + "x",
        ]:
            with self.subTest(name=name):
                self.assertRefused(self.confirm(fields | {"import_file_name": name}), self.GONE)
        self.assertTrue(os.path.exists(other_file.name))
        self.assertFalse(BudgetSnapshot.objects.exists())
        self.assertEqual(PendingImport.objects.count(), 1)  # the real upload is still waiting

    def test_impossible_hidden_fields_are_refused_with_a_message(self):
        fields = self.preview()
        for tampered in [
            {"format": "9"},
            {"format": "x"},
            {"format": "-1"},
            {"format": ""},
            {"resource": "1"},
            {"import_file_name": ""},
        ]:
            with self.subTest(tampered=tampered):
                self.assertRefused(self.confirm(fields | tampered), self.TAMPERED)
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_a_wrong_but_possible_format_is_refused_with_the_reading_error(self):
        fields = self.preview()
        response = self.confirm(fields | {"format": "1"})  # CSV, for an xlsx file
        self.assertRefused(response, "CSV 파일을 UTF-8 또는 CP949로 저장하세요.")
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_a_second_submit_of_the_same_confirm_imports_nothing_more(self):
        fields = self.preview()
        self.assertRedirects(
            self.confirm(fields), reverse("admin:budgets_budgetsnapshot_changelist")
        )
        self.assertRefused(self.confirm(fields), self.GONE)
        self.assertEqual(BudgetSnapshot.objects.get().history.count(), 1)
        self.assertFalse(PendingImport.objects.exists())

    def test_a_refused_or_unreadable_upload_leaves_nothing_waiting(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(os.rmdir, folder)
        patcher = mock.patch.object(tempfile, "tempdir", folder)  # where the library kept them
        patcher.start()
        self.addCleanup(patcher.stop)
        self.assertIsNone(self.preview([self.row(), self.row(self.other_line)]))
        self.assertIsNone(self.preview([self.row(), self.row()]))  # the file is refused
        response = self.client.post(
            self.import_url,
            {"resource": "0", "format": "0", "import_file": upload(b"not a spreadsheet")},
        )
        self.assertContains(response, "엑셀(xlsx) 파일이 아닙니다.")
        self.assertFalse(PendingImport.objects.exists())
        self.assertEqual(os.listdir(folder), [])

    def test_an_abandoned_upload_expires(self):
        fields = self.preview()
        hours = dt.timedelta(hours=25)  # IMPORT_PENDING_HOURS is 24
        PendingImport.objects.update(uploaded_at=PendingImport.objects.get().uploaded_at - hours)
        self.assertRefused(self.confirm(fields), self.GONE)
        self.assertFalse(BudgetSnapshot.objects.exists())
        clerk_fields = self.preview(user=self.clerk)  # any new upload purges expired ones
        self.assertEqual(
            list(PendingImport.objects.values_list("token", flat=True)),
            [clerk_fields["import_file_name"]],
        )
