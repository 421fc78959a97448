"""Attempts (one timed sitting), the questions each drew, their option order and the saved answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"   # submitted by the participant
    EXPIRED = "expired"       # closed by the server at its deadline, with the answers saved by then


# The predicate of the partial indexes on attempts in progress, as written in their definitions.
_IN_PROGRESS_LITERAL = f"'{AttemptStatus.IN_PROGRESS.value}'"
_IN_PROGRESS_PREDICATE = f"status = {_IN_PROGRESS_LITERAL}"


def in_progress(status: ColumnElement[AttemptStatus]) -> ColumnElement[bool]:
    """``status = 'in_progress'`` with the value written into the SQL, not bound: the condition of a query meant
    to use a partial index on attempts in progress. PostgreSQL uses a partial index only when it can prove that
    the query implies the index's predicate, which a bound value does not under a generic plan (bench/README.md).
    """
    return status == literal_column(_IN_PROGRESS_LITERAL)


class Attempt(db.Model):
    """One sitting. The database itself holds the attempt cap's two invariants:

    - ``(round_id, user_id, number)`` is unique, and ``number`` is checked against the round's cap when starting, so
      two simultaneous starts that both read "1 attempt so far" cannot both write attempt number 2;
    - at most one row per (round, user) is ``in_progress`` (a partial unique index).
    """

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("deadline_at > started_at", name="deadline_after_start"),
        Index("uq_attempts_one_in_progress", "round_id", "user_id", unique=True,
              sqlite_where=text(_IN_PROGRESS_PREDICATE), postgresql_where=text(_IN_PROGRESS_PREDICATE)),
        Index("ix_attempts_ranking", "round_id", "status", "correct_count", "duration_ms"),
        Index("ix_attempts_deadline_open", "deadline_at",
              sqlite_where=text(_IN_PROGRESS_PREDICATE), postgresql_where=text(_IN_PROGRESS_PREDICATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int]
    status: Mapped[AttemptStatus] = mapped_column(
        Enum(AttemptStatus, name="attempt_status", native_enum=False, create_constraint=True, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=AttemptStatus.IN_PROGRESS,
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None]
    question_count: Mapped[int]
    correct_count: Mapped[int | None]
    prediction: Mapped[int | None]
    client_ip: Mapped[str | None] = mapped_column(String(45))
    client_agent: Mapped[str | None] = mapped_column(String(300))
    device_id: Mapped[str | None] = mapped_column(String(64), index=True)

    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )


class AttemptQuestion(db.Model):
    """A drawn question in its shuffled place, its options' shuffled order, and the answer saved for it."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    option_order: Mapped[str] = mapped_column(String(120))  # the bank's option ids, comma-separated, as shown
    # The ids the participant sees for those options, in the same order (drawn at random per attempt:
    # ``quizapp.domain.draw``); answers arrive in these ids and are stored as the bank's.
    shown_option_ids: Mapped[str] = mapped_column(String(80))
    # No foreign key (migration 0003): it was checked at every saved answer; instead the options of a question
    # that attempts have shown cannot be deleted (a trigger), and answers are written only with an option shown.
    chosen_option_id: Mapped[int | None]
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_correct: Mapped[bool | None]

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
