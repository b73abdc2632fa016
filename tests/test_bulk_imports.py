"""Imports in bulk: a fixed number of queries, the model rules checked for every row at
once, the preview in pages, and large files confirmed into a background job."""

import datetime as dt
import io
from unittest import mock

import tablib
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from budgets.models import BudgetLine, BudgetSnapshot, QuarterPlan
from budgets.resources import BudgetLineResource, BudgetSnapshotResource
from departments import import_jobs
from departments.access import Role
from departments.models import ImportJob, PendingImport, StaffingCount, StaffingSnapshot
from departments.resources import StaffingCountResource

from . import test_imports
from .budget_factories import AS_OF, make_budget_snapshot, make_line
from .factories import make_department, make_grade, make_user
from .import_factories import SNAPSHOT_HEADERS, STAFFING_HEADERS, upload, xlsx_bytes
from .test_imports import approve, problems

LINE_HEADERS = test_imports.LineAndStaffingImportTests.LINE_HEADERS


def work():
    """Run the queued tasks the way `manage.py db_worker` does in production."""
    # The worker closes connections outside autocommit, which inside a test's transaction
    # would drop the test database connection on PostgreSQL.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def dataset(headers, rows):
    return tablib.Dataset(*rows, headers=headers)


class QueryCountTests(TestCase):
    """The queries of an import do not grow with its rows (compared at 100 and 1,000)."""

    SIZES = (100, 1_000)

    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.lines = BudgetLine.objects.bulk_create(
            BudgetLine(department=cls.ga, year=2025, name=f"사업{n:05d}") for n in range(1_000)
        )
        for n in range(10):
            make_grade("일반직", f"{n + 1}급", n)

    def queries(self, resource, data, dry_run=False):
        user = User.objects.get(pk=self.staff.pk)  # as a request has it: roles not yet read
        with CaptureQueriesContext(connection) as captured:
            result = resource().import_data(data, user=user, dry_run=dry_run)
        self.assertEqual(problems(result), [])
        return len(captured), result

    def snapshot_rows(self, size, budget):
        code = self.ga.code
        return [[code, 2025, "세출", line.name, AS_OF, budget, None, None, None]
                for line in self.lines[:size]]  # fmt: skip

    def test_new_execution_snapshots(self):
        counts = {}
        for size in self.SIZES:
            BudgetSnapshot.objects.all().delete()  # each size starts afresh
            data = dataset(SNAPSHOT_HEADERS, self.snapshot_rows(size, 1_000))
            counts[size], result = self.queries(BudgetSnapshotResource, data)
            self.assertEqual(result.totals["new"], size)
        self.assertEqual(counts[100], counts[1_000])
        self.assertLessEqual(counts[100], 25)
        self.assertEqual(BudgetSnapshot.history.filter(history_type="+").count(), 1_100)

    def test_changed_execution_snapshots(self):
        BudgetSnapshot.objects.bulk_create(
            BudgetSnapshot(line=line, as_of=AS_OF, budget=1) for line in self.lines
        )
        counts = {}
        for size in self.SIZES:
            data = dataset(SNAPSHOT_HEADERS, self.snapshot_rows(size, size))
            counts[size], result = self.queries(BudgetSnapshotResource, data)
            self.assertEqual(result.totals["update"], size)
        self.assertEqual(counts[100], counts[1_000])
        self.assertLessEqual(counts[100], 25)
        self.assertEqual(BudgetSnapshot.history.filter(history_type="~").count(), 1_100)
        self.assertEqual(BudgetSnapshot.objects.get(line=self.lines[500]).budget, 1_000)

    def test_a_preview_asks_as_many_queries_at_every_size(self):
        counts = {}
        for size in self.SIZES:
            data = dataset(SNAPSHOT_HEADERS, self.snapshot_rows(size, 1_000))
            counts[size], _ = self.queries(BudgetSnapshotResource, data, dry_run=True)
        self.assertEqual(counts[100], counts[1_000])
        self.assertFalse(BudgetSnapshot.objects.exists())  # a dry run saves nothing

    def test_budget_lines_in_a_tree(self):
        counts = {}
        for size in self.SIZES:
            year = 2026 if size == 100 else 2027
            rows = [[self.ga.code, year, "세출", "정책사업", None, "청사 운영", 1, None, None]]
            rows += [
                [self.ga.code, year, "세출", "단위사업", "청사 운영", f"보수{n}", n, "구비", n]
                for n in range(size - 1)
            ]
            counts[size], result = self.queries(BudgetLineResource, dataset(LINE_HEADERS, rows))
            self.assertEqual(result.totals["new"], size)
        self.assertEqual(counts[100], counts[1_000])
        child = BudgetLine.objects.get(year=2027, name="보수5")
        self.assertEqual(
            (child.parent.name, child.prior_budget, child.source), ("청사 운영", 5, "district")
        )
        self.assertEqual(child.history.get().history_user, self.staff)

    def test_staffing_counts_with_new_snapshots(self):
        counts = {}
        for size in self.SIZES:
            start = dt.date(2025, 1, 1) if size == 100 else dt.date(2025, 4, 1)
            rows = [
                [self.ga.code, start + dt.timedelta(days=day), "일반직", f"{grade + 1}급", 3, 2]
                for day in range(size // 10)
                for grade in range(10)
            ]
            counts[size], _ = self.queries(StaffingCountResource, dataset(STAFFING_HEADERS, rows))
        self.assertEqual(counts[100], counts[1_000])
        self.assertEqual(StaffingSnapshot.objects.count(), 110)
        self.assertEqual(StaffingSnapshot.history.count(), 110)
        self.assertEqual(StaffingCount.history.count(), 1_100)


class BulkRuleTests(TestCase):
    """The model rules that clean() checks one row at a time, checked for a file at once."""

    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.policy = make_line(cls.ga, "청사 운영", level=BudgetLine.Level.POLICY)
        cls.leaf = make_line(cls.ga, "청사 보수", parent=cls.policy)

    def run_import(self, resource, headers, rows):
        return resource().import_data(dataset(headers, rows), user=self.staff)

    def snapshot(self, line, as_of=AS_OF):
        return [self.ga.code, 2025, "세출", line.name, as_of, 10, None, None, None]

    def test_a_parent_lines_figures_and_a_date_outside_the_year_are_refused(self):
        rows = [self.snapshot(self.policy), self.snapshot(self.leaf, dt.date(2026, 1, 5))]
        result = self.run_import(BudgetSnapshotResource, SNAPSHOT_HEADERS, rows)
        self.assertEqual(
            problems(result),
            [
                "2행: 하위 항목이 있는 사업에는 금액을 쓰지 않습니다. 하위 항목에 입력하세요.",
                "3행 기준일 '2026-01-05': 집행 현황의 기준일 2026. 1. 5.이 예산 사업의 "
                "회계연도(2025년) 밖입니다. 그 해의 날짜를 적거나 그 해의 예산 사업에 넣으세요.",
            ],
        )
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_a_parent_with_amounts_and_amounts_on_a_parent_are_refused(self):
        make_budget_snapshot(make_line(self.ga, "임차"))
        code = self.ga.code
        rows = [
            [code, 2025, "세출", "정책사업", None, "청사 운영", 1, "구비", None],  # has a child
            [code, 2025, "세출", "정책사업", "청사 운영", "같은 단계", 1, None, None],
            [code, 2025, "세출", "세부사업", "임차", "임차 하위", 1, None, None],  # has figures
            [code, 2025, "세출", "단위사업", None, "새 단위", 1, None, "7"],
            [code, 2025, "세출", "세부사업", "새 단위", "새 세부", 1, None, None],
        ]
        result = self.run_import(BudgetLineResource, LINE_HEADERS, rows)
        self.assertEqual(
            problems(result),
            [
                "2행 재원 '구비': 하위 항목이 있는 항목은 재원을 비워 둡니다.",
                "3행 단계 '정책사업': 하위 항목은 상위 사업보다 아래 단계여야 합니다 "
                "(회계 → 세부사업).",
                "4행 상위 사업 '임차': 상위 사업에 이미 금액이 입력되어 있습니다. "
                "금액은 하위 항목에만 씁니다.",
                "6행 상위 사업 '새 단위': 상위 사업에 이미 금액이 입력되어 있습니다. "
                "금액은 하위 항목에만 씁니다.",
            ],
        )
        self.assertEqual(BudgetLine.objects.count(), 3)  # nothing new, nothing changed
        self.assertEqual(BudgetLine.objects.get(name="청사 운영").source, "")

    def test_a_child_before_its_new_parent_names_the_missing_line(self):
        code = self.ga.code
        rows = [
            [code, 2025, "세출", "단위사업", "새 정책", "새 단위", 1, None, None],
            [code, 2025, "세출", "정책사업", None, "새 정책", 2, None, None],
        ]
        result = self.run_import(BudgetLineResource, LINE_HEADERS, rows)
        self.assertEqual(
            problems(result),
            ["2행 상위 사업 '새 정책': 이 부서·회계연도·세입세출에 없는 예산 사업입니다."],
        )

    def test_a_lines_plan_counts_as_its_amounts(self):
        QuarterPlan.objects.create(line=self.leaf, quarter=2, amount=5)
        rows = [[self.ga.code, 2025, "세출", "세부사업", "청사 보수", "하위", 1, None, None]]
        result = self.run_import(BudgetLineResource, LINE_HEADERS, rows)
        self.assertIn("상위 사업에 이미 금액이 입력되어 있습니다", problems(result)[0])

    def test_the_update_history_records_only_the_changed_rows(self):
        make_budget_snapshot(self.leaf, budget=10)
        other = make_line(self.ga, "청소", parent=self.policy)
        make_budget_snapshot(other, budget=20)
        rows = [self.snapshot(self.leaf), self.snapshot(other)]
        rows[1][5] = 25
        result = self.run_import(BudgetSnapshotResource, SNAPSHOT_HEADERS, rows)
        self.assertEqual((result.totals["skip"], result.totals["update"]), (1, 1))
        record = BudgetSnapshot.objects.get(line=other).history.first()
        self.assertEqual(
            (record.history_type, record.budget, record.history_user), ("~", 25, self.staff)
        )
        self.assertEqual(BudgetSnapshot.objects.get(line=self.leaf).history.count(), 1)


class AdminFlowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.clerk = make_user(Role.CLERK)
        cls.lines = BudgetLine.objects.bulk_create(
            BudgetLine(department=cls.ga, year=2025, name=f"사업{n:03d}") for n in range(250)
        )

    def setUp(self):
        self.import_url = reverse("admin:budgets_budgetsnapshot_import")
        self.confirm_url = reverse("admin:budgets_budgetsnapshot_process_import")
        self.client.force_login(self.staff)

    def preview(self, size):
        rows = [[self.ga.code, 2025, "세출", line.name, AS_OF, n, None, None, None]
                for n, line in enumerate(self.lines[:size])]  # fmt: skip
        data = xlsx_bytes(SNAPSHOT_HEADERS, rows)
        return self.client.post(
            self.import_url, {"resource": "0", "format": "0", "import_file": upload(data)}
        )

    def test_a_large_preview_is_shown_in_pages_and_confirmed_from_any(self):
        response = self.preview(250)
        self.assertContains(response, "새 항목 250건, 고친 항목 0건, 그대로 0건.")
        self.assertContains(response, "3쪽 중 1쪽 (1–100번째 행 / 모두 250행)")
        self.assertContains(response, "<td>101</td>")  # Excel's row 101: the 100th data row
        self.assertNotContains(response, "<td>102</td>")
        token = response.context["confirm_form"].initial["import_file_name"]
        page_url = reverse("admin:budgets_budgetsnapshot_import_preview", args=[token])
        self.assertContains(response, f'href="{page_url}?page=2"')
        last = self.client.get(page_url, {"page": 3})
        self.assertContains(last, "3쪽 중 3쪽 (201–250번째 행 / 모두 250행)")
        self.assertContains(last, "사업249")
        self.assertNotContains(last, "사업199<")
        with self.captureOnCommitCallbacks(execute=True):
            done = self.client.post(self.confirm_url, last.context["confirm_form"].initial)
        self.assertRedirects(done, reverse("admin:budgets_budgetsnapshot_changelist"))
        self.assertEqual(BudgetSnapshot.objects.count(), 250)  # under the threshold: at once
        self.assertFalse(ImportJob.objects.exists())

    def test_another_users_preview_page_is_not_shown(self):
        token = self.preview(10).context["confirm_form"].initial["import_file_name"]
        self.client.force_login(make_user(Role.STAFF, self.ga))
        url = reverse("admin:budgets_budgetsnapshot_import_preview", args=[token])
        response = self.client.get(url)
        self.assertRedirects(response, self.import_url)
        self.assertIn(
            "가져올 파일을 찾지 못했습니다.", str(list(get_messages(response.wsgi_request))[0])
        )

    def test_an_update_shows_the_stored_value_beside_the_new(self):
        make_budget_snapshot(self.lines[0], budget=77)
        response = self.preview(1)
        self.assertContains(response, "<del>77</del> <ins>0</ins>", html=False)
        self.assertContains(response, "새 항목 0건, 고친 항목 1건, 그대로 0건.")

    @override_settings(IMPORT_BACKGROUND_ROWS=5)
    def confirm_in_background(self, size=10):
        preview = self.preview(size)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.confirm_url, preview.context["confirm_form"].initial)
        job = ImportJob.objects.get()
        url = reverse("admin:budgets_budgetsnapshot_import_job", args=[job.pk])
        self.assertRedirects(response, url)
        return job, url

    def test_a_large_confirm_runs_in_the_worker_and_the_page_follows_it(self):
        job, url = self.confirm_in_background()
        page = self.client.get(url)
        self.assertContains(page, 'http-equiv="refresh"')
        self.assertContains(page, "대기")
        self.assertContains(page, "작업 처리기(db_worker)가 보이지 않습니다")
        self.assertFalse(BudgetSnapshot.objects.exists())
        seen = []
        original = import_jobs._update

        def record(job, **fields):
            if "percent" in fields:
                seen.append(fields["percent"])
            original(job, **fields)

        with mock.patch.object(import_jobs, "_update", record):
            work()
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(seen[-1], 100)
        job.refresh_from_db()
        self.assertEqual((job.status, job.added, job.changed, job.unchanged), ("done", 10, 0, 0))
        self.assertEqual(bytes(job.data), b"")  # the file goes with the job's end
        page = self.client.get(url)
        self.assertNotContains(page, 'http-equiv="refresh"')
        self.assertContains(page, "가져오기를 마쳤습니다: 새 항목 10건, 고친 항목 0건, 그대로 0건.")
        record = BudgetSnapshot.objects.get(line=self.lines[3]).history.get()
        self.assertEqual(record.history_user, self.staff)
        self.assertEqual(record.history_change_reason, "가져오기: figures.xlsx")
        self.assertFalse(PendingImport.objects.exists())

    def test_only_its_user_sees_a_job(self):
        job, url = self.confirm_in_background()
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.staff)
        other = reverse("admin:budgets_budgetline_import_job", args=[job.pk])
        self.assertEqual(self.client.get(other).status_code, 404)  # another import page

    def test_a_period_approved_before_the_worker_runs_fails_the_job_and_saves_nothing(self):
        job, url = self.confirm_in_background()
        approve(self.ga, 2025, 2, self.clerk)
        work()
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("아무것도 가져오지 않았습니다. 2행 부서 코드", job.error)
        self.assertContains(self.client.get(url), "2025년 2분기 자료는 승인되어 잠겨 있습니다")
        self.assertFalse(BudgetSnapshot.objects.exists())

    def test_a_job_whose_worker_died_is_run_again_by_the_recovery_command(self):
        job, _ = self.confirm_in_background()
        # What a worker killed mid-job leaves behind: both rows RUNNING, no heartbeat since.
        old = timezone.now() - dt.timedelta(minutes=30)
        DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=old)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.RUNNING, percent=50, heartbeat_at=old, attempts=1
        )
        work()  # a new worker does not touch a RUNNING task
        self.assertEqual(ImportJob.objects.get().status, ImportJob.Status.RUNNING)
        with self.captureOnCommitCallbacks(execute=True):
            call_command("recover_import_jobs", stdout=io.StringIO())
        work()
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts, job.added), ("done", 2, 10))
        self.assertEqual(BudgetSnapshot.objects.count(), 10)


class ReadProgressTests(TestCase):
    def test_reading_a_file_reports_every_thousand_rows(self):
        from departments.imports import CSV

        text = "a\n" + "1\n" * 2_500
        seen = []
        CSV().create_dataset(text.encode(), progress=seen.append)
        self.assertEqual(seen, [1_000, 2_000])
