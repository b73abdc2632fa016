"""Budget lines, snapshots and the derived tables: exact figures, sums, locks, history."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import TestCase
from django.urls import reverse

from budgets.models import BudgetLine, BudgetSnapshot, QuarterPlan
from budgets.tables import YearChange, budget_table, line_figures, percent, year_change
from departments.access import Role
from departments.locking import PeriodLocked
from departments.models import Department, ReportingPeriod

from .budget_factories import AS_OF, make_budget_snapshot, make_leaf, make_line, make_tree
from .factories import make_department, make_user
from .test_demo_data import run_demo

Q3 = dt.date(2025, 8, 31)


def rates(table):
    return [str(row.rate) for row in table.rows]


def line_form(line, snapshot, executed):
    """The admin change form of a one-snapshot line, with a new executed amount."""
    return {
        "department": line.department_id,
        "year": line.year,
        "kind": line.kind,
        "level": line.level,
        "parent": "",
        "name": line.name,
        "order": 0,
        "source": "",
        "prior_budget": "",
        "snapshots-TOTAL_FORMS": 1,
        "snapshots-INITIAL_FORMS": 1,
        "snapshots-0-id": snapshot.pk,
        "snapshots-0-line": line.pk,
        "snapshots-0-as_of": snapshot.as_of.isoformat(),
        "snapshots-0-budget": snapshot.budget,
        "snapshots-0-executed": executed,
        "plans-TOTAL_FORMS": 0,
        "plans-INITIAL_FORMS": 0,
    }


def render_amount(value, places=None):
    template = Template("{% load briefing %}{{ value|amount:places }}")
    return template.render(Context({"value": value, "places": places}))


class SeedFiguresTests(TestCase):
    """The demo data reproduces the budget tables of the three seed reports."""

    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.ga = Department.objects.get(code="YDP-GA")
        cls.district = Department.objects.get(code="YDP")

    def test_2025_unit_lines_total_and_rates_match_the_report(self):
        table = budget_table(self.ga, 2025, as_of=AS_OF)
        total = table.total
        self.assertEqual(
            (total.budget, total.executed, str(total.rate)), (137_351_335, 60_741_935, "44.2")
        )
        self.assertEqual(rates(table), ["69.4", "26.9", "51.6", "49.6", "49.8", "43.2", "32.2"])
        self.assertEqual(table.as_of, AS_OF)
        self.assertEqual(render_amount(total.budget), "137,351,335")

    def test_2007_remainders_match_the_report(self):
        table = budget_table(self.ga, 2007, as_of=dt.date(2007, 5, 31))
        self.assertEqual(
            (table.total.budget, table.total.executed, table.total.remainder),
            (65_256_359, 28_728_433, 36_527_926),
        )
        self.assertEqual(
            [(row.name, row.remainder) for row in table.rows],
            [("사무관리", 4_267_821), ("인사관리", 32_054_463), ("의회법무", 205_642)],
        )

    def test_2008_division_rates_have_two_decimals_and_no_execution_shows_a_dash(self):
        table = budget_table(self.ga, 2008, as_of=dt.date(2008, 6, 30), places=2)
        self.assertEqual(
            (table.total.budget, table.total.executed, str(table.total.rate)),
            (67_536_410, 34_261_693, "50.73"),
        )
        printed = ["78.15", "20.93", "68.21", "54.04", "39.76", "28.26", "51.93", "9.53"]
        self.assertEqual(rates(table), printed + ["51.32", "37.98", "None"])
        internal = table.rows[-1]
        self.assertEqual(internal.name, "내부거래 지출 (구청사건립기금)")
        self.assertIsNone(internal.executed)
        self.assertEqual(
            (render_amount(internal.executed), render_amount(internal.rate)), ("-", "-")
        )
        self.assertEqual(render_amount(Decimal("50.70"), 2), "50.70")

    def test_2008_district_accounts_and_grand_total_match_the_report(self):
        table = budget_table(self.district, 2008, as_of=dt.date(2008, 6, 30), places=2)
        general, special = table.roots
        self.assertEqual(
            (general.budget, general.executed, str(general.rate), general.remainder),
            (279_970_481, 109_688_521, "39.18", 170_281_960),
        )
        self.assertEqual(
            (special.budget, special.executed, str(special.rate), special.remainder),
            (49_915_316, 3_288_412, "6.59", 46_626_904),
        )
        total = table.total
        self.assertEqual(
            (total.budget, total.executed, str(total.rate), total.remainder),
            (329_885_797, 112_976_933, "34.25", 216_908_864),
        )

    def test_2008_fields_share_of_the_general_account_and_rates_match_the_report(self):
        table = budget_table(self.district, 2008, as_of=dt.date(2008, 6, 30), places=2)
        fields = table.roots[0].children
        self.assertEqual(
            [str(row.share) for row in fields],
            ["8.30", "7.99", "6.21", "4.21", "32.86", "7.01", "32.29", "1.11"],
        )
        self.assertEqual(
            [str(row.rate) for row in fields],
            ["39.92", "21.61", "20.01", "20.04", "42.08", "28.35", "49.68", "17.02"],
        )
        self.assertEqual(fields[0].remainder, 13_960_569)
        # The printed 구성비 add up to 99.98, not the 100.00 printed on the 계 row: each is
        # rounded on its own. The 계 row is 100.00 of itself.
        self.assertEqual(sum(row.share for row in fields), Decimal("99.98"))
        self.assertEqual(str(table.total.share), "100.00")


class DerivedFiguresTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")

    def test_rates_round_half_up_to_the_asked_places(self):
        self.assertEqual(percent(1, 16), Decimal("6.3"))  # 6.25: half even would give 6.2
        self.assertEqual(percent(1, 8, places=2), Decimal("12.50"))
        self.assertEqual(percent(2, 3, places=2), Decimal("66.67"))
        self.assertIsNone(percent(5, 0))
        self.assertIsNone(percent(None, 100))

    def test_without_any_prior_budget_there_is_no_change(self):
        line = make_leaf(self.department, 1_000, 250)
        table = budget_table(self.department, 2025)
        row = table.row(line.pk)
        self.assertEqual((row.change, row.change_rate, row.is_new), (None, None, False))
        self.assertEqual((table.total.change, table.total.is_new), (None, False))

    def test_a_line_without_a_prior_budget_beside_lines_with_one_is_new(self):
        line = make_leaf(self.department, 1_000, 250)
        make_leaf(self.department, 500, prior_budget=400)
        row = line_figures(line)
        self.assertEqual((row.change, row.change_rate, row.is_new), (1_000, None, True))
        total = budget_table(self.department, 2025).total
        self.assertEqual((total.change, str(total.change_rate)), (1_100, "275.0"))

    def test_the_year_change_rule(self):
        self.assertEqual(year_change(1_000, None, base_year_known=False), YearChange())
        self.assertEqual(year_change(1_000, None, True), YearChange(1_000, None, True))
        self.assertEqual(year_change(900, 1_200, True), YearChange(-300, Decimal("-25.0")))
        self.assertEqual(year_change(None, 1_200, True), YearChange())

    def test_change_against_the_prior_budget(self):
        grown = make_leaf(self.department, 1_100, prior_budget=1_000)
        shrunk = make_leaf(self.department, 900, prior_budget=1_200)
        row = line_figures(grown)
        self.assertEqual((row.change, str(row.change_rate), row.is_new), (100, "10.0", False))
        row = line_figures(shrunk)
        self.assertEqual((row.change, str(row.change_rate)), (-300, "-25.0"))
        hidden = '<span class="visually-hidden">감소 </span>'
        self.assertEqual(render_amount(row.change), f"{hidden}△300")

    def test_parents_sum_their_children_at_every_level(self):
        policy = make_line(self.department, level=BudgetLine.Level.POLICY)
        unit = make_line(self.department, level=BudgetLine.Level.UNIT, parent=policy)
        make_leaf(self.department, 300, 100, level=BudgetLine.Level.DETAIL, parent=unit)
        make_leaf(self.department, 700, None, level=BudgetLine.Level.DETAIL, parent=unit)
        make_leaf(self.department, 1_000, 400, prior_budget=800, parent=policy)
        table = budget_table(self.department, 2025)
        self.assertEqual([row.depth for row in table.rows], [0, 1, 2, 2, 1])
        top, middle = table.rows[0], table.rows[1]
        self.assertEqual((middle.budget, middle.executed, middle.remainder), (1_000, 100, 900))
        self.assertEqual((top.budget, top.executed, str(top.rate)), (2_000, 500, "25.0"))
        self.assertEqual(top.prior, 800)
        self.assertEqual([str(row.share) for row in middle.children], ["30.0", "70.0"])
        self.assertEqual(str(top.share), "100.0")
        self.assertEqual(table.total.budget, 2_000)

    def test_the_table_uses_the_latest_snapshot_on_or_before_the_date(self):
        line = make_leaf(self.department, 1_000, 100)
        make_budget_snapshot(line, 1_200, 600, as_of=Q3)
        self.assertEqual(budget_table(self.department, 2025, as_of=AS_OF).total.executed, 100)
        self.assertEqual(budget_table(self.department, 2025).total.budget, 1_200)
        self.assertEqual(line_figures(line).as_of, Q3)

    def test_the_budget_tree_takes_the_same_number_of_queries_for_2_and_20_lines(self):
        small, large = make_department("작은과"), make_department("큰과")
        make_tree(small, leaves=1)
        make_tree(large, leaves=19)
        self.assertEqual(BudgetLine.objects.filter(department=large).count(), 20)
        with self.assertNumQueries(2):
            self.assertEqual(budget_table(small, 2025).total.budget, 1_000)
        with self.assertNumQueries(2):
            self.assertEqual(budget_table(large, 2025).total.budget, 19_000)


class LineRulesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")

    def assertRefused(self, make):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make()

    def test_a_parent_line_refuses_its_own_snapshot(self):
        parent = make_tree(self.department, leaves=1)
        snapshot = BudgetSnapshot(line=parent, as_of=AS_OF, budget=5)
        with self.assertRaises(ValidationError):
            snapshot.full_clean()
        with self.assertRaises(ValidationError):
            QuarterPlan(line=parent, quarter=3, amount=5).full_clean()

    def test_a_line_with_figures_cannot_become_a_parent(self):
        typed = make_leaf(self.department, 1_000, level=BudgetLine.Level.POLICY)
        child = BudgetLine(department=self.department, year=2025, name="하위", parent=typed)
        with self.assertRaises(ValidationError) as refused:
            child.full_clean()
        self.assertIn("parent", refused.exception.message_dict)

    def test_a_parent_must_be_of_the_same_department_year_and_kind(self):
        parent = make_line(self.department, level=BudgetLine.Level.POLICY)
        other = make_department("청소과")
        for fields in ({"department": other}, {"year": 2024}, {"kind": "revenue"}):
            child = BudgetLine(**({"department": self.department, "year": 2025} | fields))
            child.name, child.parent = "하위", parent
            with self.subTest(fields=fields), self.assertRaises(ValidationError):
                child.full_clean()

    def test_a_child_sits_below_its_parent(self):
        parent = make_line(self.department, level=BudgetLine.Level.UNIT)
        child = BudgetLine(
            department=self.department, year=2025, name="하위", parent=parent, level="policy"
        )
        with self.assertRaises(ValidationError):
            child.full_clean()

    def test_money_fields_refuse_negatives(self):
        line = make_line(self.department)
        self.assertRefused(lambda: make_budget_snapshot(line, budget=-1))
        self.assertRefused(lambda: make_budget_snapshot(line, executed=-1))
        self.assertRefused(lambda: make_budget_snapshot(line, committed=-1))
        self.assertRefused(lambda: make_line(self.department, prior_budget=-1))
        self.assertRefused(lambda: QuarterPlan.objects.create(line=line, quarter=1, amount=-1))

    def test_one_snapshot_per_line_and_date_and_one_plan_per_quarter(self):
        line = make_leaf(self.department, 1_000)
        QuarterPlan.objects.create(line=line, quarter=1, amount=10)
        self.assertRefused(lambda: make_budget_snapshot(line))
        self.assertRefused(lambda: QuarterPlan.objects.create(line=line, quarter=1, amount=10))
        self.assertRefused(lambda: QuarterPlan.objects.create(line=line, quarter=5, amount=10))


class PeriodLockTests(TestCase):
    """Approving 2025 Q2 freezes the 5.31. figures and the year's lines; Q3 stays open."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department)
        cls.line = make_leaf(cls.department, 1_000, 100)
        cls.snapshot = cls.line.snapshots.get()
        ReportingPeriod.objects.create(
            department=cls.department, year=2025, quarter=2, status="approved"
        )

    def setUp(self):
        self.client.force_login(self.staff)

    def assertUnchanged(self):
        self.snapshot.refresh_from_db()
        self.assertEqual((self.snapshot.budget, self.snapshot.executed), (1_000, 100))

    def test_saving_or_deleting_an_approved_snapshot_is_refused(self):
        self.snapshot.executed = 200
        with self.assertRaises(PeriodLocked):
            self.snapshot.save()
        with self.assertRaises(PeriodLocked):
            self.snapshot.delete()
        self.assertUnchanged()

    def test_queryset_update_and_bulk_create_are_refused(self):
        with self.assertRaises(PeriodLocked):
            BudgetSnapshot.objects.filter(line=self.line).update(executed=200)
        with self.assertRaises(PeriodLocked):
            BudgetSnapshot.objects.bulk_create(
                [BudgetSnapshot(line=self.line, as_of=dt.date(2025, 6, 30), budget=5)]
            )
        with self.assertRaises(PeriodLocked):
            BudgetLine.objects.filter(pk=self.line.pk).delete()
        self.assertUnchanged()
        self.assertEqual(self.line.snapshots.count(), 1)

    def test_a_third_quarter_snapshot_is_still_accepted(self):
        snapshot = BudgetSnapshot(line=self.line, as_of=Q3, budget=1_000, executed=300)
        snapshot.full_clean()
        snapshot.save()
        self.assertEqual(line_figures(self.line).executed, 300)

    def test_the_years_budget_lines_are_locked(self):
        with self.assertRaises(PeriodLocked):
            make_line(self.department, year=2025)
        self.line.name = "바꾼 이름"
        with self.assertRaises(PeriodLocked):
            self.line.save()
        make_line(self.department, year=2026)  # another year is open

    def test_the_admin_shows_the_locked_line_read_only_and_refuses_a_post(self):
        url = reverse("admin:budgets_budgetline_change", args=[self.line.pk])
        page = self.client.get(url)
        self.assertContains(page, "승인되어 잠겨 있습니다")
        self.assertNotContains(page, 'name="_save"')
        response = self.client.post(url, line_form(self.line, self.snapshot, executed=200))
        self.assertEqual(response.status_code, 403)
        self.assertUnchanged()

    def test_the_delete_action_refuses_a_locked_line(self):
        response = self.client.post(
            reverse("admin:budgets_budgetline_changelist"),
            {"action": "delete_selected", "_selected_action": [self.line.pk], "post": "yes"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertTrue(BudgetLine.objects.filter(pk=self.line.pk).exists())

    def test_the_snapshot_admin_refuses_the_approved_quarter_but_takes_the_next(self):
        change = reverse("admin:budgets_budgetsnapshot_change", args=[self.snapshot.pk])
        data = {"line": self.line.pk, "as_of": "2025-05-31", "budget": 1_000, "executed": 200}
        self.assertEqual(self.client.post(change, data).status_code, 403)
        self.assertUnchanged()
        add = reverse("admin:budgets_budgetsnapshot_add")
        refused = self.client.post(add, data | {"as_of": "2025-06-30"})
        self.assertContains(refused, "승인되어 잠겨 있습니다")
        self.assertFalse(BudgetSnapshot.objects.filter(as_of="2025-06-30").exists())
        accepted = self.client.post(add, data | {"as_of": "2025-08-31"})
        self.assertEqual(accepted.status_code, 302)
        self.assertTrue(BudgetSnapshot.objects.filter(line=self.line, as_of=Q3).exists())


class BudgetAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.own = make_department("총무과")
        cls.other = make_department("청소과")
        cls.staff = make_user(Role.STAFF, cls.own, username="ga_staff")
        cls.line = make_leaf(cls.own, 3_701_804, 2_569_470, name="쾌적한 행정환경 조성")
        cls.snapshot = cls.line.snapshots.get()
        cls.foreign = make_leaf(cls.other, 500, 100, name="청소 사업")

    def setUp(self):
        self.client.force_login(self.staff)

    def post_executed(self, executed):
        url = reverse("admin:budgets_budgetline_change", args=[self.line.pk])
        return self.client.post(url, line_form(self.line, self.snapshot, executed))

    def test_staff_of_another_department_get_404_on_its_budget_urls(self):
        for name, obj in [
            ("budgetline_change", self.foreign),
            ("budgetline_history", self.foreign),
            ("budgetline_delete", self.foreign),
            ("budgetsnapshot_change", self.foreign.snapshots.get()),
        ]:
            with self.subTest(name):
                url = reverse(f"admin:budgets_{name}", args=[obj.pk])
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_every_budget_admin_page_renders_for_staff(self):
        plan = QuarterPlan.objects.create(line=self.line, quarter=3, amount=10)
        for model, obj in [
            ("budgetline", self.line),
            ("budgetsnapshot", self.snapshot),
            ("quarterplan", plan),
        ]:
            for action, args in [
                ("changelist", []),
                ("add", []),
                ("change", [obj.pk]),
                ("history", [obj.pk]),
            ]:
                url = reverse(f"admin:budgets_{model}_{action}", args=args)
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_change_page_shows_the_lines_derived_figures(self):
        url = reverse("admin:budgets_budgetline_change", args=[self.line.pk])
        page = self.client.get(url)
        for text in ("3,701,804", "2,569,470", "1,132,334", "69.4", "2025. 5. 31. 기준"):
            self.assertContains(page, text)
        # the demo's lines have no prior budget at all: nothing to compare with, not 순증
        self.assertContains(page, "<td>69.4</td><td>-</td><td>-</td>")

    def test_a_refused_move_to_another_year_shows_the_form_again_with_the_stored_figures(self):
        url = reverse("admin:budgets_budgetline_change", args=[self.line.pk])
        response = self.client.post(
            url, line_form(self.line, self.snapshot, 2_569_470) | {"year": 2026}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "3,701,804")  # the figures of the line as stored
        self.line.refresh_from_db()
        self.assertEqual(self.line.year, 2025)

    def test_parent_choices_and_the_list_stay_inside_the_users_departments(self):
        page = self.client.get(reverse("admin:budgets_budgetline_changelist"))
        self.assertContains(page, "쾌적한 행정환경 조성")
        self.assertNotContains(page, "청소 사업")
        self.client.post(
            reverse("admin:budgets_budgetline_add"),
            {
                "department": self.own.pk,
                "year": 2025,
                "kind": "expenditure",
                "level": "detail",
                "parent": self.foreign.pk,
                "name": "하위",
                "order": 0,
                "snapshots-TOTAL_FORMS": 0,
                "snapshots-INITIAL_FORMS": 0,
                "plans-TOTAL_FORMS": 0,
                "plans-INITIAL_FORMS": 0,
            },
        )
        self.assertFalse(BudgetLine.objects.filter(name="하위").exists())

    def test_the_history_records_an_edited_snapshots_old_and_new_executed(self):
        response = self.post_executed(2_600_000)
        self.assertEqual(response.status_code, 302)
        latest = BudgetSnapshot.history.latest("history_date")
        self.assertEqual(latest.history_user, self.staff)
        delta = latest.diff_against(latest.prev_record)
        self.assertEqual(
            [(c.field, c.old, c.new) for c in delta.changes], [("executed", 2_569_470, 2_600_000)]
        )
        url = reverse("admin:budgets_budgetline_history", args=[self.line.pk])
        page = self.client.get(url).content.decode()
        self.assertIn("집행액", page)
        self.assertIn("2569470 &rarr; 2600000", page)


class FiscalYearTests(TestCase):
    """A snapshot's as-of date lies in its line's fiscal year: model, admin, import, database."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.line = make_line(cls.department, "청사 관리", year=2025)

    def test_the_model_refuses_a_date_in_another_year_and_names_the_field(self):
        snapshot = BudgetSnapshot(line=self.line, as_of=dt.date(2024, 12, 31), budget=1_000)
        with self.assertRaises(ValidationError) as refused:
            snapshot.full_clean()
        self.assertEqual(list(refused.exception.message_dict), ["as_of"])
        self.assertIn("회계연도(2025년) 밖", refused.exception.message_dict["as_of"][0])

    def test_the_database_refuses_it_too(self):
        with transaction.atomic(), self.assertRaises(IntegrityError):  # bulk writes skip clean
            BudgetSnapshot.objects.bulk_create(
                [BudgetSnapshot(line=self.line, as_of=dt.date(2026, 1, 1), budget=1)]
            )
        make_budget_snapshot(self.line, as_of=AS_OF)
        with transaction.atomic(), self.assertRaises(IntegrityError):
            BudgetSnapshot.objects.filter(line=self.line).update(as_of=dt.date(2024, 12, 31))
        with transaction.atomic(), self.assertRaises(IntegrityError):
            BudgetLine.objects.filter(pk=self.line.pk).update(year=2024)
        self.assertEqual(list(self.line.snapshots.values_list("as_of", flat=True)), [AS_OF])
        BudgetLine.objects.filter(pk=self.line.pk).update(name="청사 운영")  # other columns

    def test_a_line_moved_to_another_year_with_its_snapshots_is_refused(self):
        make_budget_snapshot(self.line, as_of=AS_OF)
        self.line.year = 2026
        with self.assertRaises(ValidationError) as refused:
            self.line.full_clean()
        self.assertIn("year", refused.exception.message_dict)

    def test_the_admin_inline_names_the_date(self):
        self.client.force_login(make_user(Role.STAFF, self.department))
        url = reverse("admin:budgets_budgetline_change", args=[self.line.pk])
        form = line_form(self.line, BudgetSnapshot(as_of=dt.date(2024, 12, 31), budget=5), "")
        form |= {"snapshots-INITIAL_FORMS": 0, "snapshots-0-id": ""}
        response = self.client.post(url, form)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "회계연도(2025년) 밖")
        self.assertFalse(self.line.snapshots.exists())

    def test_the_import_names_the_row_and_the_column(self):
        from budgets.resources import BudgetSnapshotResource

        from .import_factories import SNAPSHOT_HEADERS, xlsx_bytes
        from .test_imports import problems, run_import

        code, staff = self.department.code, make_user(Role.STAFF, self.department)
        rows = [[code, 2025, "세출", "청사 관리", dt.date(2024, 12, 31), 1_000, None, None, None]]
        result = run_import(BudgetSnapshotResource, xlsx_bytes(SNAPSHOT_HEADERS, rows), staff)
        [message] = problems(result)
        self.assertTrue(message.startswith("2행 기준일"), message)
        self.assertIn("회계연도(2025년) 밖", message)
        self.assertFalse(self.line.snapshots.exists())
