"""Edit history shown beside a record: who changed which figure, when, from what to what."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.models import registered_models
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_history_manager_for_model


@dataclass
class Change:
    when: object
    who: object
    kind: str
    row: str
    field: str
    old: object
    new: object
    reason: str


def shown(field, value):
    """A recorded value as a person reads it: a choice by its label, nothing as "-"."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return _("예") if value else _("아니요")
    choices = dict(field.flatchoices) if field and field.choices else {}
    return str(choices.get(value, value))


class ValueDisplay(HistoricalRecordContextHelper):
    """simple_history's change list with values shown as `shown` does ("-", not "None")."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        return shown(field, value)


def child_changes(obj, relation_names):
    """Edits of the inline rows (e.g. the counts of a staffing table), newest first."""
    changes = []
    for name in relation_names:
        relation = obj._meta.get_field(name)
        history = relation.related_model.history
        records = history.filter(**{relation.field.attname: obj.pk})
        changes += _deltas(records.select_related("history_user").order_by("id", "history_date"))
    return sorted(changes, key=lambda c: c.when, reverse=True)


def _deltas(records):
    previous = None
    for record in records:
        first = previous is None or previous.id != record.id
        if record.history_type == "~" and not first:
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            for change in delta.changes:
                yield _change(record, change.field, change.old, change.new)
        else:  # created, deleted, or a row edited before history was kept
            yield _change(record, "", "", "")
        previous = record


def _change(record, field_name, old, new):
    field = record.instance_type._meta.get_field(field_name) if field_name else None
    return Change(
        when=record.history_date,
        who=record.history_user,
        kind=record.get_history_type_display(),
        row=str(record.instance),
        field=str(field.verbose_name) if field else "",
        old=shown(field, old) if field else "",
        new=shown(field, new) if field else "",
        reason=record.history_change_reason or "",
    )


@transaction.atomic
def record_baseline(reason):
    """A history row for every record whose current state history does not show.

    Rows saved without history (loaddata saves raw) would otherwise have no "before" for
    their first edit. Records whose latest history matches them are left alone, so running
    this again adds nothing. Returns how many rows were recorded.
    """
    added = 0
    for model in registered_models.values():
        if hasattr(model._meta, "simple_history_manager_attribute"):  # not an m2m table
            added += _record_model_baseline(model, reason)
    return added


def _record_model_baseline(model, reason):
    history = get_history_manager_for_model(model)
    fields = [f.attname for f in history.model.tracked_fields]
    latest = {}
    for row in history.order_by("history_date", "history_id").values("history_type", *fields):
        latest[row[model._meta.pk.attname]] = row
    missing, changed = [], []
    for instance in model._default_manager.all():
        row = latest.get(instance.pk)
        if row is None or row["history_type"] == "-":
            missing.append(instance)
        elif any(row[name] != getattr(instance, name) for name in fields):
            changed.append(instance)
    history.bulk_history_create(missing, default_change_reason=reason)
    history.bulk_history_create(changed, update=True, default_change_reason=reason)
    return len(missing) + len(changed)
