"""PostgreSQL fast paths for exporting a finalized round: its frozen rows straight from the driver.

The rows are the stored result of the one standings computation (``round_results``, written by finalization);
these functions only read them faster than :func:`quizapp.services.standings.frozen_standings` can for a
400,000-row round (a COPY for the CSV, ready cells for the .xlsx). Tests check the bytes are the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from quizapp.extensions import db
from quizapp.services.standings import UNIT_PATH_SEPARATOR


def frozen_round_copy(round_id: int, columns: list[str], *, winners_only: bool,
                      chunk_rows: int = 20_000) -> Iterator[list[bytes]] | None:
    """A finalized round's frozen rows in rank order (only its prize winners if ``winners_only``) as CSV lines
    made by PostgreSQL (``COPY ... TO STDOUT (FORMAT csv)``), in lists of up to ``chunk_rows`` lines (bytes,
    UTF-8, each ending with a line feed). ``columns`` are SQL expressions over :func:`frozen_export_sql`'s
    columns. None on another database, or when the connection's text is not UTF-8: read
    :func:`frozen_standings` then."""
    driver = _postgresql_driver()
    if driver is None or driver.info.encoding != "utf-8":
        return None
    sql = f"COPY ({frozen_export_sql(round_id, columns, winners_only=winners_only)}) TO STDOUT (FORMAT csv)"

    def chunks() -> Iterator[list[bytes]]:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            chunk: list[bytes] = []
            for line in copy:
                chunk.append(bytes(line))
                if len(chunk) == chunk_rows:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk

    return chunks()


def frozen_round_rows(round_id: int, columns: list[str], *, winners_only: bool,
                      chunk_rows: int = 20_000) -> tuple[int, Iterator[list[tuple[Any, ...]]]] | None:
    """A finalized round's frozen rows in rank order (only its prize winners if ``winners_only``): how many, and
    the rows of ``columns`` (SQL expressions over :func:`frozen_export_sql`'s columns) as tuples, in lists of up
    to ``chunk_rows``, straight from the driver. None on another database: read :func:`frozen_standings` then."""
    driver = _postgresql_driver()
    if driver is None:
        return None
    winners = " AND prize_name IS NOT NULL" if winners_only else ""
    with driver.cursor() as cursor:
        count = cursor.execute(f"SELECT count(*) FROM round_results WHERE round_id = {int(round_id)}{winners}"
                               ).fetchone()[0]
    sql = frozen_export_sql(round_id, columns, winners_only=winners_only)

    def chunks() -> Iterator[list[tuple[Any, ...]]]:
        with driver.cursor(binary=True) as cursor:
            cursor.execute(sql)
            while chunk := cursor.fetchmany(chunk_rows):
                yield chunk

    return count, chunks()


def frozen_export_sql(round_id: int, columns: list[str], *, winners_only: bool) -> str:
    """PostgreSQL: ``columns`` of a finalized round's frozen rows in rank order, each row with its person's
    ``full_name`` and ``phone``, their unit's ``unit_code`` and ``unit_path`` (as :func:`unit_table` writes it;
    NULL without a unit), the row's ``submitted_us`` (:func:`epoch_microseconds`) and the ``round_results``
    columns."""
    winners = " AND r.prize_name IS NOT NULL" if winners_only else ""
    return (
        "WITH RECURSIVE paths (id, path) AS ("
        " SELECT id, name::text FROM units WHERE parent_id IS NULL"
        f" UNION ALL SELECT u.id, p.path || '{UNIT_PATH_SEPARATOR}' || u.name FROM units u JOIN paths p"
        " ON u.parent_id = p.id),"
        " frozen AS (SELECT r.*, p.full_name, p.phone, un.code AS unit_code, paths.path AS unit_path,"
        " CAST(round(extract(epoch FROM r.submitted_at) * 1000000) AS BIGINT) AS submitted_us"
        " FROM round_results r LEFT JOIN users p ON p.id = r.user_id LEFT JOIN units un ON un.id = p.unit_id"
        f" LEFT JOIN paths ON paths.id = un.id WHERE r.round_id = {int(round_id)}{winners})"
        f" SELECT {', '.join(columns)} FROM frozen ORDER BY rank"
    )


def _postgresql_driver() -> Any:
    """The psycopg connection of the session's transaction, or None on another database."""
    db.session.flush()
    connection = db.session.connection()
    return connection.connection.driver_connection if connection.dialect.name == "postgresql" else None
