"""Count tables with grouped columns: staffing (직종 → 직급) and vehicles (차종 → 규격).

Built as plain data; the template `tables/count_table.html` only formats it. A group with
more than one column gets a 소계 column first; the first data column is the grand total.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SUBTOTAL = _("소계")


@dataclass
class Group:
    name: str
    columns: list[str]


@dataclass
class Row:
    label: str
    total: int
    cells: list[int]
    unit: str = ""  # a roll-up's row: the unit it counts, printed on its first row
    span: int = 0  # on a unit's first row: how many rows the unit has


@dataclass
class CountTable:
    total_label: str
    groups: list[Group]
    rows: list[Row]
    by_unit: bool = False  # rows of a roll-up: the total's, then each unit's


def _add(values_list):
    keys = values_list[0].keys() if values_list else ()
    return {key: sum(values[key] for values in values_list) for key in keys}


def count_table(entries, measures, total_label):
    """entries: (group, column, values) in display order; measures: (row label, value key)."""
    by_group: dict[str, list[tuple[str, dict]]] = {}
    for group, column, values in entries:
        by_group.setdefault(group, []).append((column, values))
    groups, columns = [], []
    for name, cells in by_group.items():
        labels = [label for label, _ in cells]
        values = [value for _, value in cells]
        if len(cells) > 1:
            labels, values = [SUBTOTAL, *labels], [_add(values), *values]
        groups.append(Group(name, labels))
        columns += values
    total = _add([values for _, _, values in entries])
    rows = [
        Row(label, total.get(key, 0), [column[key] for column in columns])
        for label, key in measures
    ]
    return CountTable(total_label, groups, rows)


def staffing_table(snapshot):
    """정원 / 현원 / 과부족 (현원 − 정원) by position class and grade."""
    counts = snapshot.counts.select_related("grade__position_class").order_by(
        "grade__position_class__order", "grade__order"
    )
    entries = [
        (
            c.grade.position_class.name,
            c.grade.name,
            {"authorised": c.authorised, "actual": c.actual, "gap": c.actual - c.authorised},
        )
        for c in counts
    ]
    measures = [(_("정원"), "authorised"), (_("현원"), "actual"), (_("과부족"), "gap")]
    return count_table(entries, measures, _("계"))


def vehicle_table(fleet):
    """Vehicle counts by category and size, with 소계 per category and the 총계."""
    counts = fleet.counts.select_related("size__category").order_by(
        "size__category__order", "size__order"
    )
    entries = [(c.size.category.name, c.size.name, {"count": c.count}) for c in counts]
    return count_table(entries, [(_("대수"), "count")], _("총계"))


@dataclass
class Site:
    """Buildings reported under one 구분 (e.g. 본관: 본관, 보건소, 부속건물) and their 계."""

    name: str
    facilities: list
    land_total: object
    floor_total: object


@dataclass
class FacilityGroup:
    category: str
    sites: list[Site]


def _total(values):
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def facility_groups(facilities):
    """Facilities (already ordered by category and order) grouped by category, then site."""
    groups: dict[str, dict[str, list]] = {}
    for facility in facilities:
        groups.setdefault(facility.category, {}).setdefault(facility.site, []).append(facility)
    return [
        FacilityGroup(
            category,
            [
                Site(
                    name,
                    rows,
                    _total(f.land_area for f in rows),
                    _total(f.floor_area for f in rows),
                )
                for name, rows in sites.items()
            ],
        )
        for category, sites in groups.items()
    ]
