"""``quizapp db backup -o FILE``: a consistent copy of a SQLite database taken while the site runs.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies the database page by page as one
consistent snapshot, whatever the app's workers write meanwhile (WAL included); the copy is written beside FILE
and renamed at the end, so FILE is never half-written. Restoring is copying FILE back over the database file
with the app stopped (README, "Production").

PostgreSQL: ``pg_dump`` is the tool (a consistent snapshot of a live database, restored by ``pg_restore``); the
command says so and names the README's procedure instead of doing it badly.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from quizapp.cli.common import write_atomically

PG_PROCEDURE = (
    "cơ sở dữ liệu là PostgreSQL: hãy sao lưu bằng pg_dump (ví dụ: pg_dump --format=custom "
    "--file=quizapp-$(date +%F).dump \"$DATABASE_URL\") và khôi phục bằng pg_restore, theo mục "
    "\"Production\" → \"Backups and restore\" của README.md"
)


@click.command("backup", help="Back up the database (SQLite: an online, consistent copy) to FILE.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="the backup file to write (SQLite)")
@with_appcontext
def backup(output: str) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        raise click.ClickException(PG_PROCEDURE)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(f"không sao lưu được cơ sở dữ liệu loại {url.get_backend_name()!r} bằng lệnh này")
    source_path = Path(url.database)
    if not source_path.is_file():
        raise click.ClickException(f"không có tệp cơ sở dữ liệu {source_path}: chưa chạy `quizapp db upgrade`?")
    if Path(output).resolve() == source_path.resolve():
        raise click.ClickException("tệp sao lưu phải khác tệp cơ sở dữ liệu đang dùng")
    write_atomically(output, lambda temporary: copy_sqlite(source_path, Path(temporary)))
    click.echo(f"đã sao lưu {source_path} vào {output} ({Path(output).stat().st_size} byte)")


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite database ``source`` into ``target`` (overwritten), then checked."""
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as reader, \
            closing(sqlite3.connect(target)) as writer:
        try:
            reader.backup(writer, pages=1024)
        except sqlite3.Error as error:
            raise click.ClickException(f"không sao lưu được {source}: {error}") from None
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        verdict = writer.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise click.ClickException(f"bản sao lưu không toàn vẹn: {verdict}")
