"""A briefing's status: who may move it from which status to which (as for the quarters,
`departments.workflow`). The status is never an editable field: the admin keeps it as
stored, and only these actions change it, each kept in the briefing's history with who,
when and the reason.

draft --submit--> review --approve--> approved; review --return (reason)--> draft;
approved --reopen (reason)--> draft; any --publish--> published (the clerk, through
`editions.publish`, which freezes an edition); published --unpublish (reason)--> approved.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from departments.access import Role
from departments.locking import _ancestors, quarter_of
from departments.models import ReportingPeriod
from departments.workflow import Action, may

from .models import Briefing

Status = Briefing.Status

PUBLISH = Action(
    "publish",
    pgettext_lazy("workflow action", "발행"),
    tuple(Status.values),
    Status.PUBLISHED,
    (Role.CLERK,),
)

ACTIONS = {
    action.name: action
    for action in [
        Action(
            "submit",
            pgettext_lazy("workflow action", "제출"),
            (Status.DRAFT,),
            Status.REVIEW,
            (Role.STAFF, Role.REVIEWER, Role.CLERK),
        ),
        Action(
            "approve",
            pgettext_lazy("workflow action", "승인"),
            (Status.REVIEW,),
            Status.APPROVED,
            (Role.REVIEWER, Role.CLERK),
        ),
        Action(
            "return",
            pgettext_lazy("workflow action", "보완 요청"),
            (Status.REVIEW,),
            Status.DRAFT,
            (Role.REVIEWER, Role.CLERK),
            needs_comment=True,
        ),
        Action(
            "reopen",
            pgettext_lazy("workflow action", "재개"),
            (Status.APPROVED,),
            Status.DRAFT,
            (Role.REVIEWER, Role.CLERK),
            needs_comment=True,
        ),
        Action(
            "unpublish",
            pgettext_lazy("workflow action", "공개 취소"),
            (Status.PUBLISHED,),
            Status.APPROVED,
            (Role.CLERK,),
            needs_comment=True,
        ),
    ]
}


def allowed_actions(user, briefing):
    """The buttons of the briefing's form (publishing has its own page, 발행본)."""
    return [action for action in ACTIONS.values() if may(user, action, briefing)]


def perform(user, briefing, action_name, comment=""):
    action = ACTIONS.get(action_name)
    if action is None or not may(user, action, briefing):
        raise PermissionDenied(_("이 업무보고에 할 수 없는 처리입니다."))
    comment = comment.strip()
    if action.needs_comment and not comment:
        raise ValidationError(_("%(action)s 사유를 적어 주세요.") % {"action": action.label})
    move(briefing, action.target, user, f"{action.label}: {comment}" if comment else action.label)
    return briefing


def move(briefing, status, user, reason):
    """The one place a briefing's status is written, with its history row."""
    briefing.status = status
    briefing._change_reason = str(reason)
    if user is not None and user.is_authenticated:
        briefing._history_user = user
    briefing.save(update_fields=["status"])


# Publishing ---------------------------------------------------------------------------------


def briefing_quarters(briefing):
    """The quarters whose figures a briefing reports: its as-of year up to its as-of quarter."""
    year = briefing.as_of.year
    return [(year, quarter) for quarter in range(1, quarter_of(briefing.as_of) + 1)]


def unapproved_quarters(briefing):
    """The briefing's quarters no reviewer approved (nor closed), for its department or a
    unit above it (whose approval locks it too), in two queries."""
    lineage = _ancestors({briefing.department_id}).get(briefing.department_id, set())
    locked = set(
        ReportingPeriod.objects.filter(
            department__in=lineage or {briefing.department_id},
            year=briefing.as_of.year,
            status__in=ReportingPeriod.LOCKED,
        ).values_list("year", "quarter")
    )
    return [key for key in briefing_quarters(briefing) if key not in locked]


def quarter_labels(quarters):
    return ", ".join(
        _("%(year)d년 %(quarter)d분기") % {"year": y, "quarter": q} for y, q in quarters
    )


def publish(user, briefing, confirmed=False):
    """The clerk's publication: refused, or published only once confirmed, when some of the
    briefing's quarters are not approved (`settings.PUBLISH_UNAPPROVED`); a confirmation is
    kept, with who and when, in the briefing's history row of the publication."""
    from .editions import publish as publish_edition  # editions writes the status here

    if not may(user, PUBLISH, briefing):
        raise PermissionDenied(_("이 업무보고에 할 수 없는 처리입니다."))
    unapproved = unapproved_quarters(briefing)
    labels = {"quarters": quarter_labels(unapproved)}
    if unapproved and settings.PUBLISH_UNAPPROVED == "refuse":
        raise ValidationError(
            _("승인되지 않은 분기가 있어 발행할 수 없습니다: %(quarters)s") % labels
        )
    if unapproved and not confirmed:
        raise ValidationError(
            _("승인되지 않은 분기가 있습니다: %(quarters)s. 확인란에 표시한 뒤 발행하세요.")
            % labels
        )
    note = _("(승인되지 않은 분기를 확인하고 발행: %(quarters)s)") % labels if unapproved else ""
    return publish_edition(briefing, user, note)
