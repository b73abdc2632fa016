from collections import Counter

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .access import departments_for, sees_all_departments
from .admin_base import DepartmentScopedAdmin, ScopedInline, TabularInline, TrackedAdmin
from .import_admin import SpreadsheetAdmin
from .models import (
    ANCESTORS,
    Department,
    DepartmentName,
    Duty,
    Facility,
    FacilityExtension,
    Grade,
    Membership,
    PositionClass,
    ReportingPeriod,
    StaffingCount,
    StaffingSnapshot,
    UnitKind,
    VehicleCategory,
    VehicleCount,
    VehicleFleet,
    VehicleSize,
)
from .resources import StaffingCountResource
from .tables import staffing_table, vehicle_table
from .workflow import allowed_actions, close_all_approved, current_quarter, perform, period_for


def render_count_table(table, row_header):
    return render_to_string("tables/count_table.html", {"table": table, "row_header": row_header})


class DutyInline(ScopedInline):
    model = Duty
    fields = ["order", "text"]


class DepartmentNameInline(ScopedInline):
    model = DepartmentName


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdmin):
    department_path = ""
    history_children = ("duties", "names")
    list_display = ["name", "code", "kind", "unit_kind", "parent", "order", "active"]
    list_filter = ["kind", "unit_kind", "active"]
    list_select_related = ["parent", "unit_kind"]
    search_fields = ["name", "code"]
    inlines = [DutyInline, DepartmentNameInline]

    def get_readonly_fields(self, request, obj=None):
        # Staff keep their own unit's details; where it sits in the tree is the clerk's call.
        if obj is not None and not sees_all_departments(request.user):
            return ["parent", "code", "kind", "unit_kind"]
        return []

    def has_delete_permission(self, request, obj=None):
        # Staff may remove teams below their unit, never the unit they belong to.
        if obj is not None and not sees_all_departments(request.user):
            if obj.memberships.filter(user=request.user).exists():
                return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and not sees_all_departments(request.user):
            form.base_fields["parent"].required = True
        return form


@admin.register(UnitKind)
class UnitKindAdmin(TrackedAdmin):
    list_display = ["name", "tier", "order"]
    list_editable = ["order"]
    list_filter = ["tier"]


class GradeInline(TabularInline):
    model = Grade


@admin.register(PositionClass)
class PositionClassAdmin(TrackedAdmin):
    list_display = ["name", "order", "grade_names"]
    inlines = [GradeInline]
    history_children = ("grades",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grades")

    @admin.display(description=_("직급"))
    def grade_names(self, obj):
        return ", ".join(grade.name or "-" for grade in obj.grades.all())


class VehicleSizeInline(TabularInline):
    model = VehicleSize


@admin.register(VehicleCategory)
class VehicleCategoryAdmin(TrackedAdmin):
    list_display = ["name", "order", "size_names"]
    inlines = [VehicleSizeInline]
    history_children = ("sizes",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sizes")

    @admin.display(description=_("규격·용도"))
    def size_names(self, obj):
        return ", ".join(size.name or "-" for size in obj.sizes.all())


class StaffingCountInline(ScopedInline):
    model = StaffingCount

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grade":
            kwargs["queryset"] = Grade.objects.select_related("position_class")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(StaffingSnapshot)
class StaffingSnapshotAdmin(SpreadsheetAdmin, DepartmentScopedAdmin):
    resource_classes = [StaffingCountResource]  # the flat file: one row per grade
    autocomplete_fields = ["department"]
    history_children = ("counts",)
    list_display = ["department", "as_of", "authorised_total", "actual_total"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter), "as_of"]
    list_select_related = ["department"]
    date_hierarchy = "as_of"
    readonly_fields = ["table"]
    fields = ["department", "as_of", "note", "table"]
    inlines = [StaffingCountInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    def get_export_queryset(self, request):
        # The counts of the 인력 현황 in the (scoped, filtered) list.
        snapshots = super().get_export_queryset(request)
        return StaffingCount.objects.filter(snapshot__in=snapshots.values("pk"))

    @admin.display(description=_("정원"))
    def authorised_total(self, obj):
        return obj.authorised_total

    @admin.display(description=_("현원"))
    def actual_total(self, obj):
        return obj.actual_total

    @admin.display(description=_("인력 현황표 (저장된 값 기준)"))
    def table(self, obj):
        if obj.pk is None:
            return "-"
        return render_count_table(staffing_table(obj), _("구분"))


class FacilityExtensionInline(ScopedInline):
    model = FacilityExtension


@admin.register(Facility)
class FacilityAdmin(DepartmentScopedAdmin):
    autocomplete_fields = ["department"]
    history_children = ("extensions",)
    list_display = [
        "name",
        "department",
        "as_of",
        "category",
        "site",
        "land_area",
        "floor_area",
        "completed_on",
        "ownership",
    ]
    list_filter = [
        ("department", admin.RelatedOnlyFieldListFilter),
        "as_of",
        "category",
        "ownership",
    ]
    list_select_related = ["department"]
    search_fields = ["name", "address", "notes"]
    inlines = [FacilityExtensionInline]
    fieldsets = [
        (None, {"fields": ["department", "as_of", "category", "site", "name", "order"]}),
        (
            _("건물"),
            {
                "fields": [
                    "address",
                    "land_area",
                    "floor_area",
                    "scale",
                    "structure",
                    "completed_on",
                ]
            },
        ),
        (_("소유·임차"), {"fields": ["ownership", "lease_from", "lease_until", "lease_cost"]}),
        (_("현황·비고"), {"fields": ["description", "notes", "managed_by"]}),
    ]


class VehicleCountInline(ScopedInline):
    model = VehicleCount

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "size":
            kwargs["queryset"] = VehicleSize.objects.select_related("category")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(VehicleFleet)
class VehicleFleetAdmin(DepartmentScopedAdmin):
    autocomplete_fields = ["department"]
    history_children = ("counts",)
    list_display = ["department", "as_of", "vehicle_total", "quota"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter), "as_of"]
    list_select_related = ["department"]
    readonly_fields = ["table"]
    fields = ["department", "as_of", "quota", "note", "table"]
    inlines = [VehicleCountInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    @admin.display(description=_("총계"))
    def vehicle_total(self, obj):
        return obj.vehicle_total

    @admin.display(description=_("공용차량 현황표 (저장된 값 기준)"))
    def table(self, obj):
        if obj.pk is None:
            return "-"
        return render_count_table(vehicle_table(obj), _("구분"))


@admin.register(Membership)
class MembershipAdmin(DepartmentScopedAdmin):
    list_display = ["user", "department"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user", "department"]
    search_fields = ["user__username", "department__name"]


# The membership form's user field, as the admin's autocomplete names it in its query.
MEMBER_PICKER = {"app_label": "departments", "model_name": "membership", "field_name": "user"}


def picks_a_member(request):
    """Whether this is the user search of the membership form, asked by someone who may
    save memberships (the clerk)."""
    match = request.resolver_match
    if match is None or match.view_name != f"{admin.site.name}:autocomplete":
        return False
    if any(request.GET.get(key) != value for key, value in MEMBER_PICKER.items()):
        return False
    return any(
        request.user.has_perm(f"departments.{action}_membership") for action in ("add", "change")
    )


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, with one more reader: the clerk assigns users to departments,
    so the membership form's user search (the autocomplete, which asks for the view
    permission on users) answers them. Only that search: the clerk gets no user list or
    change page, and the search shows user names only."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or picks_a_member(request)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(DepartmentScopedAdmin):
    """Review periods: moved only through the workflow buttons, never edited by hand."""

    list_display = ["department", "year", "quarter", "status", "changed_at", "changed_by"]
    list_filter = ["status", "year", "quarter", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department", "changed_by"]
    readonly_fields = [
        "department",
        "year",
        "quarter",
        "status",
        "comment",
        "changed_at",
        "changed_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("act/", view(self.act_view), name="departments_reportingperiod_act"),
            path("board/", view(self.board_view), name="departments_reportingperiod_board"),
            *super().get_urls(),
        ]

    def act_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        department = get_object_or_404(
            departments_for(request.user), pk=request.POST.get("department")
        )
        try:
            year, quarter = int(request.POST["year"]), int(request.POST["quarter"])
        except (KeyError, ValueError):
            raise Http404 from None
        period = period_for(department, year, quarter)
        try:
            perform(
                request.user, period, request.POST.get("action"), request.POST.get("comment", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(period)s: %(status)s")
                % {"period": period, "status": period.get_status_display()},
            )
        return redirect(_back(request))

    def board_view(self, request):
        if not sees_all_departments(request.user):
            raise PermissionDenied
        year, quarter = current_quarter()
        year = _int(request.GET.get("year") or request.POST.get("year"), year)
        quarter = _int(request.GET.get("quarter") or request.POST.get("quarter"), quarter)
        if request.method == "POST" and request.POST.get("close_all"):
            closed = close_all_approved(request.user, year, quarter)
            messages.success(request, _("%(n)d개 부서를 마감했습니다.") % {"n": len(closed)})
            return redirect(f"{request.path}?year={year}&quarter={quarter}")
        rows = close_out_rows(request.user, year, quarter)
        counts = Counter(row["period"].status for row in rows)
        context = self.admin_site.each_context(request) | {
            "title": _("분기 보고 마감 현황"),
            "rows": rows,
            "year": year,
            "quarter": quarter,
            "quarters": [1, 2, 3, 4],
            "counts": counts,
        }
        return TemplateResponse(request, "admin/departments/board.html", context)


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _back(request):
    """Where the button was pressed (admin home or the board), if that is on this site."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")


def close_out_rows(user, year, quarter):
    """Every reporting department (active 국 and 과) with its period, in the organisation's
    order (a bureau, then its divisions): two queries."""
    reporting = [Department.Kind.BUREAU, Department.Kind.DIVISION]
    departments = Department.objects.active().filter(kind__in=reporting)
    departments = departments.select_related(ANCESTORS)
    periods = {
        p.department_id: p
        for p in ReportingPeriod.objects.filter(year=year, quarter=quarter).select_related(
            "changed_by"
        )
    }
    rows = []
    for department in sorted(departments, key=Department.tree_key):
        period = periods.get(department.pk) or ReportingPeriod(
            department=department, year=year, quarter=quarter
        )
        period.department = department
        rows.append({"period": period, "actions": allowed_actions(user, period)})
    return rows
