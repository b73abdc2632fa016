"""The demo command and the demo data: idempotent, and the tables match the documents."""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from unittest import mock

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.test import TestCase, override_settings

from departments.models import Department, Facility, StaffingSnapshot, VehicleFleet
from departments.tables import facility_groups, staffing_table, vehicle_table

from . import demo_snapshot
from .tools import needs_korean_font

AS_OF_2025 = dt.date(2025, 5, 31)


def demo_command(publish=False):
    """Run the demo command; publish=True also renders the editions and booklets (slower)."""
    out = io.StringIO()
    options = [] if publish else ["--no-publish"]
    with override_settings(DEBUG=True):
        call_command("demo", "--no-serve", *options, stdout=out)
    return out.getvalue()


def run_demo(publish=False):
    """The demo data, as the command loads it (replayed after its first run: demo_snapshot)."""
    if publish:
        return demo_command(publish=True)
    return demo_snapshot.load(demo_command)


def break_pdfs(editions):
    """Three ways a stored PDF goes bad: lost, cut short, drawn without the Korean font."""
    from pypdf import PdfWriter

    lost, cut, no_font = editions
    lost.pdf.storage.delete(lost.pdf.name)
    with cut.pdf.open("rb") as stored:
        whole = stored.read()
    with open(cut.pdf.path, "wb") as stored:
        stored.write(whole[: len(whole) // 2])
    blank = PdfWriter()
    for _ in range(no_font.pages):
        blank.add_blank_page(595, 842)
    with open(no_font.pdf.path, "wb") as stored:
        blank.write(stored)
    return [lost.pk, cut.pk, no_font.pk]


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


class DemoCommandTests(TestCase):
    def test_running_the_demo_twice_changes_nothing(self):
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            demo_command()
            first = row_counts()
            demo_command()
            self.assertEqual(row_counts(), first)
            # the image blocks' files are stored once, under the names the fixtures give
            self.assertEqual(os.listdir(f"{media}/blocks/demo"), ["exm-art-org-chart.png"])
        self.assertGreater(first["departments.Department"], 10)
        # every loaded record has its baseline history: its first edit shows old → new
        for model in (Department, Facility, StaffingSnapshot, VehicleFleet):
            with_history = model.history.values("id").distinct().count()
            self.assertEqual(with_history, model.objects.count(), model)

    @needs_korean_font
    def test_the_demo_publishes_its_published_briefings_once(self):
        from reports_site import fonts
        from reports_site.models import Briefing, Edition

        from .test_pdf import MEDIA

        with override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1):
            run_demo(publish=True)
            first = list(Edition.objects.values_list("pk", flat=True))
            broken = break_pdfs(Edition.objects.order_by("pk")[:3])
            run_demo(publish=True)
            for edition in Edition.objects.filter(pk__in=broken):
                with edition.pdf.open("rb") as stored:  # made again from what it froze
                    self.assertTrue(fonts.usable(stored.read(), edition.pages), edition)
        self.assertEqual(list(Edition.objects.values_list("pk", flat=True)), first)
        published = Briefing.objects.filter(status=Briefing.Status.PUBLISHED).count()
        self.assertEqual(Edition.objects.filter(briefing__isnull=False).count(), published)
        # one per session: three of 영등포구의회, one of the synthetic second council
        self.assertEqual(Edition.objects.booklets().count(), 4)

    def test_the_demo_refuses_to_create_known_passwords_outside_debug(self):
        with self.assertRaises(CommandError):
            call_command("demo", "--no-serve", stdout=io.StringIO())

    def test_the_demo_prints_its_accounts(self):
        output = demo_command()
        for username in ("admin", "clerk", "ga_staff", "ga_reviewer", "member"):
            self.assertIn(username, output)
        self.assertIn("briefing-demo", output)


class DocumentFiguresTests(TestCase):
    """Figures as printed in the 2025 총무과 report (and its 2007/2008 predecessors)."""

    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.ga = Department.objects.get(code="YDP-GA")

    def staffing(self, as_of, department=None):
        return staffing_table(
            StaffingSnapshot.objects.get(department=department or self.ga, as_of=as_of)
        )

    def test_2025_staffing_totals_and_gaps(self):
        table = self.staffing(AS_OF_2025)
        authorised, actual, gap = table.rows
        self.assertEqual((authorised.total, actual.total, gap.total), (50, 51, 1))
        columns = [(g.name, c) for g in table.groups for c in g.columns]
        gaps = dict(zip(columns, gap.cells, strict=True))
        self.assertEqual(gaps["일반직", "9급"], -11)
        self.assertEqual(gaps["일반직", "6급"], 7)
        self.assertEqual(gaps["별정직·임기제", "8급"], -2)
        self.assertEqual(gaps["관리운영직", "6급"], 1)

    def test_2025_staffing_table_prints_gaps_with_triangles(self):
        html = render_to_string(
            "tables/count_table.html", {"table": self.staffing(AS_OF_2025), "row_header": "구분"}
        )
        self.assertIn("△11", html)
        self.assertIn("△2", html)
        self.assertInHTML('<th scope="col">9급</th>', html, count=3)

    def test_earlier_years_fit_the_same_model(self):
        self.assertEqual([r.total for r in self.staffing(dt.date(2008, 6, 30)).rows], [67, 64, -3])
        self.assertEqual(
            [r.total for r in self.staffing(dt.date(2007, 5, 31)).rows], [157, 73, -84]
        )
        district = Department.objects.get(code="YDP")
        table = self.staffing(dt.date(2008, 6, 30), district)
        self.assertEqual([r.total for r in table.rows], [1307, 1287, -20])
        self.assertEqual(
            [g.name for g in table.groups], ["정무직", "일반직", "별정직", "계약직", "기능직"]
        )

    def test_2025_vehicles(self):
        table = vehicle_table(VehicleFleet.objects.get(department=self.ga, as_of=AS_OF_2025))
        (row,) = table.rows
        self.assertEqual(row.total, 236)
        subtotals = dict(
            zip([g.name for g in table.groups], self.group_first_cells(table, row), strict=True)
        )
        self.assertEqual(subtotals, {"승용": 65, "승합": 28, "화물": 78, "특수차": 41, "임시": 24})
        self.assertEqual(row.cells, [65, 17, 46, 2, 28, 0, 28, 0, 78, 55, 17, 6, 41, 27, 1, 13, 24])

    def group_first_cells(self, table, row):
        firsts, index = [], 0
        for group in table.groups:
            firsts.append(row.cells[index])
            index += len(group.columns)
        return firsts

    def test_2025_government_buildings(self):
        facilities = Facility.objects.filter(department=self.ga, as_of=AS_OF_2025)
        groups = {g.category: g for g in facility_groups(facilities.order_by("category", "order"))}
        main = groups["구 청사"].sites[0]
        self.assertEqual(main.name, "본관")
        self.assertEqual([f.name for f in main.facilities], ["본관", "보건소", "부속건물"])
        self.assertEqual((main.land_total, main.floor_total), (7622, 15667))
        annex = groups["구 청사"].sites[1].facilities[0]
        self.assertEqual(
            [e.completed_on for e in annex.extensions.all()],
            [dt.date(2018, 6, 2), dt.date(2020, 10, 5)],
        )
        self.assertIn("6층: 아동청소년과", annex.notes)

    def test_the_department_line_keeps_its_names(self):
        self.assertEqual(self.ga.name_on(dt.date(2008, 7, 14)), "행정지원과")
        self.assertEqual(self.ga.name_on(dt.date(2025, 6, 12)), "총무과")


def stable_rows():
    """Every model's rows, less what differs between two runs of the command anyway:
    timestamps, salted password hashes and, on PostgreSQL, ids (its sequences do not roll
    back); the tests that read the replayed data check what the rows point at."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not (f.primary_key or f.is_relation or isinstance(f, models.DateTimeField))
            and f.name not in {"id", "password"}
            and not f.attname.endswith("_id")  # history's copies of ids
        ]
        values = model.objects.values_list(*fields) if fields else model.objects.values_list()
        rows[model._meta.label] = sorted(map(repr, values)) if fields else values.count()
    return rows


class DemoReplayTests(TestCase):
    maxDiff = None

    def test_the_replay_gives_what_the_command_makes(self):
        with transaction.atomic():
            demo_command()
            made = stable_rows()
            transaction.set_rollback(True)
        with transaction.atomic():
            run_demo()  # runs the command and records it, unless an earlier test did
            transaction.set_rollback(True)
        with mock.patch(f"{__name__}.demo_command", side_effect=AssertionError("ran again")):
            run_demo()
        self.assertEqual(stable_rows(), made)


class DemoServerTests(TestCase):
    def serve(self, stop_server, expected):
        """Serve the demo until `stop_server` ends the server; the worker ran and ended."""
        from departments.management.commands import demo

        started, seen, real_popen = [], [], subprocess.Popen

        def runserver(name, *args, **options):
            self.assertEqual(name, "runserver")
            seen.append([p.poll() is None for p in started])  # the workers run with the site
            stop_server()

        def popen(command, **options):
            self.assertEqual(command[-2:], ["db_worker", "--no-reload"])
            started.append(real_popen([sys.executable, "-c", "import time; time.sleep(60)"]))
            return started[-1]

        command = demo.Command(stdout=io.StringIO())
        with (
            mock.patch.object(demo, "call_command", runserver),
            mock.patch.object(demo.subprocess, "Popen", popen),
            mock.patch.object(demo.os, "cpu_count", lambda: 2),
            self.assertRaises(expected),
        ):
            command.serve("127.0.0.1:8000")
        self.assertEqual(seen, [[True, True]])  # one worker per core
        self.assertTrue(all(p.poll() is not None for p in started))  # stopped with the server

    def test_the_demo_serves_the_site_with_a_worker_and_ctrl_c_stops_both(self):
        def ctrl_c():
            raise KeyboardInterrupt

        self.serve(ctrl_c, KeyboardInterrupt)

    def test_sigterm_to_the_demo_stops_its_worker_too(self):
        def sigterm():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)  # the signal arrives first

        self.serve(sigterm, SystemExit)
