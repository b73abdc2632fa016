"""Fill a large SYNTHETIC district for benchmarks and scale tests.

Everything it makes is labelled: the district is "합성구 (합성 데이터)", every code starts
with SYN-, every program title and council session is marked 합성. The figures are random
but plausible and reproducible (--seed); the texts have the markers and the length of the
real reports (see `programs.outline`).
"""

import datetime as dt
import random
from decimal import Decimal

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
LABEL = "[합성]"
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
        # Texts draw from their own stream, so the figures stay those of earlier versions.
        self.text_random = random.Random(f"{seed}-texts")
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
        if apps.is_installed("reports_site"):
            self.make_briefings(divisions, year_range)
        self.make_periods(divisions, year_range)  # last: rows of approved periods are locked
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
        self.teams = {division.pk: [] for division in divisions}
        for team in teams:
            self.teams[team.parent.pk].append(team)
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
            units = self.make_budget(divisions, year)
            if apps.is_installed("programs"):
                ProgramMaker(self.text_random, year, self.teams).make(divisions, units)

    def make_budget(self, divisions, year):
        BudgetLine = apps.get_model("budgets", "BudgetLine")
        BudgetSnapshot = apps.get_model("budgets", "BudgetSnapshot")
        QuarterPlan = apps.get_model("budgets", "QuarterPlan")
        # One insert per level for all divisions: each bulk_create also asks the lock.
        policies = BudgetLine.objects.bulk_create(
            BudgetLine(
                department=d,
                year=year,
                kind="expenditure",
                level="policy",
                name=f"{d.name} 정책사업 {p + 1}",
                order=p,
            )
            for d in divisions
            for p in range(3)
        )
        units = BudgetLine.objects.bulk_create(
            BudgetLine(
                department=policy.department,
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
        by_division = {d.pk: [] for d in divisions}
        for line in units:
            budget = self.random.randint(10_000, 5_000_000)
            line.figures = []  # (budget, executed) per quarter, for the programs' progress
            for quarter in range(1, 5):
                executed = budget * quarter // 4 * self.random.randint(60, 100) // 100
                line.figures.append((budget, executed))
                snapshots.append(
                    BudgetSnapshot(
                        line=line,
                        as_of=quarter_end(year, quarter),
                        budget=budget,
                        executed=executed,
                    )
                )
                plans.append(QuarterPlan(line=line, quarter=quarter, amount=budget // 4))
            by_division[line.department_id].append(line)
        BudgetSnapshot.objects.bulk_create(snapshots)
        QuarterPlan.objects.bulk_create(plans)
        return by_division

    def make_briefings(self, divisions, year_range):
        """A June 정례회 per year; each division briefs the last one (published)."""
        CouncilSession = apps.get_model("reports_site", "CouncilSession")
        sessions = [
            CouncilSession.objects.get_or_create(
                council="합성구의회 (합성 데이터)",
                starts_on=dt.date(year, 6, 10),
                defaults={
                    "number": 200 + n,
                    "kind": "regular",
                    "ordinal": 1,
                    "ends_on": dt.date(year, 6, 24),
                },
            )[0]
            for n, year in enumerate(year_range)
        ]
        make_briefings(self.text_random, sessions[-1], divisions)

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


# Programs, their progress and the council's side -----------------------------------------
# The words are generic district work; the [합성] title prefix and the ※ note say what it is.

TOPICS = [
    "청사 시설 안전관리",
    "구민 소통 행정",
    "민원 서비스 품질 향상",
    "공공데이터 개방 확대",
    "직원 직무역량 강화",
    "지역 축제 운영",
    "취약계층 생활 안정 지원",
    "골목상권 활성화",
    "스마트 행정서비스 구축",
    "도시 녹지 관리",
    "재난 안전 대응체계 강화",
    "청년 일자리 지원",
    "어르신 돌봄 서비스 확충",
    "생활폐기물 감량",
    "주차 환경 개선",
    "생활문화 예술 지원",
    "평생학습 기회 확대",
    "공동주택 관리 지원",
    "보행 환경 개선",
    "아동친화도시 조성",
]
ENDINGS = ["추진", "운영", "내실화", "강화", "기반 조성"]
BENEFITS = [
    "구민 편의 증진 및 행정 신뢰도 제고",
    "안전하고 살기 좋은 지역 환경 조성",
    "주민이 체감하는 행정서비스 제공",
    "지역 공동체 활력 회복",
]
LAWS = [
    "「지방자치법」 제13조",
    "「합성구 주민참여 기본 조례」",
    "「합성구 사무위임 조례」",
    "「행정업무의 운영 및 혁신에 관한 규정」",
]
TARGETS = [
    "관내 주민",
    "공동주택 단지",
    "전통시장 상인",
    "관내 어르신",
    "청년 1인 가구",
    "관내 초·중학교",
    "동 주민센터",
    "관계 부서",
]
DOINGS = [
    "현장 점검",
    "주민 설명회 개최",
    "만족도 조사",
    "업무협약 체결",
    "시설 개선 공사",
    "홍보물 제작·배포",
    "전문가 자문회의",
    "시스템 기능 개선",
    "교육 프로그램 운영",
    "용역 발주 및 착수",
]
DIRECTIONS = [
    "추진 대상 선정 및 사전 안내",
    "관계기관 협조체계 구축",
    "주민 의견 수렴 결과 반영",
    "분기별 추진상황 점검",
    "우수사례 발굴 및 확산",
]
HEADLINES = [
    "{topic} 기반 마련",
    "{topic} 본격 추진",
    "주민 체감도 향상을 위한 현장 중심 운영",
    "관계기관 협업을 통한 추진 내실화",
    "추진 성과 점검 및 환류",
]
PLAN_HEADLINES = ["{topic} 지속 추진", "하반기 추진 성과 관리", "개선 과제 발굴 및 반영"]
STEPS = ["추진계획 수립", "관계기관 협의", "사업 시행", "중간 점검", "만족도 조사", "결과 보고"]
# name, unit, direction, a plausible range
KPIS = [
    ("주민 만족도", "%", "up", (600, 950)),
    ("평균 처리 기간", "일", "down", (3, 30)),
    ("참여 인원", "명", "up", (100, 5000)),
    ("개선 건수", "건", "up", (10, 200)),
    ("민원 재발생률", "%", "down", (50, 300)),
]
REQUESTS = [  # a kind of the default set (programs.models.DEFAULT_REQUEST_KINDS), text
    ("처리요구", "{topic} 추진 시 주민 의견 수렴 절차를 강화할 것"),
    ("시정요구", "{topic} 예산 집행의 적정성을 점검하여 시정할 것"),
    ("자료제출", "{topic} 관련 최근 3년간 추진 현황 자료 제출"),
    ("건의사항", "{topic} 성과지표를 사업 목적에 맞게 재설정하기 바람"),
]
SURNAMES = "김이박최정강조윤장임"


def programs_model(name):
    return apps.get_model("programs", name)


def default_request_kinds():
    """{name: kind} of the default set (made here too: a flushed test database has none)."""
    from programs.models import DEFAULT_REQUEST_KINDS

    Kind = programs_model("CouncilRequestKind")
    return {
        name: Kind.objects.get_or_create(council="", name=name, defaults={"order": order})[0]
        for order, name in enumerate(DEFAULT_REQUEST_KINDS, 1)
    }


def overview_text(rng, topic, year, budget):
    direction, *others = rng.sample(DIRECTIONS, rng.randint(2, 3))
    return "\n".join(
        [
            "□ 주요내용",  # the block itself is headed 사업개요
            f"  ○ 사업기간: {year}. 1. ~ {year}. 12.",
            f"  ○ 사업대상: {rng.choice(TARGETS)}",
            f"  ○ 사업내용: {topic} 및 {rng.choice(DOINGS)}",
            f"  ○ 소요예산: {budget:,}천원 (구비 100%)",
            "□ 추진방향",
            f"  - {direction}",
            f"    · {rng.choice(TARGETS)} 대상 {rng.choice(DOINGS)}",
            *(f"  - {other}" for other in others),
            "※ 합성 데이터: 실제 사업이 아닙니다.",
        ]
    )


def achievements_text(rng, topic, quarter, executed):
    """6 to 12 lines: two or three headlines, each with two or three items."""
    months = range(3 * quarter - 2, 3 * quarter + 1)
    lines = []
    for headline in rng.sample(HEADLINES, rng.randint(2, 3)):
        lines.append(f"- {headline.format(topic=topic)}")
        for doing in rng.sample(DOINGS, rng.randint(2, 3)):
            lines.append(f"  - {achievement(rng, doing, months, executed)}")
    return "\n".join(lines)


def achievement(rng, doing, months, executed):
    style = rng.randrange(3)
    if style == 0:
        return f"{doing}: {rng.choice(months)}월 / {executed * rng.randint(3, 15) // 100:,}천원"
    if style == 1:
        first = rng.choice(months[:2])
        return f"{doing}: {first}월~{first + 1}월"
    return f"{rng.choice(TARGETS)} 대상 {doing} {rng.randint(2, 12)}회, 총 {rng.randint(20, 600)}명"


def plans_text(rng, topic, year, quarter):
    """6 to 10 lines; the fourth quarter plans the next year's first months."""
    later = range(1, 4) if quarter == 4 else range(3 * quarter + 1, 13)
    prefix = f"{year + 1}년 " if quarter == 4 else ""
    lines = []
    for headline in rng.sample(PLAN_HEADLINES, 2):
        lines.append(f"- {headline.format(topic=topic)}")
        items = [(rng.choice(later), doing) for doing in rng.sample(DOINGS, rng.randint(2, 4))]
        lines += [f"  - {prefix}{doing}: {month}월" for month, doing in sorted(items)]
    return "\n".join(lines)


def kpi_figures(rng, unit, direction, bounds):
    """Last year's result, this year's target and result."""
    scale = 10 if unit == "%" else 1  # percentages carry one decimal place
    last = rng.randint(*bounds)
    step = max(1, last // 20) * (1 if direction == "up" else -1)
    target = last + step
    actual = target + rng.randint(-2, 2) * abs(step)
    values = [max(value, 0) for value in (last, target, actual)]
    if unit == "%":
        values = [min(value, 1000) for value in values]  # at most 100.0%
    return [Decimal(value) / scale for value in values]


class ProgramMaker:
    """One year of every division's programs: ~5 each (one or two 신규·중점), each linked to a
    unit budget line and carrying four quarters of progress, a schedule and indicators; plus
    the council's requests of the year."""

    def __init__(self, rng, year, teams):
        self.rng, self.year, self.teams = rng, year, teams

    def make(self, divisions, units):
        Program = programs_model("Program")
        plans = [plan for d in divisions for plan in self.programs(d, units[d.pk])]
        Program.objects.bulk_create([program for program, _, _ in plans])
        link = Program.budget_lines.through
        link.objects.bulk_create(
            link(program_id=program.pk, budgetline_id=line.pk) for program, _, line in plans
        )
        self.make_progress(plans)
        self.make_schedule(plans)
        self.make_kpis(plans)
        self.make_requests(divisions)

    def programs(self, division, lines):
        """(program, topic, budget line) for each program of the division."""
        rng, year = self.rng, self.year
        new = rng.randint(1, 2)
        kinds = ["main"] * (5 - new) + ["new_priority"] * new
        picks = zip(kinds, rng.sample(lines, 5), rng.sample(TOPICS, 5), strict=True)
        for n, (kind, line, topic) in enumerate(picks):
            program = programs_model("Program")(
                department=division,
                year=year,
                kind=kind,
                order=kinds[: n + 1].count(kind),
                title=f"{LABEL} {topic} {rng.choice(ENDINGS)}",
                team=rng.choice(self.teams[division.pk]),
                purpose=f"{topic} 추진으로 {rng.choice(BENEFITS)}",
                legal_basis=rng.choice(LAWS),
                period=f"{year}. 1. ~ {year}. 12.",
                overview=overview_text(rng, topic, year, line.figures[0][0]),
            )
            yield program, topic, line

    def make_progress(self, plans):
        ProgressEntry = programs_model("ProgressEntry")
        ProgressEntry.objects.bulk_create(
            ProgressEntry(
                program=program,
                year=self.year,
                quarter=quarter,
                achievements=achievements_text(self.rng, topic, quarter, executed),
                plans=plans_text(self.rng, topic, self.year, quarter),
                budget=budget,
                executed=executed,
                budget_source="district",
                budget_note=f"{quarter_end(self.year, quarter):%Y. %-m. %-d.} 기준",
            )
            for program, topic, line in plans
            for quarter, (budget, executed) in enumerate(line.figures, start=1)
        )

    def make_schedule(self, plans):
        ScheduleItem = programs_model("ScheduleItem")
        rows = []
        for program, topic, line in plans:
            count = self.rng.randint(3, 4)
            months = sorted(self.rng.sample(range(1, 13), count))
            steps = [STEPS[i] for i in sorted(self.rng.sample(range(len(STEPS)), count))]
            for order, (month, step) in enumerate(zip(months, steps, strict=True), start=1):
                budget = line.figures[0][0]
                rows.append(
                    ScheduleItem(
                        program=program,
                        year=self.year,
                        quarter=(month - 1) // 3 + 1,
                        month=month,
                        order=order,
                        text=f"{topic} {step}",
                        amount=budget * self.rng.randint(20, 60) // 100
                        if step == "사업 시행"
                        else None,
                    )
                )
        ScheduleItem.objects.bulk_create(rows)

    def make_kpis(self, plans):
        Kpi, KpiValue = programs_model("Kpi"), programs_model("KpiValue")
        kpis, figures = [], []
        for program, _, _ in plans:
            for order, (name, unit, direction, bounds) in enumerate(
                self.rng.sample(KPIS, self.rng.randint(1, 2)), start=1
            ):
                kpis.append(
                    Kpi(program=program, order=order, name=name, unit=unit, direction=direction)
                )
                figures.append(kpi_figures(self.rng, unit, direction, bounds))
        Kpi.objects.bulk_create(kpis)
        KpiValue.objects.bulk_create(
            value
            for kpi, (last, target, actual) in zip(kpis, figures, strict=True)
            for value in (
                KpiValue(kpi=kpi, year=self.year - 1, actual=last),
                KpiValue(kpi=kpi, year=self.year, target=target, actual=actual),
            )
        )

    def make_requests(self, divisions):
        CouncilRequest = programs_model("CouncilRequest")
        kinds = default_request_kinds()
        rng, rows = self.rng, []
        for division in divisions:
            for order in range(1, rng.randint(0, 3) + 1):
                topic = rng.choice(TOPICS)
                kind, text = rng.choice(REQUESTS)
                status = rng.choice(["done", "done", "in_progress", "under_review"])
                rows.append(
                    CouncilRequest(
                        department=division,
                        year=self.year,
                        quarter=rng.randint(1, 4),
                        kind=kinds[kind],
                        order=order,
                        text=f"{LABEL} {text.format(topic=topic)}",
                        status=status,
                        action_taken=f"{topic} 관련 {rng.choice(DOINGS)} 실시"
                        if status != "under_review"
                        else "",
                        plan="" if status == "done" else f"{rng.choice(DIRECTIONS)} 추진 예정",
                    )
                )
        CouncilRequest.objects.bulk_create(rows)


def make_briefings(rng, session, divisions):
    """Each division's published briefing to the session, with its sections and writers."""
    Briefing, BriefingContact = (
        apps.get_model("reports_site", name) for name in ("Briefing", "BriefingContact")
    )
    year = session.starts_on.year
    briefings = Briefing.objects.bulk_create(
        Briefing(
            session=session,
            department=division,
            as_of=dt.date(year, 5, 31),
            title=f"{year}년 주요업무 보고",
            slogan=f"{LABEL} 구민과 함께 여는 내일",
            issued=dt.date(year, 6, 1),
            status="published",
        )
        for division in divisions
    )
    from reports_site import layouts

    layout = [layouts.legacy(kind) for kind in ("general", "programs", "new_programs")]
    for briefing in briefings:
        layouts.save(briefing, layout)
    BriefingContact.objects.bulk_create(
        BriefingContact(
            briefing=briefing,
            order=order,
            title=title,
            name=f"{rng.choice(SURNAMES)}합성",
            phone=f"02-0000-{rng.randint(1000, 9999)}",
        )
        for briefing in briefings
        for order, title in enumerate(("과장", "팀장")[: rng.randint(1, 2)], start=1)
    )
