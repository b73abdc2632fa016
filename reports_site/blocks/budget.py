"""The budget table block: budget lines with the columns, levels, unit and summary the
house prints, for a department, a roll-up of its units, or a program's linked lines."""

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets import tables
from budgets.models import BudgetLine
from departments.models import Department
from programs.models import Program

from .. import style as house
from . import Kind, Scoped, register, units

# Every figure a budget table can print, in the order they print unless the block orders
# them itself. The names are BudgetRow's (budgets.tables), where each is computed once.
BUDGET_COLUMNS = [
    ("source", _("재원")),
    ("original", _("본예산")),
    ("supplementary", _("추경")),
    ("carried_over", _("이월")),
    ("other_change", _("변경 등")),
    ("changes", _("추경 등")),
    ("budget", _("예산액")),
    ("prior", _("전년도 예산")),
    ("change", _("증감액")),
    ("change_rate", _("증감률(%)")),
    ("committed", _("원인행위액")),
    ("commit_rate", _("원인행위율(%)")),
    ("executed", _("집행액")),
    ("rate", _("집행률(%)")),
    ("remainder", _("잔액")),
    ("assessed", _("징수결정액")),
    ("collected", _("징수액")),
    ("uncollected", _("미수납액")),
    ("collection_rate", _("징수율(%)")),
    ("collected_rate", _("예산 대비 징수율(%)")),
    ("share", _("구성비(%)")),
    ("reference", _("설명자료 쪽수")),
]
RATES = {"change_rate", "commit_rate", "rate", "collection_rate", "collected_rate", "share"}
# The amount a rate is printed beside when the block puts rates in their amount's cell.
RATE_OF = {
    "change_rate": "change",
    "commit_rate": "committed",
    "rate": "executed",
    "collection_rate": "collected",
    "collected_rate": "collected",
    "share": "budget",
}
TEXT = {"source", "reference"}
KINDS = [("expenditure", _("세출")), ("revenue", _("세입")), ("all", _("세입·세출 모두"))]
ROWS = [
    ("lines", _("예산 사업")),
    ("by_unit", _("부서별 요약 (하위 조직마다 한 줄)")),
    ("by_category", _("구분별 요약 (사업비·행정운영경비 …)")),
]
UNITS = [
    ("", _("기관 표기대로")),
    ("천원", _("천원")),
    ("백만원", _("백만원")),
    ("억원", _("억원")),
]


class BudgetOptions(Scoped):
    kind = forms.ChoiceField(label=_("세입·세출"), choices=KINDS, initial="expenditure")
    rows = forms.ChoiceField(
        label=_("줄"),
        choices=ROWS,
        initial="lines",
        help_text=_("사업 안에 둔 표는 그 사업에 연결된 예산 사업을 찍습니다."),
    )
    detail = forms.BooleanField(
        label=_("하위 사업까지"), required=False, initial=False, help_text=_("끄면 단위사업만")
    )
    levels = forms.MultipleChoiceField(
        label=_("찍을 단계"),
        choices=BudgetLine.Level.choices,
        required=False,
        initial=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("고르면 그 단계의 줄만 찍습니다 (위의 '하위 사업까지'보다 앞섭니다)."),
    )
    columns = forms.MultipleChoiceField(
        label=_("열"),
        choices=BUDGET_COLUMNS,
        initial=["budget", "executed", "rate"],
        widget=forms.CheckboxSelectMultiple,
    )
    column_order = forms.CharField(
        label=_("열 순서"),
        required=False,
        initial="",
        help_text=_("열 이름을 띄어 적은 순서 (예: original changes budget). 비우면 위 순서"),
    )
    headers = forms.CharField(
        label=_("열 제목 바꾸기"),
        required=False,
        initial="",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("한 줄에 하나씩: budget=예산현액"),
    )
    rates = forms.ChoiceField(
        label=_("비율"),
        choices=[("column", _("제 열에")), ("beside", _("금액 칸에 함께 (괄호)"))],
        initial="column",
    )
    unit = forms.ChoiceField(label=_("금액 단위"), choices=UNITS, initial="", required=False)
    decimals = forms.IntegerField(
        label=_("단위 환산 소수 자리"), min_value=0, max_value=3, initial=0, required=False
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

    def clean_column_order(self):
        names = self.cleaned_data["column_order"].split()
        unknown = [n for n in names if n not in dict(BUDGET_COLUMNS)]
        if unknown:
            raise forms.ValidationError(_("모르는 열: %s") % ", ".join(unknown))
        return " ".join(names)


def budget(ctx, spec):
    options = spec["options"]
    unit = options["unit"] or ctx.style.get("money_unit", "천원")
    shape = {
        "unit": unit,
        # amounts converted to a larger unit print the decimals the block asks for
        "decimals": (options["decimals"] or 0) if house.MONEY_UNITS.get(unit, 1) > 1 else None,
    }
    kinds = BudgetLine.Kind.values if options["kind"] == "all" else [options["kind"]]
    found = [_table(ctx, spec, kind) for kind in kinds]
    found = [(kind, table) for kind, table in zip(kinds, found, strict=True) if table.rows]
    if not found:
        return None
    return {
        "tables": [_printed(kind, table, options, shape) for kind, table in found],
        "warnings": [w for _kind, table in found for w in table.warnings],
        "detail": options["detail"] or bool(options["levels"]),  # levels print then
        "columns": _columns(options),
        "name_header": options["name_header"],
        "year_in_header": options["year_in_header"],
        "as_of_in_header": options["as_of_in_header"],
        "total": options["total"],
        "kind_titles": options["kind_titles"],
        **shape,
    }


def _table(ctx, spec, kind):
    """The BudgetTable the block's rows come from (two or three queries)."""
    options, year = spec["options"], ctx.as_of.year
    if spec.get("program"):
        linked = Program.budget_lines.through.objects.filter(program=spec["program"])
        ids = linked.values_list("budgetline_id", flat=True)
        return tables.lines_table(ids, year, kind, ctx.as_of)
    if options["rows"] == "by_unit":
        found = Department.objects.units_of(ctx.department)
    else:
        found = units(ctx, spec)
    table = tables.units_table(
        found, year, kind, ctx.as_of, grouped=options["rows"] == "by_unit" or None
    )
    if options["rows"] == "lines":
        return table
    return tables.summary(table, "unit" if options["rows"] == "by_unit" else "category")


def _columns(options):
    """The chosen columns as {name, label, rate}: in the clerk's order if given, each rate
    folded into its amount's cell when the block prints rates beside their amounts."""
    labels = dict(BUDGET_COLUMNS) | _renamed(options["headers"])
    order = options["column_order"].split() or [name for name, _label in BUDGET_COLUMNS]
    order += [name for name, _label in BUDGET_COLUMNS if name not in order]
    chosen = [name for name in order if name in options["columns"]]
    beside = {}
    if options["rates"] == "beside":
        beside = {RATE_OF[r]: r for r in chosen if r in RATES and RATE_OF[r] in chosen}
        chosen = [name for name in chosen if name not in beside.values()]
    return [
        {
            "name": name,
            "label": str(labels[name]),
            "rate": beside.get(name, ""),
            "type": column_type(name),
        }
        for name in chosen
    ]


def column_type(name):
    return "text" if name in TEXT else "rate" if name in RATES else "amount"


def _renamed(text):
    pairs = (line.partition("=") for line in text.splitlines())
    return {name.strip(): label.strip() for name, sep, label in pairs if sep and label.strip()}


def _printed(kind, table, options, shape):
    rows = _shown(table, options)
    printed = {
        "year": table.year,
        "kind": str(BudgetLine.Kind(kind).label),
        "as_of": table.as_of,
        "total": _row(table.total, shape),
        "rows": [_row(row, shape, depth) for row, depth in rows],
    }
    # What the comparison with last year must know; set only when so, so that the data of
    # a table of one department's lines stays as editions stored it.
    if options["rows"] == "by_unit" or options["scope"] == "units":
        printed["rolled_up"] = True
    if options["rows"] == "by_category":
        printed["by_category"] = True
    return printed


def _shown(table, options):
    """(row, printed depth) of the rows the options print: the chosen levels, or the top
    lines (of each unit, in a roll-up) unless the block prints every line."""
    if options["levels"]:
        chosen = options["levels"]
        return [
            (row, chosen.index(row.level) if row.level in chosen else 0)
            for row in table.rows
            if row.level in chosen or row.unit
        ]
    top = 1 if any(row.unit for row in table.roots) else 0
    return [(row, row.depth) for row in table.rows if options["detail"] or row.depth <= top]


def _row(row, shape, depth=None):
    unit, places = shape["unit"], shape["decimals"] or 0
    data = {
        name: house.in_unit(getattr(row, name), unit, places)
        for name, _label in BUDGET_COLUMNS
        if name not in RATES and name not in TEXT
    }
    data |= {name: getattr(row, name) for name in RATES}
    return (
        data
        | {
            "name": row.name,
            "depth": row.depth if depth is None else depth,
            "level": row.level_label,
            "source": row.source_label,
            "reference": row.reference,
            "is_new": row.is_new,
            "is_unit": bool(row.unit),
            "mismatch": row.mismatch,
        }
        | ({"unit": row.unit} if row.unit else {})
    )


register(Kind("budget", _("예산 표"), budget, BudgetOptions))
