"""The content of a briefing as plain data, for the web page, the PDF and frozen editions.

`build_report(briefing)` reads everything a briefing shows at its as-of date and returns
nested dicts and lists of strings, integers and None only. The templates read it with dot
lookups, so a live briefing and a published edition (the same data stored as JSON) render
through the same templates, and two editions can be compared key by key.

Money stays integer 천원; rates and areas are Decimals written as strings ("44.2"), so JSON
never turns them into floats.
"""

import dataclasses
import datetime as dt
import hashlib
import json
from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, Subquery
from django.utils import translation
from django.utils.functional import Promise

from budgets.models import BudgetLine
from budgets.tables import budget_table, percent
from departments.models import Duty, Facility, StaffingSnapshot, VehicleFleet
from departments.tables import facility_groups, staffing_table, vehicle_table
from programs import outline
from programs.models import CouncilRequest, Kpi, Program, ProgressEntry, StrategicGoal

from .models import BriefingSection

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def plain(value):
    """Dataclasses, Decimals, dates and lazy strings as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


def content_hash(data):
    """A stable fingerprint of report data: equal data, equal hash."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def quarter_of(date):
    return (date.month - 1) // 3 + 1


def number_mark(order):
    return CIRCLED[order - 1] if 0 < order <= len(CIRCLED) else str(order)


# Sections ---------------------------------------------------------------------------------


def _latest(queryset, department, as_of):
    """The rows of the latest as-of date on or before the briefing's, in one query."""
    rows = queryset.filter(department=department, as_of__lte=as_of)
    latest = rows.order_by("-as_of").values("as_of")[:1]
    return rows.filter(as_of=Subquery(latest))


def _organisation(department, as_of):
    teams = list(department.children.filter(active=True).order_by("order"))
    duties = defaultdict(list)  # the department's and its teams' duties in one query
    for duty in Duty.objects.filter(department__in=[department, *teams]).order_by("order"):
        duties[duty.department_id].append(duty.text)
    return {
        "name": department.name_on(as_of),
        "head_title": department.head_title,
        "phone": department.phone,
        "duties": duties[department.pk],
        "teams": [{"name": t.name, "duties": duties[t.pk]} for t in teams],
    }


def _staffing(department, as_of):
    snapshot = _latest(StaffingSnapshot.objects, department, as_of).first()
    if snapshot is None:
        return None
    return {"as_of": snapshot.as_of, "note": snapshot.note, "table": staffing_table(snapshot)}


def _facilities(department, as_of):
    facilities = (
        _latest(Facility.objects, department, as_of)
        .select_related("managed_by")
        .prefetch_related("extensions")
        .order_by("category", "order")
    )
    groups = []
    for group in facility_groups(list(facilities)):
        rows = [f for site in group.sites for f in site.facilities]
        groups.append(
            {
                "category": group.category,
                "buildings": any(f.land_area or f.floor_area for f in rows),
                "sites": [
                    {
                        "name": site.name,
                        "land_total": site.land_total,
                        "floor_total": site.floor_total,
                        "facilities": [_facility(f) for f in site.facilities],
                    }
                    for site in group.sites
                ],
            }
        )
    as_of_date = facilities[0].as_of if groups else None
    return {"as_of": as_of_date, "groups": groups} if groups else None


def _facility(f):
    return {
        "name": f.name,
        "land_area": f.land_area,
        "floor_area": f.floor_area,
        "scale": f.scale,
        "completed_on": f.completed_on,
        "extensions": [
            {"completed_on": e.completed_on, "description": e.description}
            for e in f.extensions.all()
        ],
        "ownership": f.get_ownership_display(),
        "leased": f.ownership == Facility.Ownership.LEASED,
        "description": f.description,
        "notes": f.notes,
        "managed_by": f.managed_by.name if f.managed_by else "",
    }


def _vehicles(department, as_of):
    fleet = _latest(VehicleFleet.objects, department, as_of).first()
    if fleet is None:
        return None
    table = vehicle_table(fleet)
    total = table.rows[0].total if table.rows else 0
    return {
        "as_of": fleet.as_of,
        "quota": fleet.quota,
        "total": total,
        "note": fleet.note,
        "table": table,
    }


def _budget(department, as_of, kind=BudgetLine.Kind.EXPENDITURE, detail=False):
    table = budget_table(department, as_of.year, kind, as_of)
    if not table.rows:
        return None
    rows = table.rows if detail else [r for r in table.rows if r.depth == 0]
    return {
        "year": table.year,
        "kind": str(BudgetLine.Kind(kind).label),
        "as_of": table.as_of,
        "total": _budget_row(table.total),
        "rows": [_budget_row(r) for r in rows],
    }


def _budget_row(row):
    fields = ("name", "depth", "budget", "executed", "prior", "remainder", "rate", "change")
    data = {name: getattr(row, name) for name in fields}
    data |= {
        "level": row.level_label,
        "source": row.source_label,
        "change_rate": row.change_rate,
        "is_new": row.is_new,
        "share": row.share,
    }
    return data


def general(briefing, department):
    as_of = briefing.as_of
    return {
        "organisation": _organisation(department, as_of),
        "staffing": _staffing(department, as_of),
        "facilities": _facilities(department, as_of),
        "vehicles": _vehicles(department, as_of),
        "budget": _budget(department, as_of),
    }


def _programs(department, as_of, kind):
    """Programs of the year with their latest progress entry up to the as-of quarter."""
    entries = ProgressEntry.objects.filter(year=as_of.year, quarter__lte=quarter_of(as_of))
    programs = (
        Program.objects.filter(department=department, year=as_of.year, kind=kind)
        .select_related("team", "department")
        .prefetch_related(
            Prefetch("progress", entries.order_by("-quarter"), to_attr="entries"),
            "schedule",
            Prefetch("kpis", Kpi.objects.prefetch_related("values")),
        )
        .order_by("order")
    )
    return [_program(p) for p in programs]


def _outline(text):
    return plain(_items(outline.tree(text)))


def _items(nodes):
    return [
        dataclasses.asdict(item, dict_factory=dict)
        | {"is_note": item.is_note, "children": _items(item.children)}
        for item in nodes
    ]


def _program(program):
    entry = program.entries[0] if program.entries else None
    return {
        "id": f"{program.department.code}-{program.kind}-{program.order}",
        "number": program.order,
        "mark": number_mark(program.order),
        "title": program.title,
        "unit_title": program.unit_title,
        "team": program.team.name if program.team else "",
        "purpose": program.purpose,
        "legal_basis": program.legal_basis,
        "period": program.period,
        "overview": _outline(program.overview),
        "quarter": entry.quarter if entry else None,
        "achievements": _outline(entry.achievements) if entry else [],
        "plans": _outline(entry.plans) if entry else [],
        "budget": _program_budget(entry),
        "schedule": [
            {
                "when": s.when,
                "text": s.text,
                "amount": s.amount,
                "quarter": s.quarter,
                "month": s.month,
            }
            for s in program.schedule.all()
        ],
        "kpis": [_kpi(k) for k in program.kpis.all()],
    }


def _program_budget(entry):
    if entry is None or entry.budget is None:
        return None
    return {
        "budget": entry.budget,
        "executed": entry.executed,
        "rate": entry.rate,
        "source": entry.get_budget_source_display(),
        "note": entry.budget_note,
    }


def _kpi(kpi):
    return {
        "name": kpi.name,
        "unit": kpi.unit,
        "direction": kpi.get_direction_display(),
        "values": [
            {
                "year": v.year,
                "target": v.target,
                "actual": v.actual,
                "achieved": percent(v.actual, v.target),
            }
            for v in kpi.values.all()
        ],
    }


def goals(briefing, department):
    year = briefing.as_of.year
    mission = department.missions.filter(year=year).first()
    strategic = (
        StrategicGoal.objects.filter(department=department, year=year)
        .prefetch_related("performance_goals__programs")
        .order_by("order")
    )
    return {
        "mission": mission.text if mission else "",
        "goals": [
            {
                "number": s.order,
                "title": s.title,
                "performance_goals": [
                    {
                        "number": p.number,
                        "title": p.title,
                        "programs": [prog.title for prog in p.programs.all()],
                    }
                    for p in s.performance_goals.all()
                ],
            }
            for s in strategic
        ],
    }


def programs(briefing, department):
    return {"programs": _programs(department, briefing.as_of, Program.Kind.MAIN)}


def new_programs(briefing, department):
    return {"programs": _programs(department, briefing.as_of, Program.Kind.NEW_PRIORITY)}


def budget_detail(briefing, department):
    tables = [
        _budget(department, briefing.as_of, kind, detail=True) for kind in BudgetLine.Kind.values
    ]
    return {"tables": [t for t in tables if t]}


def all_programs(briefing, department):
    return {
        "programs": _programs(department, briefing.as_of, Program.Kind.MAIN)
        + _programs(department, briefing.as_of, Program.Kind.NEW_PRIORITY)
    }


def council_requests(briefing, department):
    requests = CouncilRequest.objects.filter(
        department=department, year__lte=briefing.as_of.year
    ).order_by("-year", "-quarter", "kind", "order")
    requests = list(requests)
    counts = {status: 0 for status in CouncilRequest.Status.values}
    for r in requests:
        counts[r.status] += 1
    return {
        "counts": [
            {"status": str(CouncilRequest.Status(s).label), "count": n} for s, n in counts.items()
        ],
        "total": len(requests),
        "requests": [
            {
                "year": r.year,
                "kind": r.get_kind_display(),
                "text": r.text,
                "status": r.get_status_display(),
                "action_taken": r.action_taken,
                "plan": r.plan,
            }
            for r in requests
        ],
    }


BUILDERS = {
    BriefingSection.Kind.GENERAL: general,
    BriefingSection.Kind.GOALS: goals,
    BriefingSection.Kind.PROGRAMS: programs,
    BriefingSection.Kind.NEW_PROGRAMS: new_programs,
    BriefingSection.Kind.BUDGET_DETAIL: budget_detail,
    BriefingSection.Kind.SCHEDULE: all_programs,
    BriefingSection.Kind.KPIS: all_programs,
    BriefingSection.Kind.PROGRESS_MATRIX: all_programs,
    BriefingSection.Kind.COUNCIL_REQUESTS: council_requests,
}


def build_section(briefing, section, number):
    """One section of the briefing (number: its position, from 0), as plain data.

    The web pages build one section at a time with this; an unsaved Briefing with only a
    department and an as-of date (a quarter's figures) works too. The data is the Korean
    document whatever the reader's language (labels such as 계 are in the source language),
    so an edition frozen from it prints the same Korean PDF; the pages translate the labels
    as they show them (the `translated` filter).
    """
    department = briefing.department
    with translation.override("ko"):
        return plain(
            {
                "kind": section.kind,
                "id": f"s-{department.code}-{section.kind}",
                "numeral": ROMAN[number] if number < len(ROMAN) else str(number + 1),
                "heading": str(section),
                **BUILDERS[section.kind](briefing, department),
            }
        )


def build_report(briefing):
    """Everything one briefing shows, as plain data (see the module docstring)."""
    session, department = briefing.session, briefing.department
    sections = [
        build_section(briefing, section, number)
        for number, section in enumerate(briefing.sections.all())
    ]
    return plain(
        {
            "session": {
                "title": session.title,
                "council": session.council,
                "starts_on": session.starts_on,
                "ends_on": session.ends_on,
            },
            "department": {"code": department.code, "name": department.name_on(briefing.as_of)},
            "title": briefing.title,
            "slogan": briefing.slogan,
            "issued": briefing.issued,
            "as_of": briefing.as_of,
            "contacts": [
                {"title": c.title, "name": c.name, "phone": c.phone}
                for c in briefing.contacts.all()
            ],
            "sections": sections,
        }
    )
