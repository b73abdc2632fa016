"""Publishing: a briefing's data and PDF frozen as a numbered edition, and what changed."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import files, fonts, pdf
from .models import Briefing, Edition
from .report import build_report, content_hash


def latest_edition(briefing):
    return briefing.editions.latest_first().first()


def report_data(briefing):
    """What the briefing shows: its latest edition as published, else the live data."""
    edition = latest_edition(briefing)
    return edition.data if edition else build_report(briefing)


def _save_edition(session, briefing, latest, data, digest, document, page_map, user):
    """The edition after `latest` (None: the first) of a briefing (or, with briefing None,
    of the session booklet); its file is complete before the row points at it.

    The number follows the edition the content was compared with, not the newest at
    saving time: two runs publishing the same content from the same state (a booklet job
    started again while the first still runs) meet on the number's unique constraint, and
    the later one gets the earlier one's edition instead of a duplicate. None when another
    content took the number meanwhile: the caller compares and publishes again.
    """
    edition = Edition(
        session=session,
        briefing=briefing,
        number=latest.number + 1 if latest else 1,
        data=data,
        content_hash=digest,
        pages=_page_count(document),
        page_map=page_map,
        published_by=user,
        pdf_hash=hashlib.sha256(document).hexdigest(),
    )
    files.save_whole(edition.pdf, f"{digest[:16]}-{edition.number}.pdf", document)
    try:
        with transaction.atomic():
            edition.save()
            if briefing is not None:
                Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.PUBLISHED)
    except IntegrityError:
        files.delete_quietly(edition.pdf)
        same = Edition.objects.filter(session=session, briefing=briefing, number=edition.number)
        return same.filter(content_hash=digest).first()  # None: another content took it
    except BaseException:
        files.delete_quietly(edition.pdf)
        raise
    return edition


def publish(briefing, user=None):
    """A new edition of the briefing, or the latest one when nothing changed since.

    The PDF is rendered outside any transaction: a write transaction held for the seconds
    of rendering would lock SQLite's other process (the worker) out for as long."""
    data = build_report(briefing)
    digest = content_hash(data)
    latest = latest_edition(briefing)
    if latest and latest.content_hash == digest:
        return latest
    document, pages = pdf.briefing_pdf(data)
    edition = _save_edition(briefing.session, briefing, latest, data, digest, document, pages, user)
    return edition or publish(Briefing.objects.select_related("session").get(pk=briefing.pk), user)


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


def _booklet_data(reports):
    return {
        "departments": [r["department"] for r in reports],
        "parts": [content_hash(r) for r in reports],
        "design": pdf.design_version(),
    }


def publish_booklet(session, user=None, progress=None):
    """The session booklet as an edition; unchanged content returns the stored one."""
    reports = booklet_reports(session)
    data = _booklet_data(reports)
    digest = content_hash(data)
    latest = Edition.objects.booklets().filter(session=session).latest_first().first()
    if latest and latest.content_hash == digest:
        if progress:
            progress(len(reports), len(reports), "")
        return latest
    document, pages = pdf.booklet_pdf(session, reports, progress)
    edition = _save_edition(session, None, latest, data, digest, document, pages, user)
    return edition or publish_booklet(session, user, progress)


# Stored files that went bad ---------------------------------------------------------------


def unusable_editions():
    """Editions whose stored PDF is lost, cut short or drawn without the Korean font."""
    for edition in Edition.objects.select_related("session", "briefing").defer("data"):
        try:
            with edition.pdf.open("rb") as stored:
                document = stored.read()
        except (FileNotFoundError, ValueError):  # ValueError: no file at all
            document = b""
        if not fonts.usable(document, edition.pages):
            yield edition


def render_again(edition):
    """The edition's PDF made again from what it froze; False when that cannot be done.

    The data published stays as it was; only a file that no longer shows it is replaced.
    A booklet is made from its departments' editions, so only while they are unchanged."""
    if edition.briefing_id:
        document, pages = pdf.briefing_pdf(edition.data)
    else:
        reports = booklet_reports(edition.session)
        if content_hash(_booklet_data(reports)) != edition.content_hash:
            return False
        document, pages = pdf.booklet_pdf(edition.session, reports)
    old = edition.pdf.name
    files.save_whole(edition.pdf, f"{edition.content_hash[:16]}-{edition.number}.pdf", document)
    edition.pdf_hash = hashlib.sha256(document).hexdigest()
    edition.pages, edition.page_map = _page_count(document), pages
    edition.save(update_fields=["pdf", "pdf_hash", "pages", "page_map"])
    if old and old != edition.pdf.name:
        edition.pdf.storage.delete(old)
    return True


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
