"""Small builders for budget test data; each makes the least a test needs."""

import datetime as dt
from itertools import count

from budgets.models import BudgetLine, BudgetSnapshot

_serial = count(1)
AS_OF = dt.date(2025, 5, 31)


def make_line(department, name=None, year=2025, level=None, **fields):
    if level is None:  # a leaf of its kind's tree
        revenue = fields.get("kind") == BudgetLine.Kind.REVENUE
        level = BudgetLine.Level.SUBITEM if revenue else BudgetLine.Level.UNIT
    return BudgetLine.objects.create(
        department=department,
        year=year,
        level=level,
        name=name or f"사업{next(_serial):05d}",  # padded: lines sort by name
        **fields,
    )


def make_budget_snapshot(line, budget=1_000, executed=None, as_of=AS_OF, **fields):
    return BudgetSnapshot.objects.create(
        line=line, as_of=as_of, budget=budget, executed=executed, **fields
    )


def make_leaf(department, budget, executed=None, name=None, as_of=AS_OF, **fields):
    """A line with its one snapshot: what a row of a 예산현황 table needs."""
    line = make_line(department, name, year=as_of.year, **fields)
    make_budget_snapshot(line, budget, executed, as_of)
    return line


def make_tree(department, leaves, as_of=AS_OF):
    """An 정책사업 with `leaves` 단위사업 below it, each budget 1,000 and executed 500."""
    policy = make_line(department, year=as_of.year, level=BudgetLine.Level.POLICY)
    for _ in range(leaves):
        make_leaf(department, 1_000, 500, as_of=as_of, parent=policy)
    return policy
