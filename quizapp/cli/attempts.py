"""quizapp attempts: the deadline sweep."""

from __future__ import annotations

import click

from quizapp.cli.common import in_transaction
from quizapp.models.types import utcnow

attempts_cli = click.Group("attempts", help="Attempts: the deadline sweep.")


@attempts_cli.command("sweep")
@in_transaction
def attempts_sweep() -> None:
    """Close every attempt past its deadline and grace, scoring the answers saved by then (run it every minute)."""
    from quizapp.services.attempt_closing import close_expired

    closed = close_expired(utcnow())
    click.echo(f"{closed} lượt thi quá hạn đã được đóng và chấm điểm.")

