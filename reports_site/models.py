"""Council sessions and briefings live here (see the budgets/programs workflow)."""
