"""The synthetic-data command builds a labelled, sized district with locked past quarters."""

import io
from collections import Counter

from django.core.management import call_command
from django.db import transaction
from django.test import TestCase

from budgets.models import BudgetSnapshot
from departments.locking import PeriodLocked
from departments.models import Department, ReportingPeriod, StaffingSnapshot
from programs.models import (
    CouncilRequest,
    Kpi,
    KpiValue,
    Program,
    ProgressEntry,
    ScheduleItem,
)
from programs.outline import parse, validate_outline
from reports_site.models import Briefing, CouncilSession

from .factories import make_grade


def synth(departments=3, years=2, seed=1):
    call_command(
        "synth",
        "--departments",
        str(departments),
        "--years",
        str(years),
        "--last-year",
        "2025",
        "--seed",
        str(seed),
        stdout=io.StringIO(),
    )


class Rollback(Exception):
    pass


def run_and_undo(check, **options):
    """Run synth, give the result of check(), and leave the database as it was."""
    try:
        with transaction.atomic():
            synth(**options)
            result = check()
            raise Rollback
    except Rollback:
        return result


def fingerprint():
    return (
        list(Program.objects.order_by("pk").values_list("title", "team__code", "overview")),
        list(ProgressEntry.objects.order_by("pk").values_list("achievements", "executed")),
        list(KpiValue.objects.order_by("pk").values_list("target", "actual")),
        list(CouncilRequest.objects.order_by("pk").values_list("text", "status")),
    )


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Program, ProgressEntry, CouncilSession, Briefing)
    }


class SynthTests(TestCase):
    def test_it_builds_the_requested_size_and_labels_it_synthetic(self):
        make_grade()
        out = io.StringIO()
        call_command(
            "synth", "--departments", "3", "--years", "2", "--last-year", "2025", stdout=out
        )
        divisions = Department.objects.filter(code__startswith="SYN-D", kind="division")
        self.assertEqual(divisions.count(), 3)
        self.assertIn("합성", Department.objects.get(code="SYN").name)
        self.assertEqual(StaffingSnapshot.objects.filter(department__in=divisions).count(), 24)
        periods = ReportingPeriod.objects.filter(department__in=divisions)
        self.assertEqual(periods.count(), 24)
        self.assertEqual(periods.filter(status="draft").count(), 3)  # only 2025 Q4 is open
        call_command("synth", "--departments", "3", stdout=out)  # a second run adds nothing
        self.assertEqual(
            Department.objects.filter(code__startswith="SYN-D", kind="division").count(), 3
        )

    def test_the_program_rows_scale_with_departments_and_years(self):
        for departments, years in [(3, 2), (2, 3)]:
            with self.subTest(departments=departments, years=years):
                got = run_and_undo(counts, departments=departments, years=years)
                divisions_years = departments * years
                self.assertEqual(
                    got,
                    {
                        "Program": 5 * divisions_years,
                        "ProgressEntry": 20 * divisions_years,
                        "CouncilSession": years,
                        "Briefing": departments,  # the last session only
                    },
                )

    def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(self):
        first = run_and_undo(fingerprint, seed=7)
        self.assertEqual(run_and_undo(fingerprint, seed=7), first)
        self.assertNotEqual(run_and_undo(fingerprint, seed=8), first)


class SynthProgramsTests(TestCase):
    """The programs, progress and briefings of 3 divisions × 2 years."""

    @classmethod
    def setUpTestData(cls):
        synth(departments=3, years=2)
        cls.programs = Program.objects.filter(department__code__startswith="SYN-D")

    def test_each_division_year_has_five_programs_one_or_two_of_them_new(self):
        per_year = Counter(self.programs.values_list("department", "year", "kind"))
        for (_, _, kind), number in per_year.items():
            self.assertIn(number, (3, 4) if kind == "main" else (1, 2))
        self.assertEqual(sum(per_year.values()), 30)
        self.assertTrue(all(title.startswith("[합성] ") for title in self.titles()))

    def titles(self):
        return self.programs.values_list("title", flat=True)

    def test_each_program_links_one_unit_line_of_its_division_and_year(self):
        for program in self.programs.prefetch_related("budget_lines").select_related("team"):
            (line,) = program.budget_lines.all()
            self.assertEqual(
                (line.department_id, line.year, line.level),
                (program.department_id, program.year, "unit"),
            )
            self.assertEqual(program.team.parent_id, program.department_id)

    def test_progress_has_four_quarters_of_outlines_and_the_lines_figures(self):
        entries = ProgressEntry.objects.filter(program__in=self.programs)
        self.assertEqual(entries.count(), 120)
        for entry in entries.select_related("program")[:40]:
            for text in (entry.achievements, entry.plans, entry.program.overview):
                validate_outline(text)
                self.assertTrue(5 <= len(text.splitlines()) <= 12, text)
            line = entry.program.budget_lines.get()
            snapshot = BudgetSnapshot.objects.get(line=line, as_of__month=entry.quarter * 3)
            self.assertEqual((entry.budget, entry.executed), (snapshot.budget, snapshot.executed))
        overview = parse(self.programs.first().overview)
        self.assertEqual({item.marker for item in overview}, {"□", "○", "-", "·", "※"})

    def test_schedules_indicators_and_requests_come_in_plausible_numbers(self):
        schedule = Counter(ScheduleItem.objects.values_list("program", flat=True))
        self.assertEqual(len(schedule), 30)
        self.assertTrue(set(schedule.values()) <= {3, 4})
        kpis = Counter(Kpi.objects.values_list("program", flat=True))
        self.assertEqual(len(kpis), 30)
        self.assertTrue(set(kpis.values()) <= {1, 2})
        self.assertEqual(KpiValue.objects.count(), 2 * Kpi.objects.count())
        requests = Counter(CouncilRequest.objects.values_list("department", "year"))
        self.assertTrue(set(requests.values()) <= {1, 2, 3})

    def test_the_last_session_has_a_published_briefing_per_division(self):
        session = CouncilSession.objects.get(starts_on__year=2025)
        self.assertIn("합성", session.council)
        briefings = Briefing.objects.filter(session=session)
        self.assertEqual(briefings.count(), 3)
        for briefing in briefings:
            self.assertEqual(briefing.status, "published")
            self.assertEqual(
                list(briefing.sections.top_level().values_list("slug", flat=True)),
                ["general", "programs", "new_programs"],
            )
            self.assertTrue(1 <= briefing.contacts.count() <= 2)

    def test_approved_years_lock_their_programs_and_links(self):
        program = self.programs.filter(year=2024).first()
        with self.assertRaises(PeriodLocked), transaction.atomic():
            program.budget_lines.clear()
