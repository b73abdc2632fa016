"""Approved figures cannot change: enforced on the model and QuerySet, below every form.

A row belongs to a department and a quarter (or a whole year). Once that quarter's review
period of the department, or of a unit above it, is approved or closed, saving, deleting,
updating or bulk-writing the row raises `PeriodLocked`, whichever path it comes by: admin,
import, shell.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .naturalkeys import NaturalKeyModel, NaturalKeyQuerySet

LOCKED_STATUSES = ("approved", "closed")


class PeriodLocked(ValidationError):
    pass


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def _ancestors(department_ids):
    """Each department id mapped to itself and the ids above it."""
    rows = (
        apps.get_model("departments", "Department")
        .objects.filter(pk__in=department_ids)
        .values_list("pk", "parent", "parent__parent", "parent__parent__parent")
    )
    return {row[0]: {pk for pk in row if pk} for row in rows}


def ensure_unlocked(keys):
    """keys: (department_id, year, quarter or None for the whole year)."""
    refused = locked_periods(keys)
    if refused:
        raise next(iter(refused.values()))


def locked_periods(keys):
    """Each of ``keys`` whose period is approved or closed, mapped to its refusal.

    Two queries however many keys: an import checks every row at once with it.
    """
    keys = {key for key in keys if key[0] is not None}
    if not keys:
        return {}
    lineage = _ancestors({department for department, _, _ in keys})
    everyone = set().union(*lineage.values()) if lineage else set()
    rows = (
        apps.get_model("departments", "ReportingPeriod")
        .objects.filter(
            department__in=everyone,
            year__in={year for _, year, _ in keys},
            status__in=LOCKED_STATUSES,
        )
        .values_list("department", "year", "quarter", "status")
    )
    locked = {(department, year, quarter): status for department, year, quarter, status in rows}
    refused = {}
    for key in sorted(keys, key=str):  # the same first refusal whatever the set's order
        department, year, quarter = key
        statuses = {
            locked.get((unit, year, q))
            for unit in lineage.get(department, {department})
            for q in ([quarter] if quarter else range(1, 5))
        } - {None}
        if statuses:
            period = _("%(year)s년 %(quarter)s분기") if quarter else _("%(year)s년")
            closed = "closed" in statuses  # only the clerk lifts a close
            refused[key] = PeriodLocked(
                LOCKED_MESSAGES["closed" if closed else "approved"]
                % {"period": period % {"year": year, "quarter": quarter}},
                code="period_locked",
            )
    return refused


def locked_condition(department, year, quarter=None):
    """What `locked_periods` asks, as a condition on rows of a query (paths to each row's
    department, year and quarter): the row's quarter, or any quarter of its year when it
    has none, is approved or closed for its department or a unit above it."""
    above = Q()
    for path in ("", "__parent", "__parent__parent", "__parent__parent__parent"):
        above |= Q(department=OuterRef(department + path))
    periods = apps.get_model("departments", "ReportingPeriod").objects.filter(
        above, year=OuterRef(year), status__in=LOCKED_STATUSES
    )
    if quarter is None:
        return Q(Exists(periods))
    in_quarter = Q(Exists(periods.filter(quarter=OuterRef(quarter))))
    return in_quarter | (Q(**{f"{quarter}__isnull": True}) & Q(Exists(periods)))


# Staff cannot reopen a period: the message says who can (departments.workflow.ACTIONS).
LOCKED_MESSAGES = {
    "approved": _(
        "%(period)s 자료는 승인되어 잠겨 있습니다. 고치려면 부서 검토자나 의회 담당자에게 "
        "재개를 요청하세요."
    ),
    "closed": _(
        "%(period)s 자료는 마감되어 잠겨 있습니다. 고치려면 의회 담당자에게 마감 해제를 요청하세요."
    ),
}


def is_locked(obj):
    """Whether a saved row sits in an approved or closed period (rows of other models: no)."""
    if not isinstance(obj, PeriodLockedModel) or obj.pk is None:
        return False
    try:
        ensure_unlocked(obj.locked_keys())
    except PeriodLocked:
        return True
    return False


class LockedQuerySet(NaturalKeyQuerySet):
    def _keys(self):
        model = self.model
        paths = [model.lock_department, *model.lock_period_paths()]
        return {model.key_from_values(values) for values in self.values_list(*paths).distinct()}

    def update(self, **kwargs):
        ensure_unlocked(self._keys())
        count = super().update(**kwargs)
        ensure_unlocked(self._keys())  # refuses (and rolls back) moving rows into a lock
        return count

    update.alters_data = True

    def delete(self):
        ensure_unlocked(self._keys())
        return super().delete()

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        ensure_unlocked(obj.lock_key() for obj in objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        stored = self.filter(pk__in=[obj.pk for obj in objs])
        ensure_unlocked({obj.lock_key() for obj in objs} | stored._keys())
        return super().bulk_update(objs, fields, *args, **kwargs)


class PeriodLockedModel(NaturalKeyModel):
    """A row that belongs to a department's quarter (``lock_as_of``) or year (``lock_year``).

    Paths use ``__`` like lookups, e.g. ``lock_department = "snapshot__department"``.
    """

    lock_department = "department"
    lock_as_of: str | None = "as_of"
    lock_year: str | None = None
    lock_quarter: str | None = None

    objects = LockedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def lock_period_paths(cls):
        if cls.lock_as_of:
            return [cls.lock_as_of]
        return [cls.lock_year] + ([cls.lock_quarter] if cls.lock_quarter else [])

    @classmethod
    def key_from_values(cls, values):
        department, *period = values
        if cls.lock_as_of:
            day = period[0]
            return (department, day.year, quarter_of(day)) if day else (department, None, None)
        return (department, period[0], period[1] if len(period) > 1 else None)

    def _resolve(self, path):
        """The value a ``values_list(path)`` would give (an id for a foreign key)."""
        *parents, last = path.split("__")
        value = self
        for part in parents:
            value = getattr(value, part, None)
            if value is None:
                return None
        return getattr(value, value._meta.get_field(last).attname)

    def lock_key(self):
        department = self._resolve(self.lock_department)
        return self.key_from_values([department, *map(self._resolve, self.lock_period_paths())])

    def locked_keys(self):
        keys = {self.lock_key()}
        if self.pk is not None:
            keys |= type(self).objects.filter(pk=self.pk)._keys()
        return keys

    def clean(self):
        super().clean()
        ensure_unlocked(self.locked_keys())

    @classmethod
    def clean_many(cls, objs):
        """What clean() checks, for many rows in a fixed number of queries (an import).

        Returns {position in objs: [ValidationError, …]} for the rows refused. The rows are
        those an import found by their business key, which holds their department and
        period, so a stored row's period is its new one and only the new keys are asked.
        """
        keys = [obj.lock_key() for obj in objs]
        refused = locked_periods(keys)
        return {index: [refused[key]] for index, key in enumerate(keys) if key in refused}

    def save(self, *args, **kwargs):
        ensure_unlocked(self.locked_keys())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        ensure_unlocked(self.locked_keys())
        return super().delete(*args, **kwargs)
