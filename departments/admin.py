from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .access import sees_all_departments
from .admin_base import DepartmentScopedAdmin, ScopedInline
from .models import (
    Department,
    DepartmentName,
    Duty,
    Facility,
    FacilityExtension,
    Grade,
    Membership,
    PositionClass,
    StaffingCount,
    StaffingSnapshot,
    VehicleCategory,
    VehicleCount,
    VehicleFleet,
    VehicleSize,
)
from .tables import staffing_table, vehicle_table


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
    list_display = ["name", "code", "kind", "parent", "order", "active"]
    list_filter = ["kind", "active"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    inlines = [DutyInline, DepartmentNameInline]

    def get_readonly_fields(self, request, obj=None):
        # Staff keep their own unit's details; where it sits in the tree is the clerk's call.
        if obj is not None and not sees_all_departments(request.user):
            return ["parent", "code", "kind"]
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


class GradeInline(admin.TabularInline):
    model = Grade
    extra = 0


@admin.register(PositionClass)
class PositionClassAdmin(SimpleHistoryAdmin):
    list_display = ["name", "order", "grade_names"]
    inlines = [GradeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grades")

    @admin.display(description=_("직급"))
    def grade_names(self, obj):
        return ", ".join(grade.name or "-" for grade in obj.grades.all())


class VehicleSizeInline(admin.TabularInline):
    model = VehicleSize
    extra = 0


@admin.register(VehicleCategory)
class VehicleCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "order", "size_names"]
    inlines = [VehicleSizeInline]

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
class StaffingSnapshotAdmin(DepartmentScopedAdmin):
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
