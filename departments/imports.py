"""What every spreadsheet import and export of department figures shares.

Staff fill in Excel, so a file is read the way people type figures in Korean reports
("1,234", "△500", full-width digits) and refused, with the Excel row and column of each
problem, whenever anything is off: unknown or missing columns, two rows for the same
item, a row of another department, a figure of an approved period. One bad row means
nothing is saved. Each app's ``resources.py`` only declares its columns.

Column names are the file format, so they are fixed Korean, not translated.
"""

import csv
import io
import math
import re
import unicodedata
import zipfile
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from import_export.resources import ModelResource
from import_export.results import Error, Result
from import_export.widgets import Widget
from openpyxl.utils import get_column_letter

DEPARTMENT_COLUMN = "부서 코드"

# Text a spreadsheet would run as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# △ (U+25B3) is how Korean reports print a negative; Δ and ∆ are what people type for it.
NEGATIVE_SIGNS = "△Δ∆-−"

NOT_A_NUMBER = _("숫자가 아닙니다.")
NOT_WHOLE = _("소수는 쓸 수 없습니다. 정수로 적으세요.")
NEGATIVE = _("음수는 쓸 수 없습니다.")


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def clean_text(value):
    """A text cell, trimmed, without the apostrophe our export puts before formula-like text."""
    text = "" if value is None else str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


def parse_integer(value, negative_ok=False):
    """An exact integer from a cell as people type it: "1,234", "△500", "(500)", "１２"."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(value, float | Decimal):  # a number cell
        if not math.isfinite(value):
            raise ValueError(NOT_A_NUMBER)
        if value != int(value):
            raise ValueError(NOT_WHOLE)
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        number = _parse_integer_text(value)
        if number is None:
            return None
    if number < 0 and not negative_ok:
        raise ValueError(NEGATIVE)
    return number


def _parse_integer_text(value):
    text = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", str(value)))
    if text == "-":  # a dash is how the reports print "none"
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    elif text[:1] and text[0] in NEGATIVE_SIGNS:
        negative, text = True, text[1:]
    whole, _dot, fraction = text.partition(".")
    if not re.fullmatch(r"[0-9]{1,18}", whole) or not re.fullmatch(r"[0-9]*", fraction):
        raise ValueError(NOT_A_NUMBER)
    if fraction.strip("0"):
        raise ValueError(NOT_WHOLE)
    return -int(whole) if negative else int(whole)


def parse_date(value):
    if is_blank(value):
        return None
    if isinstance(value, datetime):  # what openpyxl gives for a date cell
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    found = re.fullmatch(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?", text)
    if not found:
        raise ValueError(_("날짜는 2025-05-31 또는 2025. 5. 31. 처럼 적습니다."))
    try:
        return date(*map(int, found.groups()))
    except ValueError:
        raise ValueError(_("없는 날짜입니다.")) from None


# Widgets: cells in, cells out. Values are exported as native numbers and dates, so Excel
# can add them up; an empty value is an empty cell.


class TextWidget(Widget):
    def clean(self, value, row=None, **kwargs):
        return clean_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IntegerWidget(Widget):
    """Money in 천원 and head counts: exact integers, never floats."""

    def __init__(self, negative_ok=False):
        super().__init__()
        self.negative_ok = negative_ok

    def clean(self, value, row=None, **kwargs):
        return parse_integer(value, self.negative_ok)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class DateWidget(Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class ChoiceWidget(Widget):
    """A choice typed as its Korean label (세출) or its code (expenditure)."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices

    @cached_property
    def _labels(self):
        with translation.override("ko"):  # the file is Korean whatever the user's language
            return {str(label): value for value, label in self.choices.choices}

    @cached_property
    def _codes(self):
        return set(self.choices.values)

    def labels(self):
        # Read once per widget: translating the labels again for every cell was the
        # slowest part of a large import.
        return self._labels

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        labels = self.labels()
        if not text or text in self._codes:
            return text
        if text in labels:
            return labels[text]
        raise ValueError(
            _("고를 수 있는 값이 아닙니다. 다음 중 하나를 적으세요: %(labels)s")
            % {"labels": ", ".join(labels)}
        )

    def render(self, value, obj=None, **kwargs):
        labels = {code: label for label, code in self.labels().items()}
        return labels.get(value, "")


class CodeWidget(Widget):
    """A related row named by its code (e.g. a department by 부서 코드)."""

    def __init__(self, model, field="code"):
        super().__init__()
        self.model, self.field = model, field

    def prepare(self, rows, column):
        """Every row the column names, in one query; ``clean`` is given what this returns."""
        codes = {clean_text(row.get(column)) for row in rows} - {""}
        found = self.model._default_manager.filter(**{f"{self.field}__in": codes})
        return {getattr(item, self.field): item for item in found}

    def clean(self, value, row=None, found=None, **kwargs):
        code = clean_text(value)
        if not code:
            return None
        if code not in found:
            raise ValueError(_("없는 코드입니다."))
        return found[code]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


# Reading files: size limits first, then every row (see settings: IMPORT_MAX_*).


def check_size(size):
    if size > settings.IMPORT_MAX_FILE_BYTES:
        raise ValidationError(
            _("파일이 너무 큽니다. %(mb)s MB까지 올릴 수 있습니다.")
            % {"mb": settings.IMPORT_MAX_FILE_BYTES // 2**20},
            code="too_big",
        )


def check_xlsx(data):
    """Refuse a zip bomb before openpyxl inflates it.

    zipfile stops each member at its declared size (a longer stream fails its CRC), so the
    declared sizes bound what reading the workbook can cost.
    """
    check_size(len(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationError(_("엑셀(xlsx) 파일이 아닙니다."), code="not_xlsx") from None
    ratio = settings.IMPORT_MAX_XLSX_RATIO
    if unpacked > settings.IMPORT_MAX_XLSX_UNPACKED_BYTES or unpacked > ratio * len(data):
        raise ValidationError(
            _("압축을 풀면 지나치게 커지는 파일입니다. 필요한 행만 새 파일에 옮겨 올리세요."),
            code="too_big",
        )


def rows_to_dataset(rows, progress=None):
    """A Dataset of the first row as headers and the rest, with the row count capped.

    Blank rows inside the sheet are kept (as blanks) so row numbers stay Excel's;
    trailing blank rows are dropped. ``progress(rows read)`` is called every 1,000 rows.
    """
    rows = iter(rows)
    headers = _trim(next(rows, ()))
    data, blanks = [], 0
    for number, row in enumerate(rows, start=1):
        if progress and number % 1_000 == 0:
            progress(number)
        row = _trim(row)
        if not row:
            blanks += 1
            continue
        data += [()] * blanks
        blanks = 0
        if len(data) >= settings.IMPORT_MAX_ROWS:
            raise ValidationError(
                _("행이 너무 많습니다. 한 번에 %(rows)s행까지 가져올 수 있습니다.")
                % {"rows": f"{settings.IMPORT_MAX_ROWS:,}"},
                code="too_many_rows",
            )
        data.append(row)
    if not data:
        raise ValidationError(_("가져올 행이 없습니다."), code="empty")
    width = max(len(headers), *map(len, data))
    dataset = tablib.Dataset(headers=[None if h is None else str(h) for h in _pad(headers, width)])
    for row in data:
        dataset.append(_pad(row, width))
    return dataset


def _trim(row):
    row = list(row)
    while row and is_blank(row[-1]):
        row.pop()
    return row


def _pad(row, width):
    return list(row) + [None] * (width - len(row))


class EscapedExport:
    def _escape_formulae(self, dataset):
        """Formula-like text gets a leading apostrophe; numbers and dates stay native.

        (The library's version turns every cell into a string.) clean_text() removes the
        apostrophe again, so an exported file imports back unchanged.
        """
        for index in range(len(dataset)):
            dataset[index] = [
                f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value
                for value in dataset[index]
            ]


class XLSX(EscapedExport, base_formats.XLSX):
    def create_dataset(self, in_stream, progress=None):
        check_xlsx(in_stream)
        values = open_sheet(in_stream, data_only=True)
        formulas = open_sheet(in_stream) if has_formulas(in_stream) else None
        uncalculated = []
        try:
            if formulas is None:
                dataset = rows_to_dataset(values.iter_rows(values_only=True), progress)
            else:
                cells = calculated_rows(values, formulas, uncalculated)
                dataset = rows_to_dataset(cells, progress)
        finally:
            for sheet in filter(None, (values, formulas)):
                sheet.parent.close()
        if uncalculated:
            raise ValidationError(uncalculated_problems(uncalculated, dataset.headers))
        return dataset


def open_sheet(data, data_only=False):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    sheet = book.active
    # Read-only mode trusts the sheet's <dimension>; a file that understates it would
    # silently lose its last rows.
    sheet.reset_dimensions()
    return sheet


# A formula element, with or without a namespace prefix (<f>, <x:f t="shared" .../>).
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def has_formulas(data):
    """Whether any part of the workbook holds a formula: a quick look before a second read.

    Text in the parts is escaped, so "<f" appears only as an element.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = (name for name in archive.namelist() if name.endswith(".xml"))
        return any(FORMULA_ELEMENT.search(archive.read(name)) for name in parts)


def calculated_rows(values, formulas, uncalculated):
    """The values Excel saved, row by row; formula cells saved without one go to ``uncalculated``.

    openpyxl never calculates: a formula cell reads as the value saved with it, and a file
    written by a program (or never opened in Excel) has none, which would import as an
    empty cell or 0. Only a formula reads as something in ``formulas`` and as nothing in
    ``values``; a text result ("" included) is saved with t="str", hence kept.
    """
    rows = zip(values.iter_rows(), formulas.iter_rows(values_only=True), strict=True)
    for number, (cells, typed) in enumerate(rows, start=1):
        for column, (cell, formula) in enumerate(zip(cells, typed, strict=True), start=1):
            if formula is not None and cell.value is None and cell.data_type != "str":
                uncalculated.append((number, column))
        yield [cell.value for cell in cells]


def uncalculated_problems(cells, headers, shown=10):
    problems = []
    for number, column in cells[:shown]:
        cell = f"{get_column_letter(column)}{number}"
        header = headers[column - 1] if number > 1 and column <= len(headers) else None
        problems.append(
            _(
                "%(row)s행 %(cell)s: 수식의 계산 값이 저장되지 않았습니다 — "
                "Excel에서 저장한 뒤 다시 올려 주세요."
            )
            % {"row": number, "cell": f"{header} ({cell})" if header else cell}
        )
    if len(cells) > shown:
        problems.append(_("수식 칸 %(count)s개가 더 있습니다.") % {"count": len(cells) - shown})
    return problems


class CSV(EscapedExport, base_formats.CSV):
    """Read as bytes so the encoding can be guessed: Korean Excel saves "CSV" as CP949."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, progress=None):
        check_size(len(in_stream))
        for encoding in ("utf-8-sig", "cp949"):
            try:
                text = in_stream.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("CSV 파일을 UTF-8 또는 CP949로 저장하세요."), code="encoding")
        return rows_to_dataset(csv.reader(io.StringIO(text, newline="")), progress)

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)  # Excel reads UTF-8 by its BOM


# Resources


class ExcelRowsResult(Result):
    """Row numbers as Excel shows them (the header is row 1), cells as typed."""

    def append_invalid_row(self, number, row, validation_error):
        shown = {column: cell_text(value) for column, value in row.items()}
        super().append_invalid_row(number, shown, validation_error)


class ImportRefused(Exception):
    """The file as a whole cannot be imported (its columns or duplicate rows)."""


class FileError(Error):
    @property
    def traceback(self):
        # The admin prints it under the message: our own refusals need no stack trace.
        return "" if isinstance(self.error, ImportRefused) else super().traceback


class DepartmentResource(ModelResource):
    """A department's rows, keyed by business keys, imported only by their department.

    Subclasses declare their fields with Korean column names, ``key_columns`` (the columns
    that make a row's business key) and ``Meta.model``, ``fields``, ``import_id_fields``.
    Read-only fields are the parts of a related row's key (e.g. 회계연도 of a budget line).
    Every import goes in bulk (departments.bulk_import); the methods below are its hooks.
    """

    department_column = DEPARTMENT_COLUMN
    key_columns: tuple[str, ...] = ()
    # Columns a file may leave out (added after files were made): a column left out
    # changes nothing, it does not empty the field.
    optional_columns: tuple[str, ...] = ()
    columns_in_file: frozenset = frozenset()

    @classmethod
    def get_result_class(cls):
        return ExcelRowsResult

    @classmethod
    def get_error_result_class(cls):
        return FileError

    def import_data(self, dataset, dry_run=False, **kwargs):
        """All or nothing, an unchanged row writing nothing, whatever the caller asks."""
        from .bulk_import import import_dataset  # it builds on this module

        user, file_name = kwargs.get("user"), kwargs.get("file_name")
        return import_dataset(self, dataset, user=user, file_name=file_name, dry_run=dry_run)

    def file_problems(self, dataset):
        """What refuses the file as a whole: its columns, then two rows of one item."""
        self.columns_in_file = frozenset(dataset.headers or ())
        expected = [f.column_name for f in self.fields.values()]
        problems = column_problems(dataset.headers, expected, self.optional_columns)
        return problems or duplicate_problems(dataset, self.key_columns)

    def writable_fields(self):
        """The fields an import writes: every one the file has a column for."""
        left_out = set(self.optional_columns) - self.columns_in_file
        return [
            f for f in self.get_import_fields() if not f.readonly and f.column_name not in left_out
        ]

    def stored_rows(self, id_fields, keys):
        """The stored rows the file names by key, in one query: {key: instance}."""
        from .bulk_import import key_part

        model = self._meta.model
        attnames = [model._meta.get_field(f.attribute).attname for f in id_fields]
        found = model._default_manager.order_by()
        for position, attname in enumerate(attnames):
            parts = {key_part(key[position]) for key in keys}
            # (a tuple stands for a related row new in this file: nothing stored names it)
            values = {value for value in parts - {None} if not isinstance(value, tuple)}
            match = Q(**{f"{attname}__in": values})
            if None in parts:  # a part the model may leave empty (a line at the top)
                match |= Q(**{f"{attname}__isnull": True})
            elif not values:
                return {}
            found = found.filter(match)
        return {tuple(getattr(item, name) for name in attnames): item for item in found}

    def after_row(self, instance, found):
        """Called with each row's instance, in the file's order (a later row may name it)."""

    def rule_groups(self, rows):
        """[(model, rows)] whose ``clean_many`` checks the rows' model rules and locks."""
        return [(self._meta.model, rows)]

    def save_rows(self, new, changed, *, user, reason):
        """Writes the new instances and the changed ones ([(instance, fields)])."""
        from .bulk_import import write

        write(self._meta.model, new, changed, user=user, reason=reason)

    def name_row(self, number, row, error):
        """Every message of a failed row names its Excel row and its column."""
        columns = {f.attribute: f.column_name for f in self.fields.values() if not f.readonly}
        named = {}
        for key, errors in error.update_error_dict({}).items():
            for each in errors:
                if key != NON_FIELD_ERRORS:
                    column = columns.get(key, key)
                elif each.code == "period_locked":
                    column = self.department_column
                else:
                    column = None
                text = row_message(number, column, row.get(column), " ".join(each.messages))
                named.setdefault(column or NON_FIELD_ERRORS, []).append(text)
        return ValidationError(named)


def cell_text(value):
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def row_message(number, column, value, message):
    if column is None:
        return _("%(row)s행: %(message)s") % {"row": number, "message": message}
    shown = f"'{cell_text(value)}'" if cell_text(value).strip() else _("(빈 칸)")
    return _("%(row)s행 %(column)s %(value)s: %(message)s") % {
        "row": number,
        "column": column,
        "value": shown,
        "message": message,
    }


def column_problems(headers, expected, optional=()):
    headers = list(headers or [])
    problems = []
    for index, header in enumerate(headers):
        if is_blank(header):
            letter = get_column_letter(index + 1)
            problems.append(_("%(letter)s열에 제목이 없습니다.") % {"letter": letter})
        elif header not in expected:
            hint = _(" 제목 앞뒤의 빈칸을 지우세요.") if header.strip() in expected else ""
            problems.append(_("모르는 열입니다: '%(column)s'.") % {"column": header} + hint)
        elif headers.count(header) > 1 and headers.index(header) == index:
            problems.append(_("'%(column)s' 열이 두 번 있습니다.") % {"column": header})
    for column in expected:
        if column not in headers and column not in optional:
            problems.append(_("'%(column)s' 열이 없습니다.") % {"column": column})
    return problems


def duplicate_problems(dataset, key_columns):
    positions = [dataset.headers.index(column) for column in key_columns]
    seen, problems = {}, []
    for number, row in enumerate(dataset, start=2):  # Excel's numbers: the header is row 1
        key = tuple(_key_text(row[position]) for position in positions)
        if not any(key):
            continue
        if key in seen:
            problems.append(same_item(seen[key], number, key_columns, key))
        else:
            seen[key] = number
    return problems


def same_item(first, second, key_columns, key):
    shown = ", ".join(f"{c} {cell_text(v)}" for c, v in zip(key_columns, key, strict=True))
    return _("%(first)s행과 %(second)s행이 같은 항목입니다 (%(key)s). 한 행만 남기세요.") % {
        "first": first,
        "second": second,
        "key": shown,
    }


def _key_text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(cell_text(value))


def refusal(result):
    """Why nothing was imported ("아무것도 가져오지 않았습니다. …"), or "" when all went in."""
    if not (result.has_errors() or result.has_validation_errors()):
        return ""
    problems = [str(error.error) for error in result.base_errors]
    problems += [message for row in result.invalid_rows for message in row.error.messages]
    return _("아무것도 가져오지 않았습니다. %(problems)s") % {"problems": " ".join(problems[:5])}
