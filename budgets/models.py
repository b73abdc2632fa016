"""Budget lines of a department's fiscal year, their execution snapshots and quarter plans.

Money is in 천원 and exact (integers). Amounts are typed on leaf lines only: a parent
line (회계, 분야, 정책사업 …) is the sum of its children, computed in `budgets.tables`.
A parent may carry the subtotal a source document printed for it (`stated_budget`): it is
never used as a figure, only compared with the sum, and a difference is shown to the clerk.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from departments.locking import LockedQuerySet, PeriodLockedModel, ensure_unlocked
from departments.models import QUARTERS
from departments.naturalkeys import NaturalKeyModel


def non_negative(field, name):
    """A named check that a money field is ≥ 0 (or empty), the same on SQLite and PostgreSQL."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}), name=name
    )


class Kind(models.TextChoices):
    EXPENDITURE = "expenditure", _("세출")
    REVENUE = "revenue", _("세입")


KIND_CHOICES = Kind.choices
# 세입 has its own classification (관·항·목) and never the levels of 세출's programs.
EXPENDITURE_LEVELS = ["account", "field", "division", "policy", "unit", "detail"]
REVENUE_LEVELS = ["account", "division", "section", "item", "subitem"]

PARENT_HAS_AMOUNTS = _("상위 사업에 이미 금액이 입력되어 있습니다. 금액은 하위 항목에만 씁니다.")
# The database refuses the same (budgets/migrations: snapshot_in_its_lines_year triggers).
OUTSIDE_YEAR = _(
    "집행 현황의 기준일 %(date)s이 예산 사업의 회계연도(%(year)s년) 밖입니다. "
    "그 해의 날짜를 적거나 그 해의 예산 사업에 넣으세요."
)
AMOUNTS_ON_PARENT = _("하위 항목이 있는 사업에는 금액을 쓰지 않습니다. 하위 항목에 입력하세요.")


class BudgetCategory(NaturalKeyModel):
    """A group lines are summed by in a summary table: an expense type of 세출 (사업비,
    행정운영경비, 재무활동 …) or a revenue group of 세입 (지방세수입, 세외수입 …)."""

    kind = models.CharField(_("세입·세출"), max_length=12, choices=KIND_CHOICES)
    name = models.CharField(_("구분명"), max_length=50)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    history = HistoricalRecords()

    natural_key_fields = ("kind", "name")

    class Meta:
        verbose_name = _("예산 구분")
        verbose_name_plural = _("예산 구분")
        ordering = ["kind", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="budget_category_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class BudgetLineQuerySet(LockedQuerySet):
    def for_table(self, department, year, kind):
        return self.filter(department=department, year=year, kind=kind)

    def get_by_natural_key(self, code, year, kind, level, name, *above):
        """The line of that level and name, under the parents `above` names as (level,
        name) pairs from the nearest up; a fixture may leave them out where the name is
        used once at its level in the department."""
        lines = self.filter(department__code=code, year=year, kind=kind, level=level, name=name)
        path = "parent"
        for at in range(0, len(above), 2):
            lines = lines.filter(**{f"{path}__level": above[at], f"{path}__name": above[at + 1]})
            path += "__parent"
        return lines.get()

    def delete(self):
        # Snapshots and plans go with their line; their own periods must be open too.
        ensure_unlocked(BudgetSnapshot.objects.filter(line__in=self)._keys())
        ensure_unlocked(QuarterPlan.objects.filter(line__in=self)._keys())
        return super().delete()

    delete.alters_data = True


class BudgetLine(PeriodLockedModel):
    """One line of the budget tree (회계 → 분야 → 정책사업 → 단위사업 → 세부사업)."""

    Kind = Kind

    class Level(models.TextChoices):
        ACCOUNT = "account", _("회계")
        FIELD = "field", _("분야")
        DIVISION = "division", _("부서")
        POLICY = "policy", _("정책사업")
        UNIT = "unit", _("단위사업")
        DETAIL = "detail", _("세부사업")
        SECTION = "section", _("관")
        ITEM = "item", _("항")
        SUBITEM = "subitem", _("목")

    class Source(models.TextChoices):
        DISTRICT = "district", _("구비")
        CITY = "city", _("시비")
        NATIONAL = "national", _("국비")
        FUND = "fund", _("기금")

    # A line sits strictly below its parent in this order.
    LEVEL_RANK = {level: rank for rank, level in enumerate(Level)}
    EXPENDITURE_LEVELS = EXPENDITURE_LEVELS
    REVENUE_LEVELS = REVENUE_LEVELS

    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("부서"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(_("회계연도"))
    kind = models.CharField(
        _("세입·세출"), max_length=12, choices=Kind.choices, default=Kind.EXPENDITURE
    )
    level = models.CharField(_("단계"), max_length=10, choices=Level.choices, default=Level.UNIT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("상위 사업"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("같은 부서·연도·세입세출의 한 단계 위 항목. 상위 항목의 금액은 합계로 냅니다."),
    )
    name = models.CharField(_("사업명"), max_length=200)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)
    source = models.CharField(
        _("재원"),
        max_length=10,
        choices=Source.choices,
        blank=True,
        help_text=_("구비·시비·국비·기금. 하위 항목이 있는 상위 항목은 비워 둡니다."),
    )
    original_budget = models.PositiveBigIntegerField(
        _("본예산(천원)"),
        null=True,
        blank=True,
        help_text=_("그 해 본예산. 예산현액과의 차이가 '추경 등'으로 나갑니다."),
    )
    prior_budget = models.PositiveBigIntegerField(
        _("전년도 최종예산(천원)"),
        null=True,
        blank=True,
        help_text=_(
            "증감액·증감률의 기준. 다른 사업에는 있고 이 사업에 없으면 '순증', "
            "어느 사업에도 없으면 '-'로 나갑니다."
        ),
    )
    stated_budget = models.PositiveBigIntegerField(
        _("인쇄된 소계(천원)"),
        null=True,
        blank=True,
        help_text=_(
            "하위 항목이 있는 항목에만: 원자료에 찍힌 예산현액 소계. 표는 언제나 하위 항목의 "
            "합계를 내고, 이 값과 다르면 담당자에게 경고합니다."
        ),
    )
    category = models.ForeignKey(
        BudgetCategory,
        verbose_name=_("예산 구분"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        help_text=_("사업비·행정운영경비·재무활동 등 요약표의 구분. 비우면 상위 항목의 구분"),
    )
    reference = models.CharField(
        _("설명자료 쪽수"), max_length=30, blank=True, help_text=_("예산 표의 자유 열 (예: 12쪽)")
    )
    history = HistoricalRecords()

    objects = BudgetLineQuerySet.as_manager()
    lock_as_of = None
    lock_year = "year"

    class Meta:
        verbose_name = _("예산 사업")
        verbose_name_plural = _("예산 사업")
        ordering = ["department", "-year", "kind", "order", "name"]
        constraints = [
            # A name repeats at other places of the tree (기본경비 under each 부서, a
            # 정책사업 기본경비 with a 단위사업 기본경비 below it), once under one parent.
            models.UniqueConstraint(
                fields=["department", "year", "kind", "level", "name"],
                condition=Q(parent__isnull=True),
                name="budget_line_top_name_once",
                violation_error_message=_("같은 단계에 같은 이름의 최상위 사업이 이미 있습니다."),
            ),
            models.UniqueConstraint(
                fields=["parent", "level", "name"],
                condition=Q(parent__isnull=False),
                name="budget_line_name_once_under_parent",
                violation_error_message=_(
                    "같은 상위 사업 아래에 같은 이름의 사업이 이미 있습니다."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="expenditure", level__in=EXPENDITURE_LEVELS)
                | Q(kind="revenue", level__in=REVENUE_LEVELS),
                name="budget_line_level_of_its_kind",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="budget_line_not_own_parent"
            ),
            non_negative("prior_budget", "budget_line_prior_non_negative"),
            non_negative("original_budget", "budget_line_original_non_negative"),
            non_negative("stated_budget", "budget_line_stated_non_negative"),
        ]

    def natural_key(self):
        """The department, year and kind, then (level, name) of the line and of each parent
        up to the top: unique wherever a name repeats."""
        key, line = [self.department.code, self.year, self.kind], self
        while line is not None:
            key += [line.level, line.name]
            line = line.parent
        return tuple(key)

    def __str__(self):
        return _("%(year)s년 %(kind)s %(name)s") % {
            "year": self.year,
            "kind": self.get_kind_display(),
            "name": self.name,
        }

    def clean(self):
        super().clean()
        self._check_level_of_kind()
        if self.parent_id is not None:
            self._check_parent()
        if self.pk is not None and self.children.exists():
            self._check_no_own_amounts()
        if self.pk is not None:
            self._check_snapshots_in_year()

    @classmethod
    def clean_many(cls, lines):
        """clean() for the lines of an import, in a fixed number of queries.

        A parent's figures are read from the objects given (a parent typed earlier in the
        same file is checked as the file leaves it). The snapshots-in-year rule cannot fail
        here: a line is found by its year, so an import never moves one to another year.
        """
        errors = super().clean_many(lines)
        stored = [line.pk for line in lines if line.pk is not None]
        # The import sets each line's parent object: reading it asks nothing.
        parent_ids = [line.parent.pk for line in lines if line.parent is not None]
        with_children = set(
            cls.objects.filter(parent__in=stored).values_list("parent", flat=True).distinct()
        )
        with_amounts = set(
            BudgetSnapshot.objects.filter(line__in=parent_ids).values_list("line", flat=True)
        ) | set(QuarterPlan.objects.filter(line__in=parent_ids).values_list("line", flat=True))
        for index, line in enumerate(lines):
            try:
                line._check_level_of_kind()
                if line.parent is not None:
                    line._check_parent(has_amounts=line.parent.pk in with_amounts)
                if line.pk in with_children:
                    line._check_no_own_amounts()
            except ValidationError as error:
                errors.setdefault(index, []).append(error)
        return errors

    def _check_snapshots_in_year(self):
        outside = self.snapshots.exclude(as_of__year=self.year).order_by("as_of").first()
        if outside is not None:
            raise ValidationError(
                {
                    "year": OUTSIDE_YEAR
                    % {"date": f"{outside.as_of:%Y. %-m. %-d.}", "year": self.year}
                }
            )

    def _check_level_of_kind(self):
        allowed = self.REVENUE_LEVELS if self.kind == self.Kind.REVENUE else self.EXPENDITURE_LEVELS
        if self.level not in allowed:
            labels = ", ".join(str(self.Level(level).label) for level in allowed)
            raise ValidationError(
                {
                    "level": _("%(kind)s의 단계는 %(levels)s입니다.")
                    % {"kind": self.get_kind_display(), "levels": labels}
                }
            )

    def _check_no_own_amounts(self):
        errors = {}
        if self.source:
            errors["source"] = _("하위 항목이 있는 항목은 재원을 비워 둡니다.")
        if self.prior_budget is not None:
            errors["prior_budget"] = _(
                "하위 항목이 있는 항목의 전년도 예산은 하위 항목의 합계입니다."
            )
        if self.original_budget is not None:
            errors["original_budget"] = _(
                "하위 항목이 있는 항목의 본예산은 하위 항목의 합계입니다."
            )
        if errors:
            raise ValidationError(errors)

    def _check_parent(self, has_amounts=None):
        parent = self.parent
        same = (parent.department_id, parent.year, parent.kind)
        if same != (self.department_id, self.year, self.kind):
            raise ValidationError(
                {"parent": _("상위 사업은 같은 부서·연도·세입세출 구분이어야 합니다.")}
            )
        if self.LEVEL_RANK[self.level] <= self.LEVEL_RANK[parent.level]:
            raise ValidationError(
                {"level": _("하위 항목은 상위 사업보다 아래 단계여야 합니다 (회계 → 세부사업).")}
            )
        if has_amounts is None:  # one line (a form): ask the database
            has_amounts = parent.snapshots.exists() or parent.plans.exists()
        if parent.prior_budget is not None or parent.original_budget is not None or has_amounts:
            raise ValidationError({"parent": PARENT_HAS_AMOUNTS})

    def delete(self, *args, **kwargs):
        ensure_unlocked(self.snapshots.all()._keys() | self.plans.all()._keys())
        return super().delete(*args, **kwargs)


class OfLineQuerySet(LockedQuerySet):
    def get_by_natural_key(self, *key):
        """The line's natural key, then the row's own (its date or quarter)."""
        fields = self.model.natural_key_fields
        line = BudgetLine.objects.get_by_natural_key(*key[: -len(fields)])
        return self.get(line=line, **dict(zip(fields, key[-len(fields) :], strict=True)))


class OfLine(PeriodLockedModel):
    """A row of one budget line (a snapshot, a quarter's plan), known by the line's key and
    its own fields (`natural_key_fields`: what tells the line's rows apart)."""

    objects = OfLineQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (*self.line.natural_key(), *super().natural_key())


def refuse_on_parent(line):
    """Parents are sums of their children, never typed."""
    if line is not None and line.pk is not None and line.children.exists():
        # Not tied to the "line" field: in the admin inline that field is not on the form.
        raise ValidationError(AMOUNTS_ON_PARENT, code="parent_line")


class BudgetSnapshot(OfLine):
    """예산현액 and execution of a leaf line at an as-of date (e.g. 5.31. 기준)."""

    line = models.ForeignKey(
        BudgetLine, verbose_name=_("예산 사업"), on_delete=models.CASCADE, related_name="snapshots"
    )
    as_of = models.DateField(_("기준일"))
    budget = models.PositiveBigIntegerField(
        _("예산액(천원)"), help_text=_("그 날의 예산현액 (본예산 + 추경·이월 등)")
    )
    executed = models.PositiveBigIntegerField(
        _("집행액(천원)"), null=True, blank=True, help_text=_("지출액. 집행이 없으면 비워 둡니다.")
    )
    committed = models.PositiveBigIntegerField(_("원인행위액(천원)"), null=True, blank=True)
    collected = models.PositiveBigIntegerField(
        _("징수액(천원)"), null=True, blank=True, help_text=_("세입 항목만: 수납액")
    )
    assessed = models.PositiveBigIntegerField(
        _("징수결정액(천원)"), null=True, blank=True, help_text=_("세입 항목만")
    )
    # 예산현액 = 본예산 + these changes, when they are typed (checked in clean()).
    supplementary = models.BigIntegerField(
        _("추경(천원)"), null=True, blank=True, help_text=_("추가경정예산의 증감 (감액은 음수)")
    )
    carried_over = models.BigIntegerField(_("이월(천원)"), null=True, blank=True)
    other_change = models.BigIntegerField(
        _("변경 등(천원)"), null=True, blank=True, help_text=_("전용·이용·변경 등 (감액은 음수)")
    )
    history = HistoricalRecords()

    CHANGES = ("supplementary", "carried_over", "other_change")

    lock_department = "line__department"
    lock_as_of = "as_of"
    natural_key_fields = ("as_of",)

    class Meta:
        verbose_name = _("예산 집행 현황")
        verbose_name_plural = _("예산 집행 현황")
        ordering = ["line", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["line", "as_of"], name="budget_snapshot_once_per_day"),
            non_negative("budget", "budget_snapshot_budget_non_negative"),
            non_negative("executed", "budget_snapshot_executed_non_negative"),
            non_negative("committed", "budget_snapshot_committed_non_negative"),
            non_negative("collected", "budget_snapshot_collected_non_negative"),
            non_negative("assessed", "budget_snapshot_assessed_non_negative"),
        ]

    def __str__(self):
        return _("%(date)s 기준") % {"date": f"{self.as_of:%Y. %-m. %-d.}"}

    def clean(self):
        super().clean()
        refuse_on_parent(self.line if self.line_id else None)
        line = self._line()
        if line is not None and self.as_of and self.as_of.year != line.year:
            date = f"{self.as_of:%Y. %-m. %-d.}"
            raise ValidationError({"as_of": OUTSIDE_YEAR % {"date": date, "year": line.year}})
        if line is not None:
            self._check_changes(line)

    def _check_changes(self, line):
        """예산현액 = 본예산 + 추경 + 이월 + 변경 등, when the changes are typed."""
        changes = [getattr(self, name) for name in self.CHANGES]
        if line.original_budget is None or self.budget is None or all(c is None for c in changes):
            return
        expected = line.original_budget + sum(c or 0 for c in changes)
        if self.budget != expected:
            raise ValidationError(
                {
                    "budget": _(
                        "예산현액 %(budget)s이 본예산 %(original)s과 추경·이월·변경의 합 "
                        "%(expected)s과 다릅니다."
                    )
                    % {
                        "budget": f"{self.budget:,}",
                        "original": f"{line.original_budget:,}",
                        "expected": f"{expected:,}",
                    }
                }
            )

    @classmethod
    def clean_many(cls, snapshots):
        """clean() for the snapshots of an import, in a fixed number of queries."""
        errors = super().clean_many(snapshots)
        lines = {snapshot.line_id for snapshot in snapshots}
        parents = set(BudgetLine.objects.filter(parent__in=lines).values_list("parent", flat=True))
        for index, snapshot in enumerate(snapshots):
            if snapshot.line_id in parents:
                errors.setdefault(index, []).append(
                    ValidationError(AMOUNTS_ON_PARENT, code="parent_line")
                )
            elif snapshot.as_of.year != snapshot.line.year:
                date = f"{snapshot.as_of:%Y. %-m. %-d.}"
                message = OUTSIDE_YEAR % {"date": date, "year": snapshot.line.year}
                errors.setdefault(index, []).append(ValidationError({"as_of": message}))
            else:
                try:
                    snapshot._check_changes(snapshot.line)
                except ValidationError as error:
                    errors.setdefault(index, []).append(error)
        return errors

    def _line(self):
        """The line, also an unsaved one (a snapshot typed inline with a new line)."""
        try:
            return self.line
        except BudgetLine.DoesNotExist:
            return None


class QuarterPlan(OfLine):
    """예산집행 계획: the amount a leaf line plans to execute in a quarter."""

    line = models.ForeignKey(
        BudgetLine, verbose_name=_("예산 사업"), on_delete=models.CASCADE, related_name="plans"
    )
    quarter = models.PositiveSmallIntegerField(_("분기"), choices=QUARTERS)
    amount = models.PositiveBigIntegerField(_("계획액(천원)"))
    history = HistoricalRecords()

    lock_department = "line__department"
    lock_as_of = None
    lock_year = "line__year"
    lock_quarter = "quarter"
    natural_key_fields = ("quarter",)

    class Meta:
        verbose_name = _("분기별 집행 계획")
        verbose_name_plural = _("분기별 집행 계획")
        ordering = ["line", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["line", "quarter"], name="quarter_plan_once"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="quarter_plan_quarter_1_to_4"
            ),
            non_negative("amount", "quarter_plan_amount_non_negative"),
        ]

    def __str__(self):
        return str(self.get_quarter_display())

    def clean(self):
        super().clean()
        refuse_on_parent(self.line if self.line_id else None)
