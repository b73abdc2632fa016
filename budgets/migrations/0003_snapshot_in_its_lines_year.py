"""A snapshot's as-of date lies in its line's fiscal year, refused by the database too.

A CheckConstraint cannot look at another table (the line's year), so triggers hold the
rule on both databases: inserting or moving a snapshot, and changing a line's year.
"""

from django.db import migrations

ERROR = "budget_snapshot_in_line_year"

SQLITE = [
    f"""CREATE TRIGGER budget_snapshot_in_line_year_insert
    BEFORE INSERT ON budgets_budgetsnapshot FOR EACH ROW
    WHEN CAST(strftime('%Y', NEW.as_of) AS INTEGER)
        != (SELECT year FROM budgets_budgetline WHERE id = NEW.line_id)
    BEGIN SELECT RAISE(ABORT, '{ERROR}'); END""",
    f"""CREATE TRIGGER budget_snapshot_in_line_year_update
    BEFORE UPDATE OF as_of, line_id ON budgets_budgetsnapshot FOR EACH ROW
    WHEN CAST(strftime('%Y', NEW.as_of) AS INTEGER)
        != (SELECT year FROM budgets_budgetline WHERE id = NEW.line_id)
    BEGIN SELECT RAISE(ABORT, '{ERROR}'); END""",
    f"""CREATE TRIGGER budget_line_year_keeps_its_snapshots
    BEFORE UPDATE OF year ON budgets_budgetline FOR EACH ROW
    WHEN EXISTS (SELECT 1 FROM budgets_budgetsnapshot WHERE line_id = NEW.id
                 AND CAST(strftime('%Y', as_of) AS INTEGER) != NEW.year)
    BEGIN SELECT RAISE(ABORT, '{ERROR}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS budget_snapshot_in_line_year_insert",
    "DROP TRIGGER IF EXISTS budget_snapshot_in_line_year_update",
    "DROP TRIGGER IF EXISTS budget_line_year_keeps_its_snapshots",
]

POSTGRESQL = [
    f"""CREATE FUNCTION budget_snapshot_in_line_year() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'budgets_budgetsnapshot' THEN
            IF EXTRACT(YEAR FROM NEW.as_of)
                    <> (SELECT year FROM budgets_budgetline WHERE id = NEW.line_id) THEN
                RAISE EXCEPTION '{ERROR}' USING ERRCODE = 'check_violation';
            END IF;
        ELSIF EXISTS (SELECT 1 FROM budgets_budgetsnapshot WHERE line_id = NEW.id
                      AND EXTRACT(YEAR FROM as_of) <> NEW.year) THEN
            RAISE EXCEPTION '{ERROR}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER budget_snapshot_in_line_year
    BEFORE INSERT OR UPDATE OF as_of, line_id ON budgets_budgetsnapshot
    FOR EACH ROW EXECUTE FUNCTION budget_snapshot_in_line_year()""",
    """CREATE TRIGGER budget_line_year_keeps_its_snapshots
    BEFORE UPDATE OF year ON budgets_budgetline
    FOR EACH ROW EXECUTE FUNCTION budget_snapshot_in_line_year()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS budget_snapshot_in_line_year ON budgets_budgetsnapshot",
    "DROP TRIGGER IF EXISTS budget_line_year_keeps_its_snapshots ON budgets_budgetline",
    "DROP FUNCTION IF EXISTS budget_snapshot_in_line_year()",
]


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_prior_budget_help_names_both_cases")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
