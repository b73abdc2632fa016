"""Blocks of the programs (주요사업) a department reports: each program with its parts in
the order and under the headings the house uses, and the tables across programs (KPIs,
schedules, the progress matrix)."""

from itertools import chain

from django import forms
from django.db.models import Prefetch
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from budgets.tables import percent
from programs import outline
from programs.models import Kpi, Program, ProgressEntry

from .. import style as house
from . import Kind, register

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
    "blocks": _("사업 안에 넣은 블록"),
}
DEFAULT_PARTS = "purpose overview achievements plans budget"
WHICH = [
    ("main", _("주요사업")),
    ("new_priority", _("신규·중점사업")),
    ("all", _("모든 사업")),
]


def quarter_of(date):
    return (date.month - 1) // 3 + 1


class ProgramKindOption(forms.Form):
    programs = forms.ChoiceField(label=_("사업"), choices=WHICH, initial="main")


class AllPrograms(forms.Form):
    programs = forms.ChoiceField(label=_("사업"), choices=WHICH, initial="all")


class ProgramOptions(ProgramKindOption):
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


def program_rows(ctx, which, with_pks=False):
    """Programs of the year with their latest progress entry up to the as-of quarter
    (and, with_pks, their database ids in the same order)."""
    as_of = ctx.as_of
    entries = ProgressEntry.objects.filter(year=as_of.year, quarter__lte=quarter_of(as_of))
    kinds = Program.Kind.values if which == "all" else [which]
    programs = (
        Program.objects.filter(department=ctx.department, year=as_of.year, kind__in=kinds)
        .select_related("team", "department")
        .prefetch_related(
            Prefetch("progress", entries.order_by("-quarter"), to_attr="entries"),
            "schedule",
            Prefetch("kpis", Kpi.objects.prefetch_related("values")),
        )
    )
    order = {kind: n for n, kind in enumerate(kinds)}
    programs = sorted(programs, key=lambda p: (order[p.kind], p.order))
    rows = [_program(ctx, p) for p in programs]
    return (rows, [p.pk for p in programs]) if with_pks else rows


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


def _program(ctx, program):
    entry = program.entries[0] if program.entries else None
    return {
        "id": f"{program.department.code}-{program.kind}-{program.order}",
        "number": program.order,
        "mark": house.program_mark(ctx.style, program.order),
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
    found, pks = program_rows(ctx, options["programs"], with_pks=True)
    if not found:
        return None
    _placed(ctx, found, spec.get("placed", []), pks)
    parts = options["parts"].split()
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
    }


register(Kind("programs", _("사업별 추진실적"), programs, ProgramOptions))


def _across(key):
    """A table across programs: only the programs that have something for it."""

    def build(ctx, spec):
        found = program_rows(ctx, spec["options"]["programs"])
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
register(Kind("schedule", _("예산집행 및 추진일정"), _across("schedule"), AllPrograms))
register(Kind("progress_matrix", _("주요사업 추진상황표"), _across(None), AllPrograms))
