"""Every change of a figure is kept: who, when, old → new, visible in the admin."""

import html
import re
from decimal import Decimal
from unittest import mock

from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from departments.admin import FacilityAdmin
from departments.history import record_baseline
from departments.models import Facility, StaffingCount, StaffingSnapshot

from .factories import make_department, make_facility, make_snapshot, make_user


class HistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department, username="ga_staff")
        cls.snapshot = make_snapshot(cls.department)  # 9급 정원 13, 현원 2

    def post_counts(self, authorised, actual):
        count = self.snapshot.counts.get()
        url = reverse("admin:departments_staffingsnapshot_change", args=[self.snapshot.pk])
        return self.client.post(
            url,
            {
                "department": self.department.pk,
                "as_of": "2025-05-31",
                "note": "",
                "counts-TOTAL_FORMS": 1,
                "counts-INITIAL_FORMS": 1,
                "counts-0-id": count.pk,
                "counts-0-snapshot": self.snapshot.pk,
                "counts-0-grade": count.grade_id,
                "counts-0-authorised": authorised,
                "counts-0-actual": actual,
            },
        )

    def test_an_edit_in_the_admin_records_who_and_old_and_new_values(self):
        self.client.force_login(self.staff)
        response = self.post_counts(13, 3)
        self.assertEqual(response.status_code, 302)
        latest = StaffingCount.history.latest("history_date")
        self.assertEqual(latest.history_user, self.staff)
        delta = latest.diff_against(latest.prev_record)
        self.assertEqual([(c.field, c.old, c.new) for c in delta.changes], [("actual", 2, 3)])

    def test_the_parent_history_page_lists_the_changed_figure(self):
        self.client.force_login(self.staff)
        self.post_counts(13, 3)
        url = reverse("admin:departments_staffingsnapshot_history", args=[self.snapshot.pk])
        page = self.client.get(url).content.decode()
        self.assertIn("ga_staff", page)
        self.assertIn("현원", page)
        self.assertIn("2 &rarr; 3", page)

    def test_a_refused_edit_changes_nothing_and_records_nothing(self):
        self.client.force_login(self.staff)
        before = StaffingCount.history.count()
        response = self.post_counts(-1, 3)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(StaffingCount.history.count(), before)
        self.assertEqual(self.snapshot.counts.get().actual, 2)


class HistoryPageTests(TestCase):
    """Every change on a history page: who, when, old → new and the reason, never "None"."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department, username="ga_staff")
        cls.facility = make_facility(cls.department, notes="")
        cls.snapshot = make_snapshot(cls.department)  # 9급 정원 13, 현원 2

    def setUp(self):
        self.client.force_login(self.staff)

    def page(self, obj):
        name = f"admin:departments_{obj._meta.model_name}_history"
        return self.client.get(reverse(name, args=[obj.pk])).content.decode()

    def edit_facility(self, reason=None, **values):
        for name, value in values.items():
            setattr(self.facility, name, value)
        self.facility._change_reason = reason
        self.facility.save()

    def test_an_edit_without_a_reason_or_a_user_shows_no_none(self):
        self.edit_facility(notes="- 1층: 우리은행", land_area=Decimal("7622"))
        page = self.page(self.facility)
        self.assertEqual(deltas(page), ["대지(㎡): - → 7622.00", "비고: - → - 1층: 우리은행"])
        self.assertNotIn("None", page)

    def test_the_reason_of_a_change_is_shown_for_the_record_and_its_inline_rows(self):
        self.edit_facility(reason="준공일 정정", notes="증축")
        count = self.snapshot.counts.get()
        count.actual, count._change_reason = 3, "인사 발령 반영"
        count.save()
        self.assertIn("준공일 정정", self.page(self.facility))
        page = self.page(self.snapshot)
        self.assertIn("2 &rarr; 3", page)
        self.assertIn("인사 발령 반영", page)

    def test_the_oldest_change_of_a_page_shows_old_and_new(self):
        self.edit_facility(notes="첫 수정")
        self.edit_facility(notes="둘째 수정")
        with mock.patch.object(FacilityAdmin, "history_list_per_page", 1):
            page = self.page(self.facility)
        self.assertEqual(deltas(page), ["비고: 첫 수정 → 둘째 수정"])

    def test_a_record_loaded_without_history_shows_its_first_edit(self):
        # loaddata saves raw, without history, as the demo's records are loaded
        StaffingSnapshot.history.all().delete()
        StaffingCount.history.all().delete()
        Facility.history.all().delete()
        self.assertGreaterEqual(record_baseline("데모 자료 불러오기"), 3)
        self.edit_facility(notes="증축")
        self.assertEqual(deltas(self.page(self.facility)), ["비고: - → 증축"])
        HistoryTests.post_counts(self, 13, 3)
        page = self.page(self.snapshot)
        self.assertIn("2 &rarr; 3", page)
        self.assertIn("ga_staff", page)

    def test_an_inline_row_edited_before_history_was_kept_is_still_listed(self):
        StaffingCount.history.all().delete()
        count = self.snapshot.counts.get()
        count.actual = 3
        count.save()
        self.assertIn(str(count), self.page(self.snapshot).split("child-changes")[1])

    def test_the_baseline_is_recorded_once_and_again_after_a_raw_reload(self):
        record_baseline("처음")
        self.assertEqual(record_baseline("다시"), 0)
        # a second loaddata overwrites rows raw, as an update() does
        StaffingCount.objects.filter(snapshot=self.snapshot).update(actual=5)
        self.assertEqual(record_baseline("다시"), 1)
        latest = StaffingCount.history.latest("history_date")
        self.assertEqual((latest.actual, latest.history_type), (5, "~"))
        self.assertEqual(latest.history_change_reason, "다시")


def deltas(page):
    """The changes listed in simple_history's table, as "field: old → new"."""
    table = page.split('id="change-history"')[1].split("</table>")[0]
    items = re.findall(r"<li>(.*?)</li>", table, re.S)
    text = [html.unescape(re.sub(r"<[^>]+>", "", item)).replace("\xa0", " ") for item in items]
    return [" ".join(t.split()) for t in text]
