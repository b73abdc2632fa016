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
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm, ImportForm
from import_export.resources import ModelResource
from import_export.results import Error, Result, RowResult
from import_export.widgets import Widget
from openpyxl.utils import get_column_letter

from reports_site.downloads import safe_filename

from .access import departments_for
from .models import PendingImport
from .pending_imports import PendingImportStorage, SpreadsheetConfirmForm

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

    def labels(self):
        with translation.override("ko"):  # the file is Korean whatever the user's language
            return {str(label): value for value, label in self.choices.choices}

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        labels = self.labels()
        if not text or text in self.choices.values:
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

    def clean(self, value, row=None, **kwargs):
        code = clean_text(value)
        if not code:
            return None
        found = self.model.objects.filter(**{self.field: code}).first()
        if found is None:
            raise ValueError(_("없는 코드입니다."))
        return found

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


def rows_to_dataset(rows):
    """A Dataset of the first row as headers and the rest, with the row count capped.

    Blank rows inside the sheet are kept (as blanks) so row numbers stay Excel's;
    trailing blank rows are dropped.
    """
    rows = iter(rows)
    headers = _trim(next(rows, ()))
    data, blanks = [], 0
    for row in rows:
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
    def create_dataset(self, in_stream):
        check_xlsx(in_stream)
        values = open_sheet(in_stream, data_only=True)
        formulas = open_sheet(in_stream) if has_formulas(in_stream) else None
        uncalculated = []
        try:
            if formulas is None:
                dataset = rows_to_dataset(values.iter_rows(values_only=True))
            else:
                dataset = rows_to_dataset(calculated_rows(values, formulas, uncalculated))
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

    def create_dataset(self, in_stream):
        check_size(len(in_stream))
        for encoding in ("utf-8-sig", "cp949"):
            try:
                text = in_stream.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("CSV 파일을 UTF-8 또는 CP949로 저장하세요."), code="encoding")
        return rows_to_dataset(csv.reader(io.StringIO(text, newline="")))

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)  # Excel reads UTF-8 by its BOM


# Resources


class ExcelRowsResult(Result):
    """Row numbers as Excel shows them (the header is row 1), cells as typed."""

    def append_invalid_row(self, number, row, validation_error):
        shown = {column: cell_text(value) for column, value in row.items()}
        super().append_invalid_row(number + 1, shown, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)

    def row_errors(self):
        return [(number + 1, errors) for number, errors in super().row_errors()]


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
    """

    department_column = DEPARTMENT_COLUMN
    key_columns: tuple[str, ...] = ()

    class Meta:
        clean_model_instances = True  # choices, ranges and the period lock are checked
        skip_unchanged = True  # an unchanged row writes nothing and adds no history
        use_transactions = True

    @classmethod
    def get_result_class(cls):
        return ExcelRowsResult

    @classmethod
    def get_error_result_class(cls):
        return FileError

    def import_data(self, dataset, **kwargs):
        # Any error, even one found only at the confirm step, leaves the database untouched.
        kwargs |= {"use_transactions": True, "rollback_on_validation_errors": True}
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        user = kwargs.get("user")
        codes = departments_for(user).values_list("code", flat=True) if user else []
        self.allowed_codes = set(codes)
        self.row_of = {}  # saved row id → the file's row that wrote it
        problems = column_problems(dataset.headers, [f.column_name for f in self.fields.values()])
        if not problems:
            problems = duplicate_problems(dataset, self.key_columns)
        if problems:
            del dataset[:]  # every row would fail again for the same reason
            raise ImportRefused(" ".join(map(str, problems)))

    def import_row(self, row, instance_loader, **kwargs):
        if all(is_blank(value) for value in row.values()):
            return self.get_row_result_class()()  # a blank line: neither imported nor counted
        result = super().import_row(row, instance_loader, **kwargs)
        number = kwargs["row_number"] + 1
        if result.validation_error:
            result.validation_error = self.name_row(number, row, result.validation_error)
        elif result.object_id is not None:
            first = self.row_of.setdefault(result.object_id, number)
            if first != number:
                # The same item typed two ways ("세출" and "expenditure"), which the check
                # of the file's text in before_import cannot see.
                result.import_type = RowResult.IMPORT_TYPE_INVALID
                key = [row.get(column) for column in self.key_columns]
                message = same_item(first, number, self.key_columns, key)
                result.validation_error = ValidationError(message)
        return result

    def before_import_row(self, row, **kwargs):
        if clean_text(row.get(self.department_column)) not in self.allowed_codes:
            # Unknown and foreign codes look alike, as another department's pages do.
            message = _("없는 부서이거나 이 계정으로 자료를 올릴 수 없는 부서입니다.")
            raise ValidationError({self.department_column: message})
        errors = {}
        for field in self.fields.values():
            if field.readonly:  # checked here so that the error names its own column
                try:
                    field.widget.clean(row.get(field.column_name))
                except ValueError as error:
                    errors[field.column_name] = str(error)
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        fields = [self.fields[name] for name in self.get_import_id_fields()]
        try:
            lookup = {field.attribute: field.clean(row) for field in fields}
        except ValueError:
            return None  # import_instance reports the bad cell
        if None in lookup.values():
            return None
        return self._meta.model.objects.filter(**lookup).first()

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            instance._history_user = user  # recorded even outside a request
        instance._change_reason = _("가져오기: %(file)s") % {"file": kwargs.get("file_name") or "-"}

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


def column_problems(headers, expected):
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
        if column not in headers:
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


# Admin


class SpreadsheetImportForm(ImportForm):
    def __init__(self, *args, uploader=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploader = uploader

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_size(upload.size)  # before the file is read into memory
        upload.uploader = self.uploader  # whose pending upload it becomes
        return upload


class SpreadsheetAdmin(ImportExportMixin):
    """Excel/CSV import and export for an admin of department rows.

    The import page needs the add permission (IMPORT_EXPORT_IMPORT_PERMISSION_CODE); the
    export takes the admin's own (scoped) list, every column, so it imports back as is.
    An upload waits for its confirm as a PendingImport of its user; the confirm trusts
    nothing of its hidden fields but the upload's random token.
    """

    formats = [XLSX, CSV]
    import_form_class = SpreadsheetImportForm
    confirm_form_class = SpreadsheetConfirmForm
    export_form_class = ExportForm
    tmp_storage_class = PendingImportStorage

    def get_import_form_kwargs(self, request):
        return super().get_import_form_kwargs(request) | {"uploader": request.user}

    def get_confirm_form_kwargs(self, request, import_form=None):
        counts = {
            "formats": len(self.get_import_formats()),
            "resources": len(self.get_import_resource_classes(request)),
        }
        return super().get_confirm_form_kwargs(request, import_form) | counts

    def pending_storage(self, user, **kwargs):
        return PendingImportStorage(user=user, model=self.opts.label_lower, **kwargs)

    def write_to_tmp_storage(self, import_file, input_format):
        storage = self.pending_storage(import_file.uploader, file_name=import_file.name)
        storage.save(b"".join(import_file.chunks()))  # its size was checked by the form
        return storage

    def import_action(self, request, **kwargs):
        if request.method == "POST":
            PendingImport.objects.expired().delete()  # abandoned previews
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        token = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if token and not context.get("confirm_form"):
            PendingImport.objects.filter(token=token).delete()  # refused: no confirm will come
        return response

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirm step: the user's own pending upload, read once, or a message.

        A confirm naming no upload of this user's (another user's, an expired one, one that
        a first click already imported) or with impossible hidden fields ends on the import
        page with a message, never on an error page.
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return self.refuse_confirm(request, CONFIRM_TAMPERED)
        storage = self.pending_storage(request.user, name=form.cleaned_data["import_file_name"])
        try:
            data = storage.read()
        except PendingImport.DoesNotExist:
            return self.refuse_confirm(request, UPLOAD_GONE)
        if not storage.remove():
            return self.refuse_confirm(request, UPLOAD_GONE)
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        try:
            dataset = input_format.create_dataset(data)
        except ValidationError as error:
            return self.refuse_confirm(request, " ".join(error.messages))
        result = self.process_dataset(dataset, form, request, file_name=storage.file_name)
        return self.process_result(result, request)

    def get_export_filename(self, request, queryset, file_format):
        title = f"{self.opts.verbose_name_plural} {timezone.localdate():%Y-%m-%d}"
        return safe_filename(title, file_format.get_extension())

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # The library writes the name into the header unencoded; Korean needs RFC 6266.
        response = super()._do_file_export(file_format, request, queryset, export_form)
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response

    def refuse_confirm(self, request, message):
        messages.error(request, message)
        app_label, model_name = self.get_model_info()
        return redirect(f"admin:{app_label}_{model_name}_import")

    def add_data_read_fail_error_to_form(self, form, error):
        if not isinstance(error, ValidationError):
            error = _("파일을 읽지 못했습니다. 고른 형식(xlsx, csv)과 파일이 맞는지 확인하세요.")
        form.add_error("import_file", error)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _(
                "가져오기를 마쳤습니다: 새 항목 %(new)s건, 고친 항목 %(update)s건, "
                "그대로 %(skip)s건."
            )
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The preview passed but the data changed before the confirm (e.g. the period
            # was approved meanwhile); the import was rolled back.
            problems = [str(error.error) for error in result.base_errors]
            problems += [m for row in result.invalid_rows for m in row.error.messages]
            message = _("아무것도 가져오지 않았습니다. %(problems)s") % {
                "problems": " ".join(problems[:5])
            }
            return self.refuse_confirm(request, message)
        return super().process_result(result, request)


UPLOAD_GONE = _(
    "가져올 파일을 찾지 못했습니다. 이미 가져왔거나, 오래되어 지워졌거나, 이 계정이 올린 "
    "파일이 아닙니다. 파일을 다시 올려 주세요."
)
CONFIRM_TAMPERED = _("확인 단계의 양식이 올린 파일과 맞지 않습니다. 파일을 다시 올려 주세요.")
