"""Fill a large SYNTHETIC district for benchmarks and scale tests.

Everything it makes is labelled: the district is "합성구 (합성 데이터)", every code starts
with SYN-. The figures are random but plausible and reproducible (--seed).
"""

import datetime as dt
import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from departments.models import (
    Department,
    Duty,
    Facility,
    Grade,
    ReportingPeriod,
    StaffingCount,
    StaffingSnapshot,
    VehicleCount,
    VehicleFleet,
    VehicleSize,
)

PREFIX = "SYN"
QUARTER_ENDS = [(3, 31), (6, 30), (9, 30), (12, 31)]


def quarter_end(year, quarter):
    return dt.date(year, *QUARTER_ENDS[quarter - 1])


class Command(BaseCommand):
    help = "벤치마크용 합성 데이터(구 하나, 부서 N개, 연도 M년치 분기 자료)를 만듭니다."

    def add_arguments(self, parser):
        parser.add_argument("--departments", type=int, default=60)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--last-year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=1)

    @transaction.atomic
    def handle(self, *args, departments, years, last_year, seed, **options):
        self.random = random.Random(seed)
        if Department.objects.filter(code=PREFIX).exists():
            self.stdout.write(
                "합성 데이터가 이미 있습니다 (코드 SYN). 새로 만들려면 먼저 지우세요."
            )
            return
        self.grades = list(Grade.objects.all()) or self.make_grades()
        self.sizes = list(VehicleSize.objects.all())
        divisions = self.make_tree(departments)
        year_range = range(last_year - years + 1, last_year + 1)
        for year in year_range:
            self.make_year(divisions, year)
        self.make_periods(divisions, year_range)
        self.stdout.write(
            f"합성 데이터: 부서 {len(divisions)}개 × {years}년 "
            f"({year_range.start}–{year_range.stop - 1}), 분기 보고 "
            f"{ReportingPeriod.objects.filter(department__code__startswith=PREFIX).count()}건"
        )

    def make_grades(self):
        position_class = apps.get_model("departments", "PositionClass").objects.create(
            name="일반직", order=20
        )
        return [
            Grade.objects.create(position_class=position_class, name=f"{n}급", order=n)
            for n in range(5, 10)
        ]

    def make_tree(self, count):
        district = Department.objects.create(
            name="합성구 (합성 데이터)", code=PREFIX, kind=Department.Kind.DISTRICT
        )
        bureaus = [
            Department.objects.create(
                name=f"합성{b + 1}국",
                code=f"{PREFIX}-B{b + 1}",
                kind="bureau",
                parent=district,
                order=b,
            )
            for b in range(max(1, count // 8))
        ]
        divisions = Department.objects.bulk_create(
            Department(
                name=f"합성{d + 1:02d}과",
                code=f"{PREFIX}-D{d + 1:03d}",
                kind="division",
                parent=bureaus[d % len(bureaus)],
                order=d,
            )
            for d in range(count)
        )
        teams = Department.objects.bulk_create(
            Department(
                name=f"{division.name} {t + 1}팀",
                code=f"{division.code}-T{t + 1}",
                kind="team",
                parent=division,
                order=t,
            )
            for division in divisions
            for t in range(4)
        )
        Duty.objects.bulk_create(
            Duty(department=team, order=o, text=f"합성 업무 {o + 1}")
            for team in teams
            for o in range(4)
        )
        return divisions

    def make_year(self, divisions, year):
        for quarter in range(1, 5):
            snapshots = StaffingSnapshot.objects.bulk_create(
                StaffingSnapshot(department=d, as_of=quarter_end(year, quarter)) for d in divisions
            )
            StaffingCount.objects.bulk_create(
                StaffingCount(
                    snapshot=s,
                    grade=g,
                    authorised=(a := self.random.randint(0, 12)),
                    actual=max(0, a + self.random.randint(-3, 3)),
                )
                for s in snapshots
                for g in self.grades
            )
        fleets = VehicleFleet.objects.bulk_create(
            VehicleFleet(department=d, as_of=quarter_end(year, 4), quota=20) for d in divisions
        )
        VehicleCount.objects.bulk_create(
            VehicleCount(fleet=f, size=s, count=self.random.randint(0, 5))
            for f in fleets
            for s in self.sizes
        )
        Facility.objects.bulk_create(
            Facility(
                department=d,
                as_of=quarter_end(year, 4),
                category="청사",
                site="본관",
                name=f"{d.name} 청사",
                order=1,
                land_area=self.random.randint(500, 9000),
                floor_area=self.random.randint(300, 15000),
                scale="지하1층 ~ 지상5층",
            )
            for d in divisions
        )
        if apps.is_installed("budgets"):
            self.make_budget(divisions, year)

    def make_budget(self, divisions, year):
        BudgetLine = apps.get_model("budgets", "BudgetLine")
        BudgetSnapshot = apps.get_model("budgets", "BudgetSnapshot")
        QuarterPlan = apps.get_model("budgets", "QuarterPlan")
        units = []
        for d in divisions:
            policies = BudgetLine.objects.bulk_create(
                BudgetLine(
                    department=d,
                    year=year,
                    kind="expenditure",
                    level="policy",
                    name=f"{d.name} 정책사업 {p + 1}",
                    order=p,
                )
                for p in range(3)
            )
            units += BudgetLine.objects.bulk_create(
                BudgetLine(
                    department=d,
                    year=year,
                    kind="expenditure",
                    level="unit",
                    parent=policy,
                    name=f"{policy.name}-{u + 1}",
                    order=u,
                    source="district",
                    prior_budget=self.random.randint(10_000, 5_000_000),
                )
                for policy in policies
                for u in range(4)
            )
        snapshots, plans = [], []
        for line in units:
            budget = self.random.randint(10_000, 5_000_000)
            for quarter in range(1, 5):
                executed = budget * quarter // 4 * self.random.randint(60, 100) // 100
                snapshots.append(
                    BudgetSnapshot(
                        line=line,
                        as_of=quarter_end(year, quarter),
                        budget=budget,
                        executed=executed,
                    )
                )
                plans.append(QuarterPlan(line=line, quarter=quarter, amount=budget // 4))
        BudgetSnapshot.objects.bulk_create(snapshots)
        QuarterPlan.objects.bulk_create(plans)

    def make_periods(self, divisions, year_range):
        # The newest quarter stays in draft; every earlier one is approved (and locked).
        last = (year_range.stop - 1, 4)
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(
                department=d,
                year=y,
                quarter=q,
                status="draft" if (y, q) == last else "approved",
            )
            for d in divisions
            for y in year_range
            for q in range(1, 5)
        )
