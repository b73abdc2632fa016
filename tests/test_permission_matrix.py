"""Each role × each admin URL × own/other department: allowed, 403 or 404."""

from django.contrib.auth.models import AnonymousUser
from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from departments.models import (
    Department,
    Facility,
    Membership,
    PositionClass,
    StaffingSnapshot,
    VehicleCategory,
    VehicleFleet,
)

from .factories import (
    ROW_BUILDERS,
    make_department,
    make_grade,
    make_user,
    make_vehicle_size,
)

SCOPED = [Department, StaffingSnapshot, Facility, VehicleFleet]
REFERENCE = [PositionClass, VehicleCategory]
ACTIONS = ["changelist", "add", "change", "history", "delete"]


def admin_url(model, action, obj=None):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


def expected_status(role, model, action, whose):
    if role in ("anonymous", Role.COUNCIL):
        return 302  # to the admin login
    if role in ("superuser", Role.CLERK):
        return 200
    if model is Membership:
        return 404 if whose == "other" else 403  # clerk-only; other rows stay invisible
    if model in REFERENCE:
        return 403 if action in ("add", "delete") else 200
    if model is Department and action == "delete" and whose == "own":
        return 403  # staff never delete the unit they belong to
    return 404 if whose == "other" else 200


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.own = make_department("총무과")
        cls.other = make_department("청소과")
        cls.users = {
            "anonymous": AnonymousUser(),
            "superuser": make_user(None),
            Role.CLERK: make_user(Role.CLERK),
            Role.STAFF: make_user(Role.STAFF, cls.own),
            Role.REVIEWER: make_user(Role.REVIEWER, cls.own),
            Role.COUNCIL: make_user(Role.COUNCIL),
        }
        cls.rows = {
            (model, whose): ROW_BUILDERS[model](dept) if model is not Department else dept
            for model in SCOPED
            for whose, dept in (("own", cls.own), ("other", cls.other))
        }
        staff = make_user(Role.STAFF, cls.other)
        cls.rows[Membership, "own"] = Membership.objects.get(user=cls.users[Role.STAFF])
        cls.rows[Membership, "other"] = Membership.objects.get(user=staff)
        for model, row in [
            (PositionClass, make_grade().position_class),
            (VehicleCategory, make_vehicle_size().category),
        ]:
            cls.rows[model, "own"] = cls.rows[model, "other"] = row

    def status(self, user, url):
        self.client.logout()
        if user.is_authenticated:
            self.client.force_login(user)
        return self.client.get(url).status_code

    def test_every_role_gets_the_expected_answer_on_every_admin_url(self):
        mismatches = []
        for role, user in self.users.items():
            for model in SCOPED + REFERENCE + [Membership]:
                for action in ACTIONS:
                    for whose in ("own", "other"):
                        if action in ("changelist", "add") and whose == "other":
                            continue
                        obj = (
                            self.rows[model, whose] if action not in ("changelist", "add") else None
                        )
                        url = admin_url(model, action, obj)
                        got = self.status(user, url)
                        want = expected_status(role, model, action, whose)
                        if got != want:
                            mismatches.append(f"{role} {action} {whose} {url}: {got}, want {want}")
        self.assertEqual(mismatches, [])

    def test_staff_list_shows_only_their_own_department_rows(self):
        self.client.force_login(self.users[Role.STAFF])
        for model in SCOPED:
            with self.subTest(model=model.__name__):
                page = self.client.get(admin_url(model, "changelist")).content.decode()
                self.assertIn(admin_url(model, "change", self.rows[model, "own"]), page)
                self.assertNotIn(admin_url(model, "change", self.rows[model, "other"]), page)

    def test_department_choices_offer_only_the_users_departments(self):
        self.client.force_login(self.users[Role.STAFF])
        page = self.client.get(admin_url(Facility, "add")).content.decode()
        self.assertIn('name="managed_by"', page)
        self.assertIn(f'value="{self.own.pk}"', page)
        self.assertNotIn(f'value="{self.other.pk}"', page)
        self.assertNotIn("청소과", page)

    def test_department_autocomplete_offers_only_the_users_departments(self):
        self.client.force_login(self.users[Role.STAFF])
        response = self.client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "departments",
                "model_name": "staffingsnapshot",
                "field_name": "department",
                "term": "과",
            },
        )
        names = [item["text"] for item in response.json()["results"]]
        self.assertEqual(names, ["총무과"])

    def test_staff_cannot_move_a_row_to_another_department(self):
        snapshot = self.rows[StaffingSnapshot, "own"]
        self.client.force_login(self.users[Role.STAFF])
        response = self.client.post(
            admin_url(StaffingSnapshot, "add"),
            {
                "department": self.other.pk,
                "as_of": "2024-12-31",
                "note": "",
                "counts-TOTAL_FORMS": 0,
                "counts-INITIAL_FORMS": 0,
            },
        )
        self.assertEqual(response.status_code, 200)  # the form comes back with an error
        self.assertFalse(
            StaffingSnapshot.objects.filter(department=self.other, as_of="2024-12-31").exists()
        )
        self.assertEqual(snapshot.department, self.own)

    def test_staff_of_a_division_may_act_on_its_teams(self):
        team = make_department("교육후생팀", Department.Kind.TEAM, parent=self.own)
        snapshot = ROW_BUILDERS[StaffingSnapshot](team)
        self.client.force_login(self.users[Role.STAFF])
        self.assertEqual(
            self.client.get(admin_url(StaffingSnapshot, "change", snapshot)).status_code, 200
        )
