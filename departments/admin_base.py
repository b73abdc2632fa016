"""Admin building blocks that keep each department's staff inside their own data."""

from django.contrib import admin
from django.db import router, transaction
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .access import departments_for
from .conflicts import (
    FIELD_NAME,
    ConflictCheckedForm,
    with_conflict_check,
    with_deleted_rows_check,
)
from .history import ValueDisplay, child_changes
from .locking import is_locked
from .models import Department


def scope_department_choices(db_field, request, kwargs):
    """Offer only the departments the user may act on in any department select or multi-select."""
    if db_field.related_model is Department:
        kwargs["queryset"] = departments_for(request.user)
    return kwargs


def token_in_fieldsets(fieldsets, editable):
    """The loaded-state token rides, hidden, in the first fieldset of a form that can be saved."""
    fieldsets = [
        (name, {**options, "fields": [f for f in options["fields"] if f != FIELD_NAME]})
        for name, options in fieldsets
    ]
    if editable and fieldsets:
        name, options = fieldsets[0]
        fieldsets[0] = (name, {**options, "fields": [*options["fields"], FIELD_NAME]})
    return fieldsets


class ConflictChecked:
    """Every admin form and inline row refuses to undo an edit saved since it was loaded
    (departments.conflicts). Admins and inlines of the project derive from the classes
    below, and a test fails on one that does not."""

    form = ConflictCheckedForm

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.form = with_conflict_check(cls.form)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return token_in_fieldsets(fieldsets, self.may_save(request, obj))

    def may_save(self, request, obj):
        # obj is the row (or, for an inline, its parent); an add form has nothing to guard.
        return obj is not None and self.has_change_permission(request, obj)


class HistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin with every change shown: the oldest entry of a page diffed
    against the one before it, no "None" for an empty reason, user or value."""

    object_history_template = "admin/history_with_children.html"
    object_history_list_template = "admin/history_list.html"
    history_children: tuple[str, ...] = ()  # inline relations whose edits are listed too

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        children = child_changes(obj, self.history_children) if obj else []
        context = {"child_changes": children}
        return super().history_view(request, object_id, context | (extra_context or {}))

    def get_historical_record_context_helper(self, request, historical_record):
        return ValueDisplay(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        oldest = records[-1] if records else None
        before = oldest.prev_record if oldest and oldest.history_type == "~" else None
        if before is not None:  # its predecessor is on the next page
            delta = oldest.diff_against(before, foreign_keys_are_objs=foreign_keys_are_objs)
            helper = self.get_historical_record_context_helper(request, oldest)
            oldest.history_delta_changes = helper.context_for_delta_changes(delta)


class TrackedAdmin(ConflictChecked, HistoryAdmin):
    """The base of every ModelAdmin: history kept, concurrent edits never lost."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "reverting", False):
            form = type(form.__name__, (form,), {"loaded_from_store": True})
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The revert form shows an old version; what it must not undo is the stored row.
        request.reverting = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_changelist_form(self, request, **kwargs):
        return with_conflict_check(super().get_changelist_form(request, **kwargs))

    def get_changelist_formset(self, request, **kwargs):
        return with_deleted_rows_check(super().get_changelist_formset(request, **kwargs))

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        # Django checks the editable rows before its own transaction; the rows read again
        # by the check must stay locked until they are saved.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().changelist_view(request, extra_context)


class ConflictCheckedInline(ConflictChecked):
    def may_save(self, request, obj):
        # A read-only parent (a locked quarter) shows its inline rows read-only too.
        parent_admin = self.admin_site._registry.get(self.parent_model)
        return super().may_save(request, obj) and parent_admin.has_change_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        return with_deleted_rows_check(super().get_formset(request, obj, **kwargs))


class TabularInline(ConflictCheckedInline, admin.TabularInline):
    extra = 0


class StackedInline(ConflictCheckedInline, admin.StackedInline):
    extra = 0


class ScopedInline(TabularInline):
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = scope_department_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = scope_department_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class DepartmentScopedAdmin(TrackedAdmin):
    """A ModelAdmin whose rows belong to a department.

    ``department_path`` is the lookup from the model to its Department ("" for Department
    itself). Rows of other departments are absent from lists and choices, and their
    URLs answer 404. ``history_children`` names inline relations whose edits are listed
    on the parent's history page.
    """

    department_path = "department"

    def scope_lookup(self):
        return f"{self.department_path}__in" if self.department_path else "pk__in"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(**{self.scope_lookup(): departments_for(request.user)})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django would redirect to the index with "does not exist"; a row of another
            # department must look exactly like a row that does not exist.
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = scope_department_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = scope_department_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # An approved period's rows are shown read-only; the models refuse writes anyway.
    def has_change_permission(self, request, obj=None):
        return not is_locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_locked(obj) and super().has_delete_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.get_object(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
