"""The council requests block (행정사무감사 처리결과): counts by status and each request."""

from django.utils.translation import gettext_lazy as _

from programs.models import CouncilRequest

from . import Kind, register


def council_requests(ctx, spec):
    requests = list(
        CouncilRequest.objects.filter(department=ctx.department, year__lte=ctx.as_of.year).order_by(
            "-year", "-quarter", "kind", "order"
        )
    )
    if not requests:
        return None
    counts = {status: 0 for status in CouncilRequest.Status.values}
    for r in requests:
        counts[r.status] += 1
    return {
        "counts": [
            {"status": str(CouncilRequest.Status(s).label), "count": n} for s, n in counts.items()
        ],
        "total": len(requests),
        "requests": [
            {
                "year": r.year,
                "kind": r.get_kind_display(),
                "text": r.text,
                "status": r.get_status_display(),
                "action_taken": r.action_taken,
                "plan": r.plan,
            }
            for r in requests
        ],
    }


register(Kind("council_requests", _("행정사무감사 처리결과"), council_requests))
