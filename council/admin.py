from django.contrib import admin

from departments.admin_base import HistoryAdmin

from .models import Committee


@admin.register(Committee)
class CommitteeAdmin(HistoryAdmin):
    list_display = ["name", "council", "order", "department_count"]
    list_filter = ["council"]
    search_fields = ["name", "departments__name"]
    filter_horizontal = ["departments"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departments")

    @admin.display(description=Committee._meta.get_field("departments").verbose_name)
    def department_count(self, obj):
        return len(obj.departments.all())
