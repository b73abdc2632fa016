"""The budget table block: a department's budget lines with the columns the house prints."""

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetLine
from budgets.tables import budget_table

from . import Kind, register
from .data import columns

# Budgets --------------------------------------------------------------------------------

BUDGET_COLUMNS = [
    ("source", _("재원")),
    ("budget", _("예산액")),
    ("prior", _("전년도 예산")),
    ("change", _("증감액")),
    ("change_rate", _("증감률(%)")),
    ("executed", _("집행액")),
    ("rate", _("집행률(%)")),
    ("remainder", _("잔액")),
    ("share", _("구성비(%)")),
]
KINDS = [("expenditure", _("세출")), ("revenue", _("세입")), ("all", _("세입·세출 모두"))]


class BudgetOptions(forms.Form):
    kind = forms.ChoiceField(label=_("세입·세출"), choices=KINDS, initial="expenditure")
    detail = forms.BooleanField(
        label=_("하위 사업까지"), required=False, initial=False, help_text=_("끄면 단위사업만")
    )
    columns = forms.MultipleChoiceField(
        label=_("열"),
        choices=BUDGET_COLUMNS,
        initial=["budget", "executed", "rate"],
        widget=forms.CheckboxSelectMultiple,
    )
    name_header = forms.CharField(label=_("이름 열 제목"), initial="단위사업명", max_length=30)
    year_in_header = forms.BooleanField(
        label=_("예산액 열에 연도 (2025년 예산)"), required=False, initial=False
    )
    as_of_in_header = forms.BooleanField(
        label=_("집행률 열에 기준일"), required=False, initial=True
    )
    total = forms.ChoiceField(
        label=_("계 줄"),
        choices=[("top", _("위")), ("bottom", _("아래")), ("none", _("넣지 않음"))],
        initial="top",
    )
    kind_titles = forms.BooleanField(
        label=_("표마다 세입·세출 제목"), required=False, initial=False
    )


def budget(ctx, spec):
    options = spec["options"]
    kinds = BudgetLine.Kind.values if options["kind"] == "all" else [options["kind"]]
    tables = [_budget_table(ctx, kind, options) for kind in kinds]
    tables = [t for t in tables if t]
    if not tables:
        return None
    return {
        "tables": tables,
        "detail": options["detail"],  # the lines' levels print in a detail table only
        "columns": columns(BUDGET_COLUMNS, options["columns"]),
        "name_header": options["name_header"],
        "year_in_header": options["year_in_header"],
        "as_of_in_header": options["as_of_in_header"],
        "total": options["total"],
        "kind_titles": options["kind_titles"],
    }


def _budget_table(ctx, kind, options):
    table = budget_table(ctx.department, ctx.as_of.year, kind, ctx.as_of)
    if not table.rows:
        return None
    rows = table.rows if options["detail"] else [r for r in table.rows if r.depth == 0]
    return {
        "year": table.year,
        "kind": str(BudgetLine.Kind(kind).label),
        "as_of": table.as_of,
        "total": _budget_row(table.total),
        "rows": [_budget_row(r) for r in rows],
    }


def _budget_row(row):
    fields = ("name", "depth", "budget", "executed", "prior", "remainder", "rate", "change")
    data = {name: getattr(row, name) for name in fields}
    data |= {
        "level": row.level_label,
        "source": row.source_label,
        "change_rate": row.change_rate,
        "is_new": row.is_new,
        "share": row.share,
    }
    return data


register(Kind("budget", _("예산 표"), budget, BudgetOptions))
