"""quizapp dashboard: move the dashboard's counters forward (run it every minute from cron, like the sweep) or
rebuild them (``--full``, e.g. nightly, to take in disqualifications, regrades and changed accounts)."""

from __future__ import annotations

from datetime import timedelta

import click

from quizapp.cli.common import in_transaction
from quizapp.models.types import MAX_ID, utcnow

dashboard_cli = click.Group("dashboard", help="The organizers' dashboard: its counters.")


@dashboard_cli.command("refresh")
@click.argument("round_ids", nargs=-1, type=int)
@click.option("--full", is_flag=True, help="Count every attempt again from nothing.")
@in_transaction
def dashboard_refresh(round_ids: tuple[int, ...], full: bool) -> None:
    """Add the attempts finished since the last time to the counters of ROUND_IDS (default: the rounds open now
    or closed in the last day)."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Round
    from quizapp.services.dashboard import refresh_round

    now = utcnow()
    if round_ids:
        wanted = [i for i in round_ids if 0 < i <= MAX_ID]
        rounds = db.session.scalars(select(Round).where(Round.id.in_(wanted)).order_by(Round.id)).all()
        missing = sorted(set(round_ids) - {r.id for r in rounds})
        if missing:
            raise click.ClickException(f"không có đợt thi mã số {', '.join(map(str, missing))}; chưa làm gì")
    else:
        rounds = db.session.scalars(select(Round).where(Round.opens_at <= now,
                                                        Round.closes_at >= now - timedelta(days=1))
                                    .order_by(Round.id)).all()
    for round_ in rounds:
        summary = refresh_round(round_, now=now, full=full)
        click.echo(f"Đợt thi {round_.id} ({round_.name}): đã đếm đến lượt thi mã số {summary.counted_through}"
                   f"{' (đếm lại từ đầu)' if full else ''}.")
    if not rounds:
        click.echo("Không có đợt thi nào đang mở hoặc vừa đóng.")
