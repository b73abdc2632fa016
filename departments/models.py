"""Organisation, staffing, facilities and vehicles of a department.

Position classes and grades, vehicle categories and sizes are data, ordered, so that
each year's table columns can be entered without code changes.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .locking import LockedQuerySet, PeriodLockedModel
from .naturalkeys import NaturalKeyModel, NaturalKeyQuerySet


def _numbered(label, number):
    return gettext(label) % number


def numbered_choices(label, count):
    """Choices 1 … count labelled "%d분기"-style, formatted when shown, in the reader's
    language: `_("%d분기") % q` would be formatted once, at import, and stay Korean."""
    return [(n, lazy(_numbered, str)(label, n)) for n in range(1, count + 1)]


QUARTERS = numbered_choices(gettext_noop("%d분기"), 4)


def _below(ids):
    """Units below the given ones: the tree is at most four deep."""
    return Q(parent__in=ids) | Q(parent__parent__in=ids) | Q(parent__parent__parent__in=ids)


class DepartmentQuerySet(NaturalKeyQuerySet):
    def active(self):
        return self.filter(active=True)

    def with_descendants(self, departments):
        """The given departments and every unit below them."""
        ids = list(departments.values_list("pk", flat=True))
        return self.filter(Q(pk__in=ids) | _below(ids))

    def below(self, department):
        """Every unit below the department, without it."""
        return self.filter(_below([department.pk]))

    def units_of(self, department):
        """The department's reporting units, in one query: the department itself (its own
        rows), then each active unit directly below it with every unit below that one.

        Each is a `Unit`; a bureau's roll-up prints one group per division, a division's
        teams count with their division.
        """
        below = list(self.below(department).filter(active=True).order_by("order", "code"))
        children = defaultdict(list)
        for unit in below:
            children[unit.parent_id].append(unit)

        def members(unit):
            return [unit.pk, *(pk for child in children[unit.pk] for pk in members(child))]

        return [Unit(department, (department.pk,))] + [
            Unit(unit, tuple(members(unit))) for unit in children[department.pk]
        ]


@dataclass(frozen=True)
class Unit:
    """A reporting unit of a roll-up: a department and the ids whose rows count for it."""

    department: "Department"
    members: tuple


def member_ids(units):
    """Every department id of the units, for one query over all of them."""
    return [pk for unit in units for pk in unit.members]


# Enough to read a unit's ancestors with it: the tree is at most four deep.
ANCESTORS = "parent__parent__parent"


class Tier(models.TextChoices):
    """Where a unit sits in the tree. What the body calls it (시, 교육청, 담당관, 사업소, 담당 …)
    is a `UnitKind` of that tier."""

    DISTRICT = "district", _("기관 (자치구·시·도·교육청)")
    BUREAU = "bureau", _("국·실급")
    DIVISION = "division", _("과급 (과·담당관·사업소)")
    TEAM = "team", _("팀급 (팀·담당·반)")


class UnitKind(NaturalKeyModel):
    """A word the report uses for a kind of unit: 국, 실, 과, 담당관, 사업소, 팀, 담당, 반, or
    for the whole body 자치구, 시, 교육청. Its order is the order of the words when units are
    counted ("5국 2담당관 118팀 2반")."""

    name = models.CharField(_("명칭"), max_length=20, unique=True)
    tier = models.CharField(_("단계"), max_length=10, choices=Tier.choices)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    history = HistoricalRecords()

    natural_key_fields = ("name",)

    class Meta:
        verbose_name = _("조직 명칭")
        verbose_name_plural = _("조직 명칭")
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_tier_display()})"


class Department(NaturalKeyModel):
    Kind = Tier

    # A unit sits strictly below its parent in this order.
    KIND_RANK = {Tier.DISTRICT: 0, Tier.BUREAU: 1, Tier.DIVISION: 2, Tier.TEAM: 3}
    # The word of a unit without a kind of its own.
    TIER_WORDS = {
        Tier.DISTRICT: "",
        Tier.BUREAU: gettext_noop("국"),
        Tier.DIVISION: gettext_noop("과"),
        Tier.TEAM: gettext_noop("팀"),
    }

    parent = models.ForeignKey(
        "self",
        verbose_name=_("상위 부서"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("부서명"), max_length=100)
    code = models.SlugField(
        _("부서 코드"), max_length=40, unique=True, help_text=_("예: YDP-GA (영문·숫자·하이픈)")
    )
    kind = models.CharField(_("단계"), max_length=10, choices=Tier.choices)
    unit_kind = models.ForeignKey(
        UnitKind,
        verbose_name=_("조직 명칭"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "보고서에 쓰는 명칭 (국, 담당관, 사업소, 담당 …). 비우면 단계의 기본 명칭입니다."
        ),
    )
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    active = models.BooleanField(_("현행 조직"), default=True)
    phone = models.CharField(_("전화번호"), max_length=30, blank=True)
    head_title = models.CharField(_("부서장 직위"), max_length=50, blank=True)
    history = HistoricalRecords()

    objects = DepartmentQuerySet.as_manager()
    natural_key_fields = ("code",)

    class Meta:
        verbose_name = _("부서")
        verbose_name_plural = _("부서")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="department_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(kind="district"),
                name="department_only_district_is_root",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.unit_kind_id and self.unit_kind.tier != self.kind:
            tier = self.unit_kind.get_tier_display()
            message = gettext("‘%(name)s’은(는) %(tier)s 단계의 명칭입니다.")
            raise ValidationError(
                {"unit_kind": message % {"name": self.unit_kind.name, "tier": tier}}
            )
        if self.parent_id is None:
            return
        if self.KIND_RANK[self.kind] <= self.KIND_RANK[self.parent.kind]:
            raise ValidationError(
                {"kind": _("하위 조직은 상위 부서보다 아래 단계여야 합니다 (국 → 과 → 팀).")}
            )

    @property
    def kind_word(self):
        """What the report calls this unit (국, 담당관, 담당 …). Reads `unit_kind`: load it
        with the department (select_related) where many are shown."""
        return self.unit_kind.name if self.unit_kind_id else self.TIER_WORDS[self.kind]

    def tree_key(self):
        """(order, code) of each unit from the root down to this one: sorted by it, a
        bureau comes before its divisions and each division before the next bureau. Reads
        the parents loaded with the department (select_related)."""
        key, unit = [], self
        while unit is not None:
            key.append((unit.order, unit.code))
            unit = unit.parent
        return key[::-1]

    def name_on(self, day):
        """The department's name on a given day, following recorded renames."""
        earlier = [n for n in self.names.all() if n.since <= day]
        return max(earlier, key=lambda n: n.since).name if earlier else self.name


class DepartmentName(NaturalKeyModel):
    """A name the department carried from a date on (e.g. 총무과 was 행정지원과 in 2008)."""

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.CASCADE, related_name="names"
    )
    name = models.CharField(_("부서명"), max_length=100)
    since = models.DateField(_("사용 시작일"), help_text=_("이 이름이 쓰인 것으로 확인된 첫 날"))
    history = HistoricalRecords()

    natural_key_fields = ("department__code", "since")

    class Meta:
        verbose_name = _("부서명 변경 이력")
        verbose_name_plural = _("부서명 변경 이력")
        ordering = ["since"]
        constraints = [
            models.UniqueConstraint(fields=["department", "since"], name="department_name_once")
        ]

    def __str__(self):
        return f"{self.name} ({self.since:%Y. %-m. %-d.}~)"


class Duty(NaturalKeyModel):
    """One line of a team's duties (담당업무), kept in the order the team lists them."""

    department = models.ForeignKey(
        Department, verbose_name=_("부서·팀"), on_delete=models.CASCADE, related_name="duties"
    )
    order = models.PositiveSmallIntegerField(_("순서"), default=0)
    text = models.CharField(_("담당업무"), max_length=200)
    history = HistoricalRecords()

    natural_key_fields = ("department__code", "order")

    class Meta:
        verbose_name = _("담당업무")
        verbose_name_plural = _("담당업무")
        ordering = ["department", "order"]
        constraints = [
            models.UniqueConstraint(fields=["department", "order"], name="duty_position_once")
        ]

    def __str__(self):
        return self.text


# Staffing -----------------------------------------------------------------------------


class PositionClass(NaturalKeyModel):
    """직종: a group of table columns, e.g. 일반직, 관리운영직, 별정직·임기제, 기능직."""

    name = models.CharField(_("직종"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    history = HistoricalRecords()

    natural_key_fields = ("name",)

    class Meta:
        verbose_name = _("직종")
        verbose_name_plural = _("직종")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Grade(NaturalKeyModel):
    """직급: one column of the staffing table. A blank name means the class is one column."""

    position_class = models.ForeignKey(
        PositionClass, verbose_name=_("직종"), on_delete=models.PROTECT, related_name="grades"
    )
    name = models.CharField(
        _("직급"), max_length=50, blank=True, help_text=_("비우면 직종 전체를 한 칸으로 셉니다.")
    )
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    history = HistoricalRecords()

    natural_key_fields = ("position_class__name", "name")

    class Meta:
        verbose_name = _("직급")
        verbose_name_plural = _("직급")
        ordering = ["position_class__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["position_class", "name"], name="grade_once_per_class")
        ]

    def __str__(self):
        return f"{self.position_class} {self.name}".strip()


class StaffingQuerySet(LockedQuerySet):
    def with_totals(self):
        return self.annotate(
            authorised_total=models.Sum("counts__authorised"),
            actual_total=models.Sum("counts__actual"),
        )


class StaffingSnapshot(PeriodLockedModel):
    """인력 현황 of a department at an as-of date; the counts per grade hang below it."""

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.PROTECT, related_name="staffing"
    )
    as_of = models.DateField(_("기준일"))
    note = models.TextField(_("비고"), blank=True, help_text=_("표 아래 ※ 주석으로 나갑니다."))
    history = HistoricalRecords()

    objects = StaffingQuerySet.as_manager()
    natural_key_fields = ("department__code", "as_of")

    class Meta:
        verbose_name = _("인력 현황")
        verbose_name_plural = _("인력 현황")
        ordering = ["department", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["department", "as_of"], name="staffing_once_per_day")
        ]

    def __str__(self):
        return f"{self.department} {self.as_of:%Y. %-m. %-d.}"


class StaffingCount(PeriodLockedModel):
    snapshot = models.ForeignKey(
        StaffingSnapshot,
        verbose_name=_("인력 현황"),
        on_delete=models.CASCADE,
        related_name="counts",
    )
    grade = models.ForeignKey(Grade, verbose_name=_("직급"), on_delete=models.PROTECT)
    authorised = models.PositiveIntegerField(_("정원"), default=0)
    actual = models.PositiveIntegerField(_("현원"), default=0)
    history = HistoricalRecords()

    lock_department = "snapshot__department"
    lock_as_of = "snapshot__as_of"
    natural_key_fields = (
        "snapshot__department__code",
        "snapshot__as_of",
        "grade__position_class__name",
        "grade__name",
    )

    class Meta:
        verbose_name = _("직급별 정·현원")
        verbose_name_plural = _("직급별 정·현원")
        ordering = ["grade__position_class__order", "grade__order"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "grade"], name="staffing_grade_once"),
            models.CheckConstraint(
                condition=Q(authorised__gte=0) & Q(actual__gte=0), name="staffing_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.grade}: {self.authorised}/{self.actual}"


# Facilities ---------------------------------------------------------------------------


class Facility(PeriodLockedModel):
    """A building, site or other facility (주요시설) as reported at an as-of date."""

    class Ownership(models.TextChoices):
        OWNED = "owned", _("소유")
        LEASED = "leased", _("임차")

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.PROTECT, related_name="facilities"
    )
    as_of = models.DateField(_("기준일"))
    category = models.CharField(
        _("시설 분류"),
        max_length=50,
        help_text=_("표 제목이 됩니다. 예: 구 청사, 구민회관, 정보화교육장"),
    )
    site = models.CharField(
        _("구분"),
        max_length=50,
        blank=True,
        help_text=_("같은 구분의 건물은 한 묶음으로 합계를 냅니다."),
    )
    name = models.CharField(_("명칭"), max_length=100)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    address = models.CharField(_("위치"), max_length=200, blank=True)
    land_area = models.DecimalField(
        _("대지(㎡)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    floor_area = models.DecimalField(
        _("건물(㎡)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    scale = models.CharField(
        _("규모"), max_length=100, blank=True, help_text=_("예: 지하3층 ~ 지상6층")
    )
    structure = models.CharField(_("구조"), max_length=100, blank=True)
    completed_on = models.DateField(_("준공일"), null=True, blank=True)
    ownership = models.CharField(
        _("소유 형태"), max_length=10, choices=Ownership.choices, default=Ownership.OWNED
    )
    lease_from = models.DateField(_("임차 시작일"), null=True, blank=True)
    lease_until = models.DateField(_("임차 종료일"), null=True, blank=True)
    lease_cost = models.PositiveBigIntegerField(_("임차료(천원)"), null=True, blank=True)
    description = models.TextField(_("현황"), blank=True)
    notes = models.TextField(_("비고"), blank=True, help_text=_("여러 줄로 쓸 수 있습니다."))
    managed_by = models.ForeignKey(
        Department,
        verbose_name=_("관리 팀"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_facilities",
    )
    history = HistoricalRecords()

    natural_key_fields = ("department__code", "as_of", "category", "order")

    class Meta:
        verbose_name = _("주요시설")
        verbose_name_plural = _("주요시설")
        ordering = ["department", "-as_of", "category", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "as_of", "category", "order"], name="facility_position_once"
            ),
            models.CheckConstraint(
                condition=Q(land_area__gte=0) | Q(land_area__isnull=True),
                name="facility_land_area_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(floor_area__gte=0) | Q(floor_area__isnull=True),
                name="facility_floor_area_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(ownership="leased")
                | Q(lease_from__isnull=True, lease_until__isnull=True, lease_cost__isnull=True),
                name="facility_lease_terms_only_when_leased",
            ),
            models.CheckConstraint(
                condition=Q(lease_until__gte=models.F("lease_from"))
                | Q(lease_from__isnull=True)
                | Q(lease_until__isnull=True),
                name="facility_lease_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.as_of:%Y. %-m. %-d.})"


class FacilityExtension(PeriodLockedModel):
    """An extension or later completion (증축) of a facility, e.g. 2018. 6. 2. 증축."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("시설"), on_delete=models.CASCADE, related_name="extensions"
    )
    completed_on = models.DateField(_("준공일"))
    description = models.CharField(_("내용"), max_length=100, default="증축")
    history = HistoricalRecords()

    lock_department = "facility__department"
    lock_as_of = "facility__as_of"
    natural_key_fields = (
        "facility__department__code",
        "facility__as_of",
        "facility__category",
        "facility__order",
        "completed_on",
    )

    class Meta:
        verbose_name = _("증축")
        verbose_name_plural = _("증축")
        ordering = ["completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "completed_on"], name="facility_extension_once_per_day"
            )
        ]

    def __str__(self):
        return f"{self.completed_on:%Y. %-m. %-d.} {self.description}"


# Vehicles -----------------------------------------------------------------------------


class VehicleCategory(NaturalKeyModel):
    """차종: a group of table columns, e.g. 승용, 승합, 화물, 특수차."""

    name = models.CharField(_("차종"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    history = HistoricalRecords()

    natural_key_fields = ("name",)

    class Meta:
        verbose_name = _("차종")
        verbose_name_plural = _("차종")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class VehicleSize(NaturalKeyModel):
    """One column under a category (소형, 중형, 청소차…). Blank: the category is one column."""

    category = models.ForeignKey(
        VehicleCategory, verbose_name=_("차종"), on_delete=models.PROTECT, related_name="sizes"
    )
    name = models.CharField(_("규격·용도"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    history = HistoricalRecords()

    natural_key_fields = ("category__name", "name")

    class Meta:
        verbose_name = _("차량 규격")
        verbose_name_plural = _("차량 규격")
        ordering = ["category__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="vehicle_size_once")
        ]

    def __str__(self):
        return f"{self.category} {self.name}".strip()


class FleetQuerySet(LockedQuerySet):
    def with_totals(self):
        return self.annotate(vehicle_total=models.Sum("counts__count"))


class VehicleFleet(PeriodLockedModel):
    """공용차량 현황 of a department at an as-of date, with the quota (정수)."""

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.PROTECT, related_name="fleets"
    )
    as_of = models.DateField(_("기준일"))
    quota = models.PositiveIntegerField(_("정수"), null=True, blank=True)
    note = models.TextField(_("비고"), blank=True, help_text=_("표 아래 ※ 주석으로 나갑니다."))
    history = HistoricalRecords()

    objects = FleetQuerySet.as_manager()
    natural_key_fields = ("department__code", "as_of")

    class Meta:
        verbose_name = _("공용차량 현황")
        verbose_name_plural = _("공용차량 현황")
        ordering = ["department", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["department", "as_of"], name="fleet_once_per_day")
        ]

    def __str__(self):
        return f"{self.department} {self.as_of:%Y. %-m. %-d.}"


class VehicleCount(PeriodLockedModel):
    fleet = models.ForeignKey(
        VehicleFleet,
        verbose_name=_("공용차량 현황"),
        on_delete=models.CASCADE,
        related_name="counts",
    )
    size = models.ForeignKey(VehicleSize, verbose_name=_("차종·규격"), on_delete=models.PROTECT)
    count = models.PositiveIntegerField(_("대수"), default=0)
    history = HistoricalRecords()

    lock_department = "fleet__department"
    lock_as_of = "fleet__as_of"
    natural_key_fields = (
        "fleet__department__code",
        "fleet__as_of",
        "size__category__name",
        "size__name",
    )

    class Meta:
        verbose_name = _("차종별 대수")
        verbose_name_plural = _("차종별 대수")
        ordering = ["size__category__order", "size__order"]
        constraints = [
            models.UniqueConstraint(fields=["fleet", "size"], name="vehicle_size_once_per_fleet"),
            models.CheckConstraint(condition=Q(count__gte=0), name="vehicle_count_non_negative"),
        ]

    def __str__(self):
        return f"{self.size}: {self.count}"


# Who may act for which department ------------------------------------------------------


class Membership(models.Model):
    """Ties a staff member or reviewer to the department(s) they work for."""

    user = models.ForeignKey(
        "auth.User", verbose_name=_("사용자"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.CASCADE, related_name="memberships"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("소속")
        verbose_name_plural = _("소속")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_once")
        ]

    def __str__(self):
        return f"{self.user} → {self.department}"


# Quarterly review: draft → submitted → approved (locked) → closed, reopened with a reason --


class ReportingPeriod(models.Model):
    """A department's figures for one quarter and where they stand in review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        SUBMITTED = "submitted", _("제출")
        RETURNED = "returned", _("보완 요청")
        APPROVED = "approved", _("승인")
        CLOSED = "closed", _("마감")

    LOCKED = (Status.APPROVED, Status.CLOSED)  # the same as locking.LOCKED_STATUSES

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.PROTECT, related_name="periods"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    quarter = models.PositiveSmallIntegerField(_("분기"), choices=QUARTERS)
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    comment = models.TextField(_("의견"), blank=True, help_text=_("보완 요청·재개 사유"))
    changed_at = models.DateTimeField(_("최종 변경"), auto_now=True)
    changed_by = models.ForeignKey(
        "auth.User", verbose_name=_("변경자"), on_delete=models.SET_NULL, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("분기 보고")
        verbose_name_plural = _("분기 보고")
        ordering = ["-year", "-quarter", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "quarter"], name="period_once_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="period_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        period = _("%(year)s년 %(quarter)s분기") % {"year": self.year, "quarter": self.quarter}
        return f"{self.department} {period}"

    @property
    def locked(self):
        return self.status in self.LOCKED


# Spreadsheet imports between their preview and their confirm -------------------------------


def new_import_token():
    return secrets.token_urlsafe(32)


def pending_cutoff():
    return timezone.now() - timedelta(hours=settings.IMPORT_PENDING_HOURS)


class PendingImportQuerySet(models.QuerySet):
    def expired(self):
        return self.filter(uploaded_at__lt=pending_cutoff())

    def waiting_for(self, user, model, token):
        """The one upload ``token`` names, if this user sent it to this import page."""
        return self.filter(token=token, user=user, model=model, uploaded_at__gte=pending_cutoff())


class PendingImport(models.Model):
    """An uploaded spreadsheet between its preview and the confirm step.

    The confirm form carries only the random ``token``; the file is read only for the user
    who uploaded it, on the import page it was uploaded to (``model``, e.g.
    "budgets.budgetsnapshot"). It is deleted by the confirm, by a refused preview, or once
    older than IMPORT_PENDING_HOURS (purged at each upload).
    """

    token = models.CharField(max_length=64, unique=True, default=new_import_token)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=100)
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # What the preview found, so its pages are shown without reading the file again and the
    # confirm knows whether to run in the background (departments.import_preview).
    rows = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("확인 전 가져오기 파일")
        verbose_name_plural = _("확인 전 가져오기 파일")

    def __str__(self):
        return f"{self.user} {self.file_name}"


class ImportJob(models.Model):
    """A confirmed import too large for a request, run by the worker (departments.import_jobs).

    Like the booklet's job (reports_site.models.BookletJob) it carries the progress the page
    shows and a heartbeat that `manage.py recover_import_jobs` reads to start a dead job
    again. The file is kept until the job ends, so a restarted job reads it again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기")
        RUNNING = "running", _("가져오는 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    user = models.ForeignKey(
        "auth.User", verbose_name=_("요청한 사람"), on_delete=models.CASCADE, related_name="+"
    )
    model = models.CharField(_("가져오는 자료"), max_length=100)  # e.g. "budgets.budgetline"
    resource = models.CharField(max_length=200)  # the resource class, as a dotted path
    file_format = models.CharField(max_length=200)  # the format class, as a dotted path
    file_name = models.CharField(_("파일 이름"), max_length=255)
    data = models.BinaryField()
    rows = models.PositiveIntegerField(_("행 수"), default=0)
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    percent = models.PositiveSmallIntegerField(_("진행률"), default=0)
    current = models.CharField(_("지금 하는 일"), max_length=100, blank=True)
    added = models.PositiveIntegerField(_("새 항목"), default=0)
    changed = models.PositiveIntegerField(_("고친 항목"), default=0)
    unchanged = models.PositiveIntegerField(_("그대로"), default=0)
    error = models.TextField(_("오류"), blank=True)
    task_id = models.CharField(_("작업 번호"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("시도 횟수"), default=0)
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("마지막 진행"), null=True, blank=True)
    finished_at = models.DateTimeField(_("끝난 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("가져오기 작업")
        verbose_name_plural = _("가져오기 작업")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="import_job_percent_at_most_100"
            )
        ]

    def __str__(self):
        return f"{self.file_name} · {self.get_status_display()} {self.percent}%"

    @property
    def active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
