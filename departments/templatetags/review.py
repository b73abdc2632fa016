from django import template

from departments.access import sees_all_departments
from departments.models import Department
from departments.workflow import allowed_actions, current_quarter, period_for

register = template.Library()


@register.inclusion_tag("admin/departments/review_panel.html", takes_context=True)
def review_panel(context):
    """The admin home's box: this quarter's status of the user's departments, with buttons."""
    user = context["request"].user
    year, quarter = current_quarter()
    departments = Department.objects.filter(memberships__user=user).order_by("order")
    rows = []
    for department in departments:
        period = period_for(department, year, quarter)
        rows.append({"period": period, "actions": allowed_actions(user, period)})
    return {
        "rows": rows,
        "year": year,
        "quarter": quarter,
        "clerk": sees_all_departments(user),
        "csrf_token": context.get("csrf_token"),
    }
