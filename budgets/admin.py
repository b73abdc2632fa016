from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from departments.access import departments_for
from departments.admin_base import DepartmentScopedAdmin, ScopedInline, TrackedAdmin
from departments.import_admin import SpreadsheetAdmin
from departments.locking import PeriodLocked, ensure_unlocked
from reports_site.templatetags.briefing import amount

from .models import BudgetCategory, BudgetLine, BudgetSnapshot, QuarterPlan
from .resources import BudgetLineResource, BudgetSnapshotResource
from .tables import line_figures, subtotal_warnings


def lock_reason(obj):
    """Why the row may not change (its period is approved or closed), or "" when it may."""
    if obj is None or obj.pk is None:
        return ""
    if not hasattr(obj, "_lock_reason"):  # asked several times per admin page
        try:
            ensure_unlocked(obj.locked_keys())
            obj._lock_reason = ""
        except PeriodLocked as locked:
            obj._lock_reason = locked.messages[0]
    return obj._lock_reason


class LockAwareAdmin(DepartmentScopedAdmin):
    """Locked rows are read-only (DepartmentScopedAdmin); this shows the reason too."""

    @admin.display(description=_("잠금"))
    def period_lock(self, obj):
        return lock_reason(obj) or _("수정할 수 있습니다.")


SNAPSHOT_FIELDS = [
    "as_of",
    "budget",
    "supplementary",
    "carried_over",
    "other_change",
    "committed",
    "executed",
    "assessed",
    "collected",
]


class BudgetSnapshotInline(ScopedInline):
    model = BudgetSnapshot
    fields = SNAPSHOT_FIELDS


class QuarterPlanInline(ScopedInline):
    model = QuarterPlan
    fields = ["quarter", "amount"]


# (column, BudgetRow attribute, is a percentage)
FIGURES = [
    (_("예산액"), "budget", False),
    (_("집행액"), "executed", False),
    (_("잔액"), "remainder", False),
    (_("집행률(%)"), "rate", True),
    (_("증감액"), "change", False),
    (_("증감률(%)"), "change_rate", True),
]


def figure_cells(row, places=1):
    """The FIGURES of a row as printed in the documents (1,234 / △ / - / 순증)."""
    cells = [amount(getattr(row, name), places if rate else None) for _, name, rate in FIGURES]
    if row.is_new:
        cells[-1] = _("순증")
    return cells


@admin.register(BudgetCategory)
class BudgetCategoryAdmin(TrackedAdmin):
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]


@admin.register(BudgetLine)
class BudgetLineAdmin(SpreadsheetAdmin, LockAwareAdmin):
    resource_classes = [BudgetLineResource]
    autocomplete_fields = ["department", "parent"]
    history_children = ("snapshots", "plans")
    list_display = ["name", "department", "year", "kind", "level", "parent", "source"]
    list_filter = [
        ("department", admin.RelatedOnlyFieldListFilter),
        "year",
        "kind",
        "level",
        "source",
    ]
    list_select_related = ["department", "parent"]
    search_fields = ["name", "department__name"]
    fields = [
        "period_lock",
        "department",
        "year",
        "kind",
        "level",
        "parent",
        "name",
        "order",
        "source",
        "category",
        "original_budget",
        "prior_budget",
        "stated_budget",
        "reference",
        "figures",
    ]
    readonly_fields = ["period_lock", "figures"]
    inlines = [BudgetSnapshotInline, QuarterPlanInline]

    def changelist_view(self, request, extra_context=None):
        for warning in subtotal_warnings(self.get_queryset(request)):
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = BudgetLine.objects.filter(
                department__in=departments_for(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("집행 현황 (최근 기준일, 천원)"))
    def figures(self, obj):
        if obj.pk is None:
            return "-"
        # A form shown again after a refused save holds the typed year and department; the
        # figures are those of the line as stored.
        row = line_figures(type(obj).objects.get(pk=obj.pk))
        caption = (
            _("%(date)s 기준") % {"date": f"{row.as_of:%Y. %-m. %-d.}"}
            if row.as_of
            else _("집행 현황 없음")
        )
        return format_html(
            "<table><caption>{}</caption><thead><tr>{}</tr></thead><tbody><tr>{}</tr></tbody>"
            "</table>",
            caption,
            format_html_join("", '<th scope="col">{}</th>', ((f[0],) for f in FIGURES)),
            format_html_join("", "<td>{}</td>", ((cell,) for cell in figure_cells(row))),
        )


class LineChildAdmin(LockAwareAdmin):
    """Snapshots and plans on their own pages: once a quarter is approved the line is
    read-only for the whole year, but the next quarter's figures must still go in."""

    department_path = "line__department"
    autocomplete_fields = ["line"]
    list_select_related = ["line__department"]
    search_fields = ["line__name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "line":
            kwargs["queryset"] = BudgetLine.objects.filter(
                department__in=departments_for(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("부서"), ordering="line__department")
    def department(self, obj):
        return obj.line.department


@admin.register(BudgetSnapshot)
class BudgetSnapshotAdmin(SpreadsheetAdmin, LineChildAdmin):
    resource_classes = [BudgetSnapshotResource]
    list_display = ["line", "department", "as_of", "budget", "executed", "committed"]
    list_filter = [("line__department", admin.RelatedOnlyFieldListFilter), "as_of"]
    date_hierarchy = "as_of"
    fields = ["period_lock", "line", *SNAPSHOT_FIELDS]
    readonly_fields = ["period_lock"]


@admin.register(QuarterPlan)
class QuarterPlanAdmin(LineChildAdmin):
    list_display = ["line", "department", "quarter", "amount"]
    list_filter = [("line__department", admin.RelatedOnlyFieldListFilter), "quarter"]
    fields = ["period_lock", "line", "quarter", "amount"]
    readonly_fields = ["period_lock"]
