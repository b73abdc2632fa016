from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from departments.admin_base import DepartmentScopedAdmin, ScopedInline

from .models import Briefing, BriefingContact, BriefingSection, CouncilSession


@admin.register(CouncilSession)
class CouncilSessionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "council", "starts_on", "ends_on"]
    list_filter = ["council", "kind"]
    date_hierarchy = "starts_on"
    search_fields = ["council", "number"]


class BriefingSectionInline(ScopedInline):
    model = BriefingSection


class BriefingContactInline(ScopedInline):
    model = BriefingContact


@admin.register(Briefing)
class BriefingAdmin(DepartmentScopedAdmin):
    history_children = ("sections", "contacts")
    list_display = ["session", "department", "title", "as_of", "status"]
    list_filter = ["status", "session", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["session", "department"]
    autocomplete_fields = ["department", "session"]
    inlines = [BriefingSectionInline, BriefingContactInline]
