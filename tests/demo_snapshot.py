"""The demo data, loaded by the real command once per test run and replayed after that.

The command takes seconds (natural-key look-ups, password hashing); a dozen test classes
need its data. The first load records the rows it added to every table; a later load into a
database in exactly the state the first one started from inserts those rows again. In any
other state (a test made rows first, a flush recreated the content types) the real command
runs, so a replay can only ever give what the command would.
"""

import json

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

_recorded = {}  # {"before": {table: rows}, "added": {table: (columns, rows)}}


def _tables():
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _rows(tables):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        found = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [column[0] for column in cursor.description]
            found[table] = (columns, frozenset(tuple(map(_plain, row)) for row in cursor))
    return found


def _plain(value):
    """A value that can go in a set and back into its column (PostgreSQL's JSON, bytea)."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, memoryview):
        return value.tobytes()
    return value


def load(run_command):
    """Run the demo command, or replay what it added when the database is as it was then."""
    tables = _tables()
    before = _rows(tables)
    if _recorded and _recorded["before"] == before:
        _insert(_recorded["added"])
        return _recorded["output"]
    output = run_command()
    after = _rows(tables)
    if all(before[table][1] <= after[table][1] for table in tables):
        _recorded.update(
            before=before,
            output=output,
            added={
                table: (after[table][0], after[table][1] - before[table][1])
                for table in tables
                if after[table][1] - before[table][1]
            },
        )
    return output


def _insert(added):
    quote = connection.ops.quote_name
    # In one transaction: foreign keys are checked at commit, whatever the table order.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, rows) in added.items():
            names = ", ".join(quote(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
        # PostgreSQL's sequences do not follow explicit ids; SQLite's autoincrement does.
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)
