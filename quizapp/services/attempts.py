"""The timed attempt: start or resume, what the participant sees, saving answers, submitting, and review.

The rules live in ``quizapp.domain.timing`` (deadline, grace, duration, review), ``quizapp.domain.draw`` (the draw)
and ``quizapp.domain.attempts`` (scoring); closing attempts (deadline sweep, round close) and time extensions are
in ``quizapp.services.attempt_closing``. Services flush and never commit; every refusal is an ``AttemptError``.

Concurrency: the database holds rule 3. ``attempts`` has UNIQUE(round_id, user_id, number) and a partial unique
index allowing one ``in_progress`` row per (round, user); a start inserts inside a SAVEPOINT and, when a
simultaneous start won, resumes that one. A submit claims the attempt with a conditional UPDATE (``WHERE status =
'in_progress'``), so two simultaneous submits give one result. A save or a submit first locks the attempt row
(FOR NO KEY UPDATE; every path locks the attempt before its questions, so they queue instead of deadlocking), and
a save writes only while the attempt is in progress, so an answer cannot slip in after the scoring.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from quizapp.domain import timing
from quizapp.domain.attempts import AttemptError
from quizapp.domain.contests.status import round_status
from quizapp.domain.draw import DrawnQuestion, PoolTooSmall, Quota, pick_questions, shuffle_options
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    DrawRule,
    Option,
    Question,
    Round,
    TimeExtension,
    User,
)
from quizapp.services.attempt_closing import close_attempts, forget_cached_attempts, score_closed_attempts

__all__ = ["AttemptError", "SavedAnswers", "SubmitResult", "attempt_payload", "attempt_result", "review_payload",
           "save_answers", "start_or_resume", "start_refusal", "submit"]

IN_PROGRESS = AttemptStatus.IN_PROGRESS
MAX_PREDICTION = 2**31 - 1  # the column is a 32-bit integer
_START_TRIES = 3


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """The outcome of an attempt. ``status`` says whether it was submitted or closed at its deadline."""

    correct_count: int
    question_count: int
    duration_ms: int
    status: AttemptStatus

    def as_json(self) -> dict[str, int]:
        """The JSON API's submit answer: ``{"correct_count", "question_count", "duration_ms"}``."""
        return {"correct_count": self.correct_count, "question_count": self.question_count,
                "duration_ms": self.duration_ms}


@dataclass(frozen=True, slots=True)
class SavedAnswers:
    """What a save did: how many answers were given, and the attempt's deadline (for the time left)."""

    count: int
    deadline_at: datetime


# --- start or resume ----------------------------------------------------------------------------------------

def start_or_resume(round_: Round, user: User, *, now: datetime, rng: random.Random, client_ip: str | None = None,
                    client_agent: str | None = None, device_id: str | None = None) -> tuple[Attempt, bool]:
    """The participant's attempt in progress (``created`` False), or a new one with its questions drawn (True).

    An attempt past its deadline and grace is closed first (with its saved answers). A new attempt needs the round
    open at ``now`` (``round_not_open``, ``round_closed``), fewer attempts than the cap (``attempt_cap_reached``)
    and pools large enough for the draw (``pool_too_small``). Two simultaneous calls for the same participant
    yield one attempt: the loser of the insert race resumes the winner's.
    """
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    overdue = [Attempt.round_id == round_.id, Attempt.user_id == user.id,
               Attempt.deadline_at < now - timedelta(seconds=round_.grace_seconds)]
    for _ in range(_START_TRIES):
        if sqlite:
            # Always run there: this first write opens the transaction (and takes the write lock before the read),
            # so the SAVEPOINT below nests inside it rather than committing on release.
            close_attempts(overdue, now=now)
        attempts = _attempts_of(round_, user)
        running = next((a for a in attempts if a.status is IN_PROGRESS), None)
        if (not sqlite and running is not None
                and not timing.accepts_answers(running.deadline_at, round_.grace_seconds, now)):
            # Elsewhere only when needed: the UPDATE's own WHERE settles a race with a simultaneous submit.
            close_attempts(overdue, now=now)
            attempts = _attempts_of(round_, user)
            running = next((a for a in attempts if a.status is IN_PROGRESS), None)
        if running is not None:
            return running, False
        refusal = start_refusal(round_, len(attempts), now)
        if refusal is not None:
            raise refusal
        attempt = _new_attempt(round_, user, number=max((a.number for a in attempts), default=0) + 1, now=now,
                               client=(client_ip, client_agent, device_id))
        drawn = _draw(round_, rng)
        attempt.question_count = len(drawn)
        try:
            with db.session.begin_nested():
                db.session.add(attempt)
                db.session.flush()
                db.session.execute(insert(AttemptQuestion), [
                    {"attempt_id": attempt.id, "position": position, "question_id": q.question_id,
                     "option_order": ",".join(map(str, q.option_ids))}
                    for position, q in enumerate(drawn, start=1)
                ])
        except IntegrityError:
            continue  # a simultaneous start won the race: read again, resume it (or report the cap)
        return attempt, True
    raise AttemptError("attempt_conflict", {"round_id": round_.id})


def _attempts_of(round_: Round, user: User) -> Sequence[Attempt]:
    return db.session.scalars(
        select(Attempt).where(Attempt.round_id == round_.id, Attempt.user_id == user.id)
        .execution_options(populate_existing=True)
    ).all()


def start_refusal(round_: Round, attempts_so_far: int, now: datetime) -> AttemptError | None:
    """Why a new attempt would be refused at ``now`` after ``attempts_so_far`` attempts, or None: the round not
    open yet (``round_not_open``), closed (``round_closed``), or the cap reached (``attempt_cap_reached``).
    ``start_or_resume`` raises it; pages call it to say so before the participant presses the button."""
    status = round_status(opens_at=round_.opens_at, closes_at=round_.closes_at, closed_at=round_.closed_at,
                          finalized_at=round_.finalized_at, now=now)
    if status == "upcoming":
        return AttemptError("round_not_open", {"round_id": round_.id, "opens_at": round_.opens_at})
    if status != "open":
        return AttemptError("round_closed", {"round_id": round_.id, "closed_at": round_.effective_close()})
    if attempts_so_far >= round_.max_attempts:
        return AttemptError("attempt_cap_reached", {"round_id": round_.id, "max_attempts": round_.max_attempts})
    return None


def _new_attempt(round_: Round, user: User, *, number: int, now: datetime,
                 client: tuple[str | None, str | None, str | None]) -> Attempt:
    started = timing.to_millisecond(now)
    extension = db.session.scalar(select(TimeExtension.seconds).where(
        TimeExtension.round_id == round_.id, TimeExtension.user_id == user.id)) or 0
    deadline = timing.attempt_deadline(started, time_limit_seconds=round_.time_limit_seconds,
                                       extension_seconds=extension, round_close=round_.effective_close())
    ip, agent, device = client
    return Attempt(round_id=round_.id, user_id=user.id, number=number, status=IN_PROGRESS, started_at=started,
                   deadline_at=deadline, question_count=0, client_ip=_clip(ip, 45), client_agent=_clip(agent, 300),
                   device_id=_clip(device, 64))


def _clip(value: str | None, length: int) -> str | None:
    """What the client sent, cut to the column's length (a user agent can be very long); None when empty."""
    return value[:length] if value else None


def _draw(round_: Round, rng: random.Random) -> list[DrawnQuestion]:
    """Draw by the round's rules (see ``quizapp.domain.draw``): one query for the pools, one for the options."""
    quotas = _quotas(round_)
    try:
        picked = pick_questions(quotas, rng)
    except PoolTooSmall as short:
        raise AttemptError("pool_too_small", {"round_id": round_.id, "rule": short.rule, "needed": short.needed,
                                              "available": short.available}) from None
    options: dict[int, list[int]] = {}
    for question_id, option_id in db.session.execute(
            select(Option.question_id, Option.id).where(Option.question_id.in_(picked))):
        options.setdefault(question_id, []).append(option_id)
    return shuffle_options(picked, options, rng)


def _quotas(round_: Round) -> list[Quota]:
    """Each draw rule's candidates, in one query: the active questions matching topic, bank and difficulty.

    A pool can hold thousands of ids, so they are read on the session's connection, without the ORM's row
    processing (bench/attempt_flow.py: with 5,000 candidates a start took a third less CPU).
    """
    active = Question.retired_at.is_(None)
    rules = round_.draw_rules
    connection = db.session.connection()
    if not rules:
        return [Quota(None, round_.question_count, connection.scalars(select(Question.id).where(active)).all())]
    conditions = [and_(true(), *_criteria(rule)) for rule in rules]
    flags = [case((condition, 1), else_=0) for condition in conditions]
    rows = connection.execute(select(Question.id, *flags).where(active, or_(*conditions))).all()
    return [Quota(rule.position, rule.count, [row[0] for row in rows if row[index + 1]])
            for index, rule in enumerate(rules)]


def _criteria(rule: DrawRule) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = []
    if rule.topic is not None:
        criteria.append(Question.topic == rule.topic)
    if rule.bank_id is not None:
        criteria.append(Question.bank_id == rule.bank_id)
    if rule.difficulty is not None:
        criteria.append(Question.difficulty == rule.difficulty)
    return criteria


# --- what the participant sees ------------------------------------------------------------------------------

def attempt_payload(attempt: Attempt) -> dict[str, Any]:
    """The attempt as the JSON API gives it, in its shuffled order, without any hint of the correct answers::

        {"attempt_id", "deadline" (ISO 8601, UTC offset), "questions": [{"id", "text", "options": [{"id", "text"}]}],
         "prediction_question", "answers": {"<question id>": option id}}

    ``answers`` holds the answers saved so far (keys are strings, as in JSON). Two queries.
    """
    rows = db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.option_order, AttemptQuestion.chosen_option_id,
               Question.text, Round.prediction_question)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .join(Round, Round.id == attempt.round_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    texts = _option_texts([row.question_id for row in rows])
    return {
        "attempt_id": attempt.id,
        "deadline": attempt.deadline_at.isoformat(timespec="milliseconds"),
        "questions": [{"id": row.question_id, "text": row.text,
                       "options": [{"id": o, "text": texts[o]} for o in _option_ids(row.option_order)]}
                      for row in rows],
        "prediction_question": rows[0].prediction_question if rows else None,
        "answers": {str(row.question_id): row.chosen_option_id for row in rows if row.chosen_option_id is not None},
    }


def _option_texts(question_ids: Sequence[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Option.id, Option.text).where(Option.question_id.in_(question_ids)))
                .tuples().all())


def _option_ids(option_order: str) -> list[int]:
    return [int(part) for part in option_order.split(",") if part]


# --- saving and submitting ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _State:
    status: AttemptStatus
    deadline_at: datetime
    grace_seconds: int
    offered: dict[int, frozenset[int]]  # question id -> the option ids shown with it


def save_answers(attempt_id: int, answers: Mapping[Any, Any], *, user: User, now: datetime,
                 prediction: int | None = None) -> SavedAnswers:
    """Save some or all answers ({question id: option id, or None to clear}) to the attempt ``attempt_id``;
    returns how many were given, with the attempt's deadline.

    A ``prediction`` given here is kept with the attempt too, so that an attempt closed at its deadline without a
    submit still ranks with the prediction its participant typed.

    Only an existing attempt (``attempt_not_found``) of its owner (``not_your_attempt``); only while it accepts
    answers (deadline + grace): later, the attempt is closed with what was saved before and ``attempt_closed`` is
    raised (keep the closing by committing, or let the deadline sweep do it again). Every question must be one
    of the attempt's (``unknown_question``) and every option one shown with that question (``unknown_option``);
    on any unknown id nothing is saved.
    Changing an answer is allowed until the deadline; saving the same answer again changes nothing.
    Two statements: one read (locking the attempt row) and one executemany UPDATE (plus a check on SQLite).
    """
    state = _load_state(attempt_id, user)
    _check_prediction(prediction)
    _check_accepting(attempt_id, state, now)
    choices = _checked_choices(state, answers)
    _write_choices(attempt_id, choices, now, only_in_progress=True)
    if prediction is not None:
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id, Attempt.status == IN_PROGRESS)
                           .values(prediction=prediction).execution_options(synchronize_session=False))
    if choices and db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row lock: the read above may predate a submit. This transaction now holds the write
        # lock, so a second look is current; the write above saved nothing if the attempt has closed since.
        status = db.session.scalar(select(Attempt.status).where(Attempt.id == attempt_id))
        if status is not IN_PROGRESS:
            raise AttemptError("attempt_closed", {"attempt_id": attempt_id, "status": status.value})
    return SavedAnswers(count=len(choices), deadline_at=state.deadline_at)


def submit(attempt: Attempt, *, user: User, answers: Mapping[Any, Any] | None = None, prediction: int | None = None,
           now: datetime) -> SubmitResult:
    """Save the final answers and the prediction, score the attempt, and return its result.

    Accepted up to the deadline plus grace; the duration counts only up to the deadline. Idempotent: a repeated
    submit, or one that lost a race with a simultaneous submit, returns the stored result and changes nothing.
    An attempt already closed at its deadline returns its result; one past its grace is closed now with the
    answers saved by its deadline (what arrives with the late submit is ignored) and its result returned with
    ``status`` expired. Unknown questions or options (or a prediction outside 0..2^31-1) raise before anything
    is written.
    """
    state = _load_state(attempt.id, user)
    _check_prediction(prediction)
    if state.status is not IN_PROGRESS:
        return attempt_result(attempt)
    if not timing.accepts_answers(state.deadline_at, state.grace_seconds, now):
        close_attempts([Attempt.id == attempt.id], now=now)
        return attempt_result(attempt)
    choices = _checked_choices(state, answers or {})
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == IN_PROGRESS)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=now,
                prediction=Attempt.prediction if prediction is None else prediction,
                duration_ms=timing.duration_ms(attempt.started_at, state.deadline_at, now))
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        _write_choices(attempt.id, choices, now, only_in_progress=False)
        score_closed_attempts([Attempt.id == attempt.id])
    return attempt_result(attempt)


def _check_prediction(prediction: int | None) -> None:
    if prediction is not None and (isinstance(prediction, bool) or not isinstance(prediction, int)
                                   or not 0 <= prediction <= MAX_PREDICTION):
        raise AttemptError("invalid_prediction", {"max": MAX_PREDICTION})


def attempt_result(attempt: Attempt) -> SubmitResult:
    """The stored result of a finished attempt, read afresh from the database."""
    forget_cached_attempts()
    db.session.refresh(attempt)
    return SubmitResult(correct_count=attempt.correct_count or 0, question_count=attempt.question_count,
                        duration_ms=attempt.duration_ms or 0, status=attempt.status)


def _check_accepting(attempt_id: int, state: _State, now: datetime) -> None:
    if state.status is not IN_PROGRESS:
        raise AttemptError("attempt_closed", {"attempt_id": attempt_id, "status": state.status.value})
    if not timing.accepts_answers(state.deadline_at, state.grace_seconds, now):
        close_attempts([Attempt.id == attempt_id], now=now)
        raise AttemptError("attempt_closed", {"attempt_id": attempt_id, "status": AttemptStatus.EXPIRED.value,
                                              "deadline": state.deadline_at})


def _load_state(attempt_id: int, user: User) -> _State:
    """The attempt's status, deadline, grace and offered options, read fresh in one query with the row locked;
    ``attempt_not_found`` when there is no such attempt (with questions), ``not_your_attempt`` when it is not
    ``user``'s (the caller needs no read of its own first)."""
    rows = db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.option_order, Attempt.user_id, Attempt.status,
               Attempt.deadline_at, Round.grace_seconds)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(Round, Round.id == Attempt.round_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .with_for_update(of=Attempt, key_share=True)
    ).all()
    if not rows:
        raise AttemptError("attempt_not_found", {"attempt_id": attempt_id})
    first = rows[0]
    if first.user_id != user.id:
        raise AttemptError("not_your_attempt", {"attempt_id": attempt_id})
    return _State(status=AttemptStatus(first.status), deadline_at=first.deadline_at,
                  grace_seconds=first.grace_seconds,
                  offered={row.question_id: frozenset(_option_ids(row.option_order)) for row in rows})


def _as_id(value: Any) -> int | None:
    """An id given as an int or as a string of digits (JSON object keys are strings); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _checked_choices(state: _State, answers: Mapping[Any, Any]) -> dict[int, int | None]:
    """{question id: option id or None}, every id checked against what the attempt showed; raises on the first
    unknown one (so that nothing is saved); ``invalid_answers`` when ``answers`` is not a mapping at all."""
    if not isinstance(answers, Mapping):
        raise AttemptError("invalid_answers")
    choices: dict[int, int | None] = {}
    for raw_question, raw_option in answers.items():
        question_id = _as_id(raw_question)
        if question_id is None or question_id not in state.offered:
            raise AttemptError("unknown_question", {"question_id": raw_question})
        option_id = None if raw_option is None else _as_id(raw_option)
        if raw_option is not None and option_id not in state.offered[question_id]:
            raise AttemptError("unknown_option", {"question_id": question_id, "option_id": raw_option})
        choices[question_id] = option_id
    return choices


def _write_choices(attempt_id: int, choices: Mapping[int, int | None], now: datetime, *,
                   only_in_progress: bool) -> None:
    """One executemany UPDATE, in question order; rows whose answer is unchanged are not touched (their
    ``answered_at`` stays). ``only_in_progress``: write nothing once the attempt is closed, even if it was closed
    after it was read (SQLite has no row locks; there the write lock makes this check current)."""
    if not choices:
        return
    table = AttemptQuestion.__table__
    conditions = [table.c.attempt_id == bindparam("a_id"), table.c.question_id == bindparam("q_id"),
                  table.c.chosen_option_id.is_distinct_from(bindparam("o_id"))]
    if only_in_progress:
        conditions.append(exists().where(Attempt.id == table.c.attempt_id, Attempt.status == IN_PROGRESS))
    statement = update(table).where(*conditions).values(chosen_option_id=bindparam("o_id"),
                                                         answered_at=bindparam("at"))
    db.session.execute(statement, [{"a_id": attempt_id, "q_id": q, "o_id": choices[q], "at": now}
                                   for q in sorted(choices)])
    forget_cached_attempts(questions_only=True)


# --- review -------------------------------------------------------------------------------------------------

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
        shown = [options[o] for o in _option_ids(row.option_order)]
        questions.append({
            "id": row.question_id, "text": row.text,
            "options": [{"id": o.id, "text": o.text} for o in shown],
            "chosen_option_id": row.chosen_option_id,
            "correct_option_id": next((o.id for o in shown if o.is_correct), None),
            "is_correct": bool(row.is_correct), "explanation": row.explanation,
        })
    return {"attempt_id": attempt.id, "correct_count": attempt.correct_count or 0,
            "question_count": attempt.question_count, "duration_ms": attempt.duration_ms, "questions": questions}
