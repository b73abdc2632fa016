"""Benchmark of the spreadsheet imports, beside django-import-export's plain bulk mode.

    uv run python bench/import_bench.py                       # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/import_bench.py
    uv run python bench/import_bench.py --sizes 1000,5000 --kinds lines

Builds its own database (a temporary SQLite file, or a scratch database on the server that
DATABASE_URL names, dropped at the end), so it never touches yours. For each kind (budget
lines, execution snapshots, staffing counts) and size it writes one xlsx file and times:

- read: the xlsx file into rows (openpyxl), as the preview and the confirm both do;
- preview: the dry run of the import (every check, the writes rolled back);
- confirm: the import (every check, the writes and their history rows);
- update: the same file again with every figure changed (ours only);
- peer preview / peer confirm: the same file through a plain django-import-export resource
  with use_bulk=True: the same columns, stock widgets, no checks, no history.

Rows/s are the file's rows over the step's seconds (read excluded; the "with read" column
adds it). Prints a Markdown table; docs/performance.md keeps the last results.
"""

import argparse
import contextlib
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2025, 5, 31)


@contextlib.contextmanager
def scratch_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    import psycopg

    server, _, _ = url.rpartition("/")
    name = f"import_bench_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reports_site.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # The product reads at most IMPORT_MAX_ROWS rows; the bench goes beyond.
    settings.IMPORT_MAX_ROWS = 10**6
    settings.IMPORT_MAX_FILE_BYTES = settings.IMPORT_MAX_XLSX_UNPACKED_BYTES = 2**31
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def xlsx_bytes(headers, rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# The peers: plain django-import-export resources on the same columns ----------------------


def peer_resources():
    from import_export import fields, resources, widgets

    from budgets.models import BudgetLine, BudgetSnapshot
    from departments.models import Department, Grade, StaffingCount, StaffingSnapshot

    class Label(widgets.Widget):
        """The Korean label of a choice, as the file has it (a dictionary look-up)."""

        def __init__(self, choices):
            super().__init__()
            self.values = {str(label): value for value, label in choices.choices}

        def clean(self, value, row=None, **kwargs):
            return self.values.get(value, "") if value else ""

    class LineOfRow(widgets.ForeignKeyWidget):
        """The line of the row's department, year and kind: one query per row, as stock."""

        def get_queryset(self, value, row, *args, **kwargs):
            return BudgetLine.objects.filter(
                department__code=row["부서 코드"], year=row["회계연도"]
            )

    class SnapshotOfRow(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return StaffingSnapshot.objects.filter(department__code=row["부서 코드"])

    class Bulk:
        use_bulk = True
        batch_size = 1_000
        skip_diff = True

    class PeerLines(resources.ModelResource):
        department = fields.Field(
            "department", "부서 코드", widgets.ForeignKeyWidget(Department, "code")
        )
        year = fields.Field("year", "회계연도", widgets.IntegerWidget())
        kind = fields.Field("kind", "세입·세출", Label(BudgetLine.Kind))
        level = fields.Field("level", "단계", Label(BudgetLine.Level))
        parent = fields.Field("parent", "상위 사업", LineOfRow(BudgetLine, "name"))
        name = fields.Field("name", "사업명", widgets.CharWidget())
        order = fields.Field("order", "표시 순서", widgets.IntegerWidget(), default=0)
        source = fields.Field("source", "재원", Label(BudgetLine.Source))
        prior_budget = fields.Field(
            "prior_budget", "전년도 최종예산(천원)", widgets.IntegerWidget()
        )

        class Meta(Bulk):
            model = BudgetLine
            fields = ("department", "year", "kind", "level", "parent", "name", "order")
            fields += ("source", "prior_budget")
            import_id_fields = ("department", "year", "kind", "name")

    class PeerSnapshots(resources.ModelResource):
        line = fields.Field("line", "사업명", LineOfRow(BudgetLine, "name"))
        as_of = fields.Field("as_of", "기준일", widgets.DateWidget())
        budget = fields.Field("budget", "예산액(천원)", widgets.IntegerWidget())
        executed = fields.Field("executed", "집행액(천원)", widgets.IntegerWidget())
        committed = fields.Field("committed", "원인행위액(천원)", widgets.IntegerWidget())
        collected = fields.Field("collected", "징수액(천원)", widgets.IntegerWidget())

        class Meta(Bulk):
            model = BudgetSnapshot
            fields = ("line", "as_of", "budget", "executed", "committed", "collected")
            import_id_fields = ("line", "as_of")

    class PeerStaffing(resources.ModelResource):
        snapshot = fields.Field("snapshot", "기준일", SnapshotOfRow(StaffingSnapshot, "as_of"))
        grade = fields.Field("grade", "직급", widgets.ForeignKeyWidget(Grade, "name"))
        authorised = fields.Field("authorised", "정원", widgets.IntegerWidget())
        actual = fields.Field("actual", "현원", widgets.IntegerWidget())

        class Meta(Bulk):
            model = StaffingCount
            fields = ("snapshot", "grade", "authorised", "actual")
            import_id_fields = ("snapshot", "grade")

    return {"lines": PeerLines, "snapshots": PeerSnapshots, "staffing": PeerStaffing}


# The files --------------------------------------------------------------------------------


class Kind:
    """One importable kind: its resource, its file of ``size`` rows and how to start again."""

    def __init__(self, name, size, department, serial):
        from budgets.models import BudgetLine
        from departments.models import Grade, PositionClass, StaffingSnapshot

        self.name, self.size = name, size
        code = department.code
        if name == "lines":
            from budgets.resources import BudgetLineResource as resource

            year = 2030 + serial  # a year of its own: every line is new
            self.headers = ["부서 코드", "회계연도", "세입·세출", "단계", "상위 사업", "사업명"]
            self.headers += ["표시 순서", "재원", "전년도 최종예산(천원)"]
            self.rows = [[code, year, "세출", "단위사업", None, f"사업{n:06d}", n % 100, "구비", n]
                         for n in range(size)]  # fmt: skip
            self.changed = [row[:8] + [row[8] + 1] for row in self.rows]
            self.queryset = BudgetLine.objects.filter(year=year)
        elif name == "snapshots":
            from budgets.resources import BudgetSnapshotResource as resource

            year = 2025
            lines = BudgetLine.objects.bulk_create(
                BudgetLine(department=department, year=year, name=f"집행{serial}-{n:06d}")
                for n in range(size)
            )
            self.headers = ["부서 코드", "회계연도", "세입·세출", "사업명", "기준일"]
            self.headers += ["예산액(천원)", "집행액(천원)", "원인행위액(천원)", "징수액(천원)"]
            self.rows = [[code, year, "세출", line.name, AS_OF, 1_000 + n, n, n // 2, None]
                         for n, line in enumerate(lines)]  # fmt: skip
            self.changed = [row[:5] + [row[5] + 1] + row[6:] for row in self.rows]
            from budgets.models import BudgetSnapshot

            self.queryset = BudgetSnapshot.objects.filter(line__in=lines)
        else:
            from departments.resources import StaffingCountResource as resource

            position, _ = PositionClass.objects.get_or_create(name="일반직")
            grades = [Grade.objects.get_or_create(position_class=position, name=f"{g}급",
                                                  defaults={"order": g})[0]
                      for g in range(1, 21)]  # fmt: skip
            # The 인력 현황 exist (the peer cannot create them): one per 20 rows.
            start = dt.date(2000 + serial, 1, 1)
            days = [start + dt.timedelta(days=n) for n in range((size + 19) // 20)]
            snapshots = StaffingSnapshot.objects.bulk_create(
                StaffingSnapshot(department=department, as_of=day) for day in days
            )
            self.headers = ["부서 코드", "기준일", "직종", "직급", "정원", "현원"]
            self.rows = [[code, days[n // 20], "일반직", grades[n % 20].name, 10, n % 10]
                         for n in range(size)]  # fmt: skip
            self.changed = [row[:4] + [11, row[5]] for row in self.rows]
            from departments.models import StaffingCount

            self.queryset = StaffingCount.objects.filter(snapshot__in=snapshots)
        self.resource = resource

    def reset(self):
        """Delete what an import made (not timed), so the next one creates it again."""
        from django.db.models.query import QuerySet

        QuerySet.delete(self.queryset.all())  # past the period lock check: none is locked


def history_count(kind):
    from simple_history.utils import get_history_manager_for_model

    return get_history_manager_for_model(kind.queryset.model).count()


def timed(step):
    started = time.perf_counter()
    value = step()
    return time.perf_counter() - started, value


def run_kind(name, size, department, user, serial, peers):
    import tablib

    from departments.imports import XLSX, refusal

    kind = Kind(name, size, department, serial)
    data = xlsx_bytes(kind.headers, kind.rows)
    read, dataset = timed(lambda: XLSX().create_dataset(data))
    assert len(dataset) == size
    out = {"kind": name, "rows": size, "read": read}

    out["preview"], result = timed(
        lambda: kind.resource().import_data(dataset, dry_run=True, user=user)
    )
    assert not refusal(result), refusal(result)
    before = history_count(kind)
    out["confirm"], result = timed(lambda: kind.resource().import_data(dataset, user=user))
    assert not refusal(result), refusal(result)
    out["history"] = history_count(kind) - before
    assert kind.queryset.count() == size
    changed = tablib.Dataset(*kind.changed, headers=kind.headers)
    before = history_count(kind)
    out["update"], result = timed(lambda: kind.resource().import_data(changed, user=user))
    assert result.totals["update"] == size, result.totals
    out["update_history"] = history_count(kind) - before
    kind.reset()

    peer = peers[name]
    out["peer_preview"], result = timed(lambda: peer().import_data(dataset, dry_run=True))
    assert not result.has_errors() and not result.has_validation_errors()
    out["peer_confirm"], result = timed(lambda: peer().import_data(dataset))
    assert not result.has_errors(), [e.error for e in result.base_errors]
    assert kind.queryset.count() == size, kind.queryset.count()
    kind.reset()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,50000")
    parser.add_argument("--kinds", default="lines,snapshots,staffing")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    kinds = args.kinds.split(",")
    with scratch_database() as url:
        setup_django(url)
        from django.contrib.auth.models import Group, User
        from django.db import connection

        from departments.access import Role
        from departments.models import Department, Membership

        district = Department.objects.create(name="벤치구", code="BENCH", kind="district")
        department = Department.objects.create(
            name="벤치과", code="BENCH-1", kind="division", parent=district
        )
        user = User.objects.create(username="bench_staff", is_staff=True)
        user.groups.add(Group.objects.get(name=Role.STAFF))
        Membership.objects.create(user=user, department=department)
        peers = peer_resources()
        vendor = connection.vendor
        print(f"\n{vendor} ({connection.Database.__name__}), sizes {sizes}\n", flush=True)
        print(
            "| kind | rows | read s | preview s | confirm s | confirm rows/s | with read rows/s "
            "| history rows | update rows/s | peer preview s | peer confirm s | peer rows/s "
            "| ours / peer |"
        )
        print(
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: |"
        )
        serial = 0
        for size in sizes:
            for name in kinds:
                serial += 1
                r = run_kind(name, size, department, user, serial, peers)
                ours = size / r["confirm"]
                theirs = size / r["peer_confirm"]
                with_read = size / (r["read"] + r["confirm"])
                print(
                    f"| {name} | {size:,} | {r['read']:.2f} | {r['preview']:.2f} "
                    f"| {r['confirm']:.2f} | {ours:,.0f} | {with_read:,.0f} "
                    f"| {r['history']:,} | {size / r['update']:,.0f} "
                    f"| {r['peer_preview']:.2f} | {r['peer_confirm']:.2f} | {theirs:,.0f} "
                    f"| {ours / theirs:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
