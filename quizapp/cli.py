"""The ``quizapp`` command: a Flask CLI group over the app factory. Each command calls services inside one
transaction (``in_transaction``): committed when it succeeds, rolled back when it fails."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from quizapp.domain.banks import BankFileError, ImportLimits
from quizapp.extensions import db
from quizapp.models import Role
from quizapp.models.types import parse_id, utcnow
from quizapp.transactions import end_transaction

P = ParamSpec("P")
R = TypeVar("R")


def main() -> None:
    from quizapp import create_app

    group = FlaskGroup(create_app=lambda: create_app(), help="quizapp: online multiple-choice contests.")
    group.main(prog_name="quizapp")


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


def import_limits() -> ImportLimits:
    return ImportLimits(max_bytes=current_app.config["QUIZAPP_IMPORT_MAX_BYTES"],
                        max_questions=current_app.config["QUIZAPP_IMPORT_MAX_QUESTIONS"])


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


@users_cli.command("create")
@click.option("--role", type=click.Choice(["admin", "organizer", "judge"]), required=True)
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "full_name", default=None, help="Full name shown in the interface.")
@in_transaction
def users_create(role: str, email: str, password: str, full_name: str | None) -> None:
    """Create a staff account."""
    from quizapp.messages.participants import account_error_message
    from quizapp.services.accounts import AccountError, create_staff

    try:
        user = create_staff(role=Role(role), email=email, password=password, full_name=full_name, actor=None,
                            now=utcnow())
    except AccountError as error:
        raise click.ClickException(account_error_message(error)) from None
    click.echo(f"user {user.id} created: {user.email} ({user.role.value})")


@banks_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--bank", "bank_name", default=None, help="Bank name (default: the file name without extension).")
@click.option("--topic", default=None, help="Topic for questions whose file gives none.")
@click.option("--skip-other-types", is_flag=True,
              help="Import the multiple-choice questions and skip those of other types (true/false, matching...), "
                   "each listed with its line; any other problem still refuses the whole file.")
@in_transaction
def banks_import(file: str, bank_name: str | None, topic: str | None, skip_other_types: bool) -> None:
    """Import a question bank file (.xlsx, .csv, Aiken or GIFT .txt/.gift): all of it or nothing."""
    from quizapp.messages.files import describe_skipped
    from quizapp.services.banks import import_bank

    data = read_file(file)
    name = bank_name or Path(file).stem
    try:
        result = import_bank(bank_name=name, filename=Path(file).name, data=data, actor=None, now=utcnow(),
                             limits=import_limits(), default_topic=topic, skip_other_types=skip_other_types)
    except BankFileError as error:
        fail_with_problems(error, file)
    skipped = f"; bỏ qua {len(result.skipped)} câu hỏi dạng khác" if result.skipped else ""
    click.echo(f'{result.bank.name}: {result.added} câu hỏi mới, {result.unchanged} câu đã có '
               f'(ngân hàng {result.bank.id}){skipped}.')
    # The summary stays one line on stdout (the command's contract); the skipped questions go with the problems.
    for problem in result.skipped:
        click.echo(f"  - bỏ qua: {describe_skipped(problem)}", err=True)


@banks_cli.command("export")
@click.argument("bank")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@in_transaction
def banks_export(bank: str, output: str) -> None:
    """Export a bank (by name or id) to .xlsx in the import layout."""
    from quizapp.models import Bank
    from quizapp.services.banks import export_bank_xlsx, find_bank

    found = _record(Bank, bank) or find_bank(bank)
    if found is None:
        raise click.ClickException(f"không có ngân hàng câu hỏi nào tên là {bank!r}")
    if not output.lower().endswith(".xlsx"):
        raise click.ClickException("tệp xuất phải có đuôi .xlsx")
    data = export_bank_xlsx(found)
    _write_atomically(output, lambda path: Path(path).write_bytes(data))
    click.echo(f"{found.name}: đã xuất ra {output}")


@units_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@in_transaction
def units_import(file: str) -> None:
    """Import the unit tree (.xlsx or .csv: code, name, parent_code, member_count)."""
    from quizapp.services.units import import_units

    data = read_file(file)
    try:
        result = import_units(filename=Path(file).name, data=data, actor=None, now=utcnow(),
                              limits=import_limits())
    except BankFileError as error:
        fail_with_problems(error, file)
    click.echo(f"{result.added} đơn vị mới, {result.updated} đơn vị cập nhật, tổng {result.total} đơn vị.")


@click.command("demo")
@click.option("--banks-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of sample banks (default: question_banks/ beside the package).")
@in_transaction
def demo(banks_dir: str | None) -> None:
    """Load the sample banks, the demo unit tree and demo accounts; running it again changes nothing."""
    from quizapp.services.demo import load_demo

    folder = Path(banks_dir) if banks_dir else Path(__file__).resolve().parent.parent / "question_banks"
    try:
        report = load_demo(folder, now=utcnow(), limits=import_limits())
    except BankFileError as error:
        fail_with_problems(error, str(folder))
    except FileNotFoundError as error:
        raise click.ClickException(f"thiếu tệp mẫu: {error.filename}") from None
    for line in report:
        click.echo(line)


contests_cli = click.Group("contests", help="Contests and their rounds.")


@contests_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help='Print one JSON object: {"contest_id": N, "rounds": [{"id": N, "name": "..."}]}.')
@in_transaction
def contests_create(file: str, as_json: bool) -> None:
    """Create a contest and its rounds from a TOML file: all of it, or nothing and every problem on stderr."""
    from quizapp.domain.contests import ContestSpecError, decode_contest_file, parse_contest
    from quizapp.messages.contests import describe_spec_problem
    from quizapp.services.contests import create_contest

    try:
        contest = create_contest(parse_contest(decode_contest_file(read_file(file))), actor=None, now=utcnow())
    except ContestSpecError as error:
        click.echo(f"{file}: {len(error.problems)} lỗi, không có gì được lưu.", err=True)
        for problem in error.problems:
            click.echo(f"  - {describe_spec_problem(problem)}", err=True)
        sys.exit(1)
    rounds = [{"id": r.id, "name": r.name} for r in contest.rounds]
    if as_json:
        click.echo(json.dumps({"contest_id": contest.id, "rounds": rounds}, ensure_ascii=False))
        return
    click.echo(f"Cuộc thi {contest.id}: {contest.title}")
    for entry in rounds:
        click.echo(f"  đợt {entry['id']}: {entry['name']}")


rounds_cli = click.Group("rounds", help="Rounds: close, finalize.")
attempts_cli = click.Group("attempts", help="Attempts: the deadline sweep.")


@rounds_cli.command("close")
@click.argument("round_id")
@in_transaction
def rounds_close(round_id: str) -> None:
    """End a round now: no new attempt; attempts in progress are closed and scored with their saved answers."""
    from zoneinfo import ZoneInfo

    from quizapp.services.attempt_closing import close_round
    found = _round_or_exit(round_id)
    closing = close_round(found, actor=None, now=utcnow())
    when = closing.closed_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).isoformat(timespec="seconds")
    state = "đã đóng từ trước, lúc" if closing.already_closed else "đã đóng lúc"
    click.echo(f"Đợt thi {found.id} ({found.name}) {state} {when}; {closing.closed_attempts} lượt thi đang làm "
               f"đã được đóng và chấm với các câu trả lời đã lưu.")


@rounds_cli.command("finalize")
@click.argument("round_id")
@in_transaction
def rounds_finalize(round_id: str) -> None:
    """Freeze a round's results: prediction answer (if automatic), ranking and prizes; prints a summary."""
    from quizapp.messages.judging import results_error_message
    from quizapp.services.results import ResultsError, finalize_round

    found = _round_or_exit(round_id)
    try:
        standings = finalize_round(found, actor=None, now=utcnow())
    except ResultsError as error:
        raise click.ClickException(results_error_message(error)) from None
    click.echo(f"Đợt thi {found.id} ({found.name}) đã được chốt kết quả: {len(standings.frame)} người được xếp "
               f"hạng, {len(standings.excluded)} người bị loại khỏi xếp hạng (bị loại hoặc tài khoản ẩn).")
    answer = "không có câu hỏi dự đoán" if standings.prediction_actual is None else standings.prediction_actual
    click.echo(f"  Đáp án câu hỏi dự đoán: {answer}")
    for tier, given in standings.prize_counts():
        click.echo(f"  {tier}: {given} giải")


def _record(model, text: str):
    """The row of ``model`` whose id is ``text``, or None when ``text`` is not an id (nor one the column can hold)."""
    record_id = parse_id(text)
    return db.session.get(model, record_id) if record_id is not None else None


def _round_or_exit(round_id: str):
    from quizapp.models import Round

    found = _record(Round, round_id)
    if found is None:
        raise click.ClickException(f"không có đợt thi nào có mã {round_id!r}")
    return found


def _export_target(output: str) -> str:
    suffix = Path(output).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise click.ClickException(f"tệp xuất phải có đuôi .csv hoặc .xlsx (đang là {suffix or 'không có đuôi'!r})")
    return suffix


def _write_atomically(output: str, write) -> None:
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


results_cli = click.Group("results", help="Results: exports of rankings and collectives.")


@results_cli.command("export")
@click.argument("round_id")
@click.option("--winners/--all", "winners_only", default=None,
              help="--winners: prize winners only; --all: every ranked participant.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.csv or FILE.xlsx")
@in_transaction
def results_export(round_id: str, winners_only: bool | None, output: str) -> None:
    """Export a round's ranking (best attempt per participant): CSV for machines, .xlsx for people."""
    if winners_only is None:
        raise click.UsageError("cần chọn --winners (chỉ người đoạt giải) hoặc --all (tất cả người được xếp hạng)")
    suffix = _export_target(output)
    found = _round_or_exit(round_id)
    now = utcnow()
    if found.finalized_at is not None and _export_frozen(found, output, suffix, winners_only, now):
        return
    from quizapp.services.exports import write_round_csv, write_round_xlsx
    from quizapp.services.standings import round_standings

    standings = round_standings(found, now=now)

    def write(path: str) -> None:
        if suffix == ".csv":
            with open(path, "w", encoding="utf-8", newline="") as stream:
                write_round_csv(standings, stream, winners_only=winners_only)
        else:
            write_round_xlsx(standings, path, winners_only=winners_only, title=found.contest.title, now=now)

    _write_atomically(output, write)
    rows = len(standings.winners) if winners_only else len(standings.frame)
    _echo_exported(found, rows, winners_only, output, frozen=standings.frozen)


class _NotFromFrozenRows(Exception):
    """The database cannot give a finalized round's export straight from its frozen rows: nothing was written."""


def _export_frozen(round_, output: str, suffix: str, winners_only: bool, now) -> bool:
    """A finalized round's export straight from its frozen rows when the database can give them (PostgreSQL):
    True once written and reported, False (no file touched) when the caller must go through the standings."""
    from quizapp.services.exports import write_frozen_round_csv, write_frozen_round_xlsx

    rows: list[int] = []

    def write(path: str) -> None:
        if suffix == ".csv":
            with open(path, "wb") as stream:
                count = write_frozen_round_csv(round_.id, stream, winners_only=winners_only)
        else:
            count = write_frozen_round_xlsx(round_, path, winners_only=winners_only, title=round_.contest.title,
                                            now=now)
        if count is None:
            raise _NotFromFrozenRows
        rows.append(count)

    try:
        _write_atomically(output, write)
    except _NotFromFrozenRows:
        return False
    _echo_exported(round_, rows[0], winners_only, output, frozen=True)
    return True


def _echo_exported(round_, rows: int, winners_only: bool, output: str, *, frozen: bool) -> None:
    state = "kết quả chính thức" if frozen else "TẠM THỜI: đợt thi chưa được chốt"
    who = "người đoạt giải" if winners_only else "người được xếp hạng"
    click.echo(f"Đợt thi {round_.id} ({round_.name}): đã xuất {rows} {who} ra {output} ({state}).")


@results_cli.command("collectives")
@click.argument("contest_id")
@click.option("--round", "round_id", default=None, help="One round (default: the whole contest).")
@click.option("--level", type=click.IntRange(min=1), default=None,
              help="Depth in the unit tree (root = 1); default: the contest's collective level.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.csv or FILE.xlsx")
@in_transaction
def results_collectives(contest_id: str, round_id: str | None, level: int | None, output: str) -> None:
    """Export the collective ranking of a contest (or one of its rounds) at a level of the unit tree."""
    from quizapp.domain.export_rows import METRIC_LABELS
    from quizapp.messages.judging import results_error_message
    from quizapp.models import Contest
    from quizapp.services.collectives import collective_standings
    from quizapp.services.exports import write_collectives_csv, write_collectives_xlsx
    from quizapp.services.results import ResultsError

    suffix = _export_target(output)
    contest = _record(Contest, contest_id)
    if contest is None:
        raise click.ClickException(f"không có cuộc thi nào có mã {contest_id!r}")
    round_ = _round_or_exit(round_id) if round_id is not None else None
    level = level or contest.collective_level
    try:
        frame = collective_standings(contest, level=level, round_=round_, now=utcnow())
    except ResultsError as error:
        raise click.ClickException(results_error_message(error)) from None
    scope = f"đợt thi {round_.name}" if round_ is not None else "cả cuộc thi"

    def write(path: str) -> None:
        if suffix == ".csv":
            with open(path, "w", encoding="utf-8", newline="") as stream:
                write_collectives_csv(frame, stream)
        else:
            write_collectives_xlsx(frame, path, title=contest.title,
                                   lines=[f"Xếp hạng tập thể cấp {level}, {scope}",
                                          f"Tiêu chí xếp hạng: {METRIC_LABELS[contest.collective_metric.value]}"])

    _write_atomically(output, write)
    click.echo(f"Cuộc thi {contest.id}: đã xuất {len(frame)} đơn vị cấp {level} ({scope}) ra {output}.")


@attempts_cli.command("sweep")
@in_transaction
def attempts_sweep() -> None:
    """Close every attempt past its deadline and grace, scoring the answers saved by then (run it every minute)."""
    from quizapp.services.attempt_closing import close_expired

    closed = close_expired(utcnow())
    click.echo(f"{closed} lượt thi quá hạn đã được đóng và chấm điểm.")


people_cli = click.Group("people", help="Participants' data rights: export, erase.")


def _participant_or_exit(login: str):
    from quizapp.messages.personal_data import unknown_login_message
    from quizapp.services.personal_data import find_participant

    found = find_participant(login)
    if found is None:
        raise click.ClickException(unknown_login_message(login))
    return found


@people_cli.command("export")
@click.argument("login")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.json")
@in_transaction
def people_export(login: str, output: str) -> None:
    """Everything held about one participant (LOGIN: phone in any usual form, or e-mail) as UTF-8 JSON."""
    from quizapp.services.personal_data import export_data

    person = _participant_or_exit(login)
    data = export_data(person, actor=None, now=utcnow())
    _write_atomically(output, lambda path: Path(path).write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"))
    click.echo(f"Đã xuất dữ liệu của người dự thi {person.id} ({len(data['attempts'])} lượt thi, "
               f"{len(data['results'])} kết quả đã chốt, {len(data['audit'])} mục nhật ký) vào {output}.")


@people_cli.command("erase")
@click.argument("login")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@in_transaction
def people_erase(login: str, reason: str) -> None:
    """Erase one participant's personal data once their contests' results are final; results stay, anonymous."""
    from quizapp.domain.personal_data import ErasureError
    from quizapp.messages.personal_data import erasure_error_message
    from quizapp.services.personal_data import erase

    person = _participant_or_exit(login)
    try:
        erased = erase(person, reason=reason, actor=None, now=utcnow())
    except ErasureError as error:
        raise click.ClickException(erasure_error_message(error)) from None
    click.echo(f"Đã xóa dữ liệu cá nhân của người dự thi {erased.user_id}: kết quả trong {erased.rounds} đợt thi "
               f"được giữ dưới tên «{erased.label}».")


def init_app(app: Flask) -> None:
    for command in (users_cli, banks_cli, units_cli, contests_cli, rounds_cli, attempts_cli, results_cli, people_cli,
                    demo):
        app.cli.add_command(command)
