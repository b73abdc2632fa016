"""Who may act on which department's data.

`departments_for` is the one place that decides it; the admin, report views, imports and
exports all ask it.
"""

from django.utils.translation import gettext_lazy as _

from .models import Department


class Role:
    """Roles are Django groups; these are their names (shown in the admin as they are)."""

    STAFF = "부서 담당자"
    REVIEWER = "부서 검토자"
    CLERK = "의회 담당자"
    COUNCIL = "의원"

    labels = {
        STAFF: _("부서 담당자"),
        REVIEWER: _("부서 검토자"),
        CLERK: _("의회 담당자"),
        COUNCIL: _("의원"),
    }


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_role_names"):  # one query per request, not one per check
        user._role_names = set(user.groups.values_list("name", flat=True))
    return role in user._role_names


def sees_all_departments(user) -> bool:
    return user.is_superuser or has_role(user, Role.CLERK)


def departments_for(user):
    """The departments whose data the user may see in draft and change.

    Superusers and clerks: all. Staff and reviewers: the departments they belong to and
    every unit below them. Anyone else: none.
    """
    if not user.is_authenticated:
        return Department.objects.none()
    if sees_all_departments(user):
        return Department.objects.all()
    own = Department.objects.filter(memberships__user=user)
    return Department.objects.with_descendants(own)
