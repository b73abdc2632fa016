"""A quarter's figures, department by department, in the sections of a briefing."""

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Subquery, Value
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from departments.models import Department, ReportingPeriod
from programs.models import ProgressEntry
from reports_site.models import Briefing
from reports_site.report import quarter_of

from ..access import Reader, signed_in_view
from ..reports import period_report
from .common import crumb, home_crumb, section_page, table_download


def _years():
    """{year: [quarters]} that have a review period, progress entries or a briefing."""
    found = set(ReportingPeriod.objects.values_list("year", "quarter").distinct())
    found |= set(ProgressEntry.objects.values_list("year", "quarter").distinct())
    for as_of in Briefing.objects.values_list("as_of", flat=True).distinct():
        found.add((as_of.year, quarter_of(as_of)))
    years = {}
    for year, quarter in sorted(found, reverse=True):
        years.setdefault(year, []).insert(0, quarter)
    return years


@signed_in_view
def periods(request):
    context = {
        "years": _years(),
        "crumbs": [home_crumb(), crumb(_("분기별 현황"))],
    }
    return render(request, "council/periods.html", context)


def _check_quarter(quarter):
    if not 1 <= quarter <= 4:
        raise Http404


def _period_field(year, quarter, name):
    rows = ReportingPeriod.objects.filter(department=OuterRef("pk"), year=year, quarter=quarter)
    return Subquery(rows.values(name)[:1])


def _visible(reader, year, quarter):
    """An annotation: may the reader see the department's figures of that quarter?"""
    condition = reader.figures("pk", "for_year", "for_quarter")
    if not condition:
        return Value(True)
    return ExpressionWrapper(condition, output_field=BooleanField())


def _departments_at(reader, year, quarter):
    return Department.objects.annotate(
        for_year=Value(year),
        for_quarter=Value(quarter),
        status=_period_field(year, quarter, "status"),
        changed=_period_field(year, quarter, "changed_at"),
    ).annotate(visible=_visible(reader, year, quarter))


@signed_in_view
def period(request, year, quarter):
    _check_quarter(quarter)
    reader = Reader.of(request)
    departments = (
        _departments_at(reader, year, quarter)
        .filter(kind=Department.Kind.DIVISION, active=True)
        .select_related("parent")
        .order_by("parent__order", "parent__code", "order", "code")
    )
    statuses = dict(ReportingPeriod.Status.choices)
    departments = list(departments)
    for department in departments:
        department.status_label = statuses.get(department.status, "")
    title = _period_title(year, quarter)
    context = {
        "year": year,
        "quarter": quarter,
        "title": title,
        "groups": _by_parent(departments),
        "crumbs": [
            home_crumb(),
            crumb(_("분기별 현황"), reverse("council:periods")),
            crumb(title),
        ],
    }
    return render(request, "council/period.html", context)


def _by_parent(departments):
    """[(parent, [department])] in the order given."""
    groups = {}
    for department in departments:
        groups.setdefault(department.parent, []).append(department)
    return list(groups.items())


def _period(request, year, quarter, code):
    _check_quarter(quarter)
    reader = Reader.of(request)
    department = (
        _departments_at(reader, year, quarter)
        .select_related("parent")
        .filter(code=code, visible=True)
        .first()
    )
    if department is None:
        raise Http404
    report = period_report(department, year, quarter)
    report.status = dict(ReportingPeriod.Status.choices).get(department.status, "")
    report.updated = department.changed
    for entry in report.outline:
        entry["url"] = reverse("council:period_section", args=[year, quarter, code, entry["key"]])
    return report


def _period_title(year, quarter):
    return _("%(year)d년 %(quarter)d분기") % {"year": year, "quarter": quarter}


def _period_crumbs(year, quarter):
    def crumbs(report, here=None):
        code = report.department.code
        return [
            home_crumb(),
            crumb(_("분기별 현황"), reverse("council:periods")),
            crumb(_period_title(year, quarter), reverse("council:period", args=[year, quarter])),
            crumb(
                report.department.name,
                reverse("council:period_report", args=[year, quarter, code]) if here else None,
            ),
        ] + ([crumb(here)] if here else [])

    return crumbs


@signed_in_view
def period_report_page(request, year, quarter, code):
    report = _period(request, year, quarter, code)
    context = {
        "report": report,
        "updated": report.updated,
        "crumbs": _period_crumbs(year, quarter)(report),
        "context_line": _period_title(year, quarter),
        "period": True,
    }
    return render(request, "council/report.html", context)


@signed_in_view
def period_section(request, year, quarter, code, kind):
    report = _period(request, year, quarter, code)
    crumbs = _period_crumbs(year, quarter)
    return section_page(request, report, kind, crumbs, _period_title(year, quarter))


@signed_in_view
def period_table(request, year, quarter, code, kind, table, fmt):
    report = _period(request, year, quarter, code)
    return table_download(request, report, kind, table, fmt)
