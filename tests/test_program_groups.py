"""Programs under policy areas or strategies (1-1 numbering, group headings, the strategy
table), a program's quarter grid in the report's money unit, and a bureau's programs block
reading all its divisions in the same queries whatever their number."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets.models import BudgetLine, QuarterPlan
from departments.access import Role
from departments.models import Department
from programs.models import ProgramGroup, ScheduleItem
from reports_site import style as house
from reports_site.models import HouseStyle
from reports_site.templatetags.briefing import money

from .block_helpers import html, one, rows, text_of
from .budget_factories import make_line
from .factories import make_briefing, make_department, make_user
from .program_factories import make_program

pytestmark = pytest.mark.django_db


def group(department, order, title, **fields):
    return ProgramGroup.objects.create(
        department=department, year=2025, order=order, title=title, **fields
    )


def programs_of(data):
    (block,) = data["sections"][0]["blocks"]
    return block


@pytest.fixture
def grouped():
    """A division whose house numbers programs by group; two groups and an ungrouped one."""
    division = make_department("총무과")
    briefing = make_briefing(division)
    HouseStyle.objects.create(council=briefing.session.council, program_numbering="grouped")
    people = group(division, 1, "시민 중심 행정", kind="정책분야")
    places = group(division, 2, "쾌적한 청사", kind="정책분야", marker="【전략 2】")
    make_program(division, order=1, title="민원 안내", group=people)
    make_program(division, order=2, title="청사 보수", group=places)
    make_program(division, order=3, title="소통 강화", group=people)
    make_program(division, order=4, title="기록물 정리")
    return briefing


def test_grouped_numbering_restarts_per_group_under_the_group_titles(grouped):
    markup = html(grouped, "programs", group_by="group", parts="purpose")
    assert rows(markup, "program-index") == [
        ["연번", "사업명", "쪽"],
        ["1. 시민 중심 행정"],
        ["1-1", "민원 안내", ""],
        ["1-2", "소통 강화", ""],
        ["【전략 2】 쾌적한 청사"],
        ["2-1", "청사 보수", ""],
        ["1", "기록물 정리", ""],  # no group: numbered on its own, under no heading
    ]
    text = text_of(markup.split("</table>")[1])
    assert text.index("1. 시민 중심 행정 1-1 민원 안내") < text.index("1-2 소통 강화")
    assert text.index("1-2 소통 강화") < text.index("【전략 2】 쾌적한 청사 2-1 청사 보수")
    assert markup.count('class="program-group"') == 2
    # without grouping the 연번 prints as before; a house numbering ①② numbers on through
    plain = rows(html(grouped, "programs", parts="purpose"), "program-index")
    assert [r[0] for r in plain[1:]] == ["1", "2", "3", "4"]
    HouseStyle.objects.update(program_numbering="circled")
    on = rows(html(grouped, "programs", group_by="group", group_mark="가."), "program-index")
    assert [r[0] for r in on[1:]] == [
        "가. 시민 중심 행정",
        "①",
        "②",
        "【전략 2】 쾌적한 청사",
        "③",
        "④",
    ]


def test_the_strategy_table_spans_each_group_over_its_programs(grouped):
    markup = html(grouped, "strategy", group_heading="추진전략", program_heading="세부과제")
    assert rows(markup, "strategy") == [
        ["추진전략", "세부과제"],
        ["1. 시민 중심 행정", "1-1 민원 안내"],
        ["1-2 소통 강화"],
        ["【전략 2】 쾌적한 청사", "2-1 청사 보수"],
    ]
    assert '<th scope="rowgroup" rowspan="2">1. 시민 중심 행정</th>' in markup
    assert '<th scope="rowgroup" rowspan="1">【전략 2】 쾌적한 청사</th>' in markup
    unnumbered = rows(html(grouped, "strategy", numbers=False), "strategy")
    assert unnumbered[0] == ["전략", "과제"] and unnumbered[1][1] == "민원 안내"


def test_a_program_sits_under_a_group_of_its_year_and_of_its_department_or_above():
    bureau = make_department("행정국", Department.Kind.BUREAU)
    division = make_department("총무과", parent=bureau)
    program = make_program(division, group=group(bureau, 1, "국 전략"))
    program.full_clean()  # the bureau's strategy
    program.group = group(make_department("청소과", parent=bureau), 1, "남의 묶음")
    with pytest.raises(ValidationError) as refused:
        program.full_clean()
    assert "group" in refused.value.error_dict


def test_staff_pick_their_own_groups_and_their_bureaus_never_another_divisions(client):
    bureau = make_department("행정국", Department.Kind.BUREAU)
    division = make_department("총무과", parent=bureau)
    mine, bureaus = group(division, 1, "과 묶음"), group(bureau, 1, "국 전략")
    theirs = group(make_department("청소과", parent=bureau), 1, "남의 묶음")
    client.force_login(make_user(Role.STAFF, division))
    page = client.get(reverse("admin:programs_program_add")).content.decode()
    assert all(f'<option value="{g.pk}">{g}</option>' in page for g in (mine, bureaus))
    assert theirs.title not in page
    groups = client.get(reverse("admin:programs_programgroup_changelist")).content.decode()
    assert "과 묶음" in groups and "국 전략" not in groups  # the bureau's: picked, not edited


def test_money_in_a_unit_is_exact_and_rounds_half_up():
    assert house.in_unit(1_234_567, "천원") == 1_234_567
    assert house.in_unit(1_250_000, "억원") == Decimal("13")  # 12.5억 → 13
    assert house.in_unit(1_249_999, "억원") == Decimal("12")
    assert house.in_unit(12_345, "억원", 1) == Decimal("0.1")  # 0.12345 → 0.1
    assert house.in_unit(15_000, "억원", 1) == Decimal("0.2")  # 0.15 exactly → 0.2
    assert house.in_unit(2_500, "백만원") == Decimal("3")
    big = 987_654_321_987_654  # beyond a float's exact digits: still exact
    assert house.in_unit(big, "억원", 2) == Decimal("9876543219.88")
    assert house.in_unit(None, "억원") is None
    with house.active(house.DEFAULT):
        assert money(123_456_789, {"unit": "억원", "places": 1}) == "1,234.6"
        assert money(0, {"unit": "억원", "places": 1}) == "-"  # none: the house's zero
        assert money(3, {"unit": "억원", "places": 1}) == "0.0"  # some: never printed as none
        assert money(95_700, None) == "95,700"


def test_the_quarter_grid_sums_the_linked_lines_in_the_reports_unit():
    division = make_department("총무과")
    briefing = make_briefing(division)
    policy = make_line(division, "청사 관리", level=BudgetLine.Level.POLICY, order=1)
    repairs = make_line(division, "청사 보수", parent=policy, order=1)
    power = make_line(division, "청사 전기", parent=policy, order=2)
    network = make_line(division, "전산망", order=2)
    plans = {
        repairs: [12_000_000, 7_550_000, None, 450_000],
        power: [50_000, 50_000, 50_000, 50_000],
        network: [None, 2_000_000, 3_049_999, None],
    }
    for line, amounts in plans.items():
        for quarter, amount in enumerate(amounts, 1):
            if amount is not None:
                QuarterPlan.objects.create(line=line, quarter=quarter, amount=amount)
    program = make_program(division, title="청사 환경 개선")
    program.budget_lines.set([policy, network])
    ScheduleItem.objects.create(
        program=program, year=2025, month=5, order=1, text="외벽 점검", amount=95_700
    )
    ScheduleItem.objects.create(program=program, year=2025, quarter=4, order=2, text="준공")
    (found,) = programs_of(one(briefing, "programs", parts="quarters"))["programs"]
    assert found["quarters"] == [
        {"label": "계", "total": 25_249_999,
         "quarters": [12_050_000, 9_600_000, 3_099_999, 500_000]},
        {"label": "청사 관리", "total": 20_200_000,
         "quarters": [12_050_000, 7_600_000, 50_000, 500_000]},
        {"label": "전산망", "total": 5_049_999, "quarters": [None, 2_000_000, 3_049_999, None]},
    ]  # fmt: skip
    markup = html(briefing, "programs", parts="quarters", money_unit="억원", money_places=1)
    assert "(단위: 억원)" in text_of(markup)
    assert rows(markup, "quarter-grid") == [
        ["구분", "계", "1/4", "2/4", "3/4", "4/4"],
        ["계", "252.5", "120.5", "96.0", "31.0", "5.0"],
        ["청사 관리", "202.0", "120.5", "76.0", "0.5", "5.0"],
        ["전산망", "50.5", "-", "20.0", "30.5", "-"],  # 30.49999 → 30.5: half up at 1 place
        ["추진일정", "", "", "외벽 점검", "", "준공"],
    ]
    in_thousands = rows(html(briefing, "programs", parts="quarters"), "quarter-grid")
    assert in_thousands[1][:3] == ["계", "25,249,999", "12,050,000"]
    # the schedule's amounts are money too: in the block's unit (95,700천원 → 96백만원)
    schedule = rows(html(briefing, "schedule", money_unit="백만원"), "schedule")
    assert (schedule[0][-1], schedule[1][-1]) == ("금액(백만원)", "96")
    inside = text_of(html(briefing, "programs", parts="schedule", money_unit="백만원"))
    assert "5월 외벽 점검 (96백만원)" in inside


def bureau_with(divisions):
    """A bureau with `divisions` divisions, each with a team, two programs (one under the
    bureau's strategy, one under its own group) and one of the team's."""
    bureau = make_department("행정국", Department.Kind.BUREAU)
    strategy = group(bureau, 1, "국 전략")
    for n in range(1, divisions + 1):
        division = make_department(f"{n}과", parent=bureau, order=n)
        team = make_department(f"{n}팀", Department.Kind.TEAM, parent=division)
        own = group(division, 1, f"{n}과 분야")
        make_program(division, order=1, title=f"{n}과 국 사업", group=strategy, team=team)
        make_program(division, order=2, title=f"{n}과 자체 사업", group=own)
        make_program(team, order=1, title=f"{n}팀 사업")
    make_program(bureau, order=1, title="국 공통 사업")
    return make_briefing(bureau)


def test_a_bureau_prints_its_divisions_programs_in_the_same_queries_whatever_their_number(
    django_assert_num_queries,
):
    small, large = bureau_with(2), bureau_with(5)
    options = {"scope": "units", "group_by": "unit", "parts": "purpose"}
    one(small, "programs", **options)  # the content types and such, cached
    with django_assert_num_queries(8) as small_queries:
        data = one(small, "programs", **options)
    with django_assert_num_queries(len(small_queries)):
        one(large, "programs", **options)
    block = programs_of(data)
    assert [(p["group"]["title"], p["mark"], p["title"], p["unit"]) for p in block["programs"]] == [
        ("행정국", "①", "국 공통 사업", "행정국"),
        ("1과", "②", "1과 국 사업", "1과"),
        ("1과", "③", "1과 자체 사업", "1과"),
        ("1과", "④", "1팀 사업", "1과"),  # a team's program counts with its division
        ("2과", "⑤", "2과 국 사업", "2과"),
        ("2과", "⑥", "2과 자체 사업", "2과"),
        ("2과", "⑦", "2팀 사업", "2과"),
    ]
    assert "1과 1팀" in text_of(html(small, "programs", **options))  # unit beside the team
    by_group = one(small, "strategy", scope="units")
    titles = [
        (g["title"], [p["title"] for p in g["programs"]]) for g in programs_of(by_group)["groups"]
    ]
    assert titles == [
        ("국 전략", ["1과 국 사업", "2과 국 사업"]),
        ("1과 분야", ["1과 자체 사업"]),
        ("2과 분야", ["2과 자체 사업"]),
    ]
    alone = programs_of(one(small, "programs"))["programs"]
    assert [(p["title"], p["unit"]) for p in alone] == [("국 공통 사업", "")]
