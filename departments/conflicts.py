"""Optimistic locking for every edit form of the admin: no save silently undoes another's.

Each edit form (a change form, each inline row, each editable row of a list) carries a
signed copy of the values it was loaded with. When it is saved, inside the save's
transaction, the row is read again (locked on PostgreSQL) and compared:

- nobody saved the row meanwhile: the save goes ahead as usual;
- somebody did, and this form was left as loaded: the form keeps what was saved meanwhile
  (an untouched inline or list row is not written at all, the main form takes the newer
  values), so editing one row of a table never undoes another's edit of the next row;
- somebody did, and this form was edited too: the whole save is refused, listing each
  field changed meanwhile (value loaded → value saved meanwhile, by whom and when), and the
  form is shown again with the user's input, and with what was saved meanwhile in the
  fields the user left alone. It is refused rather than merged field by field because the
  figures of one row belong together (정원 and 현원, a budget and its execution): a save
  never stores a combination that nobody saw. The form's token is renewed, so saving again
  stores what the page shows, as a deliberate choice;
- the row was deleted meanwhile: an untouched row is left out of the save; an edited one
  refuses the save, naming the values typed into it (the page has no row for it any more).

Rows added meanwhile are not in the form and so are left as they are. A version column
would need a migration in every app; the token needs none and covers every model at once.
"""

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router, transaction
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

FIELD_NAME = "loaded_state"
SIGNER = signing.Signer(salt="departments.conflicts")
JSON = DjangoJSONEncoder()


def plain(field, obj):
    """A field's value as JSON would carry it: equal exactly when the stored value is."""
    if field.many_to_many:
        return sorted(related.pk for related in field.value_from_object(obj))
    value = field.value_from_object(obj)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        return JSON.default(value)  # dates, Decimal, UUID
    except TypeError:
        return str(value)


def state_of(obj, names):
    fields = [obj._meta.get_field(name) for name in names]
    return {"pk": obj.pk, "values": {f.name: plain(f, obj) for f in fields}}


def locked_row(model, pk):
    """The row as stored now; on PostgreSQL it stays locked until the save commits."""
    rows = model._base_manager.filter(pk=pk)
    if transaction.get_connection(router.db_for_write(model)).in_atomic_block:
        rows = rows.select_for_update()
    return rows.first()


class LoadedStateField(forms.CharField):
    """The signed values a form was loaded with; never a change of its own."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, label="", **kwargs)

    def clean(self, value):
        try:
            return SIGNER.unsign_object(value) if value else None
        except signing.BadSignature:
            return None  # a forged token only switches the check off for its own sender

    def has_changed(self, initial, data):
        return False


def edited_fields(model):
    """Concrete and many-to-many fields a form may write (the primary key never)."""
    return [
        f
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many) and not f.auto_created and not f.primary_key
    ]


class ConflictCheckedForm(forms.ModelForm):
    """Mixed into every admin form by ``with_conflict_check``."""

    loaded_state = LoadedStateField()
    kept_as_saved = False  # this form was left as loaded and keeps what was saved meanwhile
    loaded_from_store = False  # the instance is an old version (a revert form), not the row

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = {f.name for f in edited_fields(self._meta.model)}
        self.checked_names = [
            name for name in self.fields if name in names and not self.fields[name].disabled
        ]
        if self.instance.pk is not None and not self.is_bound:
            loaded = self.instance
            if self.loaded_from_store:
                loaded = self._meta.model._base_manager.get(pk=self.instance.pk)
            self.initial[FIELD_NAME] = SIGNER.sign_object(
                state_of(loaded, self.checked_names), compress=True
            )

    def clean(self):
        cleaned = super().clean()
        loaded = self.cleaned_data.get(FIELD_NAME)
        if loaded is not None and self.would_write() and self.is_token_of_this_row(loaded):
            self.check_saved_meanwhile(loaded)
        return cleaned

    def is_token_of_this_row(self, loaded):
        # No instance: the formset found no row with the posted id (deleted meanwhile).
        return self.instance.pk is None or self.instance.pk == loaded["pk"]

    def would_write(self):
        # A change form is always saved; a formset (inline, editable list) saves only the
        # rows that differ from the row read for this request, so the others need no check.
        return self.prefix is None or bool(self.changed_data)

    def check_saved_meanwhile(self, loaded):
        opts, values = self._meta.model._meta, loaded["values"]
        current = locked_row(self._meta.model, loaded["pk"])
        if current is None:
            return self.deleted_meanwhile(values)
        meanwhile = [
            name for name, value in values.items() if plain(opts.get_field(name), current) != value
        ]
        if not meanwhile:
            return
        touched = self.touched_names(values)
        if not touched:
            self.kept_as_saved = current
            return
        self.data = self.data.copy()
        self.show_saved(current, [n for n in meanwhile if n in self.fields and n not in touched])
        self.renew_token(current, list(values))
        raise ValidationError(refusal(current, values, meanwhile))

    def touched_names(self, values):
        """The fields the user changed in this form since it was loaded."""
        opts = self._meta.model._meta
        return {
            name
            for name, value in values.items()
            if name in self.fields and self.changed_since_loaded(name, opts.get_field(name), value)
        }

    def changed_since_loaded(self, name, model_field, loaded):
        return self.fields[name].has_changed(model_field.to_python(loaded), self[name].data)

    def touched(self, values):
        return bool(self.touched_names(values))

    def show_saved(self, current, names):
        """Fields the user left alone show what was saved meanwhile: saving again keeps it."""
        saved = model_to_dict(current, fields=names)
        for name in names:
            bound, value = self[name], self.fields[name].prepare_value(saved.get(name))
            widget = getattr(bound.field.widget, "widget", bound.field.widget)  # admin wrapper
            if isinstance(widget, forms.CheckboxInput):
                self.data.setlist(bound.html_name, ["on"] if value else [])
            elif isinstance(widget, forms.SelectMultiple):
                self.data.setlist(bound.html_name, [str(v) for v in value or []])
            elif not isinstance(widget, forms.MultiWidget):
                self.data[bound.html_name] = "" if value is None else str(value)

    def deleted_meanwhile(self, values):
        # The formset found no row for the posted id and gave this form a new instance;
        # the page has no place for this row any more, so its formset names the row instead.
        pk_name = self._meta.model._meta.pk.name
        if self._errors is not None:
            self._errors.pop(pk_name, None)  # "not a valid choice", on a hidden field
        if self.touched(values):
            self.edited_deleted_row = True
        else:
            self.kept_as_saved = True

    edited_deleted_row = False

    def typed(self):
        """What the user typed into this row, to be shown once its row is gone."""
        opts = self._meta.model._meta
        return ", ".join(
            f"{opts.get_field(name).verbose_name}: "
            f"{shown(opts.get_field(name), as_plain(self.cleaned_data[name]))}"
            for name in self.checked_names
            if name in self.cleaned_data
        )

    def renew_token(self, current, names):
        self.data[self.add_prefix(FIELD_NAME)] = SIGNER.sign_object(
            state_of(current, names), compress=True
        )

    def _post_clean(self):
        super()._post_clean()
        if self.kept_as_saved and self.instance.pk is not None:
            keep_as_saved(self, self.kept_as_saved)

    @property
    def changed_data(self):
        # An untouched row is not written: formsets and editable lists save changed rows.
        return [] if self.kept_as_saved else super().changed_data


def keep_as_saved(form, current):
    """The main form was left as loaded: save what was saved meanwhile, not the old values."""
    for name in form.checked_names:
        field = form._meta.model._meta.get_field(name)
        if field.many_to_many:
            form.cleaned_data[name] = list(getattr(current, name).all())
        else:
            setattr(form.instance, field.attname, getattr(current, field.attname))


def refusal(current, values, meanwhile):
    """The messages of a refused save: who saved meanwhile, then field: loaded → now."""
    opts = current._meta
    lines = [saved_by(current)]
    for name in meanwhile:
        field = opts.get_field(name)
        lines.append(
            f"{field.verbose_name}: {shown(field, values[name])} → "
            f"{shown(field, plain(field, current))}"
        )
    lines.append(
        _(
            "입력한 값은 그대로 두었고, 손대지 않은 칸에는 그 사이 저장된 값을 넣어 "
            "두었습니다. 확인하고 다시 저장하면 화면에 보이는 값으로 저장됩니다."
        )
    )
    return lines


def saved_by(row):
    latest = row.history.first() if hasattr(row, "history") else None
    if latest is None:
        return _("저장하지 않았습니다. 이 화면을 연 뒤 다른 사람이 이 항목을 저장했습니다.")
    who = latest.history_user
    return _(
        "저장하지 않았습니다. 이 화면을 연 뒤 %(who)s 님이 %(when)s에 이 항목을 저장했습니다."
    ) % {
        "who": (who.get_full_name() or who.get_username()) if who else _("알 수 없는 사용자"),
        "when": date_format(localtime(latest.history_date), "Y. n. j. H:i"),
    }


def shown(field, value):
    """A stored value as a person reads it: the name of a related row, a choice's label."""
    if value is None or value == "" or value == []:
        return _("(비어 있음)")
    if field.many_to_many:
        return ", ".join(str(row) for row in field.related_model._base_manager.filter(pk__in=value))
    if field.is_relation:
        row = field.related_model._base_manager.filter(pk=value).first()
        return str(row) if row is not None else str(value)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(field.to_python(value), value))
    if isinstance(value, bool):
        return _("예") if value else _("아니요")
    if isinstance(value, int):
        return f"{value:,}"
    return Truncator(str(value)).chars(200)


def as_plain(value):
    """A cleaned form value as ``plain`` gives a stored one (rows by their pk)."""
    if hasattr(value, "_meta"):
        return value.pk
    if isinstance(value, (list, tuple, QuerySet)):
        return sorted(row.pk for row in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return JSON.default(value)


class DeletedRowsCheck:
    """A formset refuses to save while a row the user edited was deleted meanwhile."""

    def clean(self):
        super().clean()
        lost = [form.typed() for form in self.forms if getattr(form, "edited_deleted_row", False)]
        if lost:
            raise ValidationError(
                [
                    _(
                        "저장하지 않았습니다. 이 화면을 연 뒤 다른 사람이 아래 행을 "
                        "삭제했습니다. 그 행에 입력한 값을 다시 넣으려면 화면을 다시 열어 새 "
                        "행으로 추가하세요."
                    ),
                    *lost,
                ]
            )


def with_deleted_rows_check(formset_class):
    if issubclass(formset_class, DeletedRowsCheck):
        return formset_class
    return type(formset_class.__name__, (DeletedRowsCheck, formset_class), {})


def with_conflict_check(form_class):
    """``form_class`` with the loaded-state token and the check."""
    if issubclass(form_class, ConflictCheckedForm):
        return form_class
    return type(form_class.__name__, (ConflictCheckedForm, form_class), {})
