"""The report's tables as spreadsheets: .xlsx (real numbers, 천원 format) and CSV.

`section_sheets` lists the tables a section shows, from the same plain data the page
renders (and its comparisons); `to_xlsx` and `to_csv` write one. Text that a spreadsheet
would run as a formula (=, +, -, @ …) stays text.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports_site.report import walk
from reports_site.templatetags.briefing import schedule_when, translated

from .compare import summary_budget

# △ for negatives and - for zero, as the documents print them; the unit is in the header.
AMOUNT_FORMAT = '#,##0;"△"#,##0;"-"'
RATE_FORMAT = '0.0;"△"0.0;0.0'
DECIMAL_FORMAT = '#,##0.##;"△"#,##0.##;"-"'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass
class Column:
    label: str
    kind: str = "text"  # text | amount (천원) | count | rate (%) | number


@dataclass
class Sheet:
    id: str
    title: str
    columns: list[Column]
    rows: list[list]


def _columns(spec):
    """Columns from (label, kind, unit) triples; the unit goes into the header."""
    return [Column(f"{label}({unit})" if unit else str(label), kind) for label, kind, unit in spec]


def _rows(spec, items):
    """Each item's values for the (key or function) of each column of the spec."""
    return [[key(item) if callable(key) else item[key] for key in spec] for item in items]


def _change(row):
    """증감 as the page prints it (budgets.tables.year_change): 순증 for a new line, nothing
    without a base year."""
    return _("순증") if row["is_new"] else row["change"]


def _label(key):
    """A label the report data keeps in Korean (계, a status), in the reader's language."""
    return lambda item: translated(item[key])


MONEY = gettext_lazy("천원")
PEOPLE = gettext_lazy("명")

BUDGET = [
    ((gettext_lazy("단위사업명"), "text", ""), _label("name")),
    ((gettext_lazy("예산액"), "amount", MONEY), "budget"),
    ((gettext_lazy("집행액"), "amount", MONEY), "executed"),
    ((gettext_lazy("집행률"), "rate", "%"), "rate"),
    ((gettext_lazy("전년 동기 예산액"), "amount", MONEY), "last_budget"),
    ((gettext_lazy("전년 동기 집행액"), "amount", MONEY), "last_executed"),
    ((gettext_lazy("전년 동기 집행률"), "rate", "%"), "last_rate"),
    ((gettext_lazy("예산 증감"), "amount", MONEY), _change),
    ((gettext_lazy("집행 증감"), "amount", MONEY), "executed_change"),
    ((gettext_lazy("계획 집행액"), "amount", MONEY), "planned"),
    ((gettext_lazy("계획 집행률"), "rate", "%"), "planned_rate"),
    ((gettext_lazy("계획 대비"), "text", ""), lambda row: _("미달") if row["behind"] else ""),
]
STAFFING_COMPARISON = [
    ((gettext_lazy("직종"), "text", ""), lambda row: row["name"] or _("계")),
    ((gettext_lazy("정원"), "count", PEOPLE), "authorised"),
    ((gettext_lazy("전년 정원"), "count", PEOPLE), "last_authorised"),
    ((gettext_lazy("정원 증감"), "count", PEOPLE), "authorised_change"),
    ((gettext_lazy("현원"), "count", PEOPLE), "actual"),
    ((gettext_lazy("전년 현원"), "count", PEOPLE), "last_actual"),
    ((gettext_lazy("현원 증감"), "count", PEOPLE), "actual_change"),
]
PROGRAMS = [
    ((gettext_lazy("연번"), "count", ""), "order"),
    ((gettext_lazy("사업명"), "text", ""), "title"),
    ((gettext_lazy("예산액"), "amount", MONEY), "budget"),
    ((gettext_lazy("집행액"), "amount", MONEY), "executed"),
    ((gettext_lazy("집행률"), "rate", "%"), "rate"),
    ((gettext_lazy("전년 동기 예산액"), "amount", MONEY), "last_budget"),
    ((gettext_lazy("전년 동기 집행액"), "amount", MONEY), "last_executed"),
    ((gettext_lazy("전년 동기 집행률"), "rate", "%"), "last_rate"),
    ((gettext_lazy("예산 증감"), "amount", MONEY), _change),
]
# A budget table's sheet: these, then the columns its block prints (`_budget_column`).
BUDGET_DETAIL = [
    (
        (gettext_lazy("사업명"), "text", ""),
        lambda row: "  " * row["depth"] + translated(row["name"]),
    ),
    ((gettext_lazy("단계"), "text", ""), _label("level")),
]
FACILITIES = [
    ((gettext_lazy("구분"), "text", ""), "site"),
    ((gettext_lazy("명칭"), "text", ""), "name"),
    ((gettext_lazy("대지(㎡)"), "number", ""), "land_area"),
    ((gettext_lazy("건물(㎡)"), "number", ""), "floor_area"),
    ((gettext_lazy("규모"), "text", ""), "scale"),
    ((gettext_lazy("준공일자"), "text", ""), lambda f: f["completed_on"] or ""),
    ((gettext_lazy("현황"), "text", ""), "description"),
    ((gettext_lazy("비고"), "text", ""), "notes"),
]
GOALS = [
    (
        (gettext_lazy("전략목표"), "text", ""),
        lambda r: f"{r['goal']['number']}. {r['goal']['title']}",
    ),
    ((gettext_lazy("성과목표"), "text", ""), lambda r: f"{r['number']} {r['title']}"),
    ((gettext_lazy("주요사업"), "text", ""), lambda r: "\n".join(r["programs"])),
]
SCHEDULE = [
    ((gettext_lazy("사업명"), "text", ""), "program"),
    ((gettext_lazy("시기"), "text", ""), schedule_when),
    ((gettext_lazy("추진내용"), "text", ""), "text"),
    ((gettext_lazy("금액"), "amount", MONEY), "amount"),
]
KPIS = [
    ((gettext_lazy("사업명"), "text", ""), "program"),
    ((gettext_lazy("성과지표"), "text", ""), "name"),
    ((gettext_lazy("단위"), "text", ""), "unit"),
    ((gettext_lazy("방향"), "text", ""), _label("direction")),
    ((gettext_lazy("연도"), "count", ""), "year"),
    ((gettext_lazy("목표"), "number", ""), "target"),
    ((gettext_lazy("실적"), "number", ""), "actual"),
    ((gettext_lazy("달성률"), "rate", "%"), "achieved"),
]
PROGRESS_MATRIX = [
    ((gettext_lazy("사업명"), "text", ""), "title"),
    ((gettext_lazy("예산액"), "amount", MONEY), lambda p: (p["budget"] or {}).get("budget")),
    ((gettext_lazy("집행액"), "amount", MONEY), lambda p: (p["budget"] or {}).get("executed")),
    ((gettext_lazy("집행률"), "rate", "%"), lambda p: (p["budget"] or {}).get("rate")),
    ((gettext_lazy("주요 추진실적"), "text", ""), lambda p: _outline_text(p["achievements"])),
    ((gettext_lazy("향후계획"), "text", ""), lambda p: _outline_text(p["plans"])),
]
REQUESTS = [
    ((gettext_lazy("연도"), "count", ""), "year"),
    ((gettext_lazy("분기"), "count", ""), "quarter"),
    ((gettext_lazy("구분"), "text", ""), _label("kind")),
    ((gettext_lazy("주관 부서"), "text", ""), "department"),
    ((gettext_lazy("함께 맡는 부서"), "text", ""), lambda r: ", ".join(r["shared"])),
    ((gettext_lazy("요구 내용"), "text", ""), "text"),
    ((gettext_lazy("처리 상태"), "text", ""), _label("status")),
    ((gettext_lazy("추진내용"), "text", ""), "action_taken"),
    ((gettext_lazy("향후계획"), "text", ""), "plan"),
]


def sheet(sheet_id, title, spec, items):
    return Sheet(
        sheet_id, str(title), _columns([c for c, _k in spec]), _rows([k for _c, k in spec], items)
    )


def _outline_text(items):
    return "\n".join(item["text"] for item in items or [])


# The tables of each section ------------------------------------------------------------


def _count_table(data, sheet_id, title, unit):
    """A count table (staffing, vehicles): one column per class and grade, as printed."""
    table = data["table"]
    labels = [translated(table["total_label"])] + [
        f"{group['name']} {translated(column)}".strip()
        for group in table["groups"]
        for column in group["columns"]
    ]
    columns = [Column(_("구분"))] + [Column(f"{label}({unit})", "count") for label in labels]
    rows = [[translated(row["label"]), row["total"], *row["cells"]] for row in table["rows"]]
    if table.get("by_unit"):  # a roll-up: each row names its unit, so a filter keeps it
        columns.insert(0, Column(_("부서")))
        rows = [
            [translated(row["unit"]), *cells]
            for row, cells in zip(table["rows"], rows, strict=True)
        ]
    return Sheet(sheet_id, title, columns, rows)


def _kpi_rows(programs):
    return [
        value
        | {
            "program": p["title"],
            "name": k["name"],
            "unit": k["unit"],
            "direction": k["direction"],
        }  # fmt: skip
        for p in programs
        for k in p["kpis"]
        for value in k["values"]
    ]


def _staffing(block, title):
    return [_count_table(block, "staffing", _("인력 현황"), _("명"))]


def _facilities(block, title):
    sheets = []
    for number, group in enumerate(block["groups"], 1):
        rows = [f | {"site": s["name"]} for s in group["sites"] for f in s["facilities"]]
        sheets.append(sheet(f"facilities-{number}", group["category"], FACILITIES, rows))
    return sheets


def _vehicles(block, title):
    return [_count_table(block, "vehicles", _("공용차량 현황"), _("대"))]


def _budget(block, title, skip=None):
    """The budget block's tables, in the columns and unit the block prints, but the
    예산현황 its comparison sheet already holds."""
    spec = BUDGET_DETAIL + [_budget_column(block, column) for column in block["columns"]]
    return [
        sheet(
            f"budget-detail-{number}",
            _("%(year)s년 %(kind)s 예산 세부현황")
            % {"year": t["year"], "kind": translated(t["kind"])},
            spec,
            [t["total"], *t["rows"]],
        )  # fmt: skip
        for number, t in enumerate(block["tables"], 1)
        if t is not skip
    ]


def _budget_column(block, column):
    label, name = column["label"], column["name"]
    if name == "change_rate":
        return (label, "rate", "%"), lambda row: _("순증") if row["is_new"] else row[name]
    if column["type"] == "rate":
        return (label, "rate", "%"), name
    if column["type"] == "text":
        return (label, "text", ""), _label(name)
    kind = "amount" if block.get("decimals") is None else "number"
    return (label, kind, translated(block.get("unit", "천원"))), name


def _goals(block, title):
    rows = [pg | {"goal": g} for g in block["goals"] for pg in g["performance_goals"]]
    return [sheet("goals", _("전략목표와 성과목표"), GOALS, rows)]


def _kpis(block, title):
    return [sheet("kpis", _("성과지표 목표와 실적"), KPIS, _kpi_rows(block["programs"]))]


def _programs(block, title):
    if any(program["kpis"] for program in block["programs"]):
        return _kpis(block, title)
    return []


def _schedule(block, title):
    rows = [i | {"program": p["title"]} for p in block["programs"] for i in p["schedule"]]
    return [sheet("schedule", _("예산집행 및 추진일정"), SCHEDULE, rows)]


def _progress_matrix(block, title):
    return [sheet("progress-matrix", title, PROGRESS_MATRIX, block["programs"])]


def _requests(block, title):
    """The count table as printed (kind rows, 계 row and column where the block puts them)
    and every request with its parts in columns."""
    counts = block["counts"]
    total_last = block["total_last"]
    statuses = [Column(translated(status), "count") for status in counts["statuses"]]
    total = [Column(_("계"), "count")]
    columns = [Column(_("구분"), "text"), *(statuses + total if total_last else total + statuses)]

    def row(name, found):
        cells, total = found["cells"], [found["total"]]
        return [name, *(cells + total if total_last else total + cells)]

    rows = [row(translated(r["kind"]), r) for r in counts["rows"]]
    total_row = row(_("계"), counts["total"])
    rows = rows + [total_row] if total_last else [total_row, *rows]
    details = sheet("requests", _("세부 처리 내용"), REQUESTS, block["requests"])
    return [Sheet("request-counts", _("처리 현황"), columns, rows), details]


def _table(block, title):
    """A typed table as it was typed: every cell in its place, merged cells once."""
    rows = []
    for row in block["head"] + block["body"]:
        cells = []
        for cell in row:
            value = cell["text"] if cell["number"] is None else Decimal(cell["number"])
            cells += [value] + [None] * (cell["colspan"] - 1)
        rows.append(cells)
    width = max(len(r) for r in rows)
    columns = [Column(f"{n}", "text") for n in range(1, width + 1)]
    return [
        Sheet(
            "table", block["title"] or title, columns, [r + [None] * (width - len(r)) for r in rows]
        )
    ]


SHEETS = {  # block kind → its tables as sheets
    "staffing": _staffing,
    "facilities": _facilities,
    "vehicles": _vehicles,
    "budget": _budget,
    "goals": _goals,
    "programs": _programs,
    "kpis": _kpis,
    "schedule": _schedule,
    "progress_matrix": _progress_matrix,
    "council_requests": _requests,
    "table": _table,
}


def section_sheets(section, comparisons):
    """Every table of the section and the sections below it, as sheets (ids unique within
    the section: a second table of a kind gets -2), with the comparisons' tables."""
    sheets = []
    if comparisons.get("staffing"):
        rows = [comparisons["staffing"]["total"], *comparisons["staffing"]["rows"]]
        title = _("정원·현원 전년 대비")
        sheets.append(sheet("staffing-compare", title, STAFFING_COMPARISON, rows))
    if comparisons.get("budget"):
        rows = [comparisons["budget"]["total"], *comparisons["budget"]["rows"]]
        title = _("%(year)s년 예산현황") % {"year": comparisons["budget"]["as_of"].year}
        sheets.append(sheet("budget", title, BUDGET, rows))
    if comparisons.get("programs"):
        rows = comparisons["programs"]["rows"]
        sheets.append(sheet("programs", translated(section["heading"]), PROGRAMS, rows))
    compared = summary_budget(section) if comparisons.get("budget") else None
    for part in walk([section]):
        for block in part["blocks"]:
            found = SHEETS.get(block["kind"])
            if block["kind"] == "budget":
                sheets += _budget(block, part["heading"], compared)
            elif found:
                sheets += found(block, translated(part["heading"]))
    seen = {}
    for found in sheets:
        seen[found.id] = seen.get(found.id, 0) + 1
        if seen[found.id] > 1:
            found.id = f"{found.id}-{seen[found.id]}"
    return sheets


# Writers ---------------------------------------------------------------------------------


def _value(value, kind):
    """The cell value: numbers as numbers (the report data writes Decimals as strings)."""
    if value is None or value == "":
        return None
    if kind == "text" or isinstance(value, int | Decimal):
        return value
    try:
        return Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        return str(value)  # e.g. 순증 in a rate column


def _safe_text(value):
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


FORMATS = {"rate": RATE_FORMAT, "number": DECIMAL_FORMAT}


def to_xlsx(sheet, caption):
    """One table as a workbook: a caption row, the header row, then the rows."""
    book = Workbook()
    ws = book.active
    ws.title = sheet.id[:31]
    ws.append([caption])
    ws["A1"].font = Font(bold=True)
    ws.append([column.label for column in sheet.columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EDF5")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, row in enumerate(sheet.rows, 3):
        for index, (column, value) in enumerate(zip(sheet.columns, row, strict=True), 1):
            _write(ws.cell(row=number, column=index), column, value)
    ws.freeze_panes = "B3"
    last = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A2:{last}{max(len(sheet.rows) + 2, 2)}"
    for index, column in enumerate(sheet.columns, 1):
        width = max([_width(column.label)] + [_width(row[index - 1]) for row in sheet.rows])
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(cell, column, value):
    value = _value(value, column.kind)
    if isinstance(value, int | Decimal) and column.kind != "text":
        cell.value = value
        cell.number_format = FORMATS.get(column.kind, AMOUNT_FORMAT)
    elif value is not None:
        text = str(value)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.quotePrefix = text.startswith(FORMULA_STARTS)
        cell.alignment = Alignment(wrap_text="\n" in text, vertical="top")


def _width(value):
    text = "" if value is None else str(value).split("\n")[0]
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def to_csv(sheet):
    """One table as CSV in UTF-8 with a BOM (so Excel opens the Korean right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_safe_text(column.label) for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow(
            [_csv_cell(value, column) for column, value in zip(sheet.columns, row, strict=True)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value, column):
    value = _value(value, column.kind)
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and column.kind != "text":
        return value
    return _safe_text(value)
