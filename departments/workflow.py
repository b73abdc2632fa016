"""The quarterly review: who may move a department's period from which status to which.

draft/returned --submit--> submitted --approve--> approved --close--> closed
submitted --return (comment)--> returned; approved/closed --reopen (reason)--> draft.
Approved and closed periods are locked (departments.locking). Every move is kept in the
period's history with who, when and the comment.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .access import Role, departments_for, has_role, sees_all_departments
from .locking import quarter_of
from .models import ReportingPeriod

Status = ReportingPeriod.Status


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]  # besides superusers; clerks act for every department
    needs_comment: bool = False


ACTIONS = {
    action.name: action
    for action in [
        Action(
            "submit",
            pgettext_lazy("workflow action", "제출"),
            (Status.DRAFT, Status.RETURNED),
            Status.SUBMITTED,
            (Role.STAFF, Role.REVIEWER, Role.CLERK),
        ),
        Action(
            "approve",
            pgettext_lazy("workflow action", "승인"),
            (Status.SUBMITTED,),
            Status.APPROVED,
            (Role.REVIEWER, Role.CLERK),
        ),
        Action(
            "return",
            pgettext_lazy("workflow action", "보완 요청"),
            (Status.SUBMITTED,),
            Status.RETURNED,
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
            "close",
            pgettext_lazy("workflow action", "마감"),
            (Status.APPROVED,),
            Status.CLOSED,
            (Role.CLERK,),
        ),
        Action(
            "reopen_closed",
            pgettext_lazy("workflow action", "마감 해제"),
            (Status.CLOSED,),
            Status.DRAFT,
            (Role.CLERK,),
            needs_comment=True,
        ),
    ]
}


def current_quarter(today=None):
    today = today or timezone.localdate()
    return today.year, quarter_of(today)


def period_for(department, year, quarter):
    """The review period, unsaved (draft) if nobody has touched it yet."""
    found = ReportingPeriod.objects.filter(department=department, year=year, quarter=quarter)
    return found.first() or ReportingPeriod(department=department, year=year, quarter=quarter)


def may(user, action, period):
    if period.status not in action.sources:
        return False
    if user.is_superuser:
        return True
    in_scope = (
        sees_all_departments(user) or departments_for(user).filter(pk=period.department_id).exists()
    )
    return in_scope and any(has_role(user, role) for role in action.roles)


def allowed_actions(user, period):
    return [action for action in ACTIONS.values() if may(user, action, period)]


def perform(user, period, action_name, comment=""):
    action = ACTIONS.get(action_name)
    if action is None or not may(user, action, period):
        raise PermissionDenied(_("이 보고 기간에 할 수 없는 처리입니다."))
    comment = comment.strip()
    if action.needs_comment and not comment:
        raise ValidationError(_("%(action)s 사유를 적어 주세요.") % {"action": action.label})
    period.status = action.target
    period.comment = comment
    period.changed_by = user if user.is_authenticated else None
    period._change_reason = f"{action.label}: {comment}" if comment else str(action.label)
    period.save()
    return period


def close_all_approved(user, year, quarter):
    """The clerk's close-out: every approved period of the quarter becomes closed."""
    if not sees_all_departments(user):
        raise PermissionDenied
    closed = []
    for period in ReportingPeriod.objects.filter(
        year=year, quarter=quarter, status=Status.APPROVED
    ):
        closed.append(perform(user, period, "close"))
    return closed
