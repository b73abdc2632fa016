"""Small builders for test data; each makes the least a test needs."""

import datetime as dt
from itertools import count

from django.contrib.auth.models import Group, User
from django_tasks_db.models import DBTaskResult

from budgets.models import BudgetCategory, BudgetLine, BudgetSnapshot, QuarterPlan
from council.models import Committee
from departments.access import Role
from departments.models import (
    Department,
    DepartmentName,
    Duty,
    Facility,
    FacilityExtension,
    Grade,
    Membership,
    PositionClass,
    ReportingPeriod,
    StaffingCount,
    StaffingSnapshot,
    UnitKind,
    VehicleCategory,
    VehicleCount,
    VehicleFleet,
    VehicleSize,
)
from programs.models import (
    DEFAULT_REQUEST_KINDS,
    CouncilRequest,
    CouncilRequestKind,
    Kpi,
    KpiValue,
    Mission,
    PerformanceGoal,
    Program,
    ProgramGroup,
    ProgressEntry,
    ScheduleItem,
    StrategicGoal,
)
from reports_site.models import (
    Block,
    Briefing,
    BriefingContact,
    BriefingSection,
    CouncilSession,
    HouseStyle,
)
from reports_site.tasks import make_booklet

from .budget_factories import make_budget_snapshot, make_line
from .program_factories import make_kpi, make_program, make_progress

_serial = count(1)
AS_OF = dt.date(2025, 5, 31)


def make_department(name=None, kind=Department.Kind.DIVISION, parent=None, **fields):
    n = next(_serial)
    if parent is None and kind != Department.Kind.DISTRICT:
        parent = Department.objects.filter(kind=Department.Kind.DISTRICT).first()
        parent = parent or make_department("테스트구", Department.Kind.DISTRICT)
    return Department.objects.create(
        name=name or f"부서{n}", code=f"T-{n}", kind=kind, parent=parent, **fields
    )


def make_user(role=None, department=None, username=None):
    """role None makes a superuser."""
    user = User.objects.create_user(
        username or f"user{next(_serial)}",
        password="pw",
        is_staff=role != Role.COUNCIL,
        is_superuser=role is None,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if department:
        Membership.objects.create(user=user, department=department)
    return user


def make_grade(class_name="일반직", name="9급", order=9):
    position_class, _ = PositionClass.objects.get_or_create(name=class_name)
    return Grade.objects.get_or_create(position_class=position_class, name=name, order=order)[0]


def make_vehicle_size(category="승용", name="중형"):
    category, _ = VehicleCategory.objects.get_or_create(name=category)
    return VehicleSize.objects.get_or_create(category=category, name=name)[0]


def make_snapshot(department, as_of=AS_OF, counts=((("일반직", "9급"), 13, 2),)):
    snapshot = StaffingSnapshot.objects.create(department=department, as_of=as_of)
    for (class_name, grade_name), authorised, actual in counts:
        StaffingCount.objects.create(
            snapshot=snapshot,
            grade=make_grade(class_name, grade_name),
            authorised=authorised,
            actual=actual,
        )
    return snapshot


def make_facility(department, **fields):
    values = {"as_of": AS_OF, "category": "구 청사", "name": "본관", "order": next(_serial)}
    return Facility.objects.create(department=department, **(values | fields))


def make_fleet(department, as_of=AS_OF, counts=((("승용", "중형"), 46),)):
    fleet = VehicleFleet.objects.create(department=department, as_of=as_of, quota=236)
    for (category, size), number in counts:
        VehicleCount.objects.create(
            fleet=fleet, size=make_vehicle_size(category, size), count=number
        )
    return fleet


def make_session(starts_on=None, **fields):
    starts_on = starts_on or dt.date(2025, 6, 1) + dt.timedelta(days=next(_serial))
    values = {"council": "테스트구의회", "kind": CouncilSession.Kind.REGULAR, "ordinal": 1}
    return CouncilSession.objects.create(
        starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=20), **values | fields
    )


def make_briefing(department, session=None, **fields):
    values = {"as_of": AS_OF, "title": "2025년 주요업무 보고", "issued": dt.date(2025, 6, 1)}
    return Briefing.objects.create(
        session=session or make_session(), department=department, **values | fields
    )


def make_section(department):
    return BriefingSection.objects.create(
        briefing=make_briefing(department), order=1, heading="일반현황"
    )


def request_kind(name="건의사항", council="", order=None):
    """A kind of council request (the default set's own order for its names)."""
    if order is None:
        known = name in DEFAULT_REQUEST_KINDS and not council
        order = DEFAULT_REQUEST_KINDS.index(name) + 1 if known else next(_serial)
    return CouncilRequestKind.objects.get_or_create(
        council=council, name=name, defaults={"order": order}
    )[0]


def make_request(department, kind="건의사항", **fields):
    """A council request; kind is a CouncilRequestKind or a name of the default set."""
    kind = kind if isinstance(kind, CouncilRequestKind) else request_kind(kind)
    values = {"year": 2025, "quarter": 2, "order": next(_serial), "text": "청사 주차장 개선"}
    return CouncilRequest.objects.create(department=department, kind=kind, **values | fields)


def make_strategic_goal(department, year=2025):
    return StrategicGoal.objects.create(
        department=department, year=year, order=next(_serial), title="쾌적한 행정환경 조성"
    )


# One row of each department-owned model, for tests that walk every admin page. Each
# builder may run once per department without tripping a uniqueness rule.
ROW_BUILDERS = {
    Department: lambda d: make_department(kind=Department.Kind.TEAM, parent=d),
    DepartmentName: lambda d: DepartmentName.objects.create(
        department=d, name="옛이름", since=AS_OF
    ),
    Duty: lambda d: Duty.objects.create(department=d, order=next(_serial), text="청사 관리"),
    StaffingSnapshot: make_snapshot,
    StaffingCount: lambda d: make_snapshot(d, as_of=dt.date(2024, 12, 31)).counts.get(),
    Facility: make_facility,
    FacilityExtension: lambda d: FacilityExtension.objects.create(
        facility=make_facility(d), completed_on=AS_OF
    ),
    VehicleFleet: make_fleet,
    VehicleCount: lambda d: make_fleet(d, as_of=dt.date(2024, 12, 31)).counts.get(),
    Membership: lambda d: Membership.objects.create(user=make_user(Role.STAFF), department=d),
    ReportingPeriod: lambda d: ReportingPeriod.objects.create(department=d, year=2025, quarter=1),
    # budgets (named here: the budget tests' own serial names must not shift)
    BudgetLine: lambda d: make_line(d, f"예산 사업 {next(_serial)}"),
    BudgetSnapshot: lambda d: make_budget_snapshot(make_line(d, f"예산 사업 {next(_serial)}")),
    QuarterPlan: lambda d: QuarterPlan.objects.create(
        line=make_line(d, f"예산 사업 {next(_serial)}"), quarter=2, amount=500
    ),
    # programs
    Mission: lambda d: Mission.objects.create(department=d, year=2025, text="행복한 일터"),
    StrategicGoal: make_strategic_goal,
    PerformanceGoal: lambda d: PerformanceGoal.objects.create(
        strategic_goal=make_strategic_goal(d), order=1, title="청사 환경 개선"
    ),
    ProgramGroup: lambda d: ProgramGroup.objects.create(
        department=d, year=2025, order=next(_serial), title="시민 중심 행정"
    ),
    Program: make_program,
    ProgressEntry: lambda d: make_progress(make_program(d)),
    ScheduleItem: lambda d: ScheduleItem.objects.create(
        program=make_program(d), year=2025, month=4, order=1, text="영상시설 조달구매"
    ),
    Kpi: lambda d: make_kpi(make_program(d)),
    KpiValue: lambda d: KpiValue.objects.create(
        kpi=make_kpi(make_program(d)), year=2025, target=90, actual=92
    ),
    CouncilRequest: lambda d: make_request(d),
    # reports
    Briefing: make_briefing,
    BriefingSection: lambda d: make_section(d),
    Block: lambda d: Block.objects.create(
        section=make_section(d), order=1, kind="text", text="□ 청사 관리"
    ),
    BriefingContact: lambda d: BriefingContact.objects.create(
        briefing=make_briefing(d), title="총무과장", name="홍길동"
    ),
}

# One row of each admin-registered model that belongs to no department.
SHARED_ROW_BUILDERS = {
    UnitKind: lambda: UnitKind.objects.create(name=f"사업소{next(_serial)}", tier="division"),
    PositionClass: lambda: make_grade().position_class,
    BudgetCategory: lambda: BudgetCategory.objects.create(
        kind="expenditure", name=f"사업비{next(_serial)}"
    ),
    VehicleCategory: lambda: make_vehicle_size().category,
    CouncilSession: make_session,
    HouseStyle: lambda: HouseStyle.objects.create(council=f"테스트{next(_serial)}구의회"),
    CouncilRequestKind: lambda: request_kind("시정·처리요구", f"테스트{next(_serial)}구의회"),
    Committee: lambda: Committee.objects.create(council="테스트구의회", name="행정위원회"),
    User: lambda: make_user(Role.COUNCIL),
    Group: lambda: Group.objects.get(name=Role.STAFF),
    DBTaskResult: lambda: DBTaskResult.objects.get(id=make_booklet.enqueue(0).id),
}
