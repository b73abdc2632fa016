"""Trigram indexes for search on PostgreSQL (nothing on SQLite).

Search matches Hangul as it is (LIKE) and words with Latin letters case-insensitively
(Django's icontains: UPPER(column) LIKE UPPER(pattern)), so each column has an index for
both; they serve patterns of three letters or more. The pg_trgm extension also gives
`council.search` its ranking (word similarity of titles).
"""

from django.db import migrations

COLUMNS = [
    ("programs_program", "title"),
    ("programs_program", "purpose"),
    ("programs_program", "overview"),
    ("programs_progressentry", "achievements"),
    ("programs_progressentry", "plans"),
    ("programs_councilrequest", "text"),
    ("programs_councilrequest", "action_taken"),
    ("programs_councilrequest", "plan"),
]


def _name(table, column, upper=False):
    return f"{table}_{column}_{'upper_' if upper else ''}trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_name(table, column)}" ON "{table}" '
            f'USING gin ("{column}" gin_trgm_ops)'
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_name(table, column, True)}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        for upper in (False, True):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(table, column, upper)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("council", "0001_initial"),
        ("programs", "0002_program_budget_lines"),
    ]

    operations = [migrations.RunPython(create, drop)]
