"""What every ``quizapp`` command shares: one transaction per command (``in_transaction``), reading input files,
finding records by id, and writing outputs atomically."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from quizapp.domain.banks import BankFileError
from quizapp.extensions import db
from quizapp.models.types import parse_id
from quizapp.transactions import end_transaction

P = ParamSpec("P")
R = TypeVar("R")


def in_transaction(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command`` in the app context and in one transaction: committed when it returns (or exits with status
    0), rolled back when it raises or exits with another status. The command line's only commit."""

    @functools.wraps(command)
    @with_appcontext
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = command(*args, **kwargs)
        except SystemExit as exit_:
            end_transaction(succeeded=exit_.code in (0, None))
            raise
        except (OperationalError, ProgrammingError) as error:
            end_transaction(succeeded=False)
            if _schema_missing(error):
                raise click.ClickException("cơ sở dữ liệu chưa được tạo bảng: hãy chạy `quizapp db upgrade` "
                                           "trước") from None
            raise
        except BaseException:
            end_transaction(succeeded=False)
            raise
        end_transaction(succeeded=True)
        return result

    return wrapped


def _schema_missing(error: Exception) -> bool:
    """Whether a database error says a table of quizapp is not there (SQLite's "no such table", PostgreSQL's
    undefined table): the schema was never created."""
    original = getattr(error, "orig", None)
    return "no such table" in str(original) or getattr(original, "sqlstate", None) == "42P01"


def fail_with_problems(error: BankFileError, filename: str) -> None:
    """Print every problem on stderr and exit 1 (the command's transaction is rolled back); questions of other
    types among them are followed by the advice naming ``--skip-other-types``."""
    from quizapp.messages.files import describe, skip_advice

    click.echo(f"{filename}: {len(error.problems)} lỗi, không có gì được lưu.", err=True)
    for problem in error.problems:
        click.echo(f"  - {describe(problem)}", err=True)
    advice = skip_advice(error.problems, "cli")
    if advice:
        click.echo(advice, err=True)
    sys.exit(1)


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise click.ClickException(f"không đọc được tệp {path}: {error.strerror}") from None


users_cli = click.Group("users", help="Accounts.")
banks_cli = click.Group("banks", help="Question banks.")
units_cli = click.Group("units", help="The unit tree.")


def record(model, text: str):
    """The row of ``model`` whose id is ``text``, or None when ``text`` is not an id (nor one the column can hold)."""
    record_id = parse_id(text)
    return db.session.get(model, record_id) if record_id is not None else None


def round_or_exit(round_id: str):
    from quizapp.models import Round

    found = record(Round, round_id)
    if found is None:
        raise click.ClickException(f"không có đợt thi nào có mã {round_id!r}")
    return found


def export_target(output: str) -> str:
    suffix = Path(output).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise click.ClickException(f"tệp xuất phải có đuôi .csv hoặc .xlsx (đang là {suffix or 'không có đuôi'!r})")
    return suffix


def write_atomically(output: str, write) -> None:
    """Write through a temporary file beside ``output``, renamed at the end: never a half-written export."""
    import os
    import tempfile

    target = Path(output)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".quizapp-", suffix=target.suffix, dir=target.parent or ".")
    except OSError as error:
        raise click.ClickException(f"không ghi được tệp {output}: {error.strerror}") from None
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, target)
    except OSError as error:
        raise click.ClickException(f"không ghi được tệp {output}: {error.strerror}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
