"""Business keys, so fixtures refer to rows by code and date instead of database ids."""

from django.db import models


class NaturalKeyQuerySet(models.QuerySet):
    """Lets fixtures refer to rows by their business key instead of database ids."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))


class NaturalKeyModel(models.Model):
    """A row whose business key (``natural_key_fields``, paths with ``__``) is unique.

    Loading the demo fixtures twice updates these rows instead of duplicating them.
    """

    natural_key_fields: tuple[str, ...] = ()
    objects = NaturalKeyQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self):
        key = []
        for path in self.natural_key_fields:
            value = self
            for part in path.split("__"):
                value = getattr(value, part)
            key.append(value.isoformat() if hasattr(value, "isoformat") else value)
        return tuple(key)
