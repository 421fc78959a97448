"""quizapp results: exports of rankings and collectives, prize certificates."""

from __future__ import annotations

from pathlib import Path

import click

from quizapp.cli.common import export_target, in_transaction, record, round_or_exit, write_atomically
from quizapp.models.types import utcnow

results_cli = click.Group("results", help="Results: exports of rankings and collectives, prize certificates.")


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
    suffix = export_target(output)
    found = round_or_exit(round_id)
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

    write_atomically(output, write)
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
        write_atomically(output, write)
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

    suffix = export_target(output)
    contest = record(Contest, contest_id)
    if contest is None:
        raise click.ClickException(f"không có cuộc thi nào có mã {contest_id!r}")
    round_ = round_or_exit(round_id) if round_id is not None else None
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

    write_atomically(output, write)
    click.echo(f"Cuộc thi {contest.id}: đã xuất {len(frame)} đơn vị cấp {level} ({scope}) ra {output}.")


@results_cli.command("certificates")
@click.argument("round_id")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.pdf")
@click.option("--collectives", is_flag=True, help="The contest's collective prizes, not the round's.")
@in_transaction
def results_certificates(round_id: str, output: str, collectives: bool) -> None:
    """One PDF with a certificate page for each prize of a finalized round (or, with --collectives, of its
    contest's collective prizes); each page carries its verification code and QR code."""
    from flask import current_app

    from quizapp.domain.certificates import CertificateError
    from quizapp.messages.certificates import certificate_error_message
    from quizapp.services.certificates import collective_certificates, render, round_certificates, template_for

    suffix = Path(output).suffix.lower()
    if suffix != ".pdf":
        raise click.ClickException(f"tệp giấy chứng nhận phải có đuôi .pdf (đang là {suffix or 'không có đuôi'!r})")
    found = round_or_exit(round_id)
    base_url = current_app.config.get("QUIZAPP_BASE_URL") or "http://localhost"
    try:
        if collectives:
            pages = collective_certificates(found.contest, base_url=base_url, now=utcnow())
        else:
            pages = round_certificates(found, base_url=base_url, now=utcnow())
        if not pages:
            raise CertificateError("no_prizes")
    except CertificateError as error:
        raise click.ClickException(certificate_error_message(error)) from None
    template = template_for(found.contest_id)

    def write(path: str) -> None:
        with open(path, "wb") as stream:
            render(pages, template, stream)

    write_atomically(output, write)
    what = "giải tập thể của cuộc thi" if collectives else f"giải của đợt thi {found.name}"
    click.echo(f"Đợt thi {found.id}: đã in {len(pages)} giấy chứng nhận ({what}) ra {output}.")
