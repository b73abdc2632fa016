"""Spreadsheet columns of budget lines and their execution snapshots.

A line is named by 부서 코드 + 회계연도 + 세입·세출 + 사업명 (its business key); the shared
rules (numbers, scoping, locks, duplicates) are in departments.imports.
"""

from collections import defaultdict

from django.db.models import Case, Exists, OuterRef, Value, When
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import Widget

from departments.bulk_import import write
from departments.imports import (
    DEPARTMENT_COLUMN,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    DepartmentResource,
    IntegerWidget,
    TextWidget,
    clean_text,
)
from departments.models import Department

from .models import BudgetCategory, BudgetLine, BudgetSnapshot

YEAR, KIND, LEVEL, NAME, AS_OF = "회계연도", "세입·세출", "단계", "사업명", "기준일"
PARENT = "상위 사업"
# "총무과 > 기본경비": a name used under several parents, with the parents that tell it apart
PATH_SEPARATOR = ">"
# Enough of a line's parents to tell where it sits (a tree is at most six levels deep).
PARENTS = "parent__parent__parent__parent__parent"
# "단위사업:기본경비": a level before the name, when the name is used at several levels
LEVEL_OF_LABEL = {str(label): value for value, label in BudgetLine.Level.choices}


# Widgets keep what they read once (ChoiceWidget's labels): made once, not per cell.
YEAR_CELL, KIND_CELL = IntegerWidget(), ChoiceWidget(BudgetLine.Kind)


def line_key(row, name):
    """(부서 코드, 회계연도, 세입·세출, name) of a row, or None when one of its cells is bad."""
    try:
        year = YEAR_CELL.clean(row.get(YEAR))
        kind = KIND_CELL.clean(row.get(KIND))
    except ValueError:
        return None  # that column's own error is reported
    return (clean_text(row.get(DEPARTMENT_COLUMN)), year, kind, name)


def level_and_name(text):
    """("unit", "기본경비") for "단위사업:기본경비"; (None, text) for a plain name."""
    label, sep, name = text.partition(":")
    if sep and label.strip() in LEVEL_OF_LABEL:
        return LEVEL_OF_LABEL[label.strip()], name.strip()
    return None, text


def line_path(text):
    """[(level, name), …] of "총무과 > 단위사업:기본경비": the line last, lines above it
    before it (as many as tell it apart), each with its level if typed."""
    return [level_and_name(part.strip()) for part in text.split(PATH_SEPARATOR)]


def sits_under(line, above):
    """Whether the (level, name) pairs given are lines above this one, in that order from
    the top ("1과 > 기본경비": a 기본경비 somewhere under 1과)."""
    wanted = list(reversed(above))
    parent = line.parent
    while wanted and parent is not None:
        level, name = wanted[0]
        if parent.name == name and level in (None, parent.level):
            wanted.pop(0)
        parent = parent.parent
    return not wanted


def place_of(line):
    """The line as a path from the top ("총무과 > 행정운영경비 > 기본경비")."""
    names = []
    while line is not None:
        names.append(line.name)
        line = line.parent
    return f" {PATH_SEPARATOR} ".join(reversed(names))


class LineWidget(Widget):
    """The budget line named in this column, of the row's 부서 코드, 회계연도 and 세입·세출.

    A name may be used at several levels (정책사업 기본경비 → 단위사업 기본경비): figures
    go on the one without lines below it (``leaf``); otherwise the cell names the level
    ("정책사업:기본경비"). A name used under several parents (기본경비 of each 부서) is
    told apart by its parents before it ("총무과 > 기본경비").
    """

    def __init__(self, leaf=False):
        super().__init__()
        self.leaf = leaf

    def prepare(self, rows, column):
        """Every line the column names, in one query: {line_key: [lines]}."""
        keys = {line_key(row, line_path(clean_text(row.get(column)))[-1][1]) for row in rows}
        keys = {key for key in keys if key is not None and key[3]}
        if not keys:
            return {}
        codes, years, kinds, names = (set(part) for part in zip(*keys, strict=True))
        lines = (
            BudgetLine.objects.filter(
                department__code__in=codes, year__in=years, kind__in=kinds, name__in=names
            )
            .select_related("department", PARENTS)
            .annotate(has_children=Exists(BudgetLine.objects.filter(parent=OuterRef("pk"))))
        )
        found = defaultdict(list)
        for line in lines:
            found[(line.department.code, line.year, line.kind, line.name)].append(line)
        return found

    def clean(self, value, row=None, found=None, **kwargs):
        *above, (level, name) = line_path(clean_text(value))
        if not name:
            return None
        key = line_key(row, name)
        if key is None:
            return None
        lines = [
            line
            for line in found.get(key, [])
            if level in (None, line.level) and sits_under(line, above)
        ]
        if len(lines) > 1 and self.leaf:
            lines = [line for line in lines if not getattr(line, "has_children", False)]
        if not lines:
            raise ValueError(_("이 부서·회계연도·세입세출에 없는 예산 사업입니다."))
        if len({line.level for line in lines}) < len(lines):  # one level, several parents
            raise ValueError(
                _(
                    "같은 이름의 사업이 여러 상위 사업 아래에 있습니다 (%(places)s). "
                    "'%(example)s'처럼 상위 사업을 앞에 적으세요."
                )
                % {
                    "places": ", ".join(place_of(line) for line in lines),
                    "example": place_of(lines[0]),
                }
            )
        if len(lines) > 1:
            levels = ", ".join(str(line.get_level_display()) for line in lines)
            raise ValueError(
                _(
                    "같은 이름의 사업이 여러 단계(%(levels)s)에 있습니다. "
                    "'%(example)s:%(name)s'처럼 단계를 앞에 적으세요."
                )
                % {"levels": levels, "example": lines[0].get_level_display(), "name": name}
            )
        return lines[0]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class CategoryWidget(Widget):
    """A budget category named by its name, of the row's 세입·세출."""

    def prepare(self, rows, column):
        return {(c.kind, c.name): c for c in BudgetCategory.objects.all()}

    def clean(self, value, row=None, found=None, **kwargs):
        name = clean_text(value)
        if not name:
            return None
        try:
            kind = KIND_CELL.clean(row.get(KIND))
        except ValueError:
            return None
        if (kind, name) not in found:
            raise ValueError(_("없는 예산 구분입니다 (예산 구분 목록에 먼저 넣으세요)."))
        return found[(kind, name)]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class BudgetLineResource(DepartmentResource):
    department = Field("department", DEPARTMENT_COLUMN, CodeWidget(Department))
    year = Field("year", YEAR, IntegerWidget())
    kind = Field("kind", KIND, ChoiceWidget(BudgetLine.Kind))
    level = Field("level", LEVEL, ChoiceWidget(BudgetLine.Level))
    parent = Field("parent", PARENT, LineWidget())
    name = Field("name", NAME, TextWidget())
    order = Field("order", "표시 순서", IntegerWidget(), default=0)
    source = Field("source", "재원", ChoiceWidget(BudgetLine.Source))
    prior_budget = Field("prior_budget", "전년도 최종예산(천원)", IntegerWidget())
    original_budget = Field("original_budget", "본예산(천원)", IntegerWidget())
    stated_budget = Field("stated_budget", "인쇄된 소계(천원)", IntegerWidget())
    category = Field("category", "예산 구분", CategoryWidget())
    reference = Field("reference", "설명자료 쪽수", TextWidget())

    key_columns = (DEPARTMENT_COLUMN, YEAR, KIND, LEVEL, PARENT, NAME)
    optional_columns = ("본예산(천원)", "인쇄된 소계(천원)", "예산 구분", "설명자료 쪽수")

    class Meta:
        model = BudgetLine
        name = _("예산 사업")
        fields = (
            "department",
            "year",
            "kind",
            "level",
            "parent",
            "name",
            "order",
            "source",
            "prior_budget",
            "original_budget",
            "stated_budget",
            "category",
            "reference",
        )
        # A line is the name at its place: under its parent (or at the top) at its level.
        import_id_fields = ("department", "year", "kind", "level", "parent", "name")

    def after_row(self, instance, found):
        # A later row may name this line as its parent, new in this file or as it leaves it.
        key = (instance.department.code, instance.year, instance.kind, instance.name)
        lines = found[self.fields["parent"].column_name].setdefault(key, [])
        same = (instance.level, instance.parent)
        lines[:] = [line for line in lines if (line.level, line.parent) != same]
        lines.append(instance)

    def save_rows(self, new, changed, *, user, reason):
        # A line sits below its parent's level, so creating level by level saves each
        # parent before its children: at most one statement per level, not per row.
        for level in BudgetLine.LEVEL_RANK:
            wave = [line for line in new if line.level == level]
            write(BudgetLine, wave, [], user=user, reason=reason)
        write(BudgetLine, [], changed, user=user, reason=reason)

    def filter_export(self, queryset, **kwargs):
        # Parents before their children, so that the file imports back in one pass.
        ranks = BudgetLine.LEVEL_RANK.items()
        rank = Case(*(When(level=level, then=Value(n)) for level, n in ranks))
        return queryset.select_related("department", "parent").order_by(
            "department__code", "year", "kind", rank, "order", "name"
        )


class BudgetSnapshotResource(DepartmentResource):
    """The quarterly import: one row per line and as-of date."""

    department = Field("line__department__code", DEPARTMENT_COLUMN, TextWidget(), readonly=True)
    year = Field("line__year", YEAR, IntegerWidget(), readonly=True)
    kind = Field("line__kind", KIND, ChoiceWidget(BudgetLine.Kind), readonly=True)
    line = Field("line", NAME, LineWidget(leaf=True))
    as_of = Field("as_of", AS_OF, DateWidget())
    budget = Field("budget", "예산액(천원)", IntegerWidget())
    executed = Field("executed", "집행액(천원)", IntegerWidget())
    committed = Field("committed", "원인행위액(천원)", IntegerWidget())
    collected = Field("collected", "징수액(천원)", IntegerWidget())
    assessed = Field("assessed", "징수결정액(천원)", IntegerWidget())
    supplementary = Field("supplementary", "추경(천원)", IntegerWidget(negative_ok=True))
    carried_over = Field("carried_over", "이월(천원)", IntegerWidget(negative_ok=True))
    other_change = Field("other_change", "변경 등(천원)", IntegerWidget(negative_ok=True))

    key_columns = (DEPARTMENT_COLUMN, YEAR, KIND, NAME, AS_OF)
    optional_columns = ("징수결정액(천원)", "추경(천원)", "이월(천원)", "변경 등(천원)")

    class Meta:
        model = BudgetSnapshot
        name = _("예산 집행 현황")
        fields = (
            "department",
            "year",
            "kind",
            "line",
            "as_of",
            "budget",
            "executed",
            "committed",
            "collected",
            "assessed",
            "supplementary",
            "carried_over",
            "other_change",
        )
        import_id_fields = ("line", "as_of")

    def filter_export(self, queryset, **kwargs):
        line = ["department__code", "year", "kind", "order", "name"]
        return queryset.select_related("line__department").order_by(
            *(f"line__{field}" for field in line), "as_of"
        )
