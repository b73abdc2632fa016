"""The council requests block (행정사무감사 처리결과): counts by status, or kind × status
with their totals, and each request with its follow-up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import CouncilRequest

from . import Kind, Scoped, member_ids, register, units


class RequestOptions(Scoped):
    count_table = forms.ChoiceField(
        label=_("처리 현황 표"),
        choices=[("by_status", _("처리 상태별 한 줄")), ("by_kind", _("구분 × 처리 상태"))],
        initial="by_status",
    )
    totals_last = forms.BooleanField(
        label=_("계를 뒤에"), required=False, initial=False, help_text=_("끄면 계 줄·칸이 앞에")
    )
    detail = forms.ChoiceField(
        label=_("세부 내용"),
        choices=[
            ("combined", _("조치 결과와 계획을 한 칸에")),
            ("separate", _("추진내용 | 향후계획 따로")),
        ],
        initial="combined",
    )
    years = forms.ChoiceField(
        label=_("연도"),
        choices=[("up_to", _("이 해까지 모두")), ("this", _("이 해만"))],
        initial="up_to",
    )


def council_requests(ctx, spec):
    options = spec["options"]
    found = units(ctx, spec)
    requests = CouncilRequest.objects.filter(department__in=member_ids(found))
    year = ctx.as_of.year
    requests = (
        requests.filter(year=year)
        if options["years"] == "this"
        else requests.filter(year__lte=year)
    )
    requests = list(
        requests.select_related("department").order_by(
            "-year", "-quarter", "department__order", "kind", "order"
        )
    )
    if not requests:
        return None
    statuses, kinds = CouncilRequest.Status.values, CouncilRequest.Kind.values
    table = {(kind, status): 0 for kind in kinds for status in statuses}
    for r in requests:
        table[r.kind, r.status] += 1
    by_status = [sum(table[k, s] for k in kinds) for s in statuses]
    return {
        "counts": [
            {"status": str(CouncilRequest.Status(s).label), "count": n}
            for s, n in zip(statuses, by_status, strict=True)
        ],
        "total": len(requests),
        "by_kind": [
            {
                "kind": str(CouncilRequest.Kind(k).label),
                "counts": [table[k, s] for s in statuses],
                "total": sum(table[k, s] for s in statuses),
            }
            for k in kinds
            if any(table[k, s] for s in statuses)
        ],
        "count_table": options["count_table"],
        "totals_last": options["totals_last"],
        "detail": options["detail"],
        "by_unit": len(found) > 1,
        "requests": [
            {
                "year": r.year,
                "department": r.department.name,
                "kind": r.get_kind_display(),
                "text": r.text,
                "status": r.get_status_display(),
                "action_taken": r.action_taken,
                "plan": r.plan,
            }
            for r in requests
        ],
    }


register(Kind("council_requests", _("행정사무감사 처리결과"), council_requests, RequestOptions))
