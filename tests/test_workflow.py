"""The quarterly review: submit → approve (locked) → close; return and reopen with reasons."""

import datetime as dt
import re
import tempfile

from django.test import TestCase, override_settings
from django.urls import reverse

from departments.access import Role
from departments.locking import PeriodLocked
from departments.models import Department, ReportingPeriod, StaffingCount, StaffingSnapshot
from departments.workflow import current_quarter, perform, period_for
from reports_site.models import Briefing

from .factories import make_briefing, make_department, make_facility, make_snapshot, make_user

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


def offered(page):
    """[(year, quarter, action)] of the review buttons on the admin home, in order."""
    forms = re.findall(
        r'name="year" value="(\d+)">\s*<input type="hidden" name="quarter" value="(\d)">\s*'
        r'<input type="hidden" name="action" value="(\w+)">',
        page,
    )
    return [(int(year), int(quarter), action) for year, quarter, action in forms]


class AdminHomeQuarterTests(TestCase):
    """The admin home offers the open quarters the figures belong to, latest first."""

    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.reviewer = make_user(Role.REVIEWER, cls.ga)
        make_snapshot(cls.ga, dt.date(2024, 12, 31))  # 2024 4분기
        make_facility(cls.ga, as_of=dt.date(2024, 8, 31))  # 2024 3분기, approved below
        team = make_department("교육후생팀", Department.Kind.TEAM, parent=cls.ga)
        make_snapshot(team, dt.date(2023, 5, 31))  # a team's figures are its division's
        ReportingPeriod.objects.create(department=cls.ga, year=2024, quarter=3, status="approved")

    def home(self, user):
        self.client.force_login(user)
        return offered(self.client.get(reverse("admin:index")).content.decode())

    def test_staff_are_offered_the_open_quarters_with_figures_latest_first(self):
        quarters = [(year, quarter) for year, quarter, _action in self.home(self.staff)]
        self.assertEqual(quarters[:2], [(2024, 4), (2023, 2)])
        self.assertNotIn((2024, 3), quarters)  # approved: nothing to submit
        self.assertIn(current_quarter(), quarters)  # figures may still come this quarter

    def test_staff_submit_and_reviewers_approve_a_quarter_of_a_past_year(self):
        year, quarter, action = self.home(self.staff)[0]
        self.assertEqual((year, quarter, action), (2024, 4, "submit"))
        self.client.post(ACT, {"department": self.ga.pk, "year": year, "quarter": quarter,
                               "action": action})  # fmt: skip
        self.assertEqual(period_for(self.ga, 2024, 4).status, "submitted")
        self.assertIn((2024, 4, "approve"), self.home(self.reviewer))
        self.client.post(ACT, {"department": self.ga.pk, "year": 2024, "quarter": 4,
                               "action": "approve"})  # fmt: skip
        self.assertEqual(period_for(self.ga, 2024, 4).status, "approved")
        self.assertNotIn((2024, 4), [(y, q) for y, q, _a in self.home(self.reviewer)])


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="publish-test-media-"))
class PublishUnapprovedTests(TestCase):
    """Publishing a briefing whose quarters nobody approved: confirmed and recorded, or refused."""

    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.clerk = make_user(Role.CLERK)
        cls.briefing = make_briefing(cls.ga)  # as of 2025. 5. 31.: 1분기 and 2분기
        ReportingPeriod.objects.create(department=cls.ga, year=2025, quarter=1, status="approved")
        cls.editions = reverse("admin:reports_site_editions", args=[cls.briefing.pk])
        cls.publish = reverse("admin:reports_site_publish", args=[cls.briefing.pk])

    def post(self, **fields):
        self.client.force_login(self.clerk)
        return self.client.post(self.publish, fields, follow=True).content.decode()

    def test_the_publish_page_names_the_quarters_not_approved(self):
        self.client.force_login(self.clerk)
        page = self.client.get(self.editions).content.decode()
        self.assertIn("승인되지 않은 분기: 2025년 2분기", page)
        self.assertNotIn("2025년 1분기", page)
        self.assertIn('name="confirm_unapproved"', page)

    def test_without_the_confirmation_nothing_is_published(self):
        page = self.post()
        self.assertIn("승인되지 않은 분기가 있습니다: 2025년 2분기", page)
        self.assertFalse(self.briefing.editions.exists())
        self.assertEqual(Briefing.objects.get(pk=self.briefing.pk).status, "draft")

    def test_a_confirmed_publication_records_who_when_and_which_quarters(self):
        self.post(confirm_unapproved="yes")
        self.assertEqual(self.briefing.editions.count(), 1)
        row = self.briefing.history.latest("history_date")
        self.assertEqual((row.status, row.history_user), ("published", self.clerk))
        self.assertIn("승인되지 않은 분기를 확인하고 발행: 2025년 2분기", row.history_change_reason)

    @override_settings(PUBLISH_UNAPPROVED="refuse")
    def test_a_council_may_refuse_unapproved_figures_until_they_are_approved(self):
        self.client.force_login(self.clerk)
        page = self.client.get(self.editions).content.decode()
        self.assertNotIn('name="confirm_unapproved"', page)
        page = self.post(confirm_unapproved="yes")
        self.assertIn("승인되지 않은 분기가 있어 발행할 수 없습니다: 2025년 2분기", page)
        self.assertFalse(self.briefing.editions.exists())
        ReportingPeriod.objects.create(department=self.ga, year=2025, quarter=2, status="approved")
        self.post()
        self.assertEqual(self.briefing.editions.count(), 1)
        row = self.briefing.history.latest("history_date")
        self.assertNotIn("승인되지 않은", row.history_change_reason)
