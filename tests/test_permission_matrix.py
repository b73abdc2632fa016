"""Each role × each admin URL × own/other department: allowed, 403 or 404.

Every model registered in the admin is walked; one without a row builder (factories) or an
expected rule below fails the test, so a new admin page cannot skip the matrix.
"""

import datetime as dt
from collections import defaultdict

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group, User
from django.test import Client, TestCase
from django.urls import resolve, reverse
from django_tasks_db.models import DBTaskResult

from budgets.models import BudgetCategory, BudgetLine, BudgetSnapshot, QuarterPlan
from council import urls as council_urls
from council.models import Committee
from departments.access import Role
from departments.models import (
    Department,
    Facility,
    Membership,
    PositionClass,
    ReportingPeriod,
    StaffingSnapshot,
    UnitKind,
    VehicleCategory,
    VehicleFleet,
)
from programs.models import (
    CouncilRequest,
    CouncilRequestKind,
    Kpi,
    Mission,
    Program,
    ProgramGroup,
    ProgressEntry,
    StrategicGoal,
)
from reports_site.layouts import STANDARD as PERIOD_SECTIONS
from reports_site.models import Block, Briefing, BriefingSection, CouncilSession, HouseStyle

from .budget_factories import make_budget_snapshot, make_line
from .council_factories import links, make_district, make_edition, make_sections
from .factories import (
    ROW_BUILDERS,
    SHARED_ROW_BUILDERS,
    make_briefing,
    make_department,
    make_request,
    make_session,
    make_snapshot,
    make_user,
)
from .program_factories import approve, make_kpi, make_program, make_progress

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
    ProgramGroup,
    Program,
    ProgressEntry,
    Kpi,
    CouncilRequest,
    Briefing,
    BriefingSection,
    Block,
}
# view only
READ_ONLY = {
    UnitKind,
    PositionClass,
    BudgetCategory,
    VehicleCategory,
    CouncilSession,
    HouseStyle,
    CouncilRequestKind,
    ReportingPeriod,
    Committee,
}
CLERK_ONLY = {Membership}
SUPERUSER_ONLY = {User, Group, DBTaskResult}  # the task queue: looked at, never edited
REFUSED_TO_ALL = {ReportingPeriod: ("add", "delete"), DBTaskResult: ("add", "delete")}
ACTIONS = ["changelist", "add", "change", "history", "delete"]
FORMSET_COUNTS = ("TOTAL_FORMS", "INITIAL_FORMS")


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

    def test_every_role_gets_the_expected_answer_on_every_admin_url(self):
        mismatches = []
        for role, user in self.users.items():
            self.client.logout()
            if user.is_authenticated:
                self.client.force_login(user)
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
                        got = self.client.get(url).status_code
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


# The report pages -----------------------------------------------------------------------------

# Figures typed after the edition and never reviewed, as a page (HTML) and a CSV write
# them. Only the department's own people and the clerks may meet any of them.
UNREVIEWED_TEXT = "미검토 실적 문구"
# A request 청소과 leads and shares with 총무과, in a quarter 청소과 never approved: its
# draft, met only by 청소과's people and the clerks, never by 총무과's.
SHARED_DRAFT = "청소과 미검토 공동 요구"
SEE_SHARED_DRAFT = {"clean_staff", "clerk"}
UNREVIEWED_NUMBERS = (555_555, 777_777, 4_321, 6_543_210, 8_765_432)
READERS = ["anonymous", "member", "clean_staff", "ga_staff", "clerk"]  # other dept, own dept
SEE_DRAFTS = {"ga_staff", "clerk"}
# The sign-in forms show no figures; a block image is addressed by its content hash, which
# only a page the reader may see gives away (council/views/files.py).
NOT_REPORT_PAGES = {"login", "logout", "block_image"}


def unreviewed_in(response):
    """The unreviewed figures found in a response (a page or a CSV)."""
    kind = response.get("Content-Type", "")
    if kind.startswith("text/csv"):
        text, numbers = response.content.decode("utf-8-sig"), [str(n) for n in UNREVIEWED_NUMBERS]
    elif kind.startswith("text/html"):
        text, numbers = response.content.decode(), [f"{n:,}" for n in UNREVIEWED_NUMBERS]
    else:
        return set()  # a PDF is an edition's file, frozen when published
    return {found for found in [UNREVIEWED_TEXT, SHARED_DRAFT, *numbers] if found in text}


class ReportPageMatrixTests(TestCase):
    """Each reader × every report URL (pages, downloads, charts, comparisons, search): a
    quarter nobody approved shows only to its department and the clerks; readers see the
    published edition and approved quarters."""

    @classmethod
    def setUpTestData(cls):
        make_district(cls)  # the published 총무과 briefing's edition is made here
        ProgressEntry.objects.filter(program=cls.program, quarter=2).update(
            achievements=f"- {UNREVIEWED_TEXT}"
        )
        BudgetSnapshot.objects.filter(line__department=cls.ga, line__year=2025).update(
            executed=555_555
        )
        make_budget_snapshot(make_line(cls.ga, "청사 관리", year=2024), 900_000, 777_777,
                             dt.date(2024, 5, 31))  # fmt: skip
        make_snapshot(cls.ga, dt.date(2024, 5, 31), [(("일반직", "9급"), 4_321, 5)])
        earlier = make_program(cls.ga, year=2024, title="청사 환경 개선")
        make_progress(earlier, quarter=2, budget=6_543_210, achievements=f"- {UNREVIEWED_TEXT}")
        kpi = make_kpi(cls.program)
        kpi.values.create(year=2025, target=91, actual=93)
        kpi.values.create(year=2026, target=8_765_432)  # the 2026 target: nobody approved it
        make_request(cls.ga, "처리요구", order=1, text=UNREVIEWED_TEXT)
        make_request(cls.clean, text=SHARED_DRAFT).shared_with.add(cls.ga)
        # Marked published by hand (as the briefing form once allowed), never frozen.
        cls.unfrozen = make_briefing(cls.ga, make_session(), status=Briefing.Status.PUBLISHED)
        make_sections(cls.unfrozen, "general")
        cls.users |= {"anonymous": AnonymousUser()}
        cls.urls = cls.every_url()

    @classmethod
    def seeds(cls):
        ga, program = cls.ga.code, cls.program
        briefings = [(cls.session.pk, ga), (cls.unfrozen.session_id, ga)]
        urls = [
            reverse("council:home"),
            reverse("council:session", args=[cls.session.pk]),
            reverse("council:booklet_pdf", args=[cls.session.pk]),
            reverse("council:periods"),
            reverse("council:period", args=[2025, 2]),
            reverse("council:period_report", args=[2025, 2, ga]),
            reverse("council:departments"),
            reverse("council:department", args=[ga]),
            reverse("council:program", args=[ga, 2025, program.kind, program.order]),
            reverse("council:committees"),
            reverse("council:committee", args=[cls.committee.pk]),
            reverse("council:search") + "?q=미검토",
            reverse("council:search") + "?q=청사",
        ]
        for session, code in briefings:
            urls += [
                reverse("council:briefing", args=[session, code]),
                reverse("council:briefing_pdf", args=[session, code]),
                *[reverse("council:briefing_section", args=[session, code, k])
                  for k in ("general", "programs")],
            ]  # fmt: skip
        for kind in PERIOD_SECTIONS:
            urls.append(reverse("council:period_section", args=[2025, 2, ga, kind]))
        return urls

    @classmethod
    def every_url(cls):
        """The seeds and every report link on them, as the clerk (who sees all) finds them."""
        client = Client()
        client.force_login(cls.users["clerk"])
        urls = dict.fromkeys(cls.seeds())
        for url in list(urls):
            response = client.get(url)
            if response.get("Content-Type", "").startswith("text/html"):
                for _text, href in links(response.content.decode()):
                    path = href.split("#")[0]
                    if path.startswith("/") and not path.startswith("/admin/"):
                        urls.setdefault(path)
        # An .xlsx is written from the same sheet as its .csv (council.exports): one is read.
        return [
            url
            for url in urls
            if resolve(url.split("?")[0]).url_name not in NOT_REPORT_PAGES
            and not url.endswith(".xlsx")
        ]

    def test_every_report_url_is_walked(self):
        walked = {resolve(url.split("?")[0]).url_name for url in self.urls}
        names = {p.name for p in council_urls.urlpatterns} - NOT_REPORT_PAGES
        self.assertEqual(names - walked, set(), "add a seed for the new report URL")

    def test_unreviewed_figures_show_only_to_their_department_and_the_clerks(self):
        leaks, seen, errors = [], defaultdict(set), []
        for name in READERS:
            user = self.users[name]
            self.client.logout()
            if user.is_authenticated:
                self.client.force_login(user)
            for url in self.urls:
                response = self.client.get(url)
                if response.status_code >= 500:
                    errors.append(f"{name} {url}: {response.status_code}")
                found = unreviewed_in(response) if response.status_code == 200 else set()
                seen[name] |= found
                others = found - {SHARED_DRAFT} if name in SEE_SHARED_DRAFT else found
                if (others and name not in SEE_DRAFTS) or SHARED_DRAFT in others:
                    leaks.append(f"{name} {url}: {sorted(found)}")
        self.assertEqual(errors, [])
        self.assertEqual(leaks, [])
        everything = {UNREVIEWED_TEXT, *(f"{n:,}" for n in UNREVIEWED_NUMBERS)}
        for name in SEE_DRAFTS:
            self.assertEqual(seen[name] & everything, everything, name)  # the walk reaches them

    def test_readers_see_a_quarter_once_it_is_approved(self):
        for year in (2024, 2025):
            approve(self.ga, year, 2)
        self.client.force_login(self.users["member"])
        period = reverse("council:period_section", args=[2025, 2, self.ga.code, "general"])
        self.assertIn("555,555", self.client.get(period).content.decode())
        args = [self.ga.code, 2025, self.program.kind, self.program.order]
        history = self.client.get(reverse("council:program", args=args)).content.decode()
        self.assertIn("93", history)
        self.assertNotIn("8,765,432", history)
        self.client.logout()  # beside the published edition, last year's approved figures
        published = reverse("council:briefing_section", args=[self.session.pk, self.ga.code,
                                                                "general"])  # fmt: skip
        page = self.client.get(published).content.decode()
        self.assertIn("777,777", page)
        self.assertIn("4,321", page)
        self.assertNotIn("555,555", page)  # the edition froze 442,000
        self.assertIn("442,000", page)


# A briefing's status ---------------------------------------------------------------------------


class BriefingStatusTests(TestCase):
    """Only the workflow's actions move a briefing's status, each for its roles."""

    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.ga)
        cls.reviewer = make_user(Role.REVIEWER, cls.ga)
        cls.clerk = make_user(Role.CLERK)
        cls.draft = make_briefing(cls.ga)
        cls.published = make_briefing(cls.ga, status=Briefing.Status.PUBLISHED)
        make_edition(cls.published)

    def post_form(self, user, briefing, url=None, **changes):
        fields = {
            "session": briefing.session_id,
            "department": briefing.department_id,
            "as_of": briefing.as_of.isoformat(),
            "title": briefing.title,
            "slogan": "",
            "issued": briefing.issued.isoformat(),
            "status": briefing.status,
            **{f"{p}-{n}": 0 for p in ("sections", "contacts") for n in FORMSET_COUNTS},
        }
        self.client.force_login(user)
        return self.client.post(url or admin_url(Briefing, "change", briefing), fields | changes)

    def act(self, user, briefing, action, comment="사유"):
        self.client.force_login(user)
        url = reverse("admin:reports_site_briefing_act", args=[briefing.pk])
        return self.client.post(url, {"action": action, "comment": comment})

    def status_of(self, briefing):
        return Briefing.objects.get(pk=briefing.pk).status

    def test_the_status_is_no_field_of_the_briefing_form(self):
        for user in (self.staff, self.reviewer, self.clerk):
            self.client.force_login(user)
            page = self.client.get(admin_url(Briefing, "change", self.draft)).content.decode()
            self.assertNotIn('name="status"', page)
            self.assertNotIn("list_editable", str(admin.site._registry[Briefing].list_editable))

    def test_staff_and_reviewers_cannot_publish_a_briefing(self):
        publish = reverse("admin:reports_site_publish", args=[self.draft.pk])
        for user in (self.staff, self.reviewer):
            with self.subTest(user=user.username):
                response = self.post_form(user, self.draft, title="새 제목", status="published")
                self.assertEqual(response.status_code, 302)  # the title is saved, not the status
                self.assertEqual(Briefing.objects.get(pk=self.draft.pk).title, "새 제목")
                self.assertEqual(self.status_of(self.draft), "draft")
                self.assertEqual(self.act(user, self.draft, "publish").status_code, 403)
                self.assertEqual(self.client.post(publish).status_code, 403)
                self.assertEqual(self.status_of(self.draft), "draft")
        self.assertFalse(self.draft.editions.exists())

    def test_staff_and_reviewers_cannot_unpublish_a_briefing(self):
        for user in (self.staff, self.reviewer):
            with self.subTest(user=user.username):
                self.post_form(user, self.published, status="draft")
                self.assertEqual(self.act(user, self.published, "unpublish").status_code, 403)
                self.assertEqual(self.status_of(self.published), "published")

    def test_a_revert_from_the_history_keeps_the_status(self):
        self.act(self.clerk, self.published, "unpublish", "자료 정정")
        self.assertEqual(self.status_of(self.published), "approved")
        first = self.published.history.earliest("history_date")  # status: published
        url = reverse(
            "admin:reports_site_briefing_simple_history",
            args=[self.published.pk, first.history_id],
        )
        self.post_form(self.staff, first.instance, url=url)
        self.assertEqual(self.status_of(self.published), "approved")

    def test_each_role_moves_the_status_through_its_actions_and_the_history_says_why(self):
        self.assertEqual(self.act(self.staff, self.draft, "approve").status_code, 403)
        self.act(self.staff, self.draft, "submit")
        self.assertEqual(self.status_of(self.draft), "review")
        self.act(self.reviewer, self.draft, "approve")
        self.assertEqual(self.status_of(self.draft), "approved")
        self.act(self.clerk, self.published, "unpublish", "자료 정정")
        self.assertEqual(self.status_of(self.published), "approved")
        latest = self.published.history.latest("history_date")
        self.assertEqual(latest.history_user, self.clerk)
        self.assertIn("자료 정정", latest.history_change_reason)
        self.client.force_login(self.reviewer)
        page = self.client.get(admin_url(Briefing, "change", self.draft)).content.decode()
        self.assertIn('name="action" value="reopen"', page)
        self.assertNotIn('value="unpublish"', page)
