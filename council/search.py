"""Search across programs, progress texts and council requests.

Korean words carry particles (청사를, 청사의), so whole-word full-text search misses them:
every backend matches substrings (each word of the query must appear somewhere). On
PostgreSQL programs and progress texts are ranked by the trigram word similarity of their
program's title to the query (pg_trgm, enabled with trigram indexes by this app's
migration, which also serve the substring match for words of three letters or more);
otherwise, and on SQLite, the newest come first. Each kind is one query, capped,
whatever the size of the data.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.models import ReportingPeriod
from programs.models import CouncilRequest, Program, ProgressEntry
from reports_site.models import Briefing

from .access import shown_condition

LIMIT = 30
MAX_TERMS = 5
MAX_LENGTH = 100
SNIPPET = 60  # characters each side of the first match

KINDS = {
    "program": _("사업"),
    "progress": _("추진실적"),
    "request": _("의회 요구사항"),
}


@dataclass
class Hit:
    kind: str
    title: str
    snippet: str
    department: object
    year: int
    quarter: int | None
    obj: object
    rank: float = 0

    @property
    def kind_label(self):
        return KINDS[self.kind]


def terms_of(query):
    return query[:MAX_LENGTH].split()[:MAX_TERMS]


def _matches(fields, terms):
    """Every term in one of the fields.

    Hangul has no case: a term without cased letters is matched as it is, which spares
    the database upper-casing every text (icontains) and lets the trigram index serve it.
    """
    condition = Q()
    for term in terms:
        lookup = "icontains" if term.lower() != term.upper() else "contains"
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__{lookup}": term})
        condition &= any_field
    return condition


def _ranked(queryset, fields, terms, query, title):
    """Matching rows, best first: by trigram similarity of their (program's) title to the
    query on PostgreSQL, newest first after that and on SQLite."""
    rows = queryset.filter(_matches(fields, terms))
    if connection.vendor != "postgresql" or title is None:
        return rows.order_by("-year", "-pk")
    # Titles are short; ranking long texts by similarity would cost a scan of every match.
    rank = TrigramWordSimilarity(query, title)
    return rows.annotate(rank=rank).order_by("-rank", "-year", "-pk")


def snippet(text, terms):
    """A window of the text around the first term, the terms marked (HTML-safe)."""
    text = " ".join(str(text).split())
    lowered = text.lower()
    positions = [lowered.find(term.lower()) for term in terms if term.lower() in lowered]
    start = min(positions) if positions else 0
    left, right = max(0, start - SNIPPET), min(len(text), start + SNIPPET)
    window = text[left:right]
    marked = escape(window)
    for term in sorted(set(terms), key=len, reverse=True):
        marked = _mark(marked, escape(term))
    return mark_safe(("…" if left else "") + marked + ("…" if right < len(text) else ""))  # noqa: S308


def _mark(html, term):
    lowered, needle, out, index = html.lower(), term.lower(), [], 0
    while needle and (found := lowered.find(needle, index)) != -1:
        out += [html[index:found], "<mark>", html[found : found + len(term)], "</mark>"]
        index = found + len(term)
    return "".join(out) + html[index:]


def _first_with(texts, terms):
    return next((t for t in texts if any(term.lower() in t.lower() for term in terms)), texts[0])


def search(query, reader):
    """Hits of the three kinds the reader may see: {kind: [Hit]}."""
    terms = terms_of(query)
    if not terms:
        return {kind: [] for kind in KINDS}
    query = " ".join(terms)
    programs = _ranked(
        Program.objects.filter(reader.figures("department", "year")),
        ["title", "purpose", "overview"],
        terms,
        query,
        title="title",
    ).select_related("department")[:LIMIT]
    entries = _ranked(
        ProgressEntry.objects.filter(reader.figures("program__department", "year", "quarter")),
        ["achievements", "plans"],
        terms,
        query,
        title="program__title",
    ).select_related("program__department")[:LIMIT]
    requests = _ranked(
        CouncilRequest.objects.filter(reader.figures("department", "year", "quarter")),
        ["text", "action_taken", "plan"],
        terms,
        query,
        title=None,
    )
    requests = requests.annotate(shown_quarter=_latest_locked_quarter()).select_related(
        "department", "kind"
    )[:LIMIT]
    return {
        "program": [_program_hit(p, terms) for p in programs],
        "progress": [_progress_hit(e, terms) for e in entries],
        "request": [_request_hit(r, terms) for r in requests],
    }


def _latest_locked_quarter():
    """The last approved quarter of a request's year: where a request of the whole year
    (no quarter of its own) is read among the quarters' figures."""
    periods = ReportingPeriod.objects.filter(
        department=OuterRef("department"),
        year=OuterRef("year"),
        status__in=ReportingPeriod.LOCKED,
    )
    return Subquery(periods.order_by("-quarter").values("quarter")[:1])


def _program_hit(program, terms):
    text = _first_with([program.title, program.purpose, program.overview], terms)
    return Hit(
        "program",
        program.title,
        snippet(text, terms),
        program.department,
        program.year,
        None,
        program,
        getattr(program, "rank", 0),
    )


def _progress_hit(entry, terms):
    text = _first_with([entry.achievements, entry.plans], terms)
    return Hit(
        "progress",
        entry.program.title,
        snippet(text, terms),
        entry.program.department,
        entry.year,
        entry.quarter,
        entry,
        getattr(entry, "rank", 0),
    )


def _request_hit(request, terms):
    text = _first_with([request.text, request.action_taken, request.plan], terms)
    title = f"{gettext(request.kind.name)} · {request.get_status_display()}"
    return Hit(
        "request",
        title,
        snippet(text, terms),
        request.department,
        request.year,
        request.quarter,
        request,
        getattr(request, "rank", 0),
    )


# Where each hit can be read ------------------------------------------------------------------


def _shown_in(kind, options):
    """What a block of the kind shows that search links to: requests, or programs of a
    kind (main, new_priority); None for the rest."""
    if kind == "council_requests":
        return "request"
    if kind in ("programs", "progress_matrix"):
        return (options or {}).get("programs", "main" if kind == "programs" else "all")
    return None


def published_places(hits):
    """{(department id, year): [(as_of, session id, department code, {shown: section key})]}.

    The published briefings that show the hits' departments and years, and which of their
    top-level sections (by slug; one a section below it names its parent's) shows council
    requests or programs of each kind (one query).
    """
    departments = {hit.department.pk for group in hits.values() for hit in group}
    places = {}
    rows = (
        Briefing.objects.filter(shown_condition(), department__in=departments)
        .order_by("as_of", "sections__order", "sections__blocks__order")
        .values(
            "department_id",
            "department__code",
            "session_id",
            "as_of",
            "sections__slug",
            "sections__parent__slug",
            "sections__blocks__kind",
            "sections__blocks__options",
        )
    )
    for row in rows:
        key = (row["department_id"], row["as_of"].year)
        found = places.setdefault(key, {})
        place = found.setdefault(row["session_id"], [row["as_of"], row["department__code"], {}])
        shown = _shown_in(row["sections__blocks__kind"], row["sections__blocks__options"])
        slug = row["sections__parent__slug"] or row["sections__slug"]
        for what in ("main", "new_priority") if shown == "all" else [shown]:
            if what and slug:
                place[2].setdefault(what, slug)
    return {key: [(v[0], s, v[1], v[2]) for s, v in found.items()] for key, found in places.items()}


def briefing_place(hit, places):
    """(session id, department code, section kind or None, anchor) of a published briefing
    that shows the hit, or None."""
    if hit.kind == "request":
        candidates = [
            p
            for (d, y), ps in places.items()
            if d == hit.department.pk and y >= hit.year
            for p in ps
        ]
        shown = "request"
        anchor = ""
    else:
        program = hit.obj if hit.kind == "program" else hit.obj.program
        candidates = [
            p
            for p in places.get((hit.department.pk, hit.year), [])
            if hit.quarter is None or (p[0].month - 1) // 3 + 1 >= hit.quarter
        ]
        shown = program.kind
        anchor = f"{program.department.code}-{program.kind}-{program.order}"
    if not candidates:
        return None
    as_of, session_id, code, sections = max(candidates, key=lambda p: p[0])
    return session_id, code, sections.get(shown), anchor
