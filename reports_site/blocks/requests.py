"""The council requests block (행정사무감사 처리결과): a count table of kind × status and
each request with its follow-up.

The kinds are the council's own (`CouncilRequestKind`), in its order; a request counts
in the report of the department that leads it and of those it is shared with, once
however many of a bureau's divisions it concerns.
"""

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from departments.models import member_ids
from programs.models import CouncilRequest, CouncilRequestKind

from . import Kind, Scoped, register, units

DETAIL_LAYOUTS = [
    ("combined", _("요구 내용 | 조치 결과 및 계획 (한 칸에)")),
    ("parts", _("요구 내용 | 처리 결과 (추진내용·향후계획을 나눠 한 칸에)")),
    ("columns", _("요구 내용 | 처리 상태 | 추진내용 | 향후계획 (칸을 나눠)")),
]
YEARS = [("upto", _("올해까지 모두")), ("this", _("올해만"))]


class RequestOptions(Scoped):
    years = forms.ChoiceField(label=_("연도"), choices=YEARS, initial="upto")
    total_last = forms.BooleanField(
        label=_("계를 뒤에"),
        required=False,
        initial=False,
        help_text=_("처리 현황 표의 계 줄과 계 칸 (끄면 앞에)"),
    )
    detail = forms.ChoiceField(
        label=_("세부 내용 모양"), choices=DETAIL_LAYOUTS, initial="combined"
    )
    show_quarter = forms.BooleanField(
        label=_("분기 넣기"),
        required=False,
        initial=False,
        help_text=_("[2025 1분기 시정요구]처럼"),
    )


def council_requests(ctx, spec):
    options = spec["options"]
    found = units(ctx, spec)
    members = member_ids(found)
    requests = list(
        CouncilRequest.objects.concerning(members)
        .as_of(ctx.as_of, this_year_only=options["years"] == "this")
        .select_related("kind", "department")
        .prefetch_related("shared_with")
        .order_by("-year", "kind__order", "kind__name", F("quarter").asc(nulls_first=True), "order")
    )
    if not requests:
        return None
    kinds = CouncilRequestKind.objects.of_councils([council_of(ctx)])
    return {
        "counts": count_table(requests, [kind.name for kind in kinds]),
        "total_last": options["total_last"],
        "detail": options["detail"],
        "show_quarter": options["show_quarter"],
        "by_unit": options["scope"] == "units",
        "requests": [_request(r, set(members)) for r in requests],
    }


def council_of(ctx):
    """The council the briefing reports to; for a quarter's figures (no session), the one
    that heard the department's latest briefing ("" when none did: the default kinds)."""
    from reports_site.models import CouncilSession

    if ctx.briefing.session_id:
        return ctx.briefing.session.council
    heard = CouncilSession.objects.heard([ctx.department.pk])
    return heard.values_list("council", flat=True).first() or ""


def count_table(requests, kind_names):
    """Requests by kind (rows: the council's kinds in its order, then any other kind a
    request has) and status (columns), with each row's and column's 계 and the total."""
    statuses = CouncilRequest.Status.values
    names = list(dict.fromkeys([*kind_names, *(r.kind.name for r in requests)]))
    cells = {name: dict.fromkeys(statuses, 0) for name in names}
    for r in requests:
        cells[r.kind.name][r.status] += 1
    rows = [
        {"kind": name, "cells": list(cells[name].values()), "total": sum(cells[name].values())}
        for name in names
    ]
    columns = [sum(cells[name][status] for name in names) for status in statuses]
    return {
        "statuses": [str(CouncilRequest.Status(s).label) for s in statuses],
        "rows": rows,
        "total": {"cells": columns, "total": len(requests)},
    }


def _request(r, members):
    return {
        "year": r.year,
        "quarter": r.quarter,
        "kind": r.kind.name,
        "text": r.text,
        "status": r.get_status_display(),
        "action_taken": r.action_taken,
        "plan": r.plan,
        "department": r.department.name,
        "shared": [d.name for d in r.shared_with.all() if d.pk != r.department_id],
        "lead_elsewhere": r.department_id not in members,
    }


def upgrade(block):
    """A block of an edition published before kinds were counted: its status counts as
    the 계 row (no kind rows: the edition did not print them), its details as they were."""
    counts = {
        "statuses": [c["status"] for c in block["counts"]],
        "rows": [],
        "total": {"cells": [c["count"] for c in block["counts"]], "total": block["total"]},
    }
    old = {"quarter": None, "department": "", "shared": [], "lead_elsewhere": False}
    return block | {
        "counts": counts,
        "total_last": False,
        "detail": "combined",
        "show_quarter": False,
        "by_unit": False,
        "requests": [old | r for r in block["requests"]],
    }


register(Kind("council_requests", _("행정사무감사 처리결과"), council_requests, RequestOptions))
