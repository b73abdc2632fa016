"""Budget tables: the line tree of a department's year with sums and derived figures.

Two queries (lines, snapshots), assembled in Python into plain dataclasses; templates only
format them. Each derived figure has exactly one formula, in `_derive`:

- 잔액 (remainder) = budget − executed
- 집행률 (rate) = executed / budget × 100
- 증감액 (change), 증감률 (change_rate): `year_change`, the one rule for every comparison
  with a base year (the prior budget here, last year's figures in `council.compare`)
- 구성비 (share) = budget / parent's budget × 100 (top lines: of the total)

Percentages are Decimals rounded half up to ``places`` decimals (1 by default; the 2008
tables print 2). Parent lines are the sums of their children; a parent's own snapshot is
refused by the model and ignored here.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext_lazy as _

from .models import BudgetLine, BudgetSnapshot

TOTAL_LABEL = _("계")
AMOUNTS = ("budget", "executed", "committed", "collected")


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


@dataclass
class BudgetRow:
    name: str
    level: str = ""
    source: str = ""
    depth: int = 0
    line_id: int | None = None
    as_of: dt.date | None = None
    budget: int | None = None
    executed: int | None = None
    committed: int | None = None
    collected: int | None = None
    prior: int | None = None
    remainder: int | None = None
    rate: Decimal | None = None
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


@dataclass
class BudgetTable:
    year: int
    kind: str
    places: int
    as_of: dt.date | None  # the latest snapshot the figures come from
    total: BudgetRow
    roots: list[BudgetRow]
    rows: list[BudgetRow]  # every line, depth first, in display order

    def row(self, line_id):
        return next(row for row in self.rows if row.line_id == line_id)


def _derive(row, base, places, has_prior):
    """Sets the derived figures of a row whose amounts are known; base: 구성비 denominator;
    has_prior: whether the table has prior budgets at all (the base year is known)."""
    if row.budget is not None and row.executed is not None:
        row.remainder = row.budget - row.executed
    row.rate = percent(row.executed, row.budget, places)
    change = year_change(row.budget, row.prior, has_prior, places)
    row.change, row.change_rate, row.is_new = change.change, change.rate, change.is_new
    row.share = percent(row.budget, base, places)


def _add_up(row, children):
    row.children = children
    for name in (*AMOUNTS, "prior"):
        setattr(row, name, _sum(getattr(child, name) for child in children))
    row.as_of = max((c.as_of for c in children if c.as_of), default=None)


def _build(line, children_of, latest, depth):
    row = BudgetRow(
        name=line["name"],
        level=line["level"],
        source=line["source"],
        depth=depth,
        line_id=line["id"],
    )
    children = [_build(child, children_of, latest, depth + 1) for child in children_of[line["id"]]]
    if children:
        _add_up(row, children)
    else:
        row.prior = line["prior_budget"]
        snapshot = latest.get(line["id"], {})
        row.as_of = snapshot.get("as_of")
        for name in AMOUNTS:
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


def latest_snapshots(department, year, kind, as_of=None):
    """{line id: amounts} of each line's latest snapshot on or before as_of (one query)."""
    snapshots = BudgetSnapshot.objects.filter(
        line__department=department, line__year=year, line__kind=kind
    )
    if as_of is not None:
        snapshots = snapshots.filter(as_of__lte=as_of)
    rows = snapshots.order_by("line_id", "as_of").values("line_id", "as_of", *AMOUNTS)
    return {row["line_id"]: row for row in rows}  # later dates overwrite earlier ones


def budget_table(
    department, year, kind=BudgetLine.Kind.EXPENDITURE, as_of=None, places=1
) -> BudgetTable:
    """The budget tree of a department's year at an as-of date (None: latest), two queries."""
    lines = (
        BudgetLine.objects.for_table(department, year, kind)
        .order_by("order", "name")
        .values("id", "parent_id", "name", "level", "source", "prior_budget")
    )
    lines = list(lines)
    known = {line["id"] for line in lines}
    children_of = defaultdict(list)
    for line in lines:
        parent = line["parent_id"] if line["parent_id"] in known else None
        children_of[parent].append(line)
    latest = latest_snapshots(department, year, kind, as_of)
    roots = [_build(line, children_of, latest, 0) for line in children_of[None]]
    total = BudgetRow(name=str(TOTAL_LABEL))
    _add_up(total, roots)
    has_prior = any(line["prior_budget"] is not None for line in lines)
    _derive(total, total.budget, places, has_prior)
    _derive_tree(roots, total.budget, places, has_prior)
    return BudgetTable(year, kind, places, total.as_of, total, roots, list(_flatten(roots)))


def line_figures(line, as_of=None, places=1) -> BudgetRow:
    """One line's figures (its subtree summed) at its latest snapshot or at as_of."""
    table = budget_table(line.department_id, line.year, line.kind, as_of, places)
    return table.row(line.pk)
