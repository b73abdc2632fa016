from django import template

from departments.access import sees_all_departments
from departments.workflow import review_rows

register = template.Library()


@register.inclusion_tag("admin/departments/review_panel.html", takes_context=True)
def review_panel(context):
    """The admin home's box: the open quarters of the user's departments, with buttons."""
    user = context["request"].user
    return {
        "rows": review_rows(user),
        "clerk": sees_all_departments(user),
        "csrf_token": context.get("csrf_token"),
    }
