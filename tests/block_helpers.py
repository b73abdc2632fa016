"""Helpers for the block tests: layouts of a few blocks, the HTML and PDF they print, read
back as text and table cells."""

import datetime as dt
import re
import tempfile

from django.template.loader import render_to_string

from budgets.models import BudgetLine
from departments.models import Department, Duty, Facility, FacilityExtension
from programs.models import (
    CouncilRequest,
    KpiValue,
    Mission,
    PerformanceGoal,
    Program,
    ScheduleItem,
    StrategicGoal,
)
from reports_site import layouts, pdf
from reports_site.models import BriefingContact
from reports_site.report import build_report

from .budget_factories import make_leaf, make_line
from .factories import (
    AS_OF,
    make_briefing,
    make_department,
    make_fleet,
    make_snapshot,
    request_kind,
)
from .program_factories import make_kpi, make_program, make_progress
from .test_pdf import pdf_pages, squeeze

MEDIA = tempfile.mkdtemp(prefix="briefing-blocks-media-")

__all__ = ["AS_OF", "MEDIA", "pdf_pages", "squeeze"]


def spec(kind, title="", text="", /, **options):
    """A block spec of the kind with the options given (the others default)."""
    found = layouts.block(kind, options, title)
    found["text"] = text
    return found


def section(*blocks, heading="항목", children=(), numbered=True):
    return layouts.node(heading, blocks, children, numbered=numbered)


def report(briefing, *nodes):
    """build_report of the briefing with the layout given (its own sections untouched)."""
    return build_report(briefing, list(nodes))


def one(briefing, kind, title="", text="", /, **options):
    """The report of one section holding one block."""
    return report(briefing, section(spec(kind, title, text, **options)))


def html_of(data):
    return render_to_string("reports/part.html", {"report": data})


def html(briefing, kind, title="", text="", /, **options):
    return html_of(one(briefing, kind, title, text, **options))


HIDDEN = re.compile(r'<(span|caption) class="visually-hidden">.*?</\1>', re.S)


def tight(markup):
    """The markup without the white space between tags."""
    return re.sub(r">\s+<", "><", markup)


def text_of(markup):
    """What a reader sees: tags and visually hidden words dropped, spaces squeezed."""
    markup = HIDDEN.sub("", markup)
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split()).replace("&#x27;", "'")


def rows(markup, table_class=None):
    """The rows of the tables (of one class) as lists of cell texts, in order."""
    if table_class:
        found = re.findall(
            rf'<table class="[^"]*\b{table_class}\b[^"]*">(.*?)</table>', markup, re.S
        )
        markup = "".join(found)
        if not found:
            raise AssertionError(f"no table of class {table_class!r}")
    return [
        [text_of(cell) for _tag, cell in re.findall(r"<(td|th)\b[^>]*>(.*?)</\1>", row, re.S)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", markup, re.S)
    ]


def pdf_text(data):
    """The PDF of the report data: its pages (laid out) and all its text squeezed."""
    document, _pages = pdf.briefing_pdf(data)
    pages = pdf_pages(document)
    return document, pages, squeeze("".join(pages))


# The figures of one division ---------------------------------------------------------------


def make_figures():
    """A division with every kind of figure a block reads, as of AS_OF (2025. 5. 31.);
    returns (department, briefing)."""
    ga = make_department("총무과", head_title="총무과장", phone="02-2670-3114")
    for order, name in enumerate(["교육후생팀", "전산운영팀"], 1):
        team = make_department(name, Department.Kind.TEAM, parent=ga, order=order)
        Duty.objects.create(department=team, order=1, text=f"{name} 업무 가")
        Duty.objects.create(department=team, order=2, text=f"{name} 업무 나")
    make_department("폐지팀", Department.Kind.TEAM, parent=ga, order=3, active=False)
    Duty.objects.create(department=ga, order=1, text="청사 관리")
    make_snapshot(
        ga,
        counts=[
            (("일반직", "6급"), 3, 4),
            (("일반직", "7급"), 5, 3),
            (("관리운영직", "8급"), 2, 2),
            (("별정직", "9급"), 0, 0),
        ],
    )
    make_fleet(ga, counts=[(("승용", "중형"), 5), (("승용", "소형"), 2), (("승합", "대형"), 1)])

    def building(category, site, name, order, **fields):
        return Facility.objects.create(
            department=ga,
            as_of=AS_OF,
            category=category,
            site=site,
            name=name,
            order=order,
            **fields,
        )

    main = building(
        "구 청사",
        "본관",
        "본관",
        1,
        land_area="7622.50",
        floor_area="9682",
        scale="지하3층 ~ 지상6층",
        completed_on=dt.date(1976, 1, 5),
        notes="민원실",
    )
    FacilityExtension.objects.create(
        facility=main, completed_on=dt.date(2018, 6, 2), description="증축"
    )
    building("구 청사", "본관", "별관", 2, floor_area="5600", scale="지상2층")
    building("구민회관", "구민회관", "구민회관", 3, land_area="2940", floor_area="616")
    building("정보화교육장", "정보화교육장", "평생스마트교육장", 4, description="대림3동")
    policy = make_line(ga, "행정 지원", level=BudgetLine.Level.POLICY, order=1)
    make_leaf(
        ga,
        60_000,
        30_000,
        name="청사 관리",
        parent=policy,
        order=1,
        prior_budget=50_000,
        source=BudgetLine.Source.DISTRICT,
    )
    make_leaf(
        ga,
        20_000,
        5_000,
        name="전산 운영",
        parent=policy,
        order=2,
        prior_budget=25_000,
        source=BudgetLine.Source.CITY,
    )
    make_leaf(ga, 20_000, 19_000, name="직원 복지", order=2, source=BudgetLine.Source.DISTRICT)
    make_leaf(ga, 7_000, 3_500, name="사용료 수입", kind=BudgetLine.Kind.REVENUE)
    briefing = make_briefing(ga)
    BriefingContact.objects.create(
        briefing=briefing, order=1, title="총무과장", name="홍길동", phone="02-2670-3114"
    )
    BriefingContact.objects.create(briefing=briefing, order=2, title="주무관", name="김영희")
    return ga, briefing


def make_programs(ga):
    """Two main programs and one new one, with progress, KPIs, schedule and goals."""
    team = ga.children.get(name="교육후생팀")
    first = make_program(
        ga,
        order=1,
        title="청사 환경 개선",
        team=team,
        purpose="쾌적한 청사\n민원 편의 향상",
        legal_basis="공유재산법 제10조\n청사 관리 조례",
        period="2025. 1. ~ 12.",
        overview="□ 사업 내용\n ○ 외벽 보수",
    )
    make_progress(first, quarter=1, achievements="- 1분기 실적")
    make_progress(first, quarter=2, budget=79_369, executed=39_400)
    kpi = make_kpi(first, name="청사 만족도", unit="점")
    KpiValue.objects.create(kpi=kpi, year=2025, target=90, actual=82)
    ScheduleItem.objects.create(
        program=first, year=2025, month=4, order=1, text="외벽 점검", amount=95_700
    )
    ScheduleItem.objects.create(program=first, year=2025, quarter=3, order=2, text="보수 공사")
    second = make_program(ga, order=2, title="직원 후생 복지", purpose="직원 사기 진작")
    make_progress(
        second,
        quarter=2,
        budget=904_400,
        executed=235_073,
        achievements="- 건강검진 지원",
        plans="- 하반기 연수: 9월",
    )
    new = make_program(ga, order=1, kind=Program.Kind.NEW_PRIORITY, title="스마트 민원실")
    make_progress(new, quarter=2, budget=None, executed=None, achievements="- 무인 발급기 설치")
    Mission.objects.create(department=ga, year=2025, text="행복한 일터")
    strategic = StrategicGoal.objects.create(
        department=ga, year=2025, order=1, title="쾌적한 행정환경 조성"
    )
    goal = PerformanceGoal.objects.create(strategic_goal=strategic, order=1, title="청사 개선")
    Program.objects.filter(pk__in=[first.pk, second.pk]).update(performance_goal=goal)
    StrategicGoal.objects.create(department=ga, year=2025, order=2, title="소통 강화")
    CouncilRequest.objects.create(
        department=ga,
        year=2025,
        quarter=1,
        kind=request_kind("시정요구"),
        order=1,
        text="청사 주차장 개선",
        status=CouncilRequest.Status.DONE,
        action_taken="주차면 확충",
    )
    CouncilRequest.objects.create(
        department=ga,
        year=2025,
        quarter=1,
        kind=request_kind("건의사항"),
        order=2,
        text="민원실 안내 강화",
        plan="안내 인력 배치",
    )
    return first, second, new
