"""A spreadsheet import in bulk: the same checks as one row at a time, in a fixed number of
queries however many rows the file has.

Each step looks at every row at once: the columns and duplicate keys of the file, who may
import which department (one query), the related rows the cells name (one query per column
that names them, ``Widget.prepare``), the rows the file updates (one query), the model's
rules and period locks (``Model.clean_many``). Then, if no row is refused, the writes go in
bulk with their history rows (django-simple-history's bulk helpers, naming the user and the
file), in one transaction: one bad row means nothing is saved. A dry run (the preview)
checks everything but writes nothing: a write the rules above let through and the database
still refused (say, a row added meanwhile under the same key) is reported by the confirm,
which then saves nothing either.
"""

import contextlib
import gc
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .access import departments_for
from .imports import FileError, ImportRefused, cell_text, clean_text, is_blank, same_item

# Django's bulk_update is one CASE per field with a branch per row, which the database
# walks for every row: quadratic in the batch. Updates therefore go 1,000 rows a statement.
UPDATE_BATCH = 1_000

NOT_YOURS = gettext_lazy("없는 부서이거나 이 계정으로 자료를 올릴 수 없는 부서입니다.")


@dataclass
class Row:
    """One line of the file on its way in: its cells, then its instance or its errors."""

    number: int  # as Excel shows it: the header is row 1
    cells: dict
    instance: models.Model | None = None
    import_type: str = ""
    changed: list = field(default_factory=list)  # the fields this row changes
    original: dict = field(default_factory=dict)  # their stored values
    errors: dict = field(default_factory=dict)  # field or column → [messages]

    def refuse(self, error):
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        self.errors = error.update_error_dict(self.errors)


@contextlib.contextmanager
def collector_paused():
    """The rows of a file are many small objects alive until the import ends: Python's
    cyclic garbage collector would walk them again and again as they are made (a large
    share of a 50,000-row import in a worker with a large heap). Nothing here makes cycles
    that must be freed before the import ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def key_part(value):
    """A key cell as compared: a saved row by its id, a row new in this file by itself."""
    if isinstance(value, models.Model):
        return value.pk if value.pk is not None else ("new", id(value))
    return value


def import_dataset(resource, dataset, *, user=None, file_name=None, dry_run=False):
    """The import of ``dataset`` by ``resource`` (a DepartmentResource), as a Result."""
    result = resource.get_result_class()()
    result.diff_headers = resource.get_diff_headers()
    result.total_rows = len(dataset)
    problems = resource.file_problems(dataset)
    if problems:
        result.append_base_error(FileError(ImportRefused(" ".join(map(str, problems)))))
        return result
    headers = dataset.headers
    rows = [
        Row(number, dict(zip(headers, values, strict=True)))
        for number, values in enumerate(dataset, start=2)
        if not all(is_blank(value) for value in values)  # a blank line: not counted
    ]
    with transaction.atomic(), collector_paused():
        check_rows(resource, rows, user)
        refused = [row for row in rows if row.errors]
        if not refused and not dry_run:
            try:
                with transaction.atomic():
                    reason = _("가져오기: %(file)s") % {"file": file_name or "-"}
                    who = user if user is not None and user.is_authenticated else None
                    resource.save_rows(
                        [
                            row.instance
                            for row in rows
                            if row.import_type == RowResult.IMPORT_TYPE_NEW
                        ],
                        [
                            (row.instance, row.changed)
                            for row in rows
                            if row.import_type == RowResult.IMPORT_TYPE_UPDATE
                        ],
                        user=who,
                        reason=reason,
                    )
            except (IntegrityError, ValidationError) as error:
                # What the rules above did not foresee: the database's own refusal.
                result.append_base_error(FileError(error))
        old_values = shown_original_values(resource, rows)
    for row in rows:
        if row.errors:
            error = resource.name_row(row.number, row.cells, ValidationError(row.errors))
            result.append_invalid_row(row.number, row.cells, error)
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
        else:
            row_result = RowResult()
            row_result.import_type = row.import_type
            row_result.number = row.number
            row_result.cells = row.cells
            row_result.old = old_values.get(row.number, {})
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
    return result


def check_rows(resource, rows, user):
    """Every check of every row, each row ending with its instance or its errors."""
    allowed = set(departments_for(user).values_list("code", flat=True)) if user else set()
    for row in rows:
        if clean_text(row.cells.get(resource.department_column)) not in allowed:
            # Unknown and foreign codes look alike, as another department's pages do.
            row.refuse({resource.department_column: str(NOT_YOURS)})
    rows = [row for row in rows if not row.errors]
    writable = resource.writable_fields()
    found = {
        f.column_name: f.widget.prepare([row.cells for row in rows], f.column_name)
        for f in writable
        if hasattr(f.widget, "prepare")
    }
    id_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
    complete = _complete_key(resource, id_fields)
    stored = resource.stored_rows(id_fields, _keys(rows, id_fields, found, complete))
    first_row = {}
    checked = []
    for row in rows:
        values = _clean_cells(resource, row, writable, found)
        if row.errors:
            continue
        key = tuple(key_part(values[f]) for f in id_fields)
        named = complete(key)
        if named:
            first = first_row.setdefault(key, row.number)
            if first != row.number:
                # The same item typed two ways ("세출" and "expenditure"), which the check of
                # the file's text cannot see.
                typed = [row.cells.get(column) for column in resource.key_columns]
                row.refuse(same_item(first, row.number, resource.key_columns, typed))
                continue
        instance = stored.get(key) if named else None
        _apply(resource, row, instance, writable, values)
        if row.import_type != RowResult.IMPORT_TYPE_SKIP:  # an unchanged row is left alone
            unset = [f.attribute for f in writable if values[f] is None]
            relations = {f.name for f in row.instance._meta.fields if f.is_relation}
            try:
                # Related rows were found above; a field's own check would ask again.
                row.instance.clean_fields(exclude=relations - set(unset))
            except ValidationError as error:
                row.refuse(error)
                continue
            checked.append(row)
        resource.after_row(row.instance, found)
    for model, group in resource.rule_groups(checked):
        for index, errors in model.clean_many([row.instance for row in group]).items():
            for error in errors:
                group[index].refuse(error)


def _complete_key(resource, id_fields):
    """Whether a key names a row: every part given, but for the parts the model leaves
    empty on purpose (a budget line at the top has no parent)."""
    model = resource._meta.model
    optional = [model._meta.get_field(f.attribute).null for f in id_fields]

    def complete(key):
        pairs = zip(key, optional, strict=True)
        return all(part is not None or empty_ok for part, empty_ok in pairs)

    return complete


def _keys(rows, id_fields, found, complete):
    """The business keys the file names, for the one query that finds the stored rows."""
    keys = []
    for row in rows:
        try:
            key = [f.clean(row.cells, found=found.get(f.column_name)) for f in id_fields]
        except ValueError:
            continue  # the cell's own error is reported by the row's check
        if complete(key):
            keys.append(key)
    return keys


def _clean_cells(resource, row, writable, found):
    """The row's values by field, or the row refused naming each bad cell."""
    errors = {}
    for f in resource.fields.values():
        if f.readonly:  # the parts of a related row's key: checked so the error names them
            try:
                f.widget.clean(row.cells.get(f.column_name))
            except ValueError as error:
                errors[f.column_name] = str(error)
    if errors:
        row.refuse(errors)
        return {}
    values = {}
    for f in writable:
        try:
            values[f] = f.clean(row.cells, found=found.get(f.column_name))
        except ValueError as error:
            errors[f.attribute] = str(error)
    if errors:
        row.refuse(errors)
    return values


def _apply(resource, row, instance, writable, values):
    if instance is None:
        instance = resource._meta.model()
        row.import_type = RowResult.IMPORT_TYPE_NEW
    opts = instance._meta
    for f in writable:
        model_field = opts.get_field(f.attribute)
        new = values[f]
        if instance.pk is not None:
            old = getattr(instance, model_field.attname)
            if (key_part(new) if model_field.is_relation else new) != old:
                row.changed.append(f.attribute)
                row.original[f] = old
        setattr(instance, f.attribute, new)
    if instance.pk is not None:
        row.import_type = (
            RowResult.IMPORT_TYPE_UPDATE if row.changed else RowResult.IMPORT_TYPE_SKIP
        )
    row.instance = instance


def write(model, new, changed, *, user, reason):
    """New rows and changed rows of one model, with their history, in bulk.

    ``changed`` is [(instance, [field names])]; each statement sets the fields any of its
    rows changes (the others to the values they already have).
    """
    if new:
        bulk_create_with_history(new, model, default_user=user, default_change_reason=reason)
    if changed:
        fields = sorted({name for _, names in changed for name in names})
        bulk_update_with_history(
            [instance for instance, _ in changed],
            model,
            fields,
            batch_size=UPDATE_BATCH,
            default_user=user,
            default_change_reason=reason,
        )


def shown_original_values(resource, rows):
    """{row number: {column: the stored value as text}} of the cells an update changes.

    A changed related row is named as the file names it: one query per such column.
    """
    updates = [row for row in rows if row.import_type == RowResult.IMPORT_TYPE_UPDATE]
    related = {}
    for f in {f for row in updates for f in row.original}:
        model_field = resource._meta.model._meta.get_field(f.attribute)
        if model_field.is_relation:
            ids = {row.original[f] for row in updates if f in row.original} - {None}
            related[f] = model_field.related_model._default_manager.in_bulk(ids)
    shown = {}
    for row in updates:
        for f, old in row.original.items():
            if f in related:
                old = related[f].get(old)
            shown.setdefault(row.number, {})[f.column_name] = cell_text(f.widget.render(old))
    return shown
