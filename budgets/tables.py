"""Budget tables: the line tree of a year with sums and derived figures.

Two queries (lines, snapshots), assembled in Python into plain dataclasses; templates only
format them. A table reads one department or the units of a roll-up (a bureau's divisions,
each with the units below it): the same two queries whatever their number. Each derived
figure has exactly one formula, in `_derive`:

- 추경 등 (changes) = budget − original (예산현액 − 본예산)
- 잔액 (remainder) = budget − executed
- 집행률 (rate) = executed / budget × 100; 원인행위율 (commit_rate) = committed / budget × 100
- 징수율 (collection_rate) = collected / assessed × 100 (수납액 / 징수결정액);
  예산 대비 징수율 (collected_rate) = collected / budget × 100; 미수납액 = assessed − collected
- 증감액 (change), 증감률 (change_rate): `year_change`, the one rule for every comparison
  with a base year (the prior budget here, last year's figures in `council.compare`)
- 구성비 (share) = budget / parent's budget × 100 (top lines: of the total)

Percentages are Decimals rounded half up to ``places`` decimals (1 by default; the 2008
tables print 2). Parent rows are the sums of their children; a subtotal a source printed
for a parent (`stated_budget`) is compared with that sum, and a difference is listed in
the table's ``warnings``, never used as the figure.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from departments.models import member_ids

from .models import BudgetLine, BudgetSnapshot

TOTAL_LABEL = _("계")
UNCATEGORISED = _("구분 없음")
# Figures of a snapshot, summed up the tree.
SNAPSHOT_AMOUNTS = (
    "budget",
    "executed",
    "committed",
    "collected",
    "assessed",
    "supplementary",
    "carried_over",
    "other_change",
)
SUMMED = (*SNAPSHOT_AMOUNTS, "original", "prior")
LINE_FIELDS = (
    "id",
    "department_id",
    "parent_id",
    "name",
    "level",
    "source",
    "prior_budget",
    "original_budget",
    "stated_budget",
    "reference",
    "category__name",
    "category__order",
)


def percent(part, whole, places=1):
    """part / whole × 100, rounded half up to ``places`` decimals; None without a base."""
    if part is None or not whole:
        return None
    with localcontext() as context:
        context.prec = 50  # exact for any 천원 amount, so a tie really is a tie
        ratio = Decimal(part) * 100 / Decimal(whole)
        return ratio.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearChange:
    change: int | None = None  # None: nothing to compare with, shown "-"
    rate: Decimal | None = None
    is_new: bool = False  # a figure the base year did not have: shown "순증"


def year_change(current, base, base_year_known, places=1):
    """증감 of a figure against its base-year figure, the same rule wherever one is shown.

    Without a base year at all (no line has a prior budget, no figures last year) there is
    nothing to compare with: no change, not the whole figure. In a known base year, a figure
    without a base is new (순증) and all of it is the change.
    """
    if current is None or not base_year_known:
        return YearChange()
    if not base:
        return YearChange(current, None, bool(current))
    change = current - base
    return YearChange(change, percent(change, base, places))


def _sum(values):
    """The sum of the figures present; None when none is (shown as "-")."""
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def _difference(a, b):
    return a - b if a is not None and b is not None else None


@dataclass
class BudgetRow:
    name: str
    level: str = ""
    source: str = ""
    depth: int = 0
    line_id: int | None = None
    unit: str = ""  # a roll-up's unit row: the unit's code
    category: str = ""
    category_order: int = 0
    reference: str = ""
    as_of: dt.date | None = None
    original: int | None = None
    supplementary: int | None = None
    carried_over: int | None = None
    other_change: int | None = None
    budget: int | None = None
    executed: int | None = None
    committed: int | None = None
    collected: int | None = None
    assessed: int | None = None
    prior: int | None = None
    stated: int | None = None  # the subtotal a source printed for this parent
    changes: int | None = None
    remainder: int | None = None
    uncollected: int | None = None
    rate: Decimal | None = None
    commit_rate: Decimal | None = None
    collection_rate: Decimal | None = None
    collected_rate: Decimal | None = None
    change: int | None = None
    change_rate: Decimal | None = None
    share: Decimal | None = None
    is_new: bool = False  # no prior budget where the table has them: 증감률 "순증"
    children: list["BudgetRow"] = field(default_factory=list)

    @property
    def level_label(self):
        return BudgetLine.Level(self.level).label if self.level else ""

    @property
    def source_label(self):
        return BudgetLine.Source(self.source).label if self.source else ""

    @property
    def mismatch(self):
        return self.stated is not None and self.stated != self.budget


@dataclass
class BudgetTable:
    year: int
    kind: str
    places: int
    as_of: dt.date | None  # the latest snapshot the figures come from
    total: BudgetRow
    roots: list[BudgetRow]
    rows: list[BudgetRow]  # every row, depth first, in display order
    warnings: list[dict] = field(default_factory=list)  # printed subtotals ≠ their sums

    def row(self, line_id):
        return next(row for row in self.rows if row.line_id == line_id)


def _derive(row, base, places, has_prior):
    """Sets the derived figures of a row whose amounts are known; base: 구성비 denominator;
    has_prior: whether the table has prior budgets at all (the base year is known)."""
    row.changes = _difference(row.budget, row.original)
    row.remainder = _difference(row.budget, row.executed)
    row.uncollected = _difference(row.assessed, row.collected)
    row.rate = percent(row.executed, row.budget, places)
    row.commit_rate = percent(row.committed, row.budget, places)
    row.collection_rate = percent(row.collected, row.assessed, places)
    row.collected_rate = percent(row.collected, row.budget, places)
    change = year_change(row.budget, row.prior, has_prior, places)
    row.change, row.change_rate, row.is_new = change.change, change.rate, change.is_new
    row.share = percent(row.budget, base, places)


def _add_up(row, children):
    row.children = children
    for name in SUMMED:
        setattr(row, name, _sum(getattr(child, name) for child in children))
    row.as_of = max((c.as_of for c in children if c.as_of), default=None)


def _build(line, children_of, latest, depth):
    row = BudgetRow(
        name=line["name"],
        level=line["level"],
        source=line["source"],
        depth=depth,
        line_id=line["id"],
        category=line["category__name"] or "",
        category_order=line["category__order"] or 0,
        reference=line["reference"],
    )
    children = [_build(child, children_of, latest, depth + 1) for child in children_of[line["id"]]]
    if children:
        _add_up(row, children)
        row.stated = line["stated_budget"]
    else:
        row.prior = line["prior_budget"]
        row.original = line["original_budget"]
        snapshot = latest.get(line["id"], {})
        row.as_of = snapshot.get("as_of")
        for name in SNAPSHOT_AMOUNTS:
            setattr(row, name, snapshot.get(name))
    return row


def _derive_tree(rows, base, places, has_prior):
    for row in rows:
        _derive(row, base, places, has_prior)
        _derive_tree(row.children, row.budget, places, has_prior)


def _flatten(rows):
    for row in rows:
        yield row
        yield from _flatten(row.children)


def _shift(rows, by):
    for row in _flatten(rows):
        row.depth += by


def latest_snapshots(departments, year, kind, as_of=None):
    """{line id: amounts} of each line's latest snapshot on or before as_of (one query)."""
    snapshots = BudgetSnapshot.objects.filter(
        line__department__in=departments, line__year=year, line__kind=kind
    )
    if as_of is not None:
        snapshots = snapshots.filter(as_of__lte=as_of)
    rows = snapshots.order_by("line_id", "as_of").values("line_id", "as_of", *SNAPSHOT_AMOUNTS)
    return {row["line_id"]: row for row in rows}  # later dates overwrite earlier ones


def _lines(departments, year, kind):
    lines = BudgetLine.objects.filter(department__in=departments, year=year, kind=kind)
    return list(lines.order_by("order", "name").values(*LINE_FIELDS))


def _trees(lines, latest, depth=0):
    """The root rows of the lines given (a line whose parent is not among them is a root)."""
    known = {line["id"] for line in lines}
    children_of = defaultdict(list)
    for line in lines:
        parent = line["parent_id"] if line["parent_id"] in known else None
        children_of[parent].append(line)
    return [_build(line, children_of, latest, depth) for line in children_of[None]]


def _table(year, kind, places, roots, lines):
    total = BudgetRow(name=str(TOTAL_LABEL))
    _add_up(total, roots)
    has_prior = any(line["prior_budget"] is not None for line in lines)
    _derive(total, total.budget, places, has_prior)
    _derive_tree(roots, total.budget, places, has_prior)
    rows = list(_flatten(roots))
    warnings = [
        {"name": row.name, "stated": row.stated, "sum": row.budget} for row in rows if row.mismatch
    ]
    return BudgetTable(year, kind, places, total.as_of, total, roots, rows, warnings)


def budget_table(
    department, year, kind=BudgetLine.Kind.EXPENDITURE, as_of=None, places=1
) -> BudgetTable:
    """The budget tree of a department's year at an as-of date (None: latest), two queries."""
    lines = _lines([department], year, kind)
    roots = _trees(lines, latest_snapshots([department], year, kind, as_of))
    return _table(year, kind, places, roots, lines)


def units_table(units, year, kind=BudgetLine.Kind.EXPENDITURE, as_of=None, places=1, grouped=None):
    """A roll-up (`Department.objects.units_of`): a subtotal row per unit with the unit's
    lines below it, and the total of all; two queries however many units there are.

    A single unit prints its lines alone, as `budget_table` does, unless ``grouped``.
    """
    members = member_ids(units)
    lines = _lines(members, year, kind)
    latest = latest_snapshots(members, year, kind, as_of)
    if not (len(units) > 1 if grouped is None else grouped):
        return _table(year, kind, places, _trees(lines, latest), lines)
    by_department = defaultdict(list)
    for line in lines:
        by_department[line["department_id"]].append(line)
    roots = []
    for unit in units:
        own = [line for pk in unit.members for line in by_department[pk]]
        if not own:
            continue
        row = BudgetRow(name=unit.department.name, level="division", unit=unit.department.code)
        _add_up(row, _trees(own, latest, depth=1))
        roots.append(row)
    return _table(year, kind, places, roots, lines)


def lines_table(line_ids, year, kind=BudgetLine.Kind.EXPENDITURE, as_of=None, places=1):
    """The given lines (a program's linked lines), each with the lines below it, summed."""
    below = BudgetLine.objects.filter(_with_lines_below(line_ids), year=year, kind=kind)
    lines = list(below.order_by("order", "name").values(*LINE_FIELDS))
    departments = {line["department_id"] for line in lines}
    latest = latest_snapshots(departments, year, kind, as_of)
    return _table(year, kind, places, _trees(lines, latest), lines)


def _with_lines_below(line_ids):
    """The lines given and every line below them (a tree is at most six levels deep)."""
    ids = list(line_ids)
    query = Q(pk__in=ids)
    path = "parent"
    for _depth in range(6):
        query |= Q(**{f"{path}__in": ids})
        path = f"{path}__parent"
    return query


def summary(table, by):
    """The table summed by unit (its unit rows) or by category (each leaf counted once,
    under its own category or its nearest parent's), as a table of depth-0 rows."""
    if by == "unit":
        roots = [row for row in table.roots if row.unit] or table.roots
        groups = [_copy(row) for row in roots]
    else:
        sums = defaultdict(list)
        for root in table.roots:
            for leaf, category in _leaves(root, (root.category_order, root.category)):
                sums[category].append(leaf)
        groups = []
        # by the categories' order; leaves without one last
        for (_order, name), leaves in sorted(sums.items(), key=lambda c: (not c[0][1], c[0])):
            row = BudgetRow(name=name or str(UNCATEGORISED), category=name)
            _add_up(row, leaves)
            row.children = []
            groups.append(row)
    total = BudgetRow(name=str(TOTAL_LABEL))
    _add_up(total, groups)
    has_prior = any(row.prior is not None for row in table.rows)
    _derive(total, total.budget, table.places, has_prior)
    for row in groups:
        _derive(row, total.budget, table.places, has_prior)
    return BudgetTable(table.year, table.kind, table.places, table.as_of, total, groups, groups)


def _copy(row):
    copy = BudgetRow(name=row.name, level=row.level, unit=row.unit, as_of=row.as_of)
    for name in SUMMED:
        setattr(copy, name, getattr(row, name))
    return copy


def _leaves(row, category):
    category = (row.category_order, row.category) if row.category else category
    if not row.children:
        yield row, category
    for child in row.children:
        yield from _leaves(child, category)


def subtotal_warnings(lines):
    """A message for each line of the queryset whose printed subtotal differs from the sum
    of the lines below it (one query for the lines, two per table they belong to)."""
    stated = lines.filter(stated_budget__isnull=False).select_related("department")
    found = []
    tables = {}
    for line in stated.order_by("department__code", "-year", "kind", "order"):
        key = (line.department_id, line.year, line.kind)
        if key not in tables:
            tables[key] = budget_table(*key)
        row = tables[key].row(line.pk)
        if row.mismatch:
            found.append(
                _(
                    "%(department)s %(year)s년 '%(name)s': 인쇄된 소계 %(stated)s천원이 하위 "
                    "항목의 합계 %(sum)s천원과 다릅니다. 표에는 합계가 나갑니다."
                )
                % {
                    "department": line.department.name,
                    "year": line.year,
                    "name": line.name,
                    "stated": f"{row.stated:,}",
                    "sum": f"{row.budget or 0:,}",
                }
            )
    return found


def line_figures(line, as_of=None, places=1) -> BudgetRow:
    """One line's figures (its subtree summed) at its latest snapshot or at as_of."""
    table = budget_table(line.department_id, line.year, line.kind, as_of, places)
    return table.row(line.pk)
