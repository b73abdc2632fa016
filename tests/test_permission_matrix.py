"""Each role × each admin URL × own/other department: allowed, 403 or 404.

Every model registered in the admin is walked; one without a row builder (factories) or an
expected rule below fails the test, so a new admin page cannot skip the matrix.
"""

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group, User
from django.test import TestCase
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from budgets.models import BudgetLine, BudgetSnapshot, QuarterPlan
from council.models import Committee
from departments.access import Role
from departments.models import (
    Department,
    Facility,
    Membership,
    PositionClass,
    ReportingPeriod,
    StaffingSnapshot,
    VehicleCategory,
    VehicleFleet,
)
from programs.models import (
    CouncilRequest,
    Kpi,
    Mission,
    Program,
    ProgressEntry,
    StrategicGoal,
)
from reports_site.models import Briefing, CouncilSession

from .factories import ROW_BUILDERS, SHARED_ROW_BUILDERS, make_department, make_user

# What staff and reviewers may do, model by model (clerks and superusers: everything the
# admin allows at all).
DEPARTMENT_DATA = {  # their own rows: everything; other departments' rows: 404
    Department,
    StaffingSnapshot,
    Facility,
    VehicleFleet,
    BudgetLine,
    BudgetSnapshot,
    QuarterPlan,
    Mission,
    StrategicGoal,
    Program,
    ProgressEntry,
    Kpi,
    CouncilRequest,
    Briefing,
}
# view only
READ_ONLY = {PositionClass, VehicleCategory, CouncilSession, ReportingPeriod, Committee}
CLERK_ONLY = {Membership}
SUPERUSER_ONLY = {User, Group, DBTaskResult}  # the task queue: looked at, never edited
REFUSED_TO_ALL = {ReportingPeriod: ("add", "delete"), DBTaskResult: ("add", "delete")}
ACTIONS = ["changelist", "add", "change", "history", "delete"]


def admin_url(model, action, obj=None):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


def expected_status(role, model, action, whose):
    if role in ("anonymous", Role.COUNCIL):
        return 302  # to the admin login
    if action in REFUSED_TO_ALL.get(model, ()) and model not in ROW_BUILDERS:
        return 403
    if model in SUPERUSER_ONLY:
        return 200 if role == "superuser" else 403
    sees_all = role in ("superuser", Role.CLERK)
    if whose == "other" and model in ROW_BUILDERS and not sees_all:
        return 404  # another department's row looks exactly like a missing one
    if action in REFUSED_TO_ALL.get(model, ()):
        return 403
    if sees_all:
        return 200
    if model in CLERK_ONLY:
        return 403
    if model in READ_ONLY:
        return 403 if action in ("add", "delete") else 200
    if model is Department and action == "delete" and whose == "own":
        return 403  # staff never delete the unit they belong to
    return 200


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
        cls.models = list(admin.site._registry)
        cls.rows = {}
        for model in cls.models:
            if model is Department:
                cls.rows[model, "own"], cls.rows[model, "other"] = cls.own, cls.other
            elif model in ROW_BUILDERS:
                for whose, department in (("own", cls.own), ("other", cls.other)):
                    cls.rows[model, whose] = ROW_BUILDERS[model](department)
            elif model in SHARED_ROW_BUILDERS:
                cls.rows[model, "own"] = cls.rows[model, "other"] = SHARED_ROW_BUILDERS[model]()

    def test_every_admin_page_has_a_row_builder_and_a_rule(self):
        ruled = DEPARTMENT_DATA | READ_ONLY | CLERK_ONLY | SUPERUSER_ONLY
        builders = ROW_BUILDERS.keys() | SHARED_ROW_BUILDERS.keys()
        self.assertEqual([m for m in self.models if m not in builders], [], "add a row builder")
        self.assertEqual([m for m in self.models if m not in ruled], [], "add an expected rule")
        self.assertEqual(ruled - set(self.models), set(), "no longer in the admin")

    def status(self, user, url):
        self.client.logout()
        if user.is_authenticated:
            self.client.force_login(user)
        return self.client.get(url).status_code

    def test_every_role_gets_the_expected_answer_on_every_admin_url(self):
        mismatches = []
        for role, user in self.users.items():
            for model in self.models:
                if (model, "own") not in self.rows:
                    continue  # test_every_admin_page_has_a_row_builder_and_a_rule fails
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
        for model in DEPARTMENT_DATA:
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

    def test_no_autocomplete_offers_staff_another_departments_rows(self):
        self.client.force_login(self.users[Role.STAFF])
        leaks = []
        for model, model_admin in admin.site._registry.items():
            for field_name in model_admin.autocomplete_fields:
                target = model._meta.get_field(field_name).related_model
                params = {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field_name,
                    "term": "",
                }
                response = self.client.get(reverse("admin:autocomplete"), params)
                if response.status_code == 403:
                    continue  # no view permission on the target (e.g. Membership.user)
                offered = {item["id"] for item in response.json()["results"]}
                if target in ROW_BUILDERS:
                    self.assertIn(str(self.rows[target, "own"].pk), offered, (model, field_name))
                    if str(self.rows[target, "other"].pk) in offered:
                        leaks.append(f"{model.__name__}.{field_name}")
        self.assertEqual(leaks, [])

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
