"""quizapp contests: contests from their TOML description."""

from __future__ import annotations

import json
import sys

import click

from quizapp.cli.common import in_transaction, read_file
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


rounds_cli = click.Group("rounds", help="Rounds: close, finalize.")
attempts_cli = click.Group("attempts", help="Attempts: the deadline sweep.")
