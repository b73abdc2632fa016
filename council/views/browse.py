"""Departments by bureau, standing committees, and a program's history."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from departments.models import Department, ReportingPeriod
from programs import outline
from programs.models import Kpi, KpiValue, Program, ProgressEntry

from .. import charts
from ..access import Reader, reports_view, signed_in_view
from ..models import Committee
from .common import crumb, home_crumb


@reports_view
def departments(request):
    units = (
        Department.objects.filter(active=True)
        .exclude(kind=Department.Kind.TEAM)
        .order_by("order", "code")
    )
    children = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    tree = [
        (root, [(child, children.get(child.pk, [])) for child in children.get(root.pk, [])])
        for root in children.get(None, [])
    ]
    context = {"tree": tree, "crumbs": [home_crumb(), crumb(_("부서별"))]}
    return render(request, "council/departments.html", context)


@reports_view
def department(request, code):
    department = get_object_or_404(
        Department.objects.select_related("parent__parent", "unit_kind"), code=code
    )
    reader = Reader.of(request)
    briefings = (
        reader.briefings()
        .filter(department=department)
        .select_related("session")
        .order_by("-session__starts_on")
    )
    context = {
        "department": department,
        "briefings": briefings,
        "committees": department.committees.all(),
        "units": department.children.filter(active=True).order_by("order", "code"),
        "crumbs": [
            home_crumb(),
            crumb(_("부서별"), reverse("council:departments")),
            *[
                crumb(unit.name, reverse("council:department", args=[unit.code]))
                for unit in _ancestors(department)
            ],
            crumb(department.name),
        ],
    }
    if request.user.is_authenticated:
        context |= _department_figures(reader, department)
    return render(request, "council/department.html", context)


def _ancestors(department):
    """The units above the department, top first, without the district."""
    chain, unit = [], department.parent
    while unit is not None and unit.kind != Department.Kind.DISTRICT:
        chain.insert(0, unit)
        unit = unit.parent if unit.parent_id else None
    return chain


def _department_figures(reader, department):
    """The quarters and programs a signed-in reader may open for the department."""
    periods = (
        ReportingPeriod.objects.filter(department=department)
        .filter(reader.figures("department", "year", "quarter"))
        .order_by("-year", "-quarter")
    )
    programs = (
        Program.objects.filter(department=department)
        .filter(reader.figures("department", "year"))
        .order_by("-year", "kind", "order")
        .values("year", "kind", "order", "title")[:60]
    )
    by_year = {}
    for program in programs:
        by_year.setdefault(program["year"], []).append(program)
    return {"periods": periods, "programs_by_year": by_year}


@reports_view
def committees(request):
    context = {
        "committees": Committee.objects.prefetch_related("departments"),
        "crumbs": [home_crumb(), crumb(_("상임위원회별"))],
    }
    return render(request, "council/committees.html", context)


@reports_view
def committee(request, pk):
    committee = get_object_or_404(Committee, pk=pk)
    reader = Reader.of(request)
    members = list(committee.departments.order_by("order", "code"))
    briefings = (
        reader.briefings()
        .filter(department__in=members)
        .select_related("session", "department")
        .order_by("-session__starts_on", "department__order")
    )
    by_session = {}
    for briefing in briefings:
        by_session.setdefault(briefing.session, []).append(briefing)
    context = {
        "committee": committee,
        "members": members,
        "sessions": list(by_session.items()),
        "crumbs": [
            home_crumb(),
            crumb(_("상임위원회별"), reverse("council:committees")),
            crumb(committee.name),
        ],
    }
    return render(request, "council/committee.html", context)


@signed_in_view
def program(request, code, year, kind, order):
    reader = Reader.of(request)
    program = get_object_or_404(
        Program.objects.filter(reader.figures("department", "year")).select_related(
            "department__parent", "team"
        ),
        department__code=code,
        year=year,
        kind=kind,
        order=order,
    )
    entries = (
        ProgressEntry.objects.filter(
            program__department=program.department, program__title=program.title
        )
        .filter(reader.figures("program__department", "year", "quarter"))
        .order_by("-year", "-quarter")
    )
    history = [
        {
            "year": e.year,
            "quarter": e.quarter,
            "achievements": outline.tree(e.achievements),
            "plans": outline.tree(e.plans),
            "budget": e.budget,
            "executed": e.executed,
            "rate": e.rate,
            "source": e.get_budget_source_display(),
        }
        for e in entries
    ]
    values = KpiValue.objects.filter(reader.figures("kpi__program__department", "year"))
    kpis = Kpi.objects.filter(program=program).prefetch_related(Prefetch("values", values))
    kpi_data = [
        {
            "name": k.name,
            "unit": k.unit,
            "direction": k.get_direction_display(),
            "values": [
                {"year": v.year, "target": v.target, "actual": v.actual} for v in k.values.all()
            ],
        }
        for k in kpis
    ]
    context = {
        "program": program,
        "history": history,
        "kpis": kpi_data,
        "charts": [
            c
            for n, k in enumerate(kpi_data, 1)
            if (c := charts.kpi_chart(k, f"chart-kpi-{n}", f"t-kpi-{n}"))
        ],
        "crumbs": [
            home_crumb(),
            crumb(_("부서별"), reverse("council:departments")),
            crumb(program.department.name, reverse("council:department", args=[code])),
            crumb(program.title),
        ],
    }
    return render(request, "council/program.html", context)
