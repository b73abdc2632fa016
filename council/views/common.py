"""What the report pages share: breadcrumbs, one section of a report (a briefing's or a
quarter's) with its comparisons, charts and downloads, and a table as a file."""

import time

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports_site.downloads import safe_filename
from reports_site.report import blocks_of
from reports_site.templatetags.briefing import kdate, translated

from .. import charts, compare, exports, pagecache
from ..access import Reader
from ..reports import load_sections, section_html

EXTRAS_KEPT = 300  # seconds
DOWNLOAD_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def crumb(label, url=None):
    return {"label": label, "url": url}


def home_crumb():
    return crumb(_("홈"), reverse("council:home"))


# One section of a report (a briefing's or a quarter's) ---------------------------------------


def section_page(request, report, kind, crumbs, context_line):
    entry = report.entry(kind)
    if entry is None:
        raise Http404
    page = pagecache.cached(request, report)
    if page is not None:
        return page
    load_sections(report, [kind])
    section = report.sections[kind]
    position = report.outline.index(entry)
    extras, expires_at = _extras(request, report, section, entry["url"])
    context = {
        "report": report,
        "section": section,
        "part": section_html(report, section),
        "extras": extras,
        "previous": report.outline[position - 1] if position else None,
        "next": report.outline[position + 1] if position + 1 < len(report.outline) else None,
        "crumbs": crumbs(report, f"{entry['mark']} {translated(entry['heading'])}".strip()),
        "context_line": context_line,
    } | pagecache.context(request, report)
    response = render(request, "council/section.html", context)
    return pagecache.store(request, report, response, expires_at)


def _extras(request, report, section, base):
    """The comparisons, charts and downloads under a section, as HTML, and when they go
    stale (time.time(); None when not shared). Under a published edition they are kept a
    few minutes: readers of one briefing share them, and a correction of last year's
    (approved) figures shows after that delay at most. Readers who see different figures
    (the department's own people, the clerks) do not share."""
    reader = Reader.of(request)
    signed_in = request.user.is_authenticated  # program histories are linked for them

    def render_extras():
        comparisons = _comparisons(report, section, reader)
        sheets = exports.section_sheets(section, comparisons)
        context = {
            "report": report,
            "section": section,
            "comparisons": comparisons,
            "charts": _charts(comparisons),
            "kpi_charts": _kpi_charts(section),
            "kpi_programs": _kpi_programs(section),
            "downloads": [
                {"title": s.title, "xlsx": f"{base}{s.id}.xlsx", "csv": f"{base}{s.id}.csv"}
                for s in sheets
            ],
            "program_links": signed_in,
        }
        return render_to_string("council/includes/section_extras.html", context, request)

    if not report.edition:
        return render_extras(), None
    edition, kind, language = report.edition["id"], section["key"], get_language()
    scope = reader.scope(report.department)
    key = f"council:extras:{edition}:{kind}:{language}:{signed_in}:{scope}"
    found = cache.get(key)
    if found is None:
        found = (time.time() + EXTRAS_KEPT, render_extras())
        cache.set(key, found, EXTRAS_KEPT)
    expires_at, html = found
    return html, expires_at


def _charts(comparisons):
    found = [
        charts.staffing_chart(comparisons.get("staffing")),
        charts.execution_chart(comparisons.get("budget")),
    ]
    return [chart for chart in found if chart]


def _kpi_programs(section):
    """The programs of the section's program blocks, for the KPI table and charts under it."""
    return [p for block in blocks_of(section, "programs") for p in block["programs"]]


def _kpi_charts(section):
    found = charts.kpi_charts(_kpi_programs(section), "t-kpis")
    for block in blocks_of(section, "kpis"):
        found += charts.kpi_charts(block["programs"], section["id"])
    return found


def _comparisons(report, section, reader):
    return compare.section_comparisons(report.department, report.as_of, section, reader)


def table_download(request, report, kind, table, fmt):
    if fmt not in DOWNLOAD_TYPES or report.entry(kind) is None:
        raise Http404
    load_sections(report, [kind])
    section = report.sections[kind]
    comparisons = _comparisons(report, section, Reader.of(request))
    sheet = next((s for s in exports.section_sheets(section, comparisons) if s.id == table), None)
    if sheet is None:
        raise Http404
    caption = _("%(department)s %(title)s · %(table)s (%(as_of)s 기준)") % {
        "department": report.department.name,
        "title": report.title,
        "table": sheet.title,
        "as_of": kdate(report.as_of),
    }
    content = exports.to_xlsx(sheet, caption) if fmt == "xlsx" else exports.to_csv(sheet)
    response = HttpResponse(content, content_type=DOWNLOAD_TYPES[fmt])
    filename = safe_filename(f"{report.department.name} {report.title} {sheet.title}", fmt)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
