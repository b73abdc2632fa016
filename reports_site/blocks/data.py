"""Blocks of the figures departments keep: organisation, staffing, facilities, vehicles,
goals and the briefing's writers (budgets and council requests have modules of their own)."""

from collections import defaultdict

from django import forms
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from departments.models import (
    Department,
    Duty,
    Facility,
    StaffingCount,
    StaffingSnapshot,
    VehicleCount,
    VehicleFleet,
    member_ids,
)
from departments.tables import count_table, facility_groups
from programs.models import StrategicGoal

from . import Kind, Scoped, register, units


def _latest(queryset, departments, as_of):
    """The rows of each department's latest as-of date on or before the briefing's, in one
    query however many departments there are."""
    rows = queryset.filter(department__in=departments, as_of__lte=as_of)
    latest = queryset.filter(department=OuterRef("department"), as_of__lte=as_of)
    return rows.filter(as_of=Subquery(latest.order_by("-as_of").values("as_of")[:1]))


def columns(vocabulary, chosen):
    """The chosen columns in the vocabulary's order, as {name, label}."""
    return [{"name": name, "label": str(label)} for name, label in vocabulary if name in chosen]


def _names(text):
    return [name.strip() for name in text.replace("\n", ",").split(",") if name.strip()]


# Organisation ---------------------------------------------------------------------------


class OrganisationOptions(forms.Form):
    count = forms.ChoiceField(
        label=_("하위 조직 세기"),
        choices=[
            ("units", _("바로 아래 조직 수: (6)개팀")),
            ("kinds", _("명칭별로 모두: 1국 2과 1담당관 8담당")),
            ("none", _("세지 않음")),
        ],
        initial="units",
    )
    unit_word = forms.CharField(
        label=_("하위 조직 단위"),
        required=False,
        initial="",
        max_length=10,
        help_text=_("팀, 담당, 과, 사업소 … (비우면 아래 조직의 명칭)"),
    )
    summary = forms.CharField(
        label=_("요약 줄"),
        required=False,
        initial="",
        max_length=100,
        help_text=_("예: 1과 6담당 (비우면 위에서 고른 대로 셉니다)"),
    )
    depth = forms.ChoiceField(
        label=_("보일 조직"),
        choices=[("1", _("바로 아래 조직")), ("2", _("그 아래 조직까지 (국이면 과와 팀)"))],
        initial="1",
    )
    duties_as = forms.ChoiceField(
        label=_("담당업무 모양"),
        choices=[("list", _("목록")), ("table", _("구분 | 담당업무 표"))],
        initial="list",
    )


def organisation(ctx, spec):
    department, options = ctx.department, spec["options"]
    below = Department.objects.below(department).filter(active=True).select_related("unit_kind")
    children = defaultdict(list)
    for unit in below.order_by("order", "code"):
        children[unit.parent_id].append(unit)
    units = children[department.pk]
    shown = (
        [*units, *(sub for u in units for sub in children[u.pk])]
        if options["depth"] == "2"
        else units
    )
    duties = defaultdict(list)  # the department's and its units' duties in one query
    for duty in Duty.objects.filter(department__in=[department, *shown]).order_by("order"):
        duties[duty.department_id].append(duty.text)

    def entry(unit):
        return {"name": unit.name, "word": unit.kind_word, "duties": duties[unit.pk]}

    teams = [entry(u) for u in units]
    if options["depth"] == "2":
        for team, unit in zip(teams, units, strict=True):
            team["units"] = [entry(sub) for sub in children[unit.pk]]
            own = [{"name": "", "duties": team["duties"]}] if team["duties"] else []
            team["rows"] = own + team["units"] or [{"name": "", "duties": []}]
    summary, word = options["summary"], ""
    if not summary and options["count"] == "kinds":
        summary = count_by_kind(department, units, children)
    elif options["count"] == "units":
        word = options["unit_word"] or (units[0].kind_word if units else "")
    return {
        "name": department.name_on(ctx.as_of),
        "head_title": department.head_title,
        "phone": department.phone,
        "summary": summary,
        "unit_word": word,
        "duties_as": options["duties_as"],
        "nested": options["depth"] == "2",
        "sub_word": next((t["units"][0]["word"] for t in teams if t.get("units")), ""),
        "duties": duties[department.pk],
        "teams": teams,
    }


def count_by_kind(department, units, children):
    """The department and every unit below it, counted by what each is called, in the
    kinds' order: "1국 2과 1담당관 8담당". The body itself (the root) is not counted: its
    report reads "5국 2담당관 118팀". A unit without a kind counts under its tier's word,
    after the named kinds."""
    counts, ranks = defaultdict(int), {}
    stack = [department] if department.parent_id else list(units)
    while stack:
        unit = stack.pop()
        kind, word = unit.unit_kind, unit.kind_word
        rank = (kind.order, 0) if kind else (10_000, Department.KIND_RANK[unit.kind])
        counts[word] += 1
        ranks[word] = min(rank, ranks.get(word, rank))
        stack.extend(children[unit.pk])
    return " ".join(f"{counts[word]}{word}" for word in sorted(counts, key=ranks.get))


register(Kind("organisation", _("조직"), organisation, OrganisationOptions))


# Count tables (staffing, vehicles) -------------------------------------------------------


class CountOptions(Scoped):
    total_label = forms.CharField(label=_("합계 이름"), initial="계", max_length=10)
    subtotal_label = forms.CharField(label=_("소계 이름"), initial="소계", max_length=10)
    total_last = forms.BooleanField(
        label=_("합계·소계를 뒤에"), required=False, initial=False, help_text=_("끄면 앞에")
    )
    hide_zero = forms.BooleanField(label=_("모두 0인 칸 숨기기"), required=False, initial=False)
    only = forms.CharField(
        label=_("넣을 구분"),
        required=False,
        initial="",
        help_text=_("쉼표로 나눈 직종·차종 이름 (비우면 모두)"),
    )


class StaffingOptions(CountOptions):
    gap = forms.ChoiceField(
        label=_("과부족 줄"),
        choices=[
            ("actual", _("현원 − 정원")),
            ("authorised", _("정원 − 현원")),
            ("none", _("넣지 않음")),
        ],
        initial="actual",
    )


def _summed(entries):
    """The entries (group, column, values) with one entry per column, summed (a unit's
    members each have theirs), in the order the columns first appear."""
    columns = {}
    for group, column, values in entries:
        found = columns.setdefault((group, column), dict.fromkeys(values, 0))
        for key, value in values.items():
            found[key] += value
    return [(group, column, values) for (group, column), values in columns.items()]


def _shape(by_unit, measures, options):
    """A count table of each unit's entries (group, column, values) as the options say:
    one unit prints its rows, several print the total's rows and then each unit's."""
    entries = _summed([e for _unit, unit_entries in by_unit for e in unit_entries])
    only = _names(options["only"])
    if only:
        entries = [e for e in entries if e[0] in only]
    if options["hide_zero"]:
        entries = [e for e in entries if any(e[2].values())]
    if not entries:
        return None
    table = count_table(entries, measures, options["total_label"])
    if len(by_unit) > 1:
        _add_units(table, entries, by_unit, measures, options)
    start = 0
    for group in table.groups:
        width = len(group.columns)
        if width > 1:
            group.columns[0] = options["subtotal_label"]
            if options["total_last"]:  # 소계 after its columns, as the 계 after all
                group.columns.append(group.columns.pop(0))
                for row in table.rows:
                    row.cells.insert(start + width - 1, row.cells.pop(start))
        start += width
    return {"table": table, "total_last": options["total_last"]}


def staffing(ctx, spec):
    options = spec["options"]
    sign = {"actual": 1, "authorised": -1, "none": 0}[options["gap"]]

    def counts(snapshots):
        found = StaffingCount.objects.filter(snapshot__in=snapshots).select_related(
            "grade__position_class"
        )
        for c in found.order_by("grade__position_class__order", "grade__order"):
            values = {"authorised": c.authorised, "actual": c.actual}
            values["gap"] = sign * (c.actual - c.authorised)
            yield c.snapshot_id, (c.grade.position_class.name, c.grade.name, values)

    by_unit, snapshots = _counted(ctx, spec, StaffingSnapshot, counts)
    measures = [(_("정원"), "authorised"), (_("현원"), "actual")]
    if sign:
        measures.append((_("과부족"), "gap"))
    shaped = _shape(by_unit, measures, options)
    if shaped is None:
        return None
    found = {"as_of": max(s.as_of for s in snapshots), "note": _own_note(ctx, snapshots), **shaped}
    if options["scope"] == "units":  # only then, so that other editions' data stays as it was
        found["rolled_up"] = True  # the comparison with last year sums the same units
    return found


def _own_note(ctx, rows):
    return next((row.note for row in rows if row.department_id == ctx.department.pk), "")


register(Kind("staffing", _("인력 현황"), staffing, StaffingOptions))


def _add_units(table, entries, by_unit, measures, options):
    """The roll-up's rows: the total's, then each unit's, on the total's columns; the first
    row of each names its unit (printed across its rows)."""
    zero = {key: 0 for _label, key in measures}
    columns = [(group, column) for group, column, _values in entries]
    rows = [(options["total_label"], table.rows)]
    for name, unit_entries in by_unit:
        own = {(g, c): values for g, c, values in _summed(unit_entries)}
        laid = [(g, c, own.get((g, c), zero)) for g, c in columns]
        rows.append((name, count_table(laid, measures, options["total_label"]).rows))
    table.rows = []
    for name, unit_rows in rows:
        for n, row in enumerate(unit_rows):
            row.unit, row.span = name, len(unit_rows) if n == 0 else 0
            table.rows.append(row)
    table.by_unit = True


def _counted(ctx, spec, model, counts):
    """Each unit's (name, entries) of a count table's latest rows, the rows themselves."""
    found = units(ctx, spec)
    latest = list(_latest(model.objects, member_ids(found), ctx.as_of))
    owner = {row.pk: row.department_id for row in latest}
    entries = defaultdict(list)
    for department, entry in counts(latest):
        entries[owner[department]].append(entry)
    by_unit = [(u.department.name, [e for pk in u.members for e in entries[pk]]) for u in found]
    return [unit for unit in by_unit if unit[1]], latest  # a unit with no rows prints none


class VehicleOptions(CountOptions):
    total_label = forms.CharField(label=_("합계 이름"), initial="총계", max_length=10)


def vehicles(ctx, spec):
    def counts(fleets):
        found = VehicleCount.objects.filter(fleet__in=fleets).select_related("size__category")
        for c in found.order_by("size__category__order", "size__order"):
            yield c.fleet_id, (c.size.category.name, c.size.name, {"count": c.count})

    by_unit, fleets = _counted(ctx, spec, VehicleFleet, counts)
    shaped = _shape(by_unit, [(_("대수"), "count")], spec["options"])
    if shaped is None:
        return None
    quotas = [fleet.quota for fleet in fleets if fleet.quota is not None]
    return {
        "as_of": max(fleet.as_of for fleet in fleets),
        "quota": sum(quotas) if quotas else None,
        "total": shaped["table"].rows[0].total,
        "note": _own_note(ctx, fleets),
        **shaped,
    }


register(Kind("vehicles", _("공용차량"), vehicles, VehicleOptions))


# Facilities -----------------------------------------------------------------------------

FACILITY_COLUMNS = [
    ("land_area", _("대지(㎡)")),
    ("floor_area", _("건물(㎡)")),
    ("scale", _("규모")),
    ("completed_on", _("준공일자")),
    ("notes", _("비고")),
]


class FacilityOptions(Scoped):
    columns = forms.MultipleChoiceField(
        label=_("열"),
        choices=FACILITY_COLUMNS,
        initial=[name for name, _label in FACILITY_COLUMNS],
        widget=forms.CheckboxSelectMultiple,
    )
    subtotals = forms.BooleanField(label=_("여러 건물 구분의 계 줄"), required=False, initial=True)
    marker = forms.CharField(label=_("분류 표시"), initial="□", max_length=3, required=False)
    only = forms.CharField(
        label=_("넣을 분류"), required=False, initial="", help_text=_("쉼표로 나눈 분류 이름")
    )


def facilities(ctx, spec):
    options = spec["options"]
    rows = (
        _latest(Facility.objects, member_ids(units(ctx, spec)), ctx.as_of)
        .select_related("managed_by")
        .prefetch_related("extensions")
        .order_by("category", "order")
    )
    only = _names(options["only"])
    groups = []
    for group in facility_groups(list(rows)):
        if only and group.category not in only:
            continue
        found = [f for site in group.sites for f in site.facilities]
        groups.append(
            {
                "category": group.category,
                "buildings": any(f.land_area or f.floor_area for f in found),
                "sites": [
                    {
                        "name": site.name,
                        "land_total": site.land_total,
                        "floor_total": site.floor_total,
                        "facilities": [_facility(f) for f in site.facilities],
                    }
                    for site in group.sites
                ],
            }
        )
    if not groups:
        return None
    return {
        "as_of": rows[0].as_of,  # rows were read above: no query
        "groups": groups,
        "columns": columns(FACILITY_COLUMNS, options["columns"]),
        "subtotals": options["subtotals"],
        "marker": options["marker"],
    }


def _facility(f):
    return {
        "name": f.name,
        "land_area": f.land_area,
        "floor_area": f.floor_area,
        "scale": f.scale,
        "completed_on": f.completed_on,
        "extensions": [
            {"completed_on": e.completed_on, "description": e.description}
            for e in f.extensions.all()
        ],
        "ownership": f.get_ownership_display(),
        "leased": f.ownership == Facility.Ownership.LEASED,
        "description": f.description,
        "notes": f.notes,
        "managed_by": f.managed_by.name if f.managed_by else "",
    }


register(Kind("facilities", _("주요시설"), facilities, FacilityOptions))


# Goals, writers ------------------------------------------------------


def goals(ctx, spec):
    year = ctx.as_of.year
    mission = ctx.department.missions.filter(year=year).first()
    strategic = (
        StrategicGoal.objects.filter(department=ctx.department, year=year)
        .prefetch_related("performance_goals__programs")
        .order_by("order")
    )
    found = {
        "mission": mission.text if mission else "",
        "goals": [
            {
                "number": s.order,
                "title": s.title,
                "performance_goals": [
                    {
                        "number": p.number,
                        "title": p.title,
                        "programs": [prog.title for prog in p.programs.all()],
                    }
                    for p in s.performance_goals.all()
                ],
            }
            for s in strategic
        ],
    }
    return found if found["mission"] or found["goals"] else None


register(Kind("goals", _("업무 목표와 방향"), goals))


class ContactOptions(forms.Form):
    label = forms.CharField(label=_("앞말"), initial="작성자", max_length=20, required=False)
    only = forms.CharField(
        label=_("넣을 사람"),
        required=False,
        initial="",
        help_text=_("쉼표로 나눈 직위나 성명 (비우면 모두): 사업 안에 두면 그 사업의 작성자"),
    )


def contacts(ctx, spec):
    if not ctx.briefing.pk:
        return None
    only = _names(spec["options"]["only"])
    found = [
        {"title": c.title, "name": c.name, "phone": c.phone}
        for c in ctx.briefing.contacts.all()
        if not only or c.title in only or c.name in only
    ]
    return {"label": spec["options"]["label"], "contacts": found} if found else None


register(Kind("contacts", _("작성자"), contacts, ContactOptions))
