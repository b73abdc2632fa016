"""Every change of a figure is kept: who, when, old → new, visible in the admin."""

from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from departments.models import StaffingCount

from .factories import make_department, make_snapshot, make_user


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
