"""The role groups and the model permissions each one carries.

`sync_roles` runs after every migrate, so a new model's permissions reach the roles
without a hand-written data migration.
"""

from django.contrib.auth.models import Group, Permission

from departments.access import Role

ALL = ("view", "add", "change", "delete")

# Rows a department keeps for itself; which rows of them a user sees is scoped separately.
DEPARTMENT_DATA = [
    "departments.department",
    "departments.departmentname",
    "departments.duty",
    "departments.staffingsnapshot",
    "departments.staffingcount",
    "departments.facility",
    "departments.facilityextension",
    "departments.vehiclefleet",
    "departments.vehiclecount",
    "budgets.budgetline",
    "budgets.budgetsnapshot",
    "budgets.quarterplan",
    "programs.mission",
    "programs.strategicgoal",
    "programs.performancegoal",
    "programs.programgroup",
    "programs.program",
    "programs.progressentry",
    "programs.scheduleitem",
    "programs.kpi",
    "programs.kpivalue",
    "programs.councilrequest",
    "reports_site.briefing",
    "reports_site.briefingsection",
    "reports_site.block",
    "reports_site.briefingcontact",
]
# Shared vocabulary (table columns); kept by the clerk.
REFERENCE_DATA = [
    "departments.unitkind",
    "departments.positionclass",
    "departments.grade",
    "departments.vehiclecategory",
    "departments.vehiclesize",
    "budgets.budgetcategory",
    "reports_site.councilsession",
    "reports_site.housestyle",
    "programs.councilrequestkind",
    "council.committee",
]
CLERK_ONLY = ["departments.membership", "departments.reportingperiod"]

ROLE_PERMISSIONS = {
    Role.STAFF: {model: ALL for model in DEPARTMENT_DATA}
    | {model: ("view",) for model in REFERENCE_DATA + ["departments.reportingperiod"]},
    Role.REVIEWER: {model: ALL for model in DEPARTMENT_DATA}
    | {model: ("view",) for model in REFERENCE_DATA + ["departments.reportingperiod"]},
    Role.CLERK: {model: ALL for model in DEPARTMENT_DATA + REFERENCE_DATA + CLERK_ONLY},
    Role.COUNCIL: {},
}


def permissions_for(spec: dict[str, tuple[str, ...]]):
    wanted = set()
    for model, actions in spec.items():
        app_label, model_name = model.split(".")
        wanted |= {(app_label, f"{action}_{model_name}") for action in actions}
    perms = Permission.objects.filter(content_type__app_label__in={a for a, _ in wanted})
    return [
        p
        for p in perms.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]


def sync_roles(**kwargs):
    for name, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions_for(spec))
