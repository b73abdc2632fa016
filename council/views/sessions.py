"""Home, sessions and briefings: a briefing's overview, one section per page, its tables
and its PDF."""

import time

from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from departments.models import ANCESTORS, ReportingPeriod
from programs.models import ProgressEntry
from reports_site.downloads import safe_filename
from reports_site.models import Briefing, CouncilSession, Edition
from reports_site.report import quarter_of

from .. import pagecache
from ..access import Reader, reports_view
from ..models import Committee
from ..reports import briefing_report
from .common import EXTRAS_KEPT, crumb, home_crumb, section_page, table_download


def current_period():
    """The quarter being reported: the newest review period, else the newest progress
    entry, else today's quarter."""
    for rows in (ReportingPeriod.objects, ProgressEntry.objects):
        found = rows.order_by("-year", "-quarter").values("year", "quarter").first()
        if found:
            return found["year"], found["quarter"]
    today = timezone.localdate()
    return today.year, quarter_of(today)


@reports_view
def home(request):
    reader = Reader.of(request)
    visible = reader.briefings().filter(session=OuterRef("pk")).values("session")
    sessions = CouncilSession.objects.annotate(
        briefing_count=Subquery(visible.annotate(n=Count("pk")).values("n")[:1])
    ).order_by("-starts_on")
    if not reader.sees_all:
        sessions = sessions.filter(briefing_count__gt=0)
    year, quarter = current_period()
    context = {
        "sessions": sessions,
        "current": {"year": year, "quarter": quarter},
        "committees": Committee.objects.all(),
    }
    return render(request, "council/home.html", context)


@reports_view
def session(request, session_id):
    session = get_object_or_404(CouncilSession, pk=session_id)
    reader = Reader.of(request)
    briefings = reader.briefings().filter(session=session)
    briefings = briefings.select_related(f"department__{ANCESTORS}")
    briefings = sorted(briefings, key=lambda b: b.department.tree_key())  # 국, then its 과
    reported = {b.department_id for b in briefings}
    for b in briefings:
        b.under_parent = b.department.parent_id in reported
    booklet = (
        Edition.objects.booklets()
        .filter(session=session)
        .order_by("-number")
        .values("number", "pages", "published_at")
        .first()
    )
    context = {
        "session": session,
        "groups": _by_committee(session, briefings),
        "booklet": booklet,
        "crumbs": [home_crumb(), crumb(session.title)],
    }
    return render(request, "council/session.html", context)


def _by_committee(session, briefings):
    """[(committee or None, [briefing])]: each committee's departments, then the others."""
    committees = Committee.objects.filter(council=session.council).prefetch_related("departments")
    groups, placed = [], set()
    for committee in committees:
        members = {d.pk for d in committee.departments.all()}
        mine = [b for b in briefings if b.department_id in members]
        placed |= {b.pk for b in mine}
        if mine:
            groups.append((committee, mine))
    rest = [b for b in briefings if b.pk not in placed]
    if rest:
        groups.append((None, rest))
    return groups


@reports_view
def booklet_pdf(request, session_id):
    edition = Edition.objects.booklets().filter(session_id=session_id).order_by("-number").first()
    name = f"{edition.session.title} {edition.number}" if edition else ""
    return _pdf(edition, name)


def _pdf(edition, name):
    if edition is None or not edition.pdf or not edition.pdf.storage.exists(edition.pdf.name):
        raise Http404
    return FileResponse(
        edition.pdf.open("rb"), filename=safe_filename(name, "pdf"), content_type="application/pdf"
    )


# A briefing: its overview, one section per page, its tables and its PDF --------------------


def _briefing(request, session_id, code):
    """The briefing's report, if the reader may see it; else 404."""
    briefing = get_object_or_404(
        Briefing.objects.select_related("session", "department__parent", "style"),
        session_id=session_id,
        department__code=code,
    )
    report = briefing_report(briefing)
    if not Reader.of(request).may_read(briefing, report.edition):
        raise Http404  # a draft of another department looks like no briefing at all
    return report


def _briefing_urls(report):
    session_id, code = report.briefing.session_id, report.department.code
    for entry in report.outline:
        entry["url"] = reverse("council:briefing_section", args=[session_id, code, entry["key"]])
        entry["page"] = report.pages.get(entry["id"])
    return reverse("council:briefing", args=[session_id, code])


def _briefing_crumbs(report, here=None):
    briefing = report.briefing
    crumbs = [
        home_crumb(),
        crumb(briefing.session.title, reverse("council:session", args=[briefing.session_id])),
        crumb(report.department.name, _briefing_urls(report) if here else None),
    ]
    return crumbs + ([crumb(here)] if here else [])


@reports_view
def briefing(request, session_id, code):
    report = _briefing(request, session_id, code)
    page = pagecache.cached(request, report)
    if page is not None:
        return page
    _briefing_urls(report)
    if report.edition:
        updated = report.edition["published_at"]
    else:
        report.contacts = list(report.briefing.contacts.values("title", "name", "phone"))
        updated = report.briefing.history.values_list("history_date", flat=True).first()
    context = {
        "report": report,
        "updated": updated,
        "crumbs": _briefing_crumbs(report),
        "context_line": report.briefing.session.title,
    } | pagecache.context(request, report)
    response = render(request, "council/report.html", context)
    # Kept as long as a section page: anything live on it shows after that delay at most.
    return pagecache.store(request, report, response, time.time() + EXTRAS_KEPT)


@reports_view
def briefing_section(request, session_id, code, kind):
    report = _briefing(request, session_id, code)
    _briefing_urls(report)
    return section_page(request, report, kind, _briefing_crumbs, report.briefing.session.title)


@reports_view
def briefing_table(request, session_id, code, kind, table, fmt):
    report = _briefing(request, session_id, code)
    return table_download(request, report, kind, table, fmt)


@reports_view
def briefing_pdf(request, session_id, code):
    report = _briefing(request, session_id, code)
    if not report.edition:
        raise Http404
    edition = Edition.objects.get(pk=report.edition["id"])
    return _pdf(edition, f"{report.department.name} {report.title}")
