"""The clerk assigns users to departments: the membership form's user search answers them,
and nothing else about users opens to them."""

from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from departments.models import Membership

from .factories import make_department, make_user
from .test_concurrent_edits import posted

SEARCH = {"app_label": "departments", "model_name": "membership", "field_name": "user"}


class MemberSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.clerk = make_user(Role.CLERK)
        cls.staff = make_user(Role.STAFF, cls.department)
        cls.newcomer = make_user(username="kim-newcomer")

    def search(self, user, term="newcomer", **other):
        self.client.force_login(user)
        return self.client.get(reverse("admin:autocomplete"), SEARCH | {"term": term} | other)

    def test_a_clerk_finds_users_and_saves_a_membership(self):
        response = self.search(self.clerk)
        self.assertEqual(response.status_code, 200)
        found = response.json()["results"]
        self.assertEqual(found, [{"id": str(self.newcomer.pk), "text": "kim-newcomer"}])

        url = reverse("admin:departments_membership_add")
        data = posted(
            self.client.get(url),
            "membership_form",
            user=str(self.newcomer.pk),
            department=str(self.department.pk),
        )
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertTrue(Membership.objects.filter(user=self.newcomer).exists())

    def test_the_clerk_gets_no_other_power_over_users(self):
        self.client.force_login(self.clerk)
        pages = [
            reverse("admin:auth_user_changelist"),
            reverse("admin:auth_user_change", args=[self.newcomer.pk]),
            reverse("admin:auth_user_password_change", args=[self.newcomer.pk]),
            reverse("admin:auth_user_add"),
        ]
        self.assertEqual([self.client.get(page).status_code for page in pages], [403] * 4)
        # The search of any other field naming users stays closed.
        other = self.search(
            self.clerk, app_label="reports_site", model_name="edition", field_name="published_by"
        )
        self.assertEqual(other.status_code, 403)
        form = self.client.get(reverse("admin:departments_membership_add")).content.decode()
        self.assertNotIn(reverse("admin:auth_user_changelist"), form)

    def test_staff_still_get_403(self):
        self.assertEqual(self.search(self.staff).status_code, 403)
