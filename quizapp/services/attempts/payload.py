"""What the participant sees of an attempt: its questions in their shuffled order, the options as shown (under
the ids drawn for the attempt, never the bank's: ``quizapp.domain.draw``), the answers saved so far; never a hint
of the correct ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Option, Question, Round
from quizapp.services import draw_pool

_aq, _attempts, _rounds = AttemptQuestion.__table__, Attempt.__table__, Round.__table__

QUESTIONS_OF = (select(_aq.c.question_id, _aq.c.option_order, _aq.c.shown_option_ids, _aq.c.chosen_option_id)
                .where(_aq.c.attempt_id == bindparam("attempt_id")).order_by(_aq.c.position))
_PAYLOAD_ROWS = (QUESTIONS_OF.add_columns(_rounds.c.prediction_question)
                 .join_from(_aq, _attempts, _attempts.c.id == _aq.c.attempt_id)
                 .join(_rounds, _rounds.c.id == _attempts.c.round_id))


def attempt_payload(attempt: Attempt) -> dict[str, Any]:
    """The attempt as the JSON API gives it, in its shuffled order, without any hint of the correct answers::

        {"attempt_id", "deadline" (ISO 8601, UTC offset), "questions": [{"id", "text", "options": [{"id", "text"}]}],
         "prediction_question", "answers": {"<question id>": option id}}

    Option ids are the ids shown in this attempt. ``answers`` holds the answers saved so far (keys are strings,
    as in JSON). Two queries.
    """
    rows = db.session.connection().execute(_PAYLOAD_ROWS, {"attempt_id": attempt.id}).all()
    prediction_question = rows[0].prediction_question if rows else None
    return build_payload(attempt.id, attempt.deadline_at, prediction_question, shown_questions(rows), None)


def shown_questions(rows: Sequence[Any]) -> list[ShownQuestion]:
    """The rows of ``QUESTIONS_OF`` as ``build_payload`` takes them."""
    return [ShownQuestion(row.question_id, option_ids(row.option_order), option_ids(row.shown_option_ids),
                          row.chosen_option_id) for row in rows]


class ShownQuestion(NamedTuple):
    """A question of an attempt: the bank's option ids as shown, the ids they are shown under, the bank's id of
    the option saved for it."""

    question_id: int
    option_ids: Sequence[int]
    shown_ids: Sequence[int]
    chosen: int | None


def build_payload(attempt_id: int, deadline: datetime, prediction_question: str | None,
                  questions: Sequence[ShownQuestion], pool: draw_pool.DrawPool | None) -> dict[str, Any]:
    """``attempt_payload``'s answer for ``questions``, with the texts taken from ``pool`` where it has them and
    read (one query) for the others."""
    question_texts, option_texts = (pool.question_texts, pool.option_texts) if pool else ({}, {})
    missing = [q for q, options, _, _ in questions
               if q not in question_texts or any(o not in option_texts for o in options)]
    if missing:
        question_texts, option_texts = dict(question_texts), dict(option_texts)
        for question_id, question_text, option_id, option_text in db.session.connection().execute(
                select(Question.id, Question.text, Option.id, Option.text)
                .join(Option, Option.question_id == Question.id).where(Question.id.in_(missing))):
            question_texts[question_id] = question_text
            option_texts[option_id] = option_text
    return {
        "attempt_id": attempt_id,
        "deadline": deadline.isoformat(timespec="milliseconds"),
        "questions": [{"id": q, "text": question_texts[q],
                       "options": [{"id": shown_id, "text": option_texts[o]}
                                   for o, shown_id in zip(options, shown_ids, strict=True)]}
                      for q, options, shown_ids, _ in questions],
        "prediction_question": prediction_question,
        "answers": {str(q): shown_ids[options.index(chosen)] for q, options, shown_ids, chosen in questions
                    if chosen is not None},
    }


def option_ids(option_order: str) -> tuple[int, ...]:
    return tuple(int(part) for part in option_order.split(",") if part)
