"""Django's JSON fixture format, with times to the microsecond (format "exactjson").

Django's encoder cuts times to milliseconds, so a backup restored would move every
timestamp (history, publication) by up to a millisecond and no longer match its source.
"""

import datetime as dt

from django.core.serializers import json as django_json


class ExactEncoder(django_json.DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder


Deserializer = django_json.Deserializer
