"""Spreadsheet columns of staffing: one row per department, as-of date and grade.

The shared rules (numbers, scoping, locks, duplicates) are in departments.imports.
"""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import Widget

from .bulk_import import write
from .imports import DEPARTMENT_COLUMN, DateWidget, DepartmentResource, IntegerWidget, TextWidget
from .imports import clean_text as text
from .models import Department, Grade, StaffingCount, StaffingSnapshot

AS_OF, POSITION_CLASS, GRADE = "기준일", "직종", "직급"


class SnapshotWidget(Widget):
    """The 인력 현황 of the row's department on this date.

    A new date starts a new 인력 현황, so a flat file can bring a whole quarter. It is
    created with its counts, inside the import's transaction: rolled back with everything
    else on any error, and refused like any row when its period is approved.
    """

    def prepare(self, rows, column):
        """The departments and the stored 인력 현황 the file names, in two queries."""
        codes = {text(row.get(DEPARTMENT_COLUMN)) for row in rows}
        days = set()
        for row in rows:
            try:
                days.add(DateWidget().clean(row.get(column)))
            except ValueError:
                pass  # the cell's own error is reported
        stored = StaffingSnapshot.objects.filter(department__code__in=codes, as_of__in=days)
        return {
            "departments": Department.objects.in_bulk(codes, field_name="code"),
            "snapshots": {
                (s.department.code, s.as_of): s for s in stored.select_related("department")
            },
        }

    def clean(self, value, row=None, found=None, **kwargs):
        as_of = DateWidget().clean(value)
        if as_of is None:
            return None
        code = text(row.get(DEPARTMENT_COLUMN))
        key = (code, as_of)
        if key not in found["snapshots"]:  # one new 인력 현황 for all its rows
            department = found["departments"].get(code)
            if department is None:
                raise ValueError(_("없는 부서입니다."))
            found["snapshots"][key] = StaffingSnapshot(department=department, as_of=as_of)
        return found["snapshots"][key]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.as_of


class GradeWidget(Widget):
    """The 직급 named in this column under the row's 직종 (blank: the class is one column)."""

    def prepare(self, rows, column):
        classes = {text(row.get(POSITION_CLASS)) for row in rows}
        grades = Grade.objects.filter(position_class__name__in=classes)
        return {(g.position_class.name, g.name): g for g in grades.select_related("position_class")}

    def clean(self, value, row=None, found=None, **kwargs):
        grade = found.get((text(row.get(POSITION_CLASS)), text(value)))
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

    def save_rows(self, new, changed, *, user, reason):
        # The 인력 현황 new in this file first, so that their counts can name them.
        snapshots = {id(c.snapshot): c.snapshot for c in new if c.snapshot.pk is None}
        write(StaffingSnapshot, list(snapshots.values()), [], user=user, reason=reason)
        write(StaffingCount, new, changed, user=user, reason=reason)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("snapshot__department", "grade__position_class").order_by(
            "snapshot__department__code",
            "snapshot__as_of",
            "grade__position_class__order",
            "grade__order",
            "grade__name",
        )
