"""Edit history shown beside a record: who changed which figure, when, from what to what."""

from dataclasses import dataclass


@dataclass
class Change:
    when: object
    who: object
    kind: str
    row: str
    field: str
    old: object
    new: object


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
        if previous is not None and previous.id == record.id and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                yield _change(record, change.field, change.old, change.new)
        elif record.history_type in "+-":
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
        old=old,
        new=new,
    )
