"""Search across programs, progress texts and council requests."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import search as search_module
from ..access import Reader, reports_view
from .common import crumb, home_crumb


@reports_view
def search(request):
    query = request.GET.get("q", "").strip()
    reader = Reader.of(request)
    hits = search_module.search(query, reader) if query else {}
    places = search_module.published_places(hits) if hits else {}
    groups = []
    for kind, found in hits.items():
        for hit in found:
            hit.url = _hit_url(request, hit, places)
        groups.append((search_module.KINDS[kind], [h for h in found if h.url]))
    context = {
        "query": query,
        "groups": groups,
        "total": sum(len(found) for _label, found in groups),
        "crumbs": [home_crumb(), crumb(_("검색"))],
    }
    return render(request, "council/search.html", context)


def _hit_url(request, hit, places):
    """A page that shows the hit: a published briefing, else (signed in) the live figures."""
    place = search_module.briefing_place(hit, places)
    if place:
        session_id, code, kind, anchor = place
        if kind is None:
            return reverse("council:briefing", args=[session_id, code])
        url = reverse("council:briefing_section", args=[session_id, code, kind])
        return f"{url}#{anchor}" if anchor else url
    if not request.user.is_authenticated:
        return None
    code = hit.department.code
    if hit.kind == "request":
        quarter = hit.quarter or hit.obj.shown_quarter or 4  # a request of the whole year
        args = [hit.year, quarter, code, "council_requests"]  # the standard layout's
        return reverse("council:period_section", args=args)
    program = hit.obj if hit.kind == "program" else hit.obj.program
    return reverse("council:program", args=[code, program.year, program.kind, program.order])
