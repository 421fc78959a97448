"""Writing many rows at once, in as few round trips as the database allows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert

from quizapp.extensions import db


def insert_rows(table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (all with the same keys) into ``table`` inside the session's transaction.

    PostgreSQL: one COPY (psycopg's executemany sends a statement per row: measured 1.9 s of a 10,000-question
    import, against ~0.3 s by COPY). Elsewhere: one executemany. Values must already be what the column stores
    (aware datetimes, booleans, text); the model's Python-side defaults are not applied.
    """
    if not rows:
        return
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])
