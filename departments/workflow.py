"""The quarterly review: who may move a department's period from which status to which.

draft/returned --submit--> submitted --approve--> approved --close--> closed
submitted --return (comment)--> returned; approved/closed --reopen (reason)--> draft.
Approved and closed periods are locked (departments.locking). Every move is kept in the
period's history with who, when and the comment.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .access import Role, departments_for, has_role, sees_all_departments
from .locking import PeriodLockedModel, _ancestors, quarter_of
from .models import Department, ReportingPeriod

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


def may(user, action, obj):
    """May the user apply the action to obj (a period or anything with a status and a
    department, e.g. a briefing)?"""
    if obj.status not in action.sources:
        return False
    if user.is_superuser:
        return True
    return _in_scope(user, obj.department_id) and any(has_role(user, r) for r in action.roles)


def _in_scope(user, department_id):
    if sees_all_departments(user):
        return True
    if not hasattr(user, "_department_ids"):  # once per request, not once per button
        user._department_ids = set(departments_for(user).values_list("pk", flat=True))
    return department_id in user._department_ids


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


# Which quarters the admin home offers ------------------------------------------------------

OFFERED = 4  # open quarters with figures per department; older ones are on the clerk's board


def _dated_rows(model, scope):
    """(department, year, quarter) of the model's rows in the scope, each once."""
    rows = model.objects.filter(**{f"{model.lock_department}__in": scope})
    if model.lock_as_of:
        when = {
            "row_year": ExtractYear(model.lock_as_of),
            "row_quarter": ExtractQuarter(model.lock_as_of),
        }
    else:
        when = {"row_year": F(model.lock_year), "row_quarter": F(model.lock_quarter)}
    rows = rows.annotate(**when).order_by()
    return rows.values_list(model.lock_department, "row_year", "row_quarter").distinct()


def quarters_with_figures(departments):
    """{department id: {(year, quarter)}}: the quarters in which a department (of the
    QuerySet), or a unit below it, has rows of any model locked by quarter (one query, and
    one for the units' parents)."""
    scope = Department.objects.with_descendants(departments)
    models = [
        model
        for model in apps.get_models()
        if issubclass(model, PeriodLockedModel) and (model.lock_as_of or model.lock_quarter)
    ]
    queries = [_dated_rows(model, scope) for model in models]
    found = set(queries[0].union(*queries[1:]))
    lineage = _ancestors({department for department, _, _ in found})
    quarters = {}
    for department, year, quarter in found:
        for unit in lineage.get(department, {department}):
            quarters.setdefault(unit, set()).add((int(year), int(quarter)))
    return quarters


def review_rows(user, today=None):
    """The admin home's rows: for each of the user's departments the quarters still open
    (not approved or closed) that hold figures, latest first, then the current quarter and
    any other quarter in review — each with the buttons the user may press."""
    mine = Department.objects.filter(memberships__user=user).order_by("order")
    departments = list(mine)
    figures = quarters_with_figures(mine)
    periods = {
        (p.department_id, p.year, p.quarter): p
        for p in ReportingPeriod.objects.filter(department__in=departments)
    }
    current = current_quarter(today)
    rows = []
    for department in departments:
        for year, quarter in _offered(
            department, figures.get(department.pk, set()), periods, current
        ):
            period = periods.get((department.pk, year, quarter)) or ReportingPeriod(
                department=department, year=year, quarter=quarter
            )
            period.department = department
            rows.append({"period": period, "actions": allowed_actions(user, period)})
    return rows


def _offered(department, with_figures, periods, current):
    def is_open(key):
        period = periods.get((department.pk, *key))
        return period is None or not period.locked

    in_review = {
        (year, quarter)
        for (unit, year, quarter), period in periods.items()
        if unit == department.pk and period.status in (Status.SUBMITTED, Status.RETURNED)
    }
    offered = [key for key in sorted(with_figures, reverse=True) if is_open(key)][:OFFERED]
    rest = sorted(({current} | in_review) - set(offered), reverse=True)
    return offered + [key for key in rest if is_open(key)]


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
