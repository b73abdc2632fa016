"""Comparisons a council member asks for: the same date last year, 증감, and the plan.

Each function takes a section's plain data (live or as published) and reads last year's
figures and the quarter plans in one or two queries, whatever the size of the department.
Last year's rows are matched to this year's by name (budget lines) or title (programs).
These are live rows, so each read keeps to what the reader may see (`council.access.Reader`):
beside a published briefing too, an unapproved figure of last year is not shown.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.db.models.functions import ExtractQuarter, ExtractYear

from budgets.models import BudgetLine, BudgetSnapshot, QuarterPlan
from budgets.tables import percent, year_change
from departments.models import Department, StaffingCount, StaffingSnapshot, member_ids
from programs.models import ProgressEntry
from reports_site.report import blocks_of, quarter_of

# The blocks whose programs are compared with last year's.
PROGRAM_BLOCKS = ("programs", "progress_matrix")


def year_earlier(day):
    """The same date a year before (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _as_date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _number(value):
    return Decimal(value) if isinstance(value, str) else value


# Budget: 예산현황 with last year and the plan -------------------------------------------


# The names of a line and its parents, up to the five levels of the budget tree.
LINE_NAMES = ["line" + "__parent" * depth + "__name" for depth in range(5)]


def _top_line(row):
    """The name of the top line a row's line sits under (a row of 예산현황)."""
    return [row[key] for key in LINE_NAMES if row[key] is not None][-1]


def _dated(rows, day):
    """The rows with the year and quarter of their date `day` (a path), for `Reader.figures`."""
    return rows.annotate(row_year=ExtractYear(day), row_quarter=ExtractQuarter(day))


def plan_to_date(departments, as_of, reader, key=None):
    """{top line name (or `key` of the plan's row): planned execution up to the as-of
    date} of the departments' lines (one query).

    Quarters ended by the as-of date count in full; the current quarter by the share of
    its days gone, so a briefing dated 5.31. is not held to the whole second quarter.
    """
    quarter = quarter_of(as_of)
    plans = QuarterPlan.objects.filter(
        line__department__in=departments,
        line__year=as_of.year,
        line__kind=BudgetLine.Kind.EXPENDITURE,
        quarter__lte=quarter,
    )
    plans = plans.filter(reader.figures("line__department", "line__year", "quarter"))
    plans = plans.values("quarter", "amount", "line__department_id", *LINE_NAMES)
    start = dt.date(as_of.year, 3 * quarter - 2, 1)
    end = dt.date(as_of.year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    gone, length = (as_of - start).days + 1, (end - start).days
    planned = {}
    for plan in plans:
        amount = plan["amount"] if plan["quarter"] < quarter else plan["amount"] * gone // length
        name = (key or _top_line)(plan)
        planned[name] = planned.get(name, 0) + amount
    return planned


@dataclass
class Figures:
    """A top line's budget and execution (its leaves summed) at a date."""

    budget: int | None = None
    executed: int | None = None
    as_of: dt.date | None = None

    @property
    def rate(self):
        return percent(self.executed, self.budget)

    def add(self, snapshot):
        self.budget = (self.budget or 0) + snapshot["budget"]
        if snapshot["executed"] is not None:
            self.executed = (self.executed or 0) + snapshot["executed"]
        self.as_of = max(filter(None, [self.as_of, snapshot["as_of"]]))


def top_line_figures(departments, year, as_of, reader, key=None):
    """{top line name (or `key` of the snapshot's row): Figures} of the departments'
    lines and their total, from each leaf's latest snapshot on or before as_of (one query;
    the same sums as `budgets.tables.budget_table`)."""
    snapshots = (
        _dated(BudgetSnapshot.objects, "as_of")
        .filter(
            line__department__in=departments,
            line__year=year,
            line__kind=BudgetLine.Kind.EXPENDITURE,
            as_of__lte=as_of,
        )
        .filter(reader.figures("line__department", "row_year", "row_quarter"))
        .order_by("line_id", "as_of")
        .values("line_id", "as_of", "budget", "executed", "line__department_id", *LINE_NAMES)
    )
    latest = {row["line_id"]: row for row in snapshots}  # later dates overwrite earlier ones
    lines, total = {}, Figures()
    for row in latest.values():
        lines.setdefault((key or _top_line)(row), Figures()).add(row)
        total.add(row)
    return lines, total


def _budget_row(row, last, planned, last_year_known):
    budget, executed = row["budget"], row["executed"]
    last = last or Figures()
    change = year_change(budget, last.budget, last_year_known)
    return {
        "name": row["name"],
        "budget": budget,
        "executed": executed,
        "rate": _number(row["rate"]),
        "last_budget": last.budget,
        "last_executed": last.executed,
        "last_rate": last.rate,
        "change": change.change,
        "executed_change": year_change(executed, last.executed, last_year_known).change,
        "is_new": change.is_new,
        "planned": planned,
        "planned_rate": percent(planned, budget),
        "behind": bool(planned) and (executed or 0) < planned,
    }


def budget_comparison(department, budget, reader):
    """The rows of 예산현황 (`budget`: the section's data) beside the same date last year."""
    if not budget:
        return None
    as_of = _as_date(budget["as_of"]) or dt.date(budget["year"], 12, 31)
    last_as_of = year_earlier(as_of)
    departments, key = [department.pk], None
    if budget.get("rolled_up"):  # the bureau with its divisions, last year as this
        units = Department.objects.units_of(department)
        departments = member_ids(units)
        if any(row.get("unit") for row in budget["rows"]):  # a row per unit
            unit_of = {pk: unit.department.code for unit in units for pk in unit.members}

            def key(row):
                return unit_of[row["line__department_id"]]

    year = budget["year"] - 1
    last, last_total = top_line_figures(departments, year, last_as_of, reader, key)
    planned = plan_to_date(departments, as_of, reader, key)
    known = last_total.budget is not None  # last year has figures by that date
    total = _budget_row(budget["total"], last_total, sum(planned.values()) or None, known)
    rows = []
    for row in budget["rows"]:
        name = row.get("unit") or row["name"]
        rows.append(_budget_row(row, last.get(name), planned.get(name), known))
    last_day = last_total.as_of or last_as_of
    return {"as_of": as_of, "last_as_of": last_day, "total": total, "rows": rows}


# Staffing: 정원 and 현원 by position class, this year and last -----------------------------


def class_totals(table, total_last=False):
    """{class: (정원, 현원)} from a staffing count table's plain data (its 소계 first, or
    last where the block prints totals last)."""
    authorised, actual = table["rows"][0]["cells"], table["rows"][1]["cells"]
    totals, index = {}, 0
    for group in table["groups"]:
        at = index + len(group["columns"]) - 1 if total_last else index
        totals[group["name"]] = (authorised[at], actual[at])  # 소계 or the one column
        index += len(group["columns"])
    return totals


def _last_year_classes(departments, as_of, reader):
    """Totals by class of each department's latest table the reader may see in the year
    up to as_of (a year ago), summed."""
    latest = (
        _dated(StaffingSnapshot.objects, "as_of")
        .filter(department=OuterRef("snapshot__department"))
        .filter(as_of__lte=as_of, as_of__gt=year_earlier(as_of))
        .filter(reader.figures("department", "row_year", "row_quarter"))
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    counts = (
        StaffingCount.objects.filter(
            snapshot__department__in=departments, snapshot__as_of=Subquery(latest)
        )
        .order_by("grade__position_class__order", "grade__order")
        .values("snapshot__as_of", "grade__position_class__name", "authorised", "actual")
    )
    totals, day = {}, None
    for count in counts:
        name = count["grade__position_class__name"]
        day = max(filter(None, [day, count["snapshot__as_of"]]))
        authorised, actual = totals.get(name, (0, 0))
        totals[name] = (authorised + count["authorised"], actual + count["actual"])
    return totals, day


def staffing_comparison(department, staffing, reader):
    """정원 and 현원 by position class beside the latest table a year earlier (one query)."""
    if not staffing:
        return None
    as_of = _as_date(staffing["as_of"])
    this = class_totals(staffing["table"], staffing.get("total_last", False))
    departments = [department.pk]
    if staffing.get("rolled_up"):  # the bureau with its divisions, last year as this
        departments = member_ids(Department.objects.units_of(department))
    last, last_as_of = _last_year_classes(departments, year_earlier(as_of), reader)
    names = list(this) + [name for name in last if name not in this]
    known = bool(last)  # a table a year earlier
    rows = [_staffing_row(name, this.get(name), last.get(name), known) for name in names]
    total = _staffing_row(
        None,
        tuple(sum(r[k] or 0 for r in rows) for k in ("authorised", "actual")),
        tuple(sum(r[k] or 0 for r in rows) for k in ("last_authorised", "last_actual"))
        if last
        else None,
        known,
    )
    return {"as_of": as_of, "last_as_of": last_as_of, "rows": rows, "total": total}


def _staffing_row(name, this, last, last_year_known):
    authorised, actual = this or (None, None)
    last_authorised, last_actual = last or (None, None)
    return {
        "name": name,
        "authorised": authorised,
        "actual": actual,
        "last_authorised": last_authorised,
        "last_actual": last_actual,
        # a class gone since last year has 0 now; one new this year had none then
        "authorised_change": year_change(authorised or 0, last_authorised, last_year_known).change,
        "actual_change": year_change(actual or 0, last_actual, last_year_known).change,
    }


# Programs: each program's 예산현황 beside last year's program of the same title -----------


def split_program_id(program_id):
    """(department code, program kind, order) from a report's program id."""
    code, kind, order = program_id.rsplit("-", 2)
    return code, kind, int(order)


def program_comparison(department, programs, as_of, reader):
    """Each program's budget, execution and rate beside last year's at the same quarter."""
    if not programs:
        return None
    as_of = _as_date(as_of)
    entries = (
        ProgressEntry.objects.filter(
            program__department=department,
            program__year=as_of.year - 1,
            year=as_of.year - 1,
            quarter__lte=quarter_of(as_of),
        )
        .filter(reader.figures("program__department", "year", "quarter"))
        .order_by("quarter")
        .values("program__title", "budget", "executed")
    )
    last = {entry["program__title"]: entry for entry in entries}  # the latest quarter wins
    known = any(entry["budget"] is not None for entry in last.values())
    rows = []
    for program in programs:
        budget = program["budget"] or {}
        before = last.get(program["title"], {})
        _code, kind, order = split_program_id(program["id"])
        change = year_change(budget.get("budget"), before.get("budget"), known)
        rows.append(
            {
                "id": program["id"],
                "mark": program["mark"],
                "title": program["title"],
                "kind": kind,
                "order": order,
                "budget": budget.get("budget"),
                "executed": budget.get("executed"),
                "rate": _number(budget.get("rate")),
                "last_budget": before.get("budget"),
                "last_executed": before.get("executed"),
                "last_rate": percent(before.get("executed"), before.get("budget")),
                "change": change.change,
                "is_new": change.is_new,
            }
        )
    return {"year": as_of.year, "rows": rows}


def summary_budget(section):
    """The 세출 table of the first budget block of top lines only (예산현황), or None: the
    comparison matches last year's lines by top-line name."""
    for block in blocks_of(section, "budget"):
        if block.get("decimals") is not None:  # amounts in 백만원 or 억원, last year's in 천원
            continue
        for table in block["tables"]:
            if table.get("by_category"):  # last year's lines are matched by name, not kind
                continue
            if table["kind"] == "세출" and all(row["depth"] == 0 for row in table["rows"]):
                return table
    return None


def section_comparisons(department, as_of, section, reader):
    """The comparisons a section shows under it (an empty dict when it has none), from the
    figures the reader may see, read off the blocks it holds."""
    found = {}
    staffing = next(iter(blocks_of(section, "staffing")), None)
    if staffing:
        found["staffing"] = staffing_comparison(department, staffing, reader)
    budget = summary_budget(section)
    if budget:
        found["budget"] = budget_comparison(department, budget, reader)
    programs, seen = [], set()
    for block in blocks_of(section):
        if block["kind"] in PROGRAM_BLOCKS:
            fresh = [p for p in block["programs"] if p["id"] not in seen]
            seen.update(p["id"] for p in fresh)
            programs += fresh
    if programs:
        found["programs"] = program_comparison(department, programs, as_of, reader)
    return found
