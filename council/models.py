"""Standing committees (상임위원회) and the departments they oversee (소관 부서)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from departments.models import Department
from departments.naturalkeys import NaturalKeyModel


class Committee(NaturalKeyModel):
    """A standing committee; council members read the reports of its departments first."""

    council = models.CharField(_("의회"), max_length=50, help_text=_("예: 영등포구의회"))
    name = models.CharField(_("위원회명"), max_length=50, help_text=_("예: 행정위원회"))
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("소관 부서"),
        blank=True,
        related_name="committees",
        help_text=_("이 위원회가 업무보고를 받는 부서"),
    )
    history = HistoricalRecords(m2m_fields=[departments])

    natural_key_fields = ("council", "name")

    class Meta:
        verbose_name = _("상임위원회")
        verbose_name_plural = _("상임위원회")
        ordering = ["council", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="committee_once")]

    def __str__(self):
        return self.name
