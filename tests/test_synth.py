"""The synthetic-data command builds a labelled, sized district with locked past quarters."""

import io

from django.core.management import call_command
from django.test import TestCase

from departments.models import Department, ReportingPeriod, StaffingSnapshot

from .factories import make_grade


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
