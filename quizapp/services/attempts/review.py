"""The review of a finished attempt: the participant's own choices always; the key (correct options, marks,
explanations) as the round's setting allows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from quizapp.domain import timing
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Option, Question, Round
from quizapp.models.attempts import in_progress
from quizapp.services.attempts.locked import IN_PROGRESS
from quizapp.services.attempts.payload import option_ids
from quizapp.services.attempts.start import start_refusal


def key_shown(attempt: Attempt, round_: Round, now: datetime) -> bool:
    """Whether the participant may see the key of ``attempt`` at ``now`` (``quizapp.domain.timing.review_open``):
    with ``after_submit``, only once they have no attempt left in the round. One query."""
    used, running = db.session.execute(
        select(func.count(), func.count().filter(in_progress(Attempt.status)))
        .where(Attempt.round_id == round_.id, Attempt.user_id == attempt.user_id)).one()
    attempts_left = running > 0 or start_refusal(round_, used, now) is None
    return timing.review_open(round_.review.value, attempt_finished=attempt.status is not IN_PROGRESS,
                              attempts_left=attempts_left, round_close=round_.effective_close(),
                              grace_seconds=round_.grace_seconds, now=now)


def review_payload(attempt: Attempt, round_: Round, now: datetime) -> dict[str, Any] | None:
    """The finished attempt, question by question in its order, with the options as shown (the attempt's ids)
    and the one chosen; with ``key_shown``, also the correct option, the mark and the explanation of each. None
    while the attempt is in progress.

    The caller checks that the viewer owns the attempt (or is staff). Three queries.
    """
    if attempt.status is IN_PROGRESS:
        return None
    with_key = key_shown(attempt, round_, now)
    rows = db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.option_order, AttemptQuestion.shown_option_ids,
               AttemptQuestion.chosen_option_id, AttemptQuestion.is_correct, Question.text, Question.explanation)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    options = {o.id: o for o in db.session.execute(
        select(Option.id, Option.text, Option.is_correct).where(Option.question_id.in_([r.question_id for r in rows]))
    )}
    questions = []
    for row in rows:
        shown = list(zip(option_ids(row.shown_option_ids), (options[o] for o in option_ids(row.option_order)),
                         strict=True))
        question: dict[str, Any] = {
            "id": row.question_id, "text": row.text,
            "options": [{"id": shown_id, "text": option.text} for shown_id, option in shown],
            "chosen_option_id": next((shown_id for shown_id, option in shown if option.id == row.chosen_option_id),
                                     None),
        }
        if with_key:
            question.update(correct_option_id=next((shown_id for shown_id, option in shown if option.is_correct),
                                                   None),
                            is_correct=bool(row.is_correct), explanation=row.explanation)
        questions.append(question)
    return {"attempt_id": attempt.id, "correct_count": attempt.correct_count or 0,
            "question_count": attempt.question_count, "duration_ms": attempt.duration_ms, "key_shown": with_key,
            "questions": questions}
