"""The review of a finished attempt: chosen and correct options, explanations, as the round's setting allows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from quizapp.domain import timing
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Option, Question, Round
from quizapp.services.attempts.locked import IN_PROGRESS
from quizapp.services.attempts.payload import option_ids


def review_payload(attempt: Attempt, round_: Round, now: datetime) -> dict[str, Any] | None:
    """The finished attempt with, per question, the chosen and the correct option and the explanation; None while
    the round's ``review`` setting does not allow it yet (see ``quizapp.domain.timing.review_open``).

    The caller checks that the viewer owns the attempt (or is staff). Two queries.
    """
    if not timing.review_open(round_.review.value, attempt_finished=attempt.status is not IN_PROGRESS,
                              round_close=round_.effective_close(), grace_seconds=round_.grace_seconds, now=now):
        return None
    rows = db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.option_order, AttemptQuestion.chosen_option_id,
               AttemptQuestion.is_correct, Question.text, Question.explanation)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    options = {o.id: o for o in db.session.execute(
        select(Option.id, Option.text, Option.is_correct).where(Option.question_id.in_([r.question_id for r in rows]))
    )}
    questions = []
    for row in rows:
        shown = [options[o] for o in option_ids(row.option_order)]
        questions.append({
            "id": row.question_id, "text": row.text,
            "options": [{"id": o.id, "text": o.text} for o in shown],
            "chosen_option_id": row.chosen_option_id,
            "correct_option_id": next((o.id for o in shown if o.is_correct), None),
            "is_correct": bool(row.is_correct), "explanation": row.explanation,
        })
    return {"attempt_id": attempt.id, "correct_count": attempt.correct_count or 0,
            "question_count": attempt.question_count, "duration_ms": attempt.duration_ms, "questions": questions}
