"""Spreadsheet columns of staffing: one row per department, as-of date and grade.

The shared rules (numbers, scoping, locks, duplicates) are in departments.imports.
"""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import Widget

from .imports import DEPARTMENT_COLUMN, DateWidget, DepartmentResource, IntegerWidget, TextWidget
from .imports import clean_text as text
from .models import Department, Grade, StaffingCount, StaffingSnapshot

AS_OF, POSITION_CLASS, GRADE = "기준일", "직종", "직급"


class SnapshotWidget(Widget):
    """The 인력 현황 of the row's department on this date.

    A new date starts a new 인력 현황, so a flat file can bring a whole quarter. It is
    created inside the import's transaction: rolled back with everything else on any error,
    and refused like any row when its period is approved.
    """

    def clean(self, value, row=None, **kwargs):
        as_of = DateWidget().clean(value)
        if as_of is None:
            return None
        department = Department.objects.get(code=text(row.get(DEPARTMENT_COLUMN)))
        return StaffingSnapshot.objects.get_or_create(department=department, as_of=as_of)[0]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.as_of


class GradeWidget(Widget):
    """The 직급 named in this column under the row's 직종 (blank: the class is one column)."""

    def clean(self, value, row=None, **kwargs):
        class_name = text(row.get(POSITION_CLASS))
        grade = Grade.objects.filter(position_class__name=class_name, name=text(value)).first()
        if grade is None:
            raise ValueError(_("직종·직급 목록에 없는 직급입니다."))
        return grade

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class StaffingCountResource(DepartmentResource):
    department = Field("snapshot__department__code", DEPARTMENT_COLUMN, TextWidget(), readonly=True)
    snapshot = Field("snapshot", AS_OF, SnapshotWidget())
    position_class = Field(
        "grade__position_class__name", POSITION_CLASS, TextWidget(), readonly=True
    )
    grade = Field("grade", GRADE, GradeWidget())
    authorised = Field("authorised", "정원", IntegerWidget(), default=0)
    actual = Field("actual", "현원", IntegerWidget(), default=0)

    key_columns = (DEPARTMENT_COLUMN, AS_OF, POSITION_CLASS, GRADE)

    class Meta:
        model = StaffingCount
        name = _("직급별 정·현원")
        fields = ("department", "snapshot", "position_class", "grade", "authorised", "actual")
        import_id_fields = ("snapshot", "grade")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("snapshot__department", "grade__position_class").order_by(
            "snapshot__department__code",
            "snapshot__as_of",
            "grade__position_class__order",
            "grade__order",
            "grade__name",
        )
