"""Small builders for test data; each makes the least a test needs."""

import datetime as dt
from itertools import count

from django.contrib.auth.models import Group, User

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
    StaffingCount,
    StaffingSnapshot,
    VehicleCategory,
    VehicleCount,
    VehicleFleet,
    VehicleSize,
)

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


# One row of each department-owned model, for tests that walk every admin page.
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
}
