"""quizapp contests: contests from their TOML description, and back."""

from __future__ import annotations

import json
import sys

import click

from quizapp.cli.common import in_transaction, read_file, record, write_atomically
from quizapp.models.types import utcnow

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


@contests_cli.command("export")
@click.argument("contest_id")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The TOML file to write (.toml).")
@in_transaction
def contests_export(contest_id: str, output: str) -> None:
    """Write a contest as the TOML that `contests create` reads: all its keys, rounds, draws, prizes and audience;
    creating a contest from the file makes the same contest again (new ids). Written whole or not at all."""
    from pathlib import Path

    from quizapp.models import Contest
    from quizapp.services.contests import contest_toml, get_contest

    if Path(output).suffix.lower() != ".toml":
        raise click.ClickException(f"tệp xuất phải có đuôi .toml (đang là {Path(output).suffix or 'không có đuôi'!r})")
    found = record(Contest, contest_id)
    contest = get_contest(found.id) if found is not None else None
    if contest is None:
        raise click.ClickException(f"không có cuộc thi nào có mã {contest_id!r}")
    text = contest_toml(contest)
    write_atomically(output, lambda path: Path(path).write_text(text, encoding="utf-8"))
    click.echo(f"Đã ghi cuộc thi {contest.id} ({len(contest.rounds)} đợt) vào {output}")


rounds_cli = click.Group("rounds", help="Rounds: close, finalize.")
attempts_cli = click.Group("attempts", help="Attempts: the deadline sweep.")
