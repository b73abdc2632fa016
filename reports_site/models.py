"""Council sessions (회기) and the briefings (주요업무 보고) departments give at them."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from departments.models import Department
from departments.naturalkeys import NaturalKeyModel, NaturalKeyQuerySet


class SessionQuerySet(NaturalKeyQuerySet):
    def heard(self, departments):
        """Sessions that heard a briefing of the departments or of a unit above them (a
        division whose bureau reports), newest first."""
        return self.filter(
            Q(briefings__department__in=departments)
            | Q(briefings__department__children__in=departments)
            | Q(briefings__department__children__children__in=departments)
        ).order_by("-starts_on")


class CouncilSession(NaturalKeyModel):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("정례회")
        EXTRAORDINARY = "extraordinary", _("임시회")

    council = models.CharField(_("의회"), max_length=50, help_text=_("예: 영등포구의회"))
    number = models.PositiveSmallIntegerField(
        _("회차"), null=True, blank=True, help_text=_("제261회면 261")
    )
    kind = models.CharField(_("구분"), max_length=15, choices=Kind.choices)
    ordinal = models.PositiveSmallIntegerField(
        _("차수"), null=True, blank=True, help_text=_("제1차 정례회면 1")
    )
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    history = HistoricalRecords()

    objects = SessionQuerySet.as_manager()
    natural_key_fields = ("council", "starts_on")

    class Meta:
        verbose_name = _("회기")
        verbose_name_plural = _("회기")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["council", "starts_on"], name="session_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        """제261회 구의회 제1차 정례회 (parts the council did not number are left out)."""
        parts = [f"제{self.number}회" if self.number else "", self.council]
        if self.ordinal:
            parts.append(f"제{self.ordinal}차")
        with translation.override("ko"):  # a proper name, printed as the council writes it
            parts.append(str(self.get_kind_display()))
        return " ".join(p for p in parts if p)


class Briefing(NaturalKeyModel):
    """One department's report to one session."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        REVIEW = "review", _("검토 중")
        APPROVED = "approved", _("승인")
        PUBLISHED = "published", _("공개")

    session = models.ForeignKey(
        CouncilSession, verbose_name=_("회기"), on_delete=models.PROTECT, related_name="briefings"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.PROTECT, related_name="briefings"
    )
    as_of = models.DateField(_("기준일"), help_text=_("표에 쓰는 자료의 기준일"))
    title = models.CharField(_("제목"), max_length=100, help_text=_("예: 2025년 주요업무 보고"))
    slogan = models.CharField(_("구호"), max_length=100, blank=True)
    issued = models.DateField(_("발행 연월"), help_text=_("표지의 '2025. 6.'"))
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    style = models.ForeignKey(
        "HouseStyle",
        verbose_name=_("서식"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("비우면 의회 서식"),
    )
    history = HistoricalRecords()

    natural_key_fields = ("session__council", "session__starts_on", "department__code")

    class Meta:
        verbose_name = _("업무보고")
        verbose_name_plural = _("업무보고")
        ordering = ["-session__starts_on", "department__order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "department"], name="briefing_once")
        ]

    def __str__(self):
        return f"{self.session} · {self.department}"


class HouseStyle(NaturalKeyModel):
    """How one council prints its briefings: numbering, numbers, dates and the front matter.

    Set once by the clerk; every briefing to that council's sessions uses it, unless the
    briefing names another (a department that prints differently). Without one, the
    conventions of DESIGN §3 apply (`reports_site.style.DEFAULT`).
    """

    class ProgramNumbering(models.TextChoices):
        CIRCLED = "circled", "①, ②, ③"
        ARABIC = "arabic", "1, 2, 3"
        ARABIC_DOT = "arabic_dot", "1., 2., 3."
        GROUPED = "grouped", "1-1, 1-2, 2-1"

    class Zero(models.TextChoices):
        DASH = "-", _("- (줄표)")
        ZERO = "0", _("0 (숫자)")

    class Negative(models.TextChoices):
        TRIANGLE = "△", _("△ (세모)")
        MINUS = "-", _("- (빼기)")

    class DateStyle(models.TextChoices):
        DOTTED = "dotted", "2025. 6. 12."
        SHORT = "short", "'25.6.12."

    council = models.CharField(
        _("의회"),
        max_length=50,
        unique=True,
        help_text=_("회기의 의회 이름과 같게: 예) 영등포구의회"),
    )
    heading_numbering = models.CharField(
        _("제목 번호"),
        max_length=100,
        default="I. 1 □ ○",
        help_text=_(
            "단계마다 띄어 씁니다. I. (로마 숫자), 1 또는 1. 또는 1) (숫자), 가. (가나다), "
            "① (원 숫자); 그 밖의 글자(□, ○, ◆)는 그대로 찍습니다."
        ),
    )
    program_numbering = models.CharField(
        _("사업 번호"),
        max_length=10,
        choices=ProgramNumbering.choices,
        default=ProgramNumbering.CIRCLED,
    )
    zero = models.CharField(_("0 표기"), max_length=1, choices=Zero.choices, default=Zero.DASH)
    negative = models.CharField(
        _("음수 표기"), max_length=1, choices=Negative.choices, default=Negative.TRIANGLE
    )
    date_style = models.CharField(
        _("날짜 표기"), max_length=10, choices=DateStyle.choices, default=DateStyle.DOTTED
    )
    money_unit = models.CharField(_("금액 단위"), max_length=10, default="천원")
    show_contents = models.BooleanField(_("보고 순서 쪽 넣기"), default=True)
    cover_spaced = models.BooleanField(
        _("표지 부서명 띄어쓰기"), default=True, help_text=_("총 무 과처럼 글자마다 띄웁니다")
    )
    history = HistoricalRecords()

    natural_key_fields = ("council",)

    class Meta:
        verbose_name = _("의회 서식")
        verbose_name_plural = _("의회 서식")
        ordering = ["council"]

    def __str__(self):
        return self.council


class SectionQuerySet(NaturalKeyQuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)


class BriefingSection(NaturalKeyModel):
    """A heading of the briefing (I. 일반현황, 1 조직, □ 추진실적 …) with its blocks.

    Sections form a tree (`parent`); `order` is the printing order within the briefing,
    so the whole tree reads in one ordered query.
    """

    briefing = models.ForeignKey(
        Briefing, verbose_name=_("업무보고"), on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("상위 항목"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("순서"))
    heading = models.CharField(_("제목"), max_length=200)
    slug = models.SlugField(
        _("주소 이름"),
        max_length=40,
        blank=True,
        help_text=_("보고서 쪽 주소에 쓰는 영문 이름(첫 단계 항목만); 비우면 순서 번호"),
    )
    numbered = models.BooleanField(
        _("번호 붙이기"), default=True, help_text=_("끄면 제목만 찍습니다")
    )
    history = HistoricalRecords()

    objects = SectionQuerySet.as_manager()

    natural_key_fields = (
        "briefing__session__council",
        "briefing__session__starts_on",
        "briefing__department__code",
        "order",
    )

    class Meta:
        verbose_name = _("보고 항목")
        verbose_name_plural = _("보고 항목")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "order"], name="section_position_once"),
            models.UniqueConstraint(
                fields=["briefing", "slug"], condition=~Q(slug=""), name="section_slug_once"
            ),
        ]

    def __str__(self):
        return self.heading


class Block(NaturalKeyModel):
    """One thing a section prints: figures from the system (organisation, staffing, a
    budget table, programs …) or what staff typed (a table, an image, a boxed note).

    `kind` names a definition in `reports_site.blocks`, which builds the block's data,
    validates its `options` and renders it; the content fields hold what free blocks carry.
    """

    section = models.ForeignKey(
        BriefingSection,
        verbose_name=_("보고 항목"),
        on_delete=models.CASCADE,
        related_name="blocks",
    )
    order = models.PositiveSmallIntegerField(_("순서"))
    kind = models.CharField(_("종류"), max_length=30)
    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("사업 안에"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("고르면 이 항목의 사업 블록이 그 사업 안(‘blocks’ 부분)에 찍습니다"),
    )
    options = models.JSONField(_("설정"), default=dict, blank=True)
    title = models.CharField(
        _("작은 제목"), max_length=200, blank=True, help_text=_("표나 상자 위에 찍는 제목")
    )
    text = models.TextField(
        _("내용"),
        blank=True,
        help_text=_("글·상자: 한 줄에 한 항목. 표: 엑셀에서 복사해 붙여 넣은 탭 구분 내용"),
    )
    image = models.ImageField(_("그림"), upload_to="blocks/%Y/", blank=True)
    caption = models.CharField(_("설명"), max_length=200, blank=True)
    alt_text = models.CharField(
        _("대체 텍스트"),
        max_length=300,
        blank=True,
        help_text=_("그림을 볼 수 없는 사람에게 읽어 줄 설명"),
    )
    history = HistoricalRecords()

    natural_key_fields = (
        "section__briefing__session__council",
        "section__briefing__session__starts_on",
        "section__briefing__department__code",
        "section__order",
        "order",
    )

    class Meta:
        verbose_name = _("블록")
        verbose_name_plural = _("블록")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["section", "order"], name="block_position_once")
        ]

    def __str__(self):
        from . import blocks

        return self.title or str(blocks.label(self.kind))


class BriefingContact(NaturalKeyModel):
    """Who wrote the briefing (작성자) and how to reach them."""

    briefing = models.ForeignKey(
        Briefing, verbose_name=_("업무보고"), on_delete=models.CASCADE, related_name="contacts"
    )
    order = models.PositiveSmallIntegerField(_("순서"), default=0)
    title = models.CharField(_("직위"), max_length=50, blank=True)
    name = models.CharField(_("성명"), max_length=50)
    phone = models.CharField(_("전화번호"), max_length=30, blank=True)
    history = HistoricalRecords()

    natural_key_fields = (
        "briefing__session__council",
        "briefing__session__starts_on",
        "briefing__department__code",
        "order",
    )

    class Meta:
        verbose_name = _("작성자")
        verbose_name_plural = _("작성자")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "order"], name="contact_position_once")
        ]

    def __str__(self):
        return f"{self.title} {self.name}".strip()


class RenderedPart(models.Model):
    """A department's part of a PDF, rendered once per content and design (see pdf.py)."""

    key = models.CharField(_("내용 해시"), max_length=64, unique=True)
    pdf = models.FileField(_("PDF"), upload_to="parts/")
    pages = models.PositiveIntegerField(_("쪽수"))
    anchors = models.JSONField(_("위치"), default=dict)
    created_at = models.DateTimeField(_("만든 때"), auto_now_add=True)

    class Meta:
        verbose_name = _("렌더링된 부분")
        verbose_name_plural = _("렌더링된 부분")

    def __str__(self):
        return self.key


class PartClaim(models.Model):
    """A part being rendered, and by whom: the unique key is the claim, so that two processes
    (two booklets, two workers) never render the same part at once (see pdf.py)."""

    key = models.CharField(_("내용 해시"), max_length=64, unique=True)
    owner = models.CharField(_("만드는 곳"), max_length=64)
    claimed_at = models.DateTimeField(_("맡은 때"))

    class Meta:
        verbose_name = _("렌더링 중인 부분")
        verbose_name_plural = _("렌더링 중인 부분")

    def __str__(self):
        return self.key


class EditionQuerySet(models.QuerySet):
    def booklets(self):
        return self.filter(briefing__isnull=True)

    def latest_first(self):
        return self.order_by("-number")


class Edition(models.Model):
    """A published, frozen briefing (one department) or session booklet (no briefing).

    `data` is the report exactly as published (`report.build_report`, or for a booklet the
    department editions it binds); the PDF is stored beside it. Neither changes afterwards:
    later edits make a new edition.
    """

    session = models.ForeignKey(
        CouncilSession, verbose_name=_("회기"), on_delete=models.PROTECT, related_name="editions"
    )
    briefing = models.ForeignKey(
        Briefing,
        verbose_name=_("업무보고"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editions",
        help_text=_("비어 있으면 회기 전체 책자"),
    )
    number = models.PositiveIntegerField(_("판"))
    data = models.JSONField(_("내용"))
    content_hash = models.CharField(_("내용 해시"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="editions/")
    pdf_hash = models.CharField(_("PDF 해시"), max_length=64)
    pages = models.PositiveIntegerField(_("쪽수"))
    page_map = models.JSONField(_("쪽 번호"), default=dict, help_text=_("항목·사업 → 쪽"))
    published_at = models.DateTimeField(_("발행 시각"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("발행한 사람"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("발행본")
        verbose_name_plural = _("발행본")
        ordering = ["session", "briefing", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "number"],
                condition=Q(briefing__isnull=False),
                name="edition_number_once",
            ),
            models.UniqueConstraint(
                fields=["session", "number"],
                condition=Q(briefing__isnull=True),
                name="booklet_number_once",
            ),
        ]

    def __str__(self):
        owner = self.briefing.department if self.briefing_id else _("전체 책자")
        return _("%(session)s · %(owner)s · %(number)s판") % {
            "session": self.session,
            "owner": owner,
            "number": self.number,
        }


class BookletJob(models.Model):
    """The session booklet being made in the background, with its progress for the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기")
        RUNNING = "running", _("만드는 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    session = models.ForeignKey(
        CouncilSession, verbose_name=_("회기"), on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    percent = models.PositiveSmallIntegerField(_("진행률"), default=0)
    current = models.CharField(_("지금 만드는 부서"), max_length=100, blank=True)
    error = models.TextField(_("오류"), blank=True)
    edition = models.ForeignKey(
        Edition, verbose_name=_("발행본"), on_delete=models.SET_NULL, null=True, blank=True
    )
    task_id = models.CharField(_("작업 번호"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("시도 횟수"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("요청한 사람"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("마지막 진행"), null=True, blank=True)
    finished_at = models.DateTimeField(_("끝난 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("책자 작업")
        verbose_name_plural = _("책자 작업")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="job_percent_at_most_100")
        ]

    def __str__(self):
        return f"{self.session} · {self.get_status_display()} {self.percent}%"

    @property
    def active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class WorkerQuerySet(models.QuerySet):
    def alive(self, now=None):
        from django.utils import timezone

        cutoff = (now or timezone.now()) - WorkerHeartbeat.ALIVE_FOR
        return self.filter(seen_at__gte=cutoff)


class WorkerHeartbeat(models.Model):
    """A background worker (`manage.py db_worker`) saying it is alive; django-tasks keeps
    no record of its workers, and without one the booklet page would wait forever."""

    EVERY = dt.timedelta(seconds=10)
    ALIVE_FOR = dt.timedelta(minutes=1)

    worker_id = models.CharField(_("작업 처리기"), max_length=64, unique=True)
    seen_at = models.DateTimeField(_("마지막 신호"))

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("작업 처리기 신호")
        verbose_name_plural = _("작업 처리기 신호")

    def __str__(self):
        return f"{self.worker_id} · {self.seen_at}"

    @classmethod
    def beat(cls, worker_id):
        from django.utils import timezone

        now = timezone.now()
        cls.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
        cls.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()  # long gone
