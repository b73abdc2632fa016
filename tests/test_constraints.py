"""Rules kept by the database itself, so no path (admin, import, shell) can break them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from departments.models import Department, Facility, StaffingCount, VehicleCount

from .factories import make_department, make_facility, make_fleet, make_grade, make_snapshot


class ConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")

    def assertRefused(self, make):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make()

    def test_headcounts_cannot_be_negative(self):
        snapshot = make_snapshot(self.department)
        grade = make_grade("일반직", "8급", 8)
        self.assertRefused(
            lambda: StaffingCount.objects.create(
                snapshot=snapshot, grade=grade, authorised=-1, actual=0
            )
        )

    def test_one_staffing_row_per_department_as_of_and_grade(self):
        snapshot = make_snapshot(self.department)
        grade = snapshot.counts.get().grade
        self.assertRefused(
            lambda: StaffingCount.objects.create(snapshot=snapshot, grade=grade, authorised=1)
        )

    def test_one_staffing_table_per_department_and_as_of(self):
        make_snapshot(self.department)
        self.assertRefused(lambda: make_snapshot(self.department, counts=()))

    def test_vehicle_counts_cannot_be_negative(self):
        fleet = make_fleet(self.department)
        size = fleet.counts.get().size
        fleet.counts.all().delete()
        self.assertRefused(lambda: VehicleCount.objects.create(fleet=fleet, size=size, count=-2))

    def test_lease_terms_belong_to_leased_facilities_only(self):
        self.assertRefused(lambda: make_facility(self.department, lease_cost=652_080))
        leased = make_facility(
            self.department,
            ownership=Facility.Ownership.LEASED,
            lease_from=dt.date(2005, 4, 1),
            lease_until=dt.date(2007, 3, 31),
            lease_cost=652_080,
        )
        self.assertEqual(leased.lease_cost, 652_080)

    def test_a_lease_cannot_end_before_it_starts(self):
        self.assertRefused(
            lambda: make_facility(
                self.department,
                ownership=Facility.Ownership.LEASED,
                lease_from=dt.date(2007, 3, 31),
                lease_until=dt.date(2005, 4, 1),
            )
        )

    def test_areas_cannot_be_negative(self):
        self.assertRefused(lambda: make_facility(self.department, floor_area=-5))

    def test_only_a_district_may_sit_at_the_root(self):
        self.assertRefused(
            lambda: Department.objects.create(name="떠돌이과", code="X", kind="division")
        )

    def test_a_unit_sits_below_its_parent_in_the_tree(self):
        team = make_department("교육후생팀", Department.Kind.TEAM, parent=self.department)
        bureau = Department(name="행정국", code="B", kind=Department.Kind.BUREAU, parent=team)
        with self.assertRaises(ValidationError) as caught:
            bureau.full_clean()
        self.assertIn("kind", caught.exception.message_dict)
