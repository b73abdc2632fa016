"""Blocks of the programs (주요사업) a department reports: each program with its parts in
the order and under the headings the house uses, and the tables across programs (KPIs,
schedules, the progress matrix)."""

from collections import defaultdict
from itertools import chain

from django import forms
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from budgets.models import QuarterPlan
from budgets.tables import TOTAL_LABEL, percent
from departments.models import member_ids
from programs import outline
from programs.models import Kpi, Program, ProgressEntry

from .. import style as house
from . import Kind, Scoped, register, units

PARTS = {
    "period": _("사업기간"),
    "purpose": _("목적"),
    "legal_basis": _("근거"),
    "overview": _("사업개요"),
    "achievements": _("주요 추진실적"),
    "plans": _("향후계획"),
    "budget": _("예산현황"),
    "kpis": _("성과지표"),
    "schedule": _("추진일정"),
    "quarters": _("분기별 집행계획"),
    "blocks": _("사업 안에 넣은 블록"),
}
DEFAULT_PARTS = "purpose overview achievements plans budget"
WHICH = [
    ("main", _("주요사업")),
    ("new_priority", _("신규·중점사업")),
    ("all", _("모든 사업")),
]
GROUPINGS = [
    ("", _("묶지 않음")),
    ("group", _("사업 묶음(정책분야·전략)별")),
    ("unit", _("부서별 (범위가 하위 조직 모두일 때)")),
]
UNIT_CHOICES = [  # the units `style.in_unit` converts to
    ("", _("서식의 금액 단위")),
    ("천원", _("천원")),
    ("백만원", _("백만원")),
    ("억원", _("억원")),
]
QUARTERS = (1, 2, 3, 4)


def quarter_of(date):
    return (date.month - 1) // 3 + 1


class ProgramKindOption(Scoped):
    programs = forms.ChoiceField(label=_("사업"), choices=WHICH, initial="main")


class AllPrograms(Scoped):
    programs = forms.ChoiceField(label=_("사업"), choices=WHICH, initial="all")


class MoneyOptions(forms.Form):
    """The unit money prints in (stored in 천원) and its decimals, rounded half up."""

    money_unit = forms.ChoiceField(
        label=_("금액 단위"), choices=UNIT_CHOICES, initial="", required=False
    )
    money_places = forms.IntegerField(
        label=_("금액 소수 자리"), min_value=0, max_value=2, initial=0, required=False
    )


def money_of(ctx, options):
    """The money option of a block as its template's `money` filter reads it."""
    unit = options.get("money_unit") or ctx.style.get("money_unit") or "천원"
    return {"unit": unit, "places": options.get("money_places") or 0}


class GroupMark(forms.Form):
    group_mark = forms.CharField(
        label=_("묶음 제목 번호"),
        initial="1.",
        max_length=10,
        required=False,
        help_text=_("1. 가. ① I. 처럼 번호 하나, 또는 그대로 찍을 기호(□, ◆)"),
    )


class ProgramOptions(MoneyOptions, GroupMark, ProgramKindOption):
    index = forms.BooleanField(label=_("앞에 사업 목록 표"), required=False, initial=True)
    parts = forms.CharField(
        label=_("사업마다 찍는 부분과 순서"),
        initial=DEFAULT_PARTS,
        help_text=format_lazy(" ".join(["{}({})"] * len(PARTS)), *chain(*PARTS.items())),
        widget=forms.TextInput(attrs={"size": 70}),
    )
    marker = forms.CharField(label=_("부분 제목 표시"), initial="□", max_length=3, required=False)
    purpose_lines = forms.BooleanField(label=_("목적을 줄마다 나눠"), required=False, initial=False)
    show_team = forms.BooleanField(label=_("담당 팀 이름"), required=False, initial=True)
    headings = forms.CharField(
        label=_("부분 제목 바꾸기"),
        required=False,
        initial="",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("한 줄에 하나씩: achievements=추진실적"),
    )
    group_by = forms.ChoiceField(
        label=_("사업 묶어 찍기"),
        choices=GROUPINGS,
        initial="",
        required=False,
        help_text=_(
            "묶음마다 제목을 찍고, 서식의 사업 번호가 1-1이면 묶음마다 번호를 새로 매깁니다"
        ),
    )
    quarter_schedule = forms.BooleanField(
        label=_("분기별 집행계획 표에 추진일정 줄"), required=False, initial=True
    )

    def clean_parts(self):
        names = self.cleaned_data["parts"].split()
        unknown = [n for n in names if n not in PARTS]
        if unknown:
            raise forms.ValidationError(_("모르는 부분: %s") % ", ".join(unknown))
        return " ".join(names)


def default_headings():
    """Each part's heading; the purpose prints without one unless the clerk names it."""
    return {name: str(label) for name, label in PARTS.items()} | {"purpose": ""}


def _headings(options):
    found = default_headings()
    for line in options["headings"].splitlines():
        name, sep, text = line.partition("=")
        if sep and name.strip() in PARTS:
            found[name.strip()] = text.strip()
    return found


def program_rows(ctx, options, with_pks=False, quarters=False):
    """The programs a block prints, in order and numbered, each with its latest progress
    entry up to the as-of quarter (and, with_pks, their database ids in the same order).

    The block's units (its scope) are read in the same queries whatever their number;
    quarters: each program's quarter grid too (two queries more)."""
    found_units = units(ctx, {"options": options})
    programs = _programs(ctx, options, member_ids(found_units), quarters)
    placed = _in_order(ctx, options, programs, found_units)
    plans = _quarter_plans(programs) if quarters else None
    rows = [_program(ctx, *place, plans) for place in placed]
    return (rows, [program.pk for program, *_rest in placed]) if with_pks else rows


def _programs(ctx, options, department_ids, quarters):
    as_of = ctx.as_of
    entries = ProgressEntry.objects.filter(year=as_of.year, quarter__lte=quarter_of(as_of))
    kinds = Program.Kind.values if options["programs"] == "all" else [options["programs"]]
    found = Program.objects.filter(department__in=department_ids, year=as_of.year, kind__in=kinds)
    found = found.select_related("team", "department", "group").prefetch_related(
        Prefetch("progress", entries.order_by("-quarter"), to_attr="entries"),
        "schedule",
        Prefetch("kpis", Kpi.objects.prefetch_related("values")),
    )
    if quarters:
        found = found.prefetch_related("budget_lines")
    return list(found)


def _in_order(ctx, options, programs, found_units):
    """(program, number, group heading, unit name) in printing order.

    Without grouping, a department's own programs keep their 연번 and a roll-up numbers
    its programs in order. Grouped (by program group, or by unit in a roll-up), each group
    gets a heading and a number; programs are numbered on through the block, or from 1 in
    each group when the house numbers programs by group (1-1, 1-2, 2-1). The numbering
    starts again for each kind of program (주요사업, 신규·중점사업), as the 연번 does."""
    rolled_up = len(found_units) > 1
    by = options.get("group_by") or ""
    if by == "unit" and not rolled_up:
        by = ""
    # (unit, place in the unit): a division's own programs, then its teams' in tree order
    place = {pk: (n, m) for n, unit in enumerate(found_units) for m, pk in enumerate(unit.members)}
    names = _unit_names(ctx, found_units) if rolled_up else {}
    ordered = sorted(programs, key=lambda p: _sort_key(p, by, place))
    groups = _groups(options, ordered, by, names, place)
    restart = by and house.complete(ctx.style)["program_numbering"] == "grouped"
    counters, placed = defaultdict(int), []
    for program in ordered:
        group = groups.get(program.pk)
        counter = (program.kind, group["number"] if restart and group else None)
        counters[counter] += 1
        number = counters[counter] if by or rolled_up else program.order
        placed.append((program, number, group, names.get(program.department_id, "")))
    return placed


KIND_ORDER = {kind: n for n, kind in enumerate(Program.Kind.values)}


def _sort_key(program, by, place):
    (unit, member), kind = place[program.department_id], KIND_ORDER[program.kind]
    if by == "group":
        group = program.group
        # groups of the units above the briefing's department (a bureau's) come first
        found = (0, place.get(group.department_id, (-1, 0)), group.order) if group else (1,)
        return (found, kind, unit, member, program.order)
    if by == "unit":
        return (unit, kind, member, program.order)
    return (kind, unit, member, program.order)


def _unit_names(ctx, found_units):
    """{department id: the name of its unit on the as-of date} (one query for renames)."""
    prefetch_related_objects([unit.department for unit in found_units], "names")
    return {pk: unit.department.name_on(ctx.as_of) for unit in found_units for pk in unit.members}


def _groups(options, ordered, by, names, place):
    """{program id: its group's heading}, the printed groups numbered in order from 1 (a
    group none of whose programs prints takes no number)."""
    if by == "group":
        heading = {p.pk: (p.group.pk, p.group.marker, p.group.title) for p in ordered if p.group}
    elif by == "unit":
        heading = {p.pk: (place[p.department_id][0], "", names[p.department_id]) for p in ordered}
    else:
        return {}
    numbers, found = {}, {}
    for program in ordered:
        if program.pk in heading:
            key, marker, title = heading[program.pk]
            number = numbers.setdefault(key, len(numbers) + 1)
            mark = marker or house.numbered(options.get("group_mark") or "", number)
            found[program.pk] = {"number": number, "mark": mark, "title": title}
    return found


# The quarter grid: the linked lines' plans (and the lines below them: amounts sit on leaf
# lines), as far down as the budget tree goes below a program's line.
PLAN_LINE_PATHS = ("line", "line__parent", "line__parent__parent", "line__parent__parent__parent")


def _quarter_plans(programs):
    """[(the plan's line and its parents' ids, quarter, amount)] under the programs' linked
    lines, in one query."""
    ids = {line.pk for p in programs for line in p.budget_lines.all()}
    below = Q()
    for path in PLAN_LINE_PATHS:
        below |= Q(**{f"{path}__in": ids})
    paths = [f"{path}_id" for path in PLAN_LINE_PATHS]
    rows = QuarterPlan.objects.filter(below).values_list("quarter", "amount", *paths) if ids else []
    return [({pk for pk in row[2:] if pk}, row[0], row[1]) for row in rows]


def _quarter_grid(program, plans):
    """분기별 집행계획 of a program: a row per linked line with plans (and 계 first when
    there are several), 계 = the sum of the quarters; exact 천원, converted when printed."""
    lines = sorted(program.budget_lines.all(), key=lambda line: (line.order, line.name))
    rows = []
    for line in lines:
        mine = [(quarter, amount) for found, quarter, amount in plans if line.pk in found]
        if mine:
            rows.append(_quarter_row(line.name, mine))
    if len(rows) > 1:
        linked = {line.pk for line in lines}  # a plan under two linked lines counts once
        every = [(quarter, amount) for found, quarter, amount in plans if found & linked]
        rows.insert(0, _quarter_row(TOTAL_LABEL, every))
    return rows


def _quarter_row(label, amounts):
    by_quarter = dict.fromkeys(QUARTERS)
    for quarter, amount in amounts:
        by_quarter[quarter] = (by_quarter[quarter] or 0) + amount
    present = [a for a in by_quarter.values() if a is not None]
    return {"label": label, "total": sum(present), "quarters": list(by_quarter.values())}


def _schedule_by_quarter(program):
    """The program's schedule steps of its year in each quarter (a month names its
    quarter); empty when it has none."""
    by_quarter = {q: [] for q in QUARTERS}
    for item in program.schedule.all():
        if item.year == program.year:
            by_quarter[item.quarter or (item.month - 1) // 3 + 1].append(item.text)
    return list(by_quarter.values()) if any(by_quarter.values()) else []


def _items(nodes):
    return [
        {
            "level": item.level,
            "marker": item.marker,
            "text": item.text,
            "when": item.when,
            "amount": item.amount,
            "is_note": item.is_note,
            "children": _items(item.children),
        }
        for item in nodes
    ]


def outline_data(text):
    return _items(outline.tree(text))


def _program(ctx, program, number, group, unit, plans):
    entry = program.entries[0] if program.entries else None
    return {
        "id": f"{program.department.code}-{program.kind}-{program.order}",
        "number": number,
        "mark": house.program_mark(ctx.style, number, group and group["number"]),
        "group": group,
        "unit": unit,  # in a roll-up: the unit the program belongs to
        "title": program.title,
        "unit_title": program.unit_title,
        "team": program.team.name if program.team else "",
        "purpose": program.purpose,
        "legal_basis": program.legal_basis,
        "period": program.period,
        "overview": outline_data(program.overview),
        "quarter": entry.quarter if entry else None,
        "achievements": outline_data(entry.achievements) if entry else [],
        "plans": outline_data(entry.plans) if entry else [],
        "budget": _program_budget(entry),
        "schedule": [
            {
                "when": s.when,
                "text": s.text,
                "amount": s.amount,
                "quarter": s.quarter,
                "month": s.month,
            }
            for s in program.schedule.all()
        ],
        "kpis": [_kpi(k) for k in program.kpis.all()],
        "quarters": _quarter_grid(program, plans) if plans is not None else [],
        "schedule_quarters": _schedule_by_quarter(program) if plans is not None else [],
    }


def _program_budget(entry):
    if entry is None or entry.budget is None:
        return None
    return {
        "budget": entry.budget,
        "executed": entry.executed,
        "rate": entry.rate,
        "source": entry.get_budget_source_display(),
        "note": entry.budget_note,
    }


def _kpi(kpi):
    return {
        "name": kpi.name,
        "unit": kpi.unit,
        "direction": kpi.get_direction_display(),
        "values": [
            {
                "year": v.year,
                "target": v.target,
                "actual": v.actual,
                "achieved": percent(v.actual, v.target),
            }
            for v in kpi.values.all()
        ],
    }


def _placed(ctx, programs, placed, pks):
    """Each program's own blocks (a table, a box …) built into it, in their order."""
    from ..report import build_block

    for program, pk in zip(programs, pks, strict=True):
        specs = [spec for spec in placed if spec["program"] == pk]
        built = (build_block(ctx, s, f"{program['id']}-b{n}") for n, s in enumerate(specs, 1))
        program["blocks"] = [b for b in built if b]


def programs(ctx, spec):
    options = spec["options"]
    parts = options["parts"].split()
    found, pks = program_rows(ctx, options, with_pks=True, quarters="quarters" in parts)
    if not found:
        return None
    _placed(ctx, found, spec.get("placed", []), pks)
    if "blocks" not in parts:  # placed blocks are printed, at the end if no place is named
        parts.append("blocks")
    return {
        "programs": found,
        "index": options["index"],
        "parts": parts,
        "headings": _headings(options),
        "marker": options["marker"],
        "purpose_lines": options["purpose_lines"],
        "show_team": options["show_team"],
        "money": money_of(ctx, options),
        "quarter_schedule": options["quarter_schedule"],
    }


register(Kind("programs", _("사업별 추진실적"), programs, ProgramOptions))


def _across(key):
    """A table across programs: only the programs that have something for it, numbered as
    the programs block numbers them (by their groups where the house numbers so: 1-1)."""

    def build(ctx, spec):
        options = spec["options"]
        if house.complete(ctx.style)["program_numbering"] == "grouped":
            options = options | {"group_by": "group"}
        found = program_rows(ctx, options)
        if key:
            found = [p for p in found if p[key]]
        return {"programs": found} if found else None

    return build


class KpiOptions(AllPrograms):
    unit_in_cells = forms.BooleanField(
        label=_("값에 단위 붙이기 (82점)"), required=False, initial=False
    )


def kpis(ctx, spec):
    found = _across("kpis")(ctx, spec)
    return found and found | {"unit_in_cells": spec["options"]["unit_in_cells"]}


register(Kind("kpis", _("성과지표"), kpis, KpiOptions))


class ScheduleOptions(MoneyOptions, AllPrograms):
    pass


def schedule(ctx, spec):
    found = _across("schedule")(ctx, spec)
    return found and found | {"money": money_of(ctx, spec["options"])}


register(Kind("schedule", _("예산집행 및 추진일정"), schedule, ScheduleOptions))
register(Kind("progress_matrix", _("주요사업 추진상황표"), _across(None), AllPrograms))


class StrategyOptions(GroupMark, AllPrograms):
    group_heading = forms.CharField(label=_("묶음 열 제목"), initial="전략", max_length=30)
    program_heading = forms.CharField(label=_("사업 열 제목"), initial="과제", max_length=30)
    numbers = forms.BooleanField(label=_("사업 번호 찍기"), required=False, initial=True)


def strategy(ctx, spec):
    """전략 → 과제: each program group with its programs, as a bureau's report draws it
    (the group's cell spans its programs' rows); numbered as a programs block grouped by
    group numbers them."""
    options = spec["options"] | {"group_by": "group"}
    groups = []
    for program in program_rows(ctx, options):
        if program["group"] is None:
            continue
        if not groups or groups[-1]["number"] != program["group"]["number"]:
            groups.append(program["group"] | {"programs": []})
        shown = {key: program[key] for key in ("id", "mark", "title", "unit")}
        groups[-1]["programs"].append(shown)
    if not groups:
        return None
    headings = {key: options[key] for key in ("group_heading", "program_heading", "numbers")}
    return {"groups": groups} | headings


register(Kind("strategy", _("전략 → 과제 표"), strategy, StrategyOptions))
