"""Publishing: a briefing's data and PDF frozen as a numbered edition, and what changed."""

import difflib
import hashlib
import json
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils.numberformat import format as number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from departments.models import ANCESTORS

from . import files, fonts, pdf, workflow
from .models import Briefing, Edition
from .report import build_report, content_hash, upgrade
from .templatetags.briefing import kdate, signed


def latest_edition(briefing):
    return briefing.editions.latest_first().first()


def report_data(briefing):
    """What the briefing shows: its latest edition as published, else the live data."""
    edition = latest_edition(briefing)
    return upgrade(edition.data) if edition else build_report(briefing)


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
    except IntegrityError:
        files.delete_quietly(edition.pdf)
        same = Edition.objects.filter(session=session, briefing=briefing, number=edition.number)
        return same.filter(content_hash=digest).first()  # None: another content took it
    except BaseException:
        files.delete_quietly(edition.pdf)
        raise
    return edition


def publish(briefing, user=None, note=""):
    """A new edition of the briefing, or the latest one when nothing changed since.

    note: what the publisher confirmed (e.g. the quarters not approved), kept with who and
    when in the briefing's history row of the publication. The PDF is rendered outside any
    transaction: a write transaction held for the seconds of rendering would lock SQLite's
    other process (the worker) out for as long."""
    data = build_report(briefing)
    digest = content_hash(data)
    latest = latest_edition(briefing)
    if latest and latest.content_hash == digest:
        edition = latest
        if briefing.status == Briefing.Status.PUBLISHED:
            return edition
    else:
        document, pages = pdf.briefing_pdf(data)
        edition = _save_edition(
            briefing.session, briefing, latest, data, digest, document, pages, user
        )
        if edition is None:  # another content took the number meanwhile: compare again
            again = Briefing.objects.select_related("session").get(pk=briefing.pk)
            return publish(again, user, note)
    reason = _("발행: %(number)d판") % {"number": edition.number}
    workflow.move(briefing, Briefing.Status.PUBLISHED, user, f"{reason} {note}".strip())
    return edition


def _page_count(document):
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)


def booklet_editions(session):
    """The latest edition of every published briefing of the session, in the organisation's
    order,
    without their data (one query, whatever the number of departments).

    Only what an edition froze: a briefing marked published without one (never published
    through `publish`) is left out, as readers never see it either."""
    latest = Edition.objects.filter(briefing=OuterRef("pk")).order_by("-number").values("pk")
    briefings = (
        session.briefings.filter(status=Briefing.Status.PUBLISHED)
        .annotate(edition_id=Subquery(latest[:1]))
        .exclude(edition_id=None)
        .select_related(f"department__{ANCESTORS}")
    )
    # in the organisation's order: a bureau, then its divisions
    ids = [b.edition_id for b in sorted(briefings, key=lambda b: b.department.tree_key())]
    found = Edition.objects.defer("data").in_bulk(ids)
    return [found[pk] for pk in ids]


def frozen_data(found):
    """The data the editions froze, upgraded to the current version (one query)."""
    data = dict(Edition.objects.filter(pk__in=[e.pk for e in found]).values_list("pk", "data"))
    return [upgrade(data[e.pk]) for e in found]


def booklet_reports(session):
    """The frozen data of every published briefing of the session, in department order."""
    return frozen_data(booklet_editions(session))


def _booklet_data(found):
    """What a booklet is made of: the editions' own fingerprints (each the hash of what it
    froze) and the design, so an unchanged booklet is known without reading any report."""
    return {"parts": [e.content_hash for e in found], "design": pdf.design_version()}


def publish_booklet(session, user=None, progress=None):
    """The session booklet as an edition; unchanged content returns the stored one. A
    session with no published edition has no booklet to make (ValidationError)."""
    found = booklet_editions(session)
    if not found:
        raise ValidationError(_("이 회기에 발행본이 있는 공개 업무보고가 없습니다."), code="empty")
    data = _booklet_data(found)
    digest = content_hash(data)
    latest = Edition.objects.booklets().filter(session=session).latest_first().defer("data")
    latest = latest.first()
    if latest and latest.content_hash == digest:
        if progress:
            progress(len(found), len(found), "")
        return latest
    document, pages = pdf.booklet_pdf(session, frozen_data(found), progress)
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
        document, pages = pdf.briefing_pdf(upgrade(edition.data))
    else:
        found = booklet_editions(edition.session)
        if content_hash(_booklet_data(found)) != edition.content_hash:
            return False
        document, pages = pdf.booklet_pdf(edition.session, frozen_data(found))
    old = edition.pdf.name
    files.save_whole(edition.pdf, f"{edition.content_hash[:16]}-{edition.number}.pdf", document)
    edition.pdf_hash = hashlib.sha256(document).hexdigest()
    edition.pages, edition.page_map = _page_count(document), pages
    edition.save(update_fields=["pdf", "pdf_hash", "pages", "page_map"])
    if old and old != edition.pdf.name:
        edition.pdf.storage.delete(old)
    return True


# What changed between two editions ---------------------------------------------------------
#
# Both editions hold the same kind of tree (report.build_report), so the walk is generic: a
# field or section kind added to the report is compared without code here. Lists are matched
# as sequences by each item's identity, so an inserted line reads as one line added, not as
# every later line revised.

# Machine ids and values derived from fields that are compared themselves.
SKIPPED = frozenset(
    {"id", "key", "code", "numeral", "mark", "depth", "is_note", "is_new", "leased", "buildings"}
    | {"empty", "schema"}
)
# Numbers that are not amounts: printed without thousands separators.
PLAIN_NUMBERS = frozenset({"year", "quarter", "number", "level"})
# Keys whose value names the item: the first one present labels it in the path.
LABELS = ("heading", "title", "name", "label", "text", "category", "kind", "status", "year")
# Lists of items that are a field of their owner (a program's 향후계획) and so are named in
# the path; other lists of items (sections, programs, rows) let each item name itself.
NAMED_LISTS = frozenset(
    {"overview", "achievements", "plans", "schedule", "kpis", "extensions", "contacts", "counts"}
)
BLOCK_ID = re.compile(r"-b\d+$")
DECIMAL = re.compile(r"-?\d+\.\d+")
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def changes(old, new):
    """Every difference from the old edition's data to the new one's, in reading order.

    Each is {"change": "added" | "removed" | "revised", "where": [path], "what": label}, a
    revision with "old" and "new" as printed (1,234; △11; 2025. 5. 31.).
    """
    found = []
    old, new = upgrade(old), upgrade(new)  # editions of any version compare as the current
    _compare(_with_named_cells(old), _with_named_cells(new), [], found)
    return found


def _with_named_cells(node):
    """Count tables (groups of columns, rows of cells) with each cell under its column's name,
    so that a column added or removed shifts nothing and a change names its column."""
    if isinstance(node, list):
        return [_with_named_cells(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _with_named_cells(value) for key, value in node.items()}
    groups = node.get("groups")
    if groups and all(isinstance(g, dict) and "columns" in g for g in groups):
        columns = [
            f"{group['name']} {column}".strip()
            for group in node.pop("groups")
            for column in group["columns"]
        ]
        for row in node.get("rows", []):
            row["cells"] = dict(zip(columns, row["cells"], strict=False))
    return node


def _compare(old, new, path, found):
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in SKIPPED:
                _compare_field(key, old.get(key), new.get(key), path, found)
    elif isinstance(old, list) and isinstance(new, list):
        _compare_lists(old, new, path, found)


def _compare_field(key, old, new, path, found):
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        part = _part_name(key, old, new)
        where = [*path, part] if part else path
        if old in (None, "") or new in (None, ""):  # a whole part appeared or went
            change = "added" if old in (None, "") else "removed"
            if part and (old or new):
                found.append({"change": change, "where": path, "what": part})
            elif old or new:
                _compare(old or type(new)(), new or type(old)(), where, found)
        else:
            _compare(old, new, where, found)
    elif old != new and not (old in (None, "") and new in (None, "")):
        plain = key in PLAIN_NUMBERS
        found.append(_revised(path, _field_name(key), _shown(old, plain), _shown(new, plain)))


def _compare_lists(old, new, path, found):
    matcher = difflib.SequenceMatcher(None, [_key(i) for i in old], [_key(i) for i in new], False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old[i1:i2], new[j1:j2]
        # A replaced item without an id (an outline line, a row) is the same item revised.
        has_id = any(_has_id(item) for item in olds + news)
        paired = min(len(olds), len(news)) if tag == "equal" or not has_id else 0
        for before, after in zip(olds[:paired], news[:paired], strict=True):
            _compare_items(before, after, path, found, same=tag == "equal")
        for item in olds[paired:]:
            found.append({"change": "removed", "where": path, "what": _described(item)})
        for item in news[paired:]:
            found.append({"change": "added", "where": path, "what": _described(item)})


def _compare_items(old, new, path, found, same):
    if isinstance(old, dict) and isinstance(new, dict):
        # The item names itself in the path, unless its name is what changed (or it has none).
        label = (new.get("title", "") if _is_block(new) else _label(new)) if same else ""
        _compare(old, new, [*path, _short(label)] if label else path, found)
    elif old != new:  # a line of a list of texts (담당업무)
        found.append(_revised(path[:-1], path[-1] if path else "", _shown(old), _shown(new)))


def _is_block(item):
    """A block names no part of the path but its title: the section heading says where."""
    return BLOCK_ID.search(str(item.get("id", ""))) is not None


def _key(item):
    if isinstance(item, list):  # a row of a typed table
        return json.dumps(item, sort_keys=True, ensure_ascii=False)
    if not isinstance(item, dict):
        return item
    return ("id", item["id"]) if _has_id(item) else _label(item)


def _has_id(item):
    return isinstance(item, dict) and item.get("id") not in (None, "")


def _label(item):
    if not isinstance(item, dict):
        return _shown(item)
    for key in LABELS:
        if item.get(key) not in (None, ""):
            return str(item[key])
    return ""


def _described(item):
    """An added or removed item as the report prints it: an outline line with its date and
    amount ("영상시설 구매: 4월 / 95,700천원")."""
    label = _label(item)
    if not isinstance(item, dict):
        return label
    extras = [str(item["when"])] if item.get("when") else []
    if item.get("amount") is not None and "text" in item:
        extras.append(_("%(amount)s천원") % {"amount": _shown(item["amount"])})
    return f"{label}: {' / '.join(extras)}" if extras else label


def _short(text, length=40):
    return text if len(text) <= length else text[: length - 1] + "…"


def _revised(path, what, old, new):
    return {"change": "revised", "where": path, "what": what, "old": old, "new": new}


def _shown(value, plain=False):
    """A value as the council documents print it: 1,234, △11, 44.2, 2025. 5. 31."""
    if plain:
        return "-" if value is None else str(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return _("예") if value else _("아니요")
    if isinstance(value, int):
        return signed(value) if value else "0"
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        return ("△" if value.startswith("-") else "") + number_format(
            Decimal(value.lstrip("-")), ".", grouping=3, thousand_sep=",", force_grouping=True
        )
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return kdate(value)
    return str(value)


def _part_name(key, old, new):
    """The path step of a part of the report; None where its items name themselves."""
    items = [item for side in (old, new) if isinstance(side, list) for item in side]
    of_items = any(isinstance(item, dict) for item in items)
    if key in ("table", "cells") or (of_items and key not in NAMED_LISTS):
        return None
    return str(PART_NAMES.get(key, key))


def _field_name(key):
    return str(FIELD_NAMES.get(key, key))


PART_NAMES = {
    "session": _l("회기"),
    "department": _l("부서"),
    "contacts": _l("작성자"),
    "organisation": _l("조직"),
    "duties": _l("담당업무"),
    "staffing": _l("인력"),
    "facilities": _l("주요시설"),
    "extensions": _l("증축"),
    "vehicles": _l("공용차량"),
    "budget": _l("예산현황"),
    "total": _l("계"),
    "overview": _l("사업개요"),
    "achievements": _l("주요 추진실적"),
    "plans": _l("향후계획"),
    "schedule": _l("추진일정"),
    "kpis": _l("성과지표"),
    "programs": _l("사업"),
    "counts": _l("처리 현황"),
}

FIELD_NAMES = {
    "title": _l("제목"),
    "heading": _l("제목"),
    "name": _l("이름"),
    "council": _l("의회"),
    "starts_on": _l("시작일"),
    "ends_on": _l("종료일"),
    "slogan": _l("구호"),
    "issued": _l("발행일"),
    "as_of": _l("기준일"),
    "phone": _l("전화번호"),
    "head_title": _l("부서장 직위"),
    "note": _l("비고"),
    "notes": _l("비고"),
    "label": _l("구분"),
    "category": _l("구분"),
    "kind": _l("구분"),
    "total": _l("계"),
    "total_label": _l("계"),
    "land_total": _l("대지 계"),
    "floor_total": _l("건물 계"),
    "land_area": _l("대지 면적"),
    "floor_area": _l("건물 면적"),
    "scale": _l("규모"),
    "completed_on": _l("준공일"),
    "description": _l("내용"),
    "ownership": _l("소유 구분"),
    "managed_by": _l("관리 부서"),
    "quota": _l("정수"),
    "year": _l("연도"),
    "budget": _l("예산액"),
    "executed": _l("집행액"),
    "prior": _l("전년도 예산"),
    "remainder": _l("잔액"),
    "rate": _l("집행률"),
    "change": _l("증감액"),
    "change_rate": _l("증감률"),
    "share": _l("구성비"),
    "level": _l("단계"),
    "source": _l("재원"),
    "number": _l("번호"),
    "unit_title": _l("단위사업명"),
    "team": _l("소관팀"),
    "purpose": _l("목적"),
    "legal_basis": _l("근거"),
    "period": _l("기간"),
    "quarter": _l("분기"),
    "text": _l("내용"),
    "when": _l("시기"),
    "amount": _l("금액"),
    "marker": _l("기호"),
    "unit": _l("단위"),
    "direction": _l("방향"),
    "target": _l("목표"),
    "actual": _l("실적"),
    "achieved": _l("달성률"),
    "mission": _l("임무"),
    "status": _l("처리 상태"),
    "count": _l("건수"),
    "action_taken": _l("조치 내용"),
    "plan": _l("향후 계획"),
}
