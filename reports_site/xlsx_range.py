"""A range of an xlsx sheet as the tab-separated text of a free table block, merged cells
written with the block's marks (``<`` joins the cell on the left, ``^`` the one above)."""

import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries


def read_range(data, where=""):
    """The cells of `where` ("시트1!A1:F12", "A1:F12" on the first sheet, or "" for every
    used cell of the first sheet) as a free table's text. Formulas give the value Excel
    saved with them."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheet_name, _sep, cells = where.strip().rpartition("!")
    if sheet_name:
        sheet_name = sheet_name.strip("'")
        if sheet_name not in book.sheetnames:
            raise ValidationError(_("‘%(sheet)s’ 시트가 없습니다.") % {"sheet": sheet_name})
        sheet = book[sheet_name]
    else:
        sheet = book.worksheets[0]
    try:
        min_col, min_row, max_col, max_row = range_boundaries(cells or sheet.calculate_dimension())
    except (TypeError, ValueError):
        raise ValidationError(
            _("범위 ‘%(range)s’를 읽을 수 없습니다. 예: A1:F12") % {"range": where}
        ) from None
    marks = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                if (row, col) != (merged.min_row, merged.min_col):
                    marks[row, col] = "<" if col > merged.min_col else "^"
    lines = []
    for row in range(min_row, max_row + 1):
        cells_text = [
            marks.get((row, col)) or _text(sheet.cell(row=row, column=col).value)
            for col in range(min_col, max_col + 1)
        ]
        lines.append("\t".join(cells_text))
    return "\n".join(lines)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        value = Decimal(repr(value)).normalize()
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y. %-m. %-d.")
    return " ".join(str(value).split())
