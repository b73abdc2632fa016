"""The quarterly review: submit → approve (locked) → close; return and reopen with reasons."""

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from departments.locking import PeriodLocked
from departments.models import Department, ReportingPeriod, StaffingCount, StaffingSnapshot
from departments.workflow import current_quarter, perform, period_for

from .factories import make_department, make_facility, make_snapshot, make_user

ACT = reverse("admin:departments_reportingperiod_act")
BOARD = reverse("admin:departments_reportingperiod_board")


class WorkflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.other = make_department("청소과")
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.reviewer = make_user(Role.REVIEWER, cls.ga)
        cls.other_reviewer = make_user(Role.REVIEWER, cls.other)
        cls.clerk = make_user(Role.CLERK)
        cls.year, cls.quarter = current_quarter()

    def act(self, user, action, department=None, comment=""):
        self.client.force_login(user)
        return self.client.post(
            ACT,
            {
                "department": (department or self.ga).pk,
                "year": self.year,
                "quarter": self.quarter,
                "action": action,
                "comment": comment,
            },
        )

    def status(self, department=None):
        return period_for(department or self.ga, self.year, self.quarter).status

    def test_staff_submit_with_one_click_from_the_admin_home(self):
        self.client.force_login(self.staff)
        home = self.client.get(reverse("admin:index")).content.decode()
        self.assertIn('name="action" value="submit"', home)
        self.assertEqual(self.act(self.staff, "submit").status_code, 302)
        self.assertEqual(self.status(), "submitted")

    def test_staff_cannot_approve_their_own_figures(self):
        self.act(self.staff, "submit")
        self.assertEqual(self.act(self.staff, "approve").status_code, 403)
        self.assertEqual(self.status(), "submitted")

    def test_a_reviewer_of_another_department_cannot_touch_this_one(self):
        self.act(self.staff, "submit")
        self.assertEqual(self.act(self.other_reviewer, "approve").status_code, 404)
        self.assertEqual(self.status(), "submitted")

    def test_sending_back_needs_a_comment_and_keeps_it(self):
        self.act(self.staff, "submit")
        self.act(self.reviewer, "return")
        self.assertEqual(self.status(), "submitted")
        self.act(self.reviewer, "return", comment="9급 현원 확인 바랍니다")
        period = period_for(self.ga, self.year, self.quarter)
        self.assertEqual((period.status, period.comment), ("returned", "9급 현원 확인 바랍니다"))
        self.assertEqual(period.changed_by, self.reviewer)

    def test_approval_locks_every_figure_of_the_period(self):
        snapshot = make_snapshot(self.ga, as_of=dt.date(self.year, self.quarter * 3, 1))
        self.act(self.staff, "submit")
        self.act(self.reviewer, "approve")
        self.assertEqual(self.status(), "approved")
        count = snapshot.counts.get()
        count.actual = 99
        with self.assertRaises(PeriodLocked):
            count.save()
        with self.assertRaises(PeriodLocked):
            StaffingCount.objects.filter(pk=count.pk).update(actual=99)
        with self.assertRaises(PeriodLocked):
            snapshot.delete()
        self.assertEqual(StaffingCount.objects.get(pk=count.pk).actual, 2)

    def test_reopening_needs_a_reason_and_leaves_a_trace(self):
        self.act(self.staff, "submit")
        self.act(self.reviewer, "approve")
        self.act(self.reviewer, "reopen")
        self.assertEqual(self.status(), "approved")
        self.act(self.reviewer, "reopen", comment="추경 반영")
        period = period_for(self.ga, self.year, self.quarter)
        self.assertEqual(period.status, "draft")
        latest = period.history.first()
        self.assertEqual(latest.history_user, self.reviewer)
        self.assertIn("추경 반영", latest.history_change_reason)
        self.assertEqual(
            [h.status for h in period.history.order_by("history_date")],
            ["submitted", "approved", "draft"],
        )

    def test_only_the_clerk_reopens_a_closed_period(self):
        self.act(self.staff, "submit")
        self.act(self.reviewer, "approve")
        self.act(self.clerk, "close")
        self.assertEqual(self.status(), "closed")
        self.assertEqual(self.act(self.reviewer, "reopen", comment="수정").status_code, 403)
        self.act(self.clerk, "reopen_closed", comment="의회 요구로 수정")
        self.assertEqual(self.status(), "draft")


class CloseOutBoardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.clerk = make_user(Role.CLERK)
        cls.year, cls.quarter = current_quarter()
        cls.departments = [make_department(f"과{i}") for i in range(4)]
        reviewer = make_user(None)
        for department in cls.departments[:2]:
            period = period_for(department, cls.year, cls.quarter)
            perform(reviewer, period, "submit")
            perform(reviewer, period, "approve")

    def test_the_board_shows_every_department_with_status_and_who(self):
        self.client.force_login(self.clerk)
        page = self.client.get(BOARD).content.decode()
        for department in self.departments:
            self.assertIn(department.name, page)
        self.assertIn("승인 2", page)
        self.assertIn("작성 중", page)

    def test_the_clerk_closes_all_approved_departments_at_once(self):
        self.client.force_login(self.clerk)
        response = self.client.post(
            BOARD, {"year": self.year, "quarter": self.quarter, "close_all": "1"}
        )
        self.assertEqual(response.status_code, 302)
        statuses = sorted(ReportingPeriod.objects.values_list("status", flat=True))
        self.assertEqual(statuses, ["closed", "closed"])

    def test_staff_do_not_see_the_board(self):
        staff = make_user(Role.STAFF, self.departments[0])
        self.client.force_login(staff)
        self.assertEqual(self.client.get(BOARD).status_code, 403)

    def test_the_board_costs_the_same_queries_for_more_departments(self):
        self.client.force_login(self.clerk)
        self.client.get(BOARD)
        with self.assertNumQueries(7) as few:
            self.client.get(BOARD)
        for i in range(20):
            make_department(f"추가과{i}")
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(BOARD)


class LockTests(TestCase):
    """The lock holds on every path: model save/delete, QuerySet writes, admin, teams below."""

    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.team = make_department("교육후생팀", Department.Kind.TEAM, parent=cls.ga)
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.snapshot = make_snapshot(cls.ga, as_of=dt.date(2025, 5, 31))
        ReportingPeriod.objects.create(department=cls.ga, year=2025, quarter=2, status="approved")

    def test_bulk_writes_are_refused(self):
        grade = self.snapshot.counts.get().grade
        with self.assertRaises(PeriodLocked):
            StaffingSnapshot.objects.bulk_create(
                [StaffingSnapshot(department=self.ga, as_of=dt.date(2025, 4, 30))]
            )
        with self.assertRaises(PeriodLocked):
            StaffingCount.objects.bulk_update(
                [
                    StaffingCount(
                        pk=self.snapshot.counts.get().pk,
                        snapshot=self.snapshot,
                        grade=grade,
                        authorised=1,
                        actual=1,
                    )
                ],
                ["actual"],
            )

    def test_a_team_below_an_approved_division_is_locked_too(self):
        with self.assertRaises(PeriodLocked):
            make_facility(self.team, as_of=dt.date(2025, 6, 30))

    def test_another_quarter_stays_open(self):
        facility = make_facility(self.ga, as_of=dt.date(2025, 8, 31))
        self.assertIsNotNone(facility.pk)

    def test_the_admin_shows_a_locked_row_read_only_and_refuses_a_post(self):
        self.client.force_login(self.staff)
        url = reverse("admin:departments_staffingsnapshot_change", args=[self.snapshot.pk])
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="as_of"')
        response = self.client.post(
            url,
            {
                "department": self.ga.pk,
                "as_of": "2025-05-31",
                "note": "고침",
                "counts-TOTAL_FORMS": 0,
                "counts-INITIAL_FORMS": 0,
            },
        )
        self.assertEqual(response.status_code, 403)
        self.snapshot.refresh_from_db()
        self.assertEqual(self.snapshot.note, "")

    def test_the_lock_message_says_whom_to_ask(self):
        # staff cannot reopen: an approved period goes to the reviewer or the clerk,
        # a closed one only to the clerk
        with self.assertRaises(PeriodLocked) as approved:
            make_facility(self.ga, as_of=dt.date(2025, 6, 30))
        self.assertEqual(
            approved.exception.messages,
            [
                "2025년 2분기 자료는 승인되어 잠겨 있습니다. "
                "고치려면 부서 검토자나 의회 담당자에게 재개를 요청하세요."
            ],
        )
        ReportingPeriod.objects.filter(department=self.ga).update(status="closed")
        with self.assertRaises(PeriodLocked) as closed:
            make_facility(self.team, as_of=dt.date(2025, 6, 30))
        self.assertEqual(
            closed.exception.messages,
            [
                "2025년 2분기 자료는 마감되어 잠겨 있습니다. "
                "고치려면 의회 담당자에게 마감 해제를 요청하세요."
            ],
        )

    def test_the_admin_refuses_a_new_row_in_a_locked_period_with_a_message(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("admin:departments_staffingsnapshot_add"),
            {
                "department": self.ga.pk,
                "as_of": "2025-04-30",
                "note": "",
                "counts-TOTAL_FORMS": 0,
                "counts-INITIAL_FORMS": 0,
            },
        )
        self.assertContains(response, "승인되어 잠겨 있습니다")
        self.assertFalse(StaffingSnapshot.objects.filter(as_of="2025-04-30").exists())
