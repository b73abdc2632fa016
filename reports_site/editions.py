"""Publishing: a briefing's data and PDF frozen as a numbered edition, and what changed."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from . import pdf, workflow
from .models import Briefing, Edition
from .report import build_report, content_hash


def latest_edition(briefing):
    return briefing.editions.latest_first().first()


def report_data(briefing):
    """What the briefing shows: its latest edition as published, else the live data."""
    edition = latest_edition(briefing)
    return edition.data if edition else build_report(briefing)


def _save_edition(session, briefing, data, digest, document, page_map, user):
    """The next edition of a briefing (or, with briefing None, of the session booklet)."""
    edition = Edition(
        session=session,
        briefing=briefing,
        number=_next_number(session, briefing),
        data=data,
        content_hash=digest,
        pages=_page_count(document),
        page_map=page_map,
        published_by=user,
        pdf_hash=hashlib.sha256(document).hexdigest(),
    )
    edition.pdf.save(f"{digest[:16]}-{edition.number}.pdf", ContentFile(document), save=False)
    edition.save()
    return edition


def _next_number(session, briefing):
    last = Edition.objects.filter(session=session, briefing=briefing).latest_first().first()
    return last.number + 1 if last else 1


@transaction.atomic
def publish(briefing, user=None, note=""):
    """A new edition of the briefing, or the latest one when nothing changed since.

    note: what the publisher confirmed (e.g. the quarters not approved), kept with who and
    when in the briefing's history row of the publication.
    """
    data = build_report(briefing)
    digest = content_hash(data)
    latest = latest_edition(briefing)
    if latest and latest.content_hash == digest:
        edition = latest
        if briefing.status == Briefing.Status.PUBLISHED:
            return edition
    else:
        document, pages = pdf.briefing_pdf(data)
        edition = _save_edition(briefing.session, briefing, data, digest, document, pages, user)
    reason = _("발행: %(number)d판") % {"number": edition.number}
    workflow.move(briefing, Briefing.Status.PUBLISHED, user, f"{reason} {note}".strip())
    return edition


def _page_count(document):
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)


def booklet_reports(session):
    """The report data of every published briefing of the session, in department order."""
    briefings = (
        session.briefings.filter(status=Briefing.Status.PUBLISHED)
        .select_related("session", "department")
        .order_by("department__order", "department__code")
    )
    return [report_data(b) for b in briefings]


def publish_booklet(session, user=None, progress=None):
    """The session booklet as an edition; unchanged content returns the stored one."""
    reports = booklet_reports(session)
    data = {
        "departments": [r["department"] for r in reports],
        "parts": [content_hash(r) for r in reports],
        "design": pdf.design_version(),
    }
    digest = content_hash(data)
    latest = Edition.objects.booklets().filter(session=session).latest_first().first()
    if latest and latest.content_hash == digest:
        if progress:
            progress(len(reports), len(reports), "")
        return latest
    document, pages = pdf.booklet_pdf(session, reports, progress)
    with transaction.atomic():
        return _save_edition(session, None, data, digest, document, pages, user)


# What changed between two editions ---------------------------------------------------------

FIGURES = ("budget", "executed", "rate", "prior", "change", "total", "count", "target", "actual")


def _label(node, fallback):
    for key in ("heading", "title", "name", "label", "category", "status"):
        if isinstance(node, dict) and node.get(key):
            return str(node[key])
    return fallback


def _key(node, index):
    if isinstance(node, dict):
        for key in ("id", "name", "title", "label", "year"):
            if node.get(key) not in (None, ""):
                return (key, node[key])
    return ("index", index)


def changes(old, new):
    """Figures revised and items (programs, lines …) added or removed, old → new edition."""
    found = []
    _compare(old, new, [], found)
    return found


def _compare(old, new, path, found):
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old.keys() | new.keys():
            _compare_field(key, old.get(key), new.get(key), path, found)
    elif isinstance(old, list) and isinstance(new, list):
        before = {_key(item, i): item for i, item in enumerate(old)}
        after = {_key(item, i): item for i, item in enumerate(new)}
        for key, item in before.items():
            if key not in after and key[0] != "index":
                found.append({"change": "removed", "where": path, "what": _label(item, "")})
        for key, item in after.items():
            if key not in before and key[0] != "index":
                found.append({"change": "added", "where": path, "what": _label(item, "")})
            elif key in before:
                _compare(before[key], item, [*path, _label(item, str(key[1]))], found)


def _scalars(value):
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)


def _compare_field(key, old, new, path, found):
    if key == "cells" and _scalars(old) and _scalars(new):  # a count table's row
        if old != new:
            found.append(
                {"change": "revised", "where": path, "what": _("표의 칸"), "old": old, "new": new}
            )
    elif isinstance(old, dict | list) or isinstance(new, dict | list):
        _compare(old or type(new or old)(), new or type(old or new)(), path, found)
    elif key in FIGURES and old != new:
        found.append(
            {"change": "revised", "where": path, "what": _figure_name(key), "old": old, "new": new}
        )


def _figure_name(key):
    names = {
        "budget": _("예산액"),
        "executed": _("집행액"),
        "rate": _("집행률"),
        "prior": _("전년도 예산"),
        "change": _("증감액"),
        "total": _("계"),
        "count": _("건수"),
        "target": _("목표"),
        "actual": _("실적"),
    }
    return names[key]
