"""The report a page shows: a briefing (as published, or live) or a quarter's figures.

A page shows one section at a time, so a live report builds only that section
(`report.build_section`); a published briefing reads its latest edition, which holds every
section as it was published.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports_site import layouts
from reports_site.blocks import Context
from reports_site.models import Briefing, Edition
from reports_site.report import (
    build_section,
    context,
    mark_of,
    section_id,
    section_key,
    top_numbers,
    upgrade,
)

QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def quarter_end(year, quarter):
    return dt.date(year, *QUARTER_ENDS[quarter])


@dataclass
class Report:
    """A report's heading data and its sections; `sections` hold data once built."""

    department: object
    title: str
    as_of: dt.date
    outline: list  # [{key, id, mark, heading}] of the top-level sections, in order
    layout: list = field(default_factory=list)  # the section nodes (live reports)
    style: dict = field(default_factory=dict)  # the house style it prints in
    briefing: Briefing | None = None
    edition: dict | None = None  # id, number, published_at, pages of the latest edition
    booklet: dict | None = None  # the same of the session's latest booklet
    pages: dict = field(default_factory=dict)  # anchor id → booklet or edition page
    sections: dict = field(default_factory=dict)  # key → section data
    contacts: list = field(default_factory=list)
    frozen_key: str = ""  # where an edition's data is cached
    status: str = ""  # a quarter's review status
    updated: object = None  # when a quarter's review last moved

    def entry(self, key):
        return next((entry for entry in self.outline if entry["key"] == key), None)


def _outline(code, nodes, style):
    """The top-level sections of a layout as outline entries (no figure read)."""
    entries = []
    for position, (node, number) in enumerate(zip(nodes, top_numbers(nodes), strict=True), 1):
        key = section_key(node, position)
        mark = mark_of(style, node, 1, number)
        entries.append(
            {"key": key, "id": section_id(code, key), "mark": mark, "heading": node["heading"]}
        )
    return entries


def _editions(briefing):
    """The latest edition of the briefing and of its session's booklet (one query, no JSON)."""
    rows = Edition.objects.filter(
        Q(briefing_id=briefing.pk) | Q(briefing__isnull=True), session_id=briefing.session_id
    ).order_by("-number")
    own = booklet = None
    for row in rows.values("id", "briefing_id", "number", "published_at", "pages"):
        if row["briefing_id"] and own is None:
            own = row
        elif not row["briefing_id"] and booklet is None:
            booklet = row
    return own, booklet


def _frozen(edition_id, booklet_id, code):
    """What the pages need of an edition: its outline, contacts and page numbers, and each
    section's data. Editions never change, so this is read once and kept in the cache."""
    key = f"council:edition:{edition_id}:{booklet_id or 0}"
    return key, cache.get(key) or _read_edition(key, edition_id, booklet_id, code)


def _read_edition(key, edition_id, booklet_id, code):
    data = upgrade(Edition.objects.values_list("data", flat=True).get(pk=edition_id))
    page_map = Edition.objects.values_list("page_map", flat=True).get(pk=booklet_id or edition_id)
    mine = (f"s-{code}-", f"{code}-")  # a booklet numbers every department's pages
    found = {
        "outline": [{k: s[k] for k in ("key", "id", "mark", "heading")} for s in data["sections"]],
        "style": data["style"],
        "contacts": data.get("contacts", []),
        "pages": {k: v for k, v in page_map.items() if k.startswith(mine)},
    }
    sections = {f"{key}:{s['key']}": s for s in data["sections"]}
    cache.set_many({key: found} | sections, timeout=None)
    return found


def briefing_report(briefing):
    """The report of a briefing; a published briefing shows its latest edition: the
    outline, data and pages as published. Otherwise its layout is read (its figures are
    read section by section, `load_sections`)."""
    department = briefing.department
    report = Report(department, briefing.title, briefing.as_of, [], briefing=briefing)
    if briefing.status == Briefing.Status.PUBLISHED:
        own, booklet = _editions(briefing)
        if own:
            report.edition, report.booklet = own, booklet
            key, frozen = _frozen(own["id"], booklet and booklet["id"], department.code)
            report.frozen_key = key
            report.outline = [dict(entry) for entry in frozen["outline"]]
            report.contacts, report.pages = frozen["contacts"], frozen["pages"]
            report.style = frozen["style"]
            return report
    report.layout = layouts.of(briefing)
    report.style = context(briefing).style
    report.outline = _outline(department.code, report.layout, report.style)
    return report


def load_sections(report, kinds=None):
    """Fills `report.sections` for the given keys (None: all), from the edition or live."""
    kinds = [e["key"] for e in report.outline] if kinds is None else kinds
    if report.edition:
        keys = {f"{report.frozen_key}:{kind}": kind for kind in kinds}
        found = cache.get_many(list(keys))
        if len(found) < len(keys):  # evicted from the cache: read the edition again
            booklet = report.booklet and report.booklet["id"]
            args = (report.frozen_key, report.edition["id"], booklet, report.department.code)
            _read_edition(*args)
            found = cache.get_many(list(keys))
        report.sections = {keys[key]: section for key, section in found.items()}
        return report
    briefing = report.briefing or Briefing(department=report.department, as_of=report.as_of)
    ctx = Context(briefing, briefing.department, briefing.as_of, report.style)
    numbers = top_numbers(report.layout)
    for position, (entry, node) in enumerate(zip(report.outline, report.layout, strict=True), 1):
        if entry["key"] in kinds:
            section = build_section(ctx, node, position, numbers[position - 1])
            report.sections[entry["key"]] = section
    return report


def period_report(department, year, quarter):
    """A department's figures at the end of a quarter, in the standard layout."""
    layout = layouts.standard()
    style = context(Briefing(department=department)).style
    title = _("%(year)d년 %(quarter)d분기 현황") % {"year": year, "quarter": quarter}
    outline = _outline(department.code, layout, style)
    return Report(department, title, quarter_end(year, quarter), outline, layout, style)


def section_html(report, section):
    """The section as the briefing prints it (the shared `reports/part.html`).

    A published edition never changes, so its sections are rendered once per edition,
    booklet (page numbers) and language, and kept in the cache.
    """
    data = {"report": {"sections": [section], "style": report.style}, "pages": report.pages}
    if not report.edition:
        return render_to_string("reports/part.html", data)
    booklet = report.booklet["id"] if report.booklet else 0
    key = f"council:part:{report.edition['id']}:{booklet}:{section['key']}:{get_language()}"
    return cache.get_or_set(key, lambda: render_to_string("reports/part.html", data), None)
