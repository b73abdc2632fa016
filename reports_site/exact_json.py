"""Django's JSON fixture format for a backup (format "exactjson"): times to the
microsecond, and references by natural key only where a database numbers rows afresh.

Django's encoder cuts times to milliseconds, so a backup restored would move every
timestamp (history, publication) by up to a millisecond and no longer match its source.
Every other row keeps its id in the backup, so a reference to it is its id: looking up the
natural key of every referenced row (a budget line's names up its whole tree) would cost
queries per row and gain nothing.
"""

import datetime as dt

from django.core.serializers import json as django_json


class ExactEncoder(django_json.DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


# What `migrate` makes in every database, numbered as it comes: named by natural key.
RENUMBERED = {"contenttypes.contenttype", "auth.permission"}


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
        self.natural_foreign = self.use_natural_foreign_keys

    def _keyed_by(self, field):
        label = field.remote_field.model._meta.label_lower
        self.use_natural_foreign_keys = self.natural_foreign and label in RENUMBERED

    def handle_fk_field(self, obj, field):
        self._keyed_by(field)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self._keyed_by(field)
        super().handle_m2m_field(obj, field)


Deserializer = django_json.Deserializer
