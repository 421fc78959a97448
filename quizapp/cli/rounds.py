"""quizapp rounds: close and finalize."""

from __future__ import annotations

import click

from quizapp.cli.common import in_transaction, round_or_exit
from quizapp.models.types import utcnow

rounds_cli = click.Group("rounds", help="Rounds: close, finalize.")


@rounds_cli.command("close")
@click.argument("round_id")
@in_transaction
def rounds_close(round_id: str) -> None:
    """End a round now: no new attempt; attempts in progress are closed and scored with their saved answers."""
    from zoneinfo import ZoneInfo

    from quizapp.services.attempt_closing import close_round
    found = round_or_exit(round_id)
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

    found = round_or_exit(round_id)
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
