"""The demo's finalized round has answers behind every attempt, so review, question statistics, flags and the
regrade have something to show: scores match the answers, one question behaves like a wrong key (the strong
choose the same distractor), and the judges' flags each have a case."""

from __future__ import annotations

from statistics import correlation

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Option, Round
from quizapp.services.demo_results import DEMO_PAST_ROUND
from quizapp.services.flags import round_flags


def _discrimination(marks: dict[int, dict[int, bool]], question_id: int) -> float:
    """Correlation of a question's mark with the rest of the attempt's score, over the attempts that drew it."""
    drew = [answers for answers in marks.values() if question_id in answers]
    own = [float(answers[question_id]) for answers in drew]
    rest = [float(sum(answers.values()) - answers[question_id]) for answers in drew]
    return correlation(own, rest)


def test_the_demo_round_has_answers_a_suspicious_question_and_flags(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    past = db.session.scalars(select(Round).where(Round.name == DEMO_PAST_ROUND)).one()
    rows = db.session.execute(
        select(Attempt.id, Attempt.correct_count, AttemptQuestion.question_id, AttemptQuestion.is_correct,
               AttemptQuestion.chosen_option_id, AttemptQuestion.option_order)
        .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id).where(Attempt.round_id == past.id)).all()
    marks: dict[int, dict[int, bool]] = {}
    for row in rows:
        marks.setdefault(row.id, {})[row.question_id] = bool(row.is_correct)
        assert row.chosen_option_id is None or str(row.chosen_option_id) in row.option_order.split(",")
    scores = dict(db.session.execute(select(Attempt.id, Attempt.correct_count)
                                     .where(Attempt.round_id == past.id)).tuples().all())
    assert set(marks) == set(scores)  # every attempt has its questions
    assert all(sum(answers.values()) == scores[attempt] for attempt, answers in marks.items())
    keys = dict(db.session.execute(select(Option.question_id, Option.id).where(Option.is_correct.is_(True)))
                .tuples().all())
    assert all(bool(r.is_correct) == (r.chosen_option_id == keys[r.question_id]) for r in rows)

    drawn = {q for answers in marks.values() for q in answers}
    often = [q for q in drawn if sum(q in answers for answers in marks.values()) >= 100]
    figures = {q: _discrimination(marks, q) for q in often}
    negative = [q for q, value in figures.items() if value < 0]
    assert len(negative) == 1 and len(figures) >= 5  # the question that behaves like a wrong key, and only it
    trap = negative[0]
    strongest = sorted(scores, key=scores.get, reverse=True)[:len(scores) * 27 // 100]
    chosen = [r.chosen_option_id for r in rows if r.question_id == trap and r.id in set(strongest)]
    favourite = max(set(chosen) - {None}, key=chosen.count)
    assert favourite != keys[trap] and chosen.count(favourite) > chosen.count(keys[trap])

    flags = round_flags(past)
    assert len(flags.fast) >= 3 and flags.shared_devices and flags.ip_bursts
