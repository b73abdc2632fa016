from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetLine
from departments.access import departments_for, sees_all_departments
from departments.admin_base import (
    DepartmentScopedAdmin,
    ScopedInline,
    StackedInline,
    TrackedAdmin,
)
from departments.locking import PeriodLocked, ensure_unlocked, is_locked
from departments.models import Department

from .models import (
    CouncilRequest,
    CouncilRequestKind,
    Kpi,
    KpiValue,
    Mission,
    PerformanceGoal,
    Program,
    ProgramGroup,
    ProgressEntry,
    ScheduleItem,
    StrategicGoal,
    check_budget_lines,
)
from .outline import tree

# Choices of these relations are limited to the user's departments, like Department's:
# model → (path to its department, what its label needs).
SCOPED_CHOICES = {
    BudgetLine: ("department", ()),
    Program: ("department", ()),
    PerformanceGoal: ("strategic_goal__department", ("strategic_goal",)),
    StrategicGoal: ("department", ()),
    Kpi: ("program__department", ()),
}
OUTLINE_WIDGET = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 8, "cols": 90})}}


def render_outline(text):
    return render_to_string("programs/outline.html", {"nodes": tree(text)}) if text else "-"


class ScopedAdmin(DepartmentScopedAdmin):
    """Our own relations scoped too; a row is read-only once its period is locked."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self.scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self.scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def scope_choices(self, db_field, request, kwargs):
        if db_field.related_model is ProgramGroup:
            kwargs["queryset"] = group_choices(request.user)
        elif db_field.related_model in SCOPED_CHOICES:
            path, related = SCOPED_CHOICES[db_field.related_model]
            queryset = db_field.related_model.objects.select_related(*related)
            kwargs["queryset"] = queryset.filter(**{f"{path}__in": departments_for(request.user)})
        return kwargs


def group_choices(user):
    """Groups of the user's departments and of the units above them: a division's program
    may sit under its bureau's strategy, which the division's staff only pick, never edit."""
    mine = departments_for(user)
    above = Department.objects.filter(
        Q(pk__in=mine)
        | Q(children__in=mine)
        | Q(children__children__in=mine)
        | Q(children__children__children__in=mine)
    )
    return ProgramGroup.objects.select_related("department").filter(department__in=above)


def parent_locked(obj):
    """is_locked, kept on the parent row: every inline asks it several times per page."""
    if obj is None:
        return False
    if not hasattr(obj, "_parent_locked"):
        obj._parent_locked = is_locked(obj)
    return obj._parent_locked


class LockedParentInline:
    """An inline is read-only while its parent row is locked (obj is the parent here)."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not parent_locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not parent_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not parent_locked(obj)


class RateMixin:
    @admin.display(description=_("집행률(%)"))
    def rate(self, obj):
        return self.get_empty_value_display() if obj.rate is None else obj.rate


# The year's direction --------------------------------------------------------------------


@admin.register(Mission)
class MissionAdmin(ScopedAdmin):
    autocomplete_fields = ["department"]
    list_display = ["department", "year", "text"]
    list_filter = ["year", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department"]
    readonly_fields = ["goals"]

    @admin.display(description=_("전략목표 → 성과목표"))
    def goals(self, obj):
        if obj.pk is None:
            return "-"
        goals = StrategicGoal.objects.filter(department=obj.department_id, year=obj.year)
        return render_to_string(
            "programs/admin/goals.html", {"goals": goals.prefetch_related("performance_goals")}
        )


class PerformanceGoalInline(LockedParentInline, ScopedInline):
    model = PerformanceGoal
    fields = ["order", "title"]


@admin.register(StrategicGoal)
class StrategicGoalAdmin(ScopedAdmin):
    autocomplete_fields = ["department"]
    history_children = ("performance_goals",)
    list_display = ["department", "year", "order", "title"]
    list_display_links = ["title"]
    list_filter = ["year", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department"]
    search_fields = ["title", "performance_goals__title"]
    inlines = [PerformanceGoalInline]


# Programs ------------------------------------------------------------------------------


@admin.register(ProgramGroup)
class ProgramGroupAdmin(ScopedAdmin):
    autocomplete_fields = ["department"]
    list_display = ["department", "year", "order", "kind", "title", "marker"]
    list_display_links = ["title"]
    list_filter = ["year", "kind", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department"]
    search_fields = ["title", "kind"]
    fields = ["department", "year", "order", "kind", "title", "marker", "programs_list"]
    readonly_fields = ["programs_list"]

    @admin.display(description=_("묶인 사업"))
    def programs_list(self, obj):
        if obj.pk is None:
            return "-"
        programs = obj.programs.select_related("department").order_by("department", "order")
        rows = [(p.department.name, p.title) for p in programs]
        return format_html_join(mark_safe("<br>"), "{} · {}", rows) if rows else "-"


class ProgressEntryInline(RateMixin, LockedParentInline, StackedInline):
    model = ProgressEntry
    formfield_overrides = OUTLINE_WIDGET
    fields = [
        ("year", "quarter"),
        "achievements",
        "plans",
        ("budget", "executed", "rate", "budget_source"),
        "budget_note",
    ]
    readonly_fields = ["rate"]


class ScheduleItemInline(LockedParentInline, ScopedInline):
    model = ScheduleItem
    fields = ["order", "year", "quarter", "month", "text", "amount"]


class KpiInline(LockedParentInline, ScopedInline):
    model = Kpi
    fields = ["order", "name", "unit", "direction"]
    show_change_link = True


class ProgramForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        department, year = cleaned.get("department"), cleaned.get("year")
        lines = cleaned.get("budget_lines")
        if department and year and lines:
            try:
                check_budget_lines(department.pk, year, lines)
            except ValidationError as error:
                self.add_error("budget_lines", error)
        return cleaned


@admin.register(Program)
class ProgramAdmin(ScopedAdmin):
    form = ProgramForm
    autocomplete_fields = ["department", "budget_lines"]
    history_children = ("progress", "schedule", "kpis")
    list_display = ["department", "year", "kind", "order", "title", "team"]
    list_display_links = ["title"]
    list_filter = ["year", "kind", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department", "team"]
    search_fields = ["title", "purpose", "overview"]
    formfield_overrides = OUTLINE_WIDGET
    readonly_fields = ["overview_preview"]
    fieldsets = [
        (None, {"fields": ["department", "year", "kind", "order", "title", "team"]}),
        (
            _("목표와 묶음"),
            {"fields": ["performance_goal", "group", "unit_title", "budget_lines"]},
        ),
        (
            _("사업 내용"),
            {"fields": ["purpose", "legal_basis", "period", "overview", "overview_preview"]},
        ),
    ]
    inlines = [ProgressEntryInline, ScheduleItemInline, KpiInline]

    @admin.display(description=_("사업개요 미리보기 (저장된 값 기준)"))
    def overview_preview(self, obj):
        return render_outline(obj.overview)


@admin.register(ProgressEntry)
class ProgressEntryAdmin(RateMixin, ScopedAdmin):
    """Quarter by quarter, so a new quarter can be entered while last quarter is locked."""

    department_path = "program__department"
    autocomplete_fields = ["program"]
    formfield_overrides = OUTLINE_WIDGET
    list_display = ["program", "year", "quarter", "budget", "executed", "rate"]
    list_filter = ["year", "quarter", ("program__department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["program"]
    search_fields = ["program__title", "achievements", "plans"]
    readonly_fields = ["rate", "preview"]
    fields = [
        "program",
        ("year", "quarter"),
        "achievements",
        "plans",
        ("budget", "executed", "rate", "budget_source"),
        "budget_note",
        "preview",
    ]

    @admin.display(description=_("미리보기 (저장된 값 기준)"))
    def preview(self, obj):
        return render_to_string(
            "programs/admin/progress_preview.html",
            {"achievements": tree(obj.achievements), "plans": tree(obj.plans)},
        )


class KpiValueInline(LockedParentInline, ScopedInline):
    model = KpiValue
    fields = ["year", "target", "actual"]


@admin.register(Kpi)
class KpiAdmin(ScopedAdmin):
    department_path = "program__department"
    autocomplete_fields = ["program"]
    history_children = ("values",)
    list_display = ["program", "order", "name", "unit", "direction"]
    list_filter = ["direction", "program__year"]
    list_select_related = ["program"]
    search_fields = ["name", "program__title"]
    inlines = [KpiValueInline]


# Council requests ------------------------------------------------------------------------


class ListEditableForm(forms.ModelForm):
    locked = False  # set by LockedRowsFormSet

    # _post_clean is where a ModelForm runs the model's checks (Model.full_clean).

    def _post_clean(self):
        if not self.locked:  # the model refuses a locked row even when it is unchanged
            super()._post_clean()


class LockedRowsFormSet(forms.BaseModelFormSet):
    """The list's editable column: rows of an approved period are shown disabled and left
    out of the checks, so they do not block saving the open rows beside them."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is not None and self._is_locked(form.instance.lock_key()):
            form.locked = True
            for field in form.fields.values():
                field.disabled = True
        return form

    def _is_locked(self, key):
        cache = self.__dict__.setdefault("_locked_keys", {})  # a page shares a few periods
        if key not in cache:
            try:
                ensure_unlocked([key])
                cache[key] = False
            except PeriodLocked:
                cache[key] = True
        return cache[key]


@admin.register(CouncilRequestKind)
class CouncilRequestKindAdmin(TrackedAdmin):
    list_display = ["council_name", "order", "name"]
    list_display_links = ["name"]
    list_filter = ["council"]
    search_fields = ["council", "name"]

    @admin.display(description=_("의회"), ordering="council")
    def council_name(self, obj):
        return obj.council or _("(기본 구분)")


def kinds_for(user):
    """The kinds of the councils the user's departments report to, each in its order (the
    clerks: every council's)."""
    from reports_site.models import CouncilSession

    if sees_all_departments(user):
        return CouncilRequestKind.objects.order_by("council", "order", "name")
    heard = CouncilSession.objects.heard(departments_for(user))
    return CouncilRequestKind.objects.of_councils(set(heard.values_list("council", flat=True)))


@admin.register(CouncilRequest)
class CouncilRequestAdmin(ScopedAdmin):
    autocomplete_fields = ["department", "shared_with"]
    list_display = ["department", "year", "quarter", "kind", "order", "short_text", "status"]
    list_display_links = ["short_text"]
    list_editable = ["status"]
    list_filter = ["status", "kind", "year", "quarter"]
    list_select_related = ["department", "kind"]
    search_fields = ["text", "action_taken", "plan"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.council_request = obj  # the choices below keep what the row has
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kinds = kinds_for(request.user)
            obj = getattr(request, "council_request", None)
            if obj is not None:  # a kind a clerk chose, of another council
                kinds = kinds | CouncilRequestKind.objects.filter(pk=obj.kind_id)
            kwargs["queryset"] = kinds
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        obj = getattr(request, "council_request", None)
        if db_field.name == "shared_with" and obj is not None:
            # A department outside the user's, named by a clerk, stays named.
            shared = Q(pk__in=field.queryset) | Q(pk__in=obj.shared_with.all())
            field.queryset = Department.objects.filter(shared)
        return field

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ListEditableForm, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=LockedRowsFormSet, **kwargs)

    @admin.display(description=_("요구 내용"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 60 else f"{obj.text[:60]}…"
