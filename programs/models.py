"""The year's direction (임무 → 전략목표 → 성과목표), its programs and their progress.

Every row belongs to a department and a year or a quarter, and is locked with it once
that period is approved (see `departments.locking`). Money is in 천원, as integers.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from budgets.models import BudgetLine
from budgets.tables import percent
from departments.locking import (
    LockedQuerySet,
    PeriodLockedModel,
    ensure_unlocked,
    locked_condition,
    quarter_of,
)
from departments.models import QUARTERS, Department, numbered_choices
from departments.naturalkeys import NaturalKeyModel, NaturalKeyQuerySet

from .outline import validate_outline

OUTLINE_HELP = _(
    "한 줄에 한 항목. □·■·◆ 1단계, ○·●·ㅇ 2단계, ▶ 3단계, -·· 그 아래, ①·(1)·가. 번호 "
    "항목, ※·주1) 주석. 들여 쓰면 윗 항목 아래로 들어갑니다. 기호 없는 줄은 윗줄에 "
    "이어지고, 줄 끝에 \\를 쓰면 줄을 바꿔 이어집니다. 끝에 ‘: 4월 / 95,700천원’처럼 쓰면 "
    "시기와 금액을 따로 보여 줍니다."
)


def execution_rate(executed, budget):
    """집행률 (%), computed like every other rate (budgets.tables.percent)."""
    return percent(executed, budget)


def outline_field(verbose_name):
    return models.TextField(
        verbose_name, blank=True, validators=[validate_outline], help_text=OUTLINE_HELP
    )


def quarter_constraint(name):
    return models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name=name)


# The year's direction --------------------------------------------------------------------


class Mission(PeriodLockedModel):
    """임무: one sentence per department and year at the top of 업무 목표와 방향."""

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.PROTECT, related_name="missions"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    text = models.TextField(_("임무"))
    history = HistoricalRecords()

    lock_as_of = None
    lock_year = "year"
    natural_key_fields = ("department__code", "year")

    class Meta:
        verbose_name = _("임무")
        verbose_name_plural = _("임무")
        ordering = ["department", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="mission_once_per_year")
        ]

    def __str__(self):
        mission = _("%(department)s %(year)s년 임무")
        return mission % {"department": self.department, "year": self.year}


class StrategicGoal(PeriodLockedModel):
    department = models.ForeignKey(
        Department,
        verbose_name=_("부서"),
        on_delete=models.PROTECT,
        related_name="strategic_goals",
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    order = models.PositiveSmallIntegerField(_("번호"), help_text=_("예: 전략목표 1, 2"))
    title = models.CharField(_("전략목표"), max_length=200)
    history = HistoricalRecords()

    lock_as_of = None
    lock_year = "year"
    natural_key_fields = ("department__code", "year", "order")

    class Meta:
        verbose_name = _("전략목표")
        verbose_name_plural = _("전략목표")
        ordering = ["department", "-year", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "order"], name="strategic_goal_position_once"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.order}. {self.title}"


class PerformanceGoal(PeriodLockedModel):
    strategic_goal = models.ForeignKey(
        StrategicGoal,
        verbose_name=_("전략목표"),
        on_delete=models.CASCADE,
        related_name="performance_goals",
    )
    order = models.PositiveSmallIntegerField(_("번호"), help_text=_("예: 성과목표 1-1의 1"))
    title = models.CharField(_("성과목표"), max_length=200)
    history = HistoricalRecords()

    lock_department = "strategic_goal__department"
    lock_as_of = None
    lock_year = "strategic_goal__year"
    natural_key_fields = (
        "strategic_goal__department__code",
        "strategic_goal__year",
        "strategic_goal__order",
        "order",
    )

    class Meta:
        verbose_name = _("성과목표")
        verbose_name_plural = _("성과목표")
        ordering = ["strategic_goal__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategic_goal", "order"], name="performance_goal_position_once"
            )
        ]

    def __str__(self):
        return f"{self.strategic_goal.year} {self.number} {self.title}"

    @property
    def number(self):
        return f"{self.strategic_goal.order}-{self.order}"


# Programs ------------------------------------------------------------------------------


class ProgramGroup(PeriodLockedModel):
    """정책분야·전략: a heading programs of the year are printed under, numbered 1-1, 1-2 …
    within it when the house numbers programs by group; a bureau's strategy table (전략 →
    과제) lists them with their programs. A division's program may sit under a group of
    its bureau."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("부서"),
        on_delete=models.PROTECT,
        related_name="program_groups",
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    order = models.PositiveSmallIntegerField(_("순서"), help_text=_("보고서에 나가는 순서"))
    kind = models.CharField(
        _("구분"), max_length=20, blank=True, help_text=_("예: 정책분야, 전략, 추진과제")
    )
    title = models.CharField(_("제목"), max_length=200)
    marker = models.CharField(
        _("제목 앞 표시"),
        max_length=20,
        blank=True,
        help_text=_("그대로 찍습니다 (예: 전략 1, Ⅰ). 비우면 블록의 묶음 번호 형식을 따릅니다."),
    )
    history = HistoricalRecords()

    lock_as_of = None
    lock_year = "year"
    natural_key_fields = ("department__code", "year", "order")

    class Meta:
        verbose_name = _("사업 묶음")
        verbose_name_plural = _("사업 묶음")
        ordering = ["department", "-year", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "order"], name="program_group_position_once"
            )
        ]

    def __str__(self):
        kind = f"{self.kind} " if self.kind else ""
        return f"{self.year} {kind}{self.order}. {self.title}"


class Program(PeriodLockedModel):
    """A program (사업) of a department's year, shown as one block of the briefing."""

    class Kind(models.TextChoices):
        MAIN = "main", _("주요업무")
        NEW_PRIORITY = "new_priority", _("신규·중점사업")

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.PROTECT, related_name="programs"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    kind = models.CharField(_("구분"), max_length=20, choices=Kind.choices, default=Kind.MAIN)
    order = models.PositiveSmallIntegerField(
        _("연번"), help_text=_("같은 연도·구분 안에서 보고서에 나가는 순서 (①, ② …)")
    )
    title = models.CharField(_("사업명"), max_length=200)
    team = models.ForeignKey(
        Department,
        verbose_name=_("소관팀"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_programs",
        help_text=_("사업명 오른쪽에 나갑니다. 문서에 없으면 비워 둡니다."),
    )
    unit_title = models.CharField(
        _("묶음 제목"),
        max_length=200,
        blank=True,
        help_text=_("사업을 묶어 보여 주는 단위사업·성과목표 제목 (예: 고객만족 환경조성)"),
    )
    purpose = models.TextField(_("목적"), blank=True, help_text=_("사업명 아래 상자에 나갑니다."))
    legal_basis = models.TextField(_("근거"), blank=True)
    period = models.CharField(_("사업기간"), max_length=100, blank=True)
    performance_goal = models.ForeignKey(
        PerformanceGoal,
        verbose_name=_("성과목표"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programs",
    )
    overview = outline_field(_("사업개요"))
    group = models.ForeignKey(
        ProgramGroup,
        verbose_name=_("사업 묶음"),
        on_delete=models.PROTECT,  # a printed grouping changes only by moving programs
        null=True,
        blank=True,
        related_name="programs",
        help_text=_("이 사업이 묶여 나가는 정책분야·전략 (같은 연도, 이 부서나 그 위 국·실)"),
    )
    budget_lines = models.ManyToManyField(
        BudgetLine,
        verbose_name=_("관련 예산사업"),
        blank=True,
        related_name="programs",
        help_text=_("이 사업의 예산이 잡힌 예산 사업 (같은 연도, 이 부서 또는 그 아래 조직)"),
    )
    history = HistoricalRecords(m2m_fields=[budget_lines])

    lock_as_of = None
    lock_year = "year"
    natural_key_fields = ("department__code", "year", "kind", "order")

    class Meta:
        verbose_name = _("주요사업")
        verbose_name_plural = _("주요사업")
        ordering = ["department", "-year", "kind", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "kind", "order"], name="program_position_once"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.title}"

    def clean(self):
        super().clean()
        errors = {}
        if self.team_id and self.department_id and not self._team_belongs():
            errors["team"] = _("소관팀은 이 부서 또는 그 아래 조직이어야 합니다.")
        goal = self.performance_goal
        if goal and (goal.strategic_goal.department_id, goal.strategic_goal.year) != (
            self.department_id,
            self.year,
        ):
            errors["performance_goal"] = _("같은 부서·연도의 성과목표를 고르세요.")
        if self.group_id and self.department_id and not self._group_fits():
            errors["group"] = _("같은 연도, 이 부서나 그 위 국·실의 사업 묶음을 고르세요.")
        if errors:
            raise ValidationError(errors)

    def _group_fits(self):
        """The group is of the program's year and of its department or one above it."""
        above, department = set(), self.department
        while department is not None:  # a handful of rows: the tree is at most 4 deep
            above.add(department.pk)
            department = department.parent
        return self.group.year == self.year and self.group.department_id in above

    def _team_belongs(self):
        own = Department.objects.filter(pk=self.department_id)
        return Department.objects.with_descendants(own).filter(pk=self.team_id).exists()


def check_budget_lines(department_id, year, lines):
    """Refuse lines of another year, or of a department outside the program's department.

    A many-to-many cannot be checked in ``Program.clean`` (it is saved after the row), so
    the admin form calls this, and so does every add to the relation (below).
    """
    own = Department.objects.with_descendants(Department.objects.filter(pk=department_id))
    allowed = set(own.values_list("pk", flat=True))
    wrong = [line for line in lines if line.year != year or line.department_id not in allowed]
    if wrong:
        raise ValidationError(
            _("관련 예산사업은 같은 연도, 이 부서 또는 그 아래 조직의 것이어야 합니다: %(lines)s"),
            code="budget_line_elsewhere",
            params={"lines": ", ".join(map(str, wrong))},
        )


@receiver(m2m_changed, sender=Program.budget_lines.through)
def guard_budget_lines(sender, instance, action, reverse, pk_set, **kwargs):
    """Links of a program in an approved year stay as they are, from either side.

    Adding, removing or clearing through the relation managers (the admin, ``set()``,
    ``line.programs.add()``) comes here; writing the link table directly does not.
    """
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if reverse:  # instance is a BudgetLine, pk_set its programs (None when clearing)
        programs = Program.objects.filter(pk__in=pk_set) if pk_set else instance.programs.all()
        ensure_unlocked(programs._keys())
        if action == "pre_add":
            for program in programs:
                check_budget_lines(program.department_id, program.year, [instance])
        return
    ensure_unlocked(instance.locked_keys())
    if action == "pre_add":
        lines = BudgetLine.objects.filter(pk__in=pk_set)
        check_budget_lines(instance.department_id, instance.year, lines)


class ProgressEntry(PeriodLockedModel):
    """추진실적 of a program for one quarter: achievements, plans and the budget figures.

    The budget figures are those the department reports with the program (예산현황);
    the link to budget lines comes with the budgets app.
    """

    Source = BudgetLine.Source  # the same funding sources as the budget lines

    program = models.ForeignKey(
        Program, verbose_name=_("사업"), on_delete=models.CASCADE, related_name="progress"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    quarter = models.PositiveSmallIntegerField(_("분기"), choices=QUARTERS)
    achievements = outline_field(_("주요 추진실적"))
    plans = outline_field(_("향후계획"))
    budget = models.PositiveBigIntegerField(_("예산액(천원)"), null=True, blank=True)
    executed = models.PositiveBigIntegerField(_("집행액(천원)"), null=True, blank=True)
    budget_source = models.CharField(_("재원"), max_length=10, choices=Source.choices, blank=True)
    budget_note = models.CharField(
        _("예산 비고"), max_length=200, blank=True, help_text=_("예: 기준일, 문서의 표기")
    )
    history = HistoricalRecords()

    lock_department = "program__department"
    lock_as_of = None
    lock_year = "year"
    lock_quarter = "quarter"
    natural_key_fields = (
        "program__department__code",
        "program__year",
        "program__kind",
        "program__order",
        "year",
        "quarter",
    )

    class Meta:
        verbose_name = _("추진실적")
        verbose_name_plural = _("추진실적")
        ordering = ["program", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "year", "quarter"], name="progress_once_per_quarter"
            ),
            quarter_constraint("progress_quarter_1_to_4"),
        ]

    def __str__(self):
        period = _("%(year)s년 %(quarter)s분기") % {"year": self.year, "quarter": self.quarter}
        return f"{self.program.title} ({period})"

    @property
    def rate(self):
        return execution_rate(self.executed, self.budget)


class ScheduleItem(PeriodLockedModel):
    """추진일정: a step of the program in a quarter or a month (of any year it runs)."""

    program = models.ForeignKey(
        Program, verbose_name=_("사업"), on_delete=models.CASCADE, related_name="schedule"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    quarter = models.PositiveSmallIntegerField(_("분기"), choices=QUARTERS, null=True, blank=True)
    month = models.PositiveSmallIntegerField(
        _("월"), choices=numbered_choices(gettext_noop("%d월"), 12), null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("순서"))
    text = models.CharField(_("내용"), max_length=300)
    amount = models.PositiveBigIntegerField(_("금액(천원)"), null=True, blank=True)
    history = HistoricalRecords()

    lock_department = "program__department"
    lock_as_of = None
    lock_year = "program__year"
    natural_key_fields = (
        "program__department__code",
        "program__year",
        "program__kind",
        "program__order",
        "order",
    )

    class Meta:
        verbose_name = _("추진일정")
        verbose_name_plural = _("추진일정")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "order"], name="schedule_position_once"),
            models.CheckConstraint(
                condition=Q(quarter__isnull=False) | Q(month__isnull=False),
                name="schedule_has_quarter_or_month",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                name="schedule_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="schedule_month_1_to_12",
            ),
        ]

    def __str__(self):
        return f"{self.year}. {self.when} {self.text}"

    @property
    def when(self):
        return self.get_month_display() if self.month else self.get_quarter_display()

    def clean(self):
        super().clean()
        if self.quarter is None and self.month is None:
            raise ValidationError(_("분기나 월 중 하나는 적어야 합니다."))
        if self.quarter and self.month and (self.month - 1) // 3 + 1 != self.quarter:
            message = _("%(month)d월은 %(quarter)d분기가 아닙니다.")
            params = {"month": self.month, "quarter": self.quarter}
            raise ValidationError({"month": ValidationError(message, params=params)})


# Performance indicators ----------------------------------------------------------------


class Kpi(PeriodLockedModel):
    """성과지표 of a program; its targets and results per year hang below it."""

    class Direction(models.TextChoices):
        UP = "up", _("↑ 높을수록 좋음")
        DOWN = "down", _("↓ 낮을수록 좋음")

    program = models.ForeignKey(
        Program, verbose_name=_("사업"), on_delete=models.CASCADE, related_name="kpis"
    )
    order = models.PositiveSmallIntegerField(_("순서"))
    name = models.CharField(_("성과지표"), max_length=200)
    unit = models.CharField(_("단위"), max_length=20, help_text=_("예: %, 건, 명"))
    direction = models.CharField(
        _("방향"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    history = HistoricalRecords()

    lock_department = "program__department"
    lock_as_of = None
    lock_year = "program__year"
    natural_key_fields = (
        "program__department__code",
        "program__year",
        "program__kind",
        "program__order",
        "order",
    )

    class Meta:
        verbose_name = _("성과지표")
        verbose_name_plural = _("성과지표")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "order"], name="kpi_position_once")
        ]

    def __str__(self):
        return f"{self.name} ({self.unit}, {self.get_direction_display()[0]})"


class KpiValue(PeriodLockedModel):
    kpi = models.ForeignKey(
        Kpi, verbose_name=_("성과지표"), on_delete=models.CASCADE, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    target = models.DecimalField(_("목표"), max_digits=14, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(_("실적"), max_digits=14, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    lock_department = "kpi__program__department"
    lock_as_of = None
    lock_year = "year"
    natural_key_fields = (
        "kpi__program__department__code",
        "kpi__program__year",
        "kpi__program__kind",
        "kpi__program__order",
        "kpi__order",
        "year",
    )

    class Meta:
        verbose_name = _("성과지표 목표·실적")
        verbose_name_plural = _("성과지표 목표·실적")
        ordering = ["kpi", "year"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "year"], name="kpi_value_once_per_year")
        ]

    def __str__(self):
        return f"{self.kpi.name} {self.year}: {self.target} / {self.actual}"


# Council requests ------------------------------------------------------------------------

# The kinds every council starts with; a council that names kinds of its own uses only
# those (CouncilRequestKind). Marked for translation: the pages translate the names.
DEFAULT_REQUEST_KINDS = [
    gettext_noop("시정요구"),
    gettext_noop("처리요구"),
    gettext_noop("건의사항"),
    gettext_noop("자료제출"),
]


class RequestKindQuerySet(NaturalKeyQuerySet):
    def of_councils(self, councils):
        """The kinds the councils use, each council's in its order: its own, or the
        default set (council blank) for a council that names none (two queries)."""
        councils = set(councils)
        named = set(self.filter(council__in=councils).values_list("council", flat=True))
        wanted = named | ({""} if councils - named or not councils else set())
        return self.filter(council__in=wanted).order_by("council", "order", "name")


class CouncilRequestKind(NaturalKeyModel):
    """A kind of council request as one council names and orders it (시정요구, 처리요구, or
    a joint 시정·처리요구 …); the count table lists the kinds in this order."""

    council = models.CharField(
        _("의회"),
        max_length=50,
        blank=True,
        help_text=_(
            "회기의 의회 이름과 같게: 예) 영등포구의회. 비우면 기본 구분: 구분을 따로 정하지 "
            "않은 의회가 씁니다"
        ),
    )
    name = models.CharField(
        _("구분"), max_length=30, help_text=_("보고서에 찍는 이름: 시정요구, 시정·처리요구, 건의 …")
    )
    order = models.PositiveSmallIntegerField(_("순서"))
    history = HistoricalRecords()

    objects = RequestKindQuerySet.as_manager()
    natural_key_fields = ("council", "name")

    class Meta:
        verbose_name = _("의회 요구 구분")
        verbose_name_plural = _("의회 요구 구분")
        ordering = ["council", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="request_kind_once")
        ]

    def __str__(self):
        return f"{self.council} · {self.name}" if self.council else self.name


class CouncilRequestQuerySet(LockedQuerySet):
    def concerning(self, department_ids):
        """Requests the departments lead or share. One led by a department outside them
        shows once its lead's period is locked: until then it is the lead's draft, which
        no other department may see."""
        shared = CouncilRequest.shared_with.through.objects.filter(department__in=department_ids)
        reviewed = Q(pk__in=shared.values("councilrequest")) & locked_condition(
            "department", "year", "quarter"
        )
        return self.filter(Q(department__in=department_ids) | reviewed)

    def as_of(self, day, this_year_only=False):
        """Requests up to the quarter of ``day`` (a year's own requests, without a quarter,
        from its first day), of that year only or of every year up to it."""
        now = Q(year=day.year) & (Q(quarter__isnull=True) | Q(quarter__lte=quarter_of(day)))
        return self.filter(now if this_year_only else now | Q(year__lt=day.year))


class CouncilRequest(PeriodLockedModel):
    """A request of the council (행정사무감사 etc.) and how the department followed it up.

    ``department`` leads: it answers, and only its people (and the clerks) edit the row;
    the departments the request also concerns (``shared_with``) print it in their reports.
    """

    class Status(models.TextChoices):
        DONE = "done", _("완료")
        IN_PROGRESS = "in_progress", _("추진 중")
        UNDER_REVIEW = "under_review", _("검토 중")
        NOT_REFLECTED = "not_reflected", _("미반영")

    department = models.ForeignKey(
        Department,
        verbose_name=_("주관 부서"),
        on_delete=models.PROTECT,
        related_name="council_requests",
        help_text=_("요구에 답하는 부서"),
    )
    shared_with = models.ManyToManyField(
        Department,
        verbose_name=_("함께 맡는 부서"),
        blank=True,
        related_name="shared_council_requests",
        help_text=_(
            "요구가 여러 부서에 걸칠 때. 이 부서들의 보고에도 나옵니다 (주관 부서의 분기가 "
            "승인된 뒤)"
        ),
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    quarter = models.PositiveSmallIntegerField(
        _("분기"),
        choices=QUARTERS,
        null=True,
        blank=True,
        help_text=_("비우면 그 해의 요구: 그 해의 어느 분기가 승인되면 함께 잠깁니다"),
    )
    kind = models.ForeignKey(
        CouncilRequestKind,
        verbose_name=_("구분"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    order = models.PositiveSmallIntegerField(_("순서"))
    text = models.TextField(_("요구 내용"))
    status = models.CharField(
        _("처리 상태"), max_length=20, choices=Status.choices, default=Status.UNDER_REVIEW
    )
    action_taken = models.TextField(
        _("조치 결과"), blank=True, help_text=_("추진내용: 요구에 따라 한 일과 그 결과")
    )
    plan = models.TextField(_("향후 계획"), blank=True)
    history = HistoricalRecords(m2m_fields=[shared_with])

    objects = CouncilRequestQuerySet.as_manager()
    lock_as_of = None
    lock_year = "year"
    lock_quarter = "quarter"
    natural_key_fields = (
        "department__code",
        "year",
        "quarter",
        "kind__council",
        "kind__name",
        "order",
    )

    class Meta:
        verbose_name = _("의회 요구사항")
        verbose_name_plural = _("의회 요구사항")
        # The newest quarter first, a year's own requests (no quarter) after its quarters',
        # on every database.
        ordering = [
            "department",
            "-year",
            models.F("quarter").desc(nulls_last=True),
            "kind__order",
            "order",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "quarter", "kind", "order"],
                condition=Q(quarter__isnull=False),
                name="council_request_position_once",
            ),
            models.UniqueConstraint(
                fields=["department", "year", "kind", "order"],
                condition=Q(quarter__isnull=True),
                name="council_request_year_position_once",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                name="council_request_quarter_1_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.kind.name} {self.order}: {self.text[:40]}"


@receiver(m2m_changed, sender=CouncilRequest.shared_with.through)
def guard_shared_departments(sender, instance, action, reverse, pk_set, **kwargs):
    """The departments of a request in an approved period stay as they are, from either
    side (a department's ``shared_council_requests`` too)."""
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if reverse:  # instance is a Department, pk_set its requests (None when clearing)
        found = CouncilRequest.objects.filter(pk__in=pk_set) if pk_set else None
        requests = found if found is not None else instance.shared_council_requests.all()
        ensure_unlocked(requests._keys())
        return
    ensure_unlocked(instance.locked_keys())
