"""Judges' decisions and the frozen results of finalized rounds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow


class Disqualification(db.Model):
    """A participant's entry in a round set aside by a judge; ``lifted_at`` records a reinstatement."""

    __tablename__ = "disqualifications"
    __table_args__ = (
        Index("uq_disqualifications_active", "round_id", "user_id", unique=True,
              sqlite_where=text("lifted_at IS NULL"), postgresql_where=text("lifted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)


class RoundResult(db.Model):
    """One ranked participant of a finalized round: their best attempt, place and prize, frozen.

    A snapshot written once, in bulk, from the users and attempts read in the same transaction (and deleted
    only by re-opening the round). ``user_id`` and ``attempt_id`` are deliberately not foreign keys: PostgreSQL
    checks a foreign key by locking the referenced row, and for a round of 400,000 participants those
    800,000 row locks took three quarters of the finalization (COPY of the rows: 10.5 s with them, 4.0 s
    without; ``bench/ranking.py``). Users and attempts are never deleted (erasure anonymises a user).
    """

    __tablename__ = "round_results"
    __table_args__ = (UniqueConstraint("round_id", "rank"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rank: Mapped[int]
    attempt_id: Mapped[int]
    correct_count: Mapped[int]
    question_count: Mapped[int]
    duration_ms: Mapped[int]
    prediction: Mapped[int | None]
    prediction_gap: Mapped[int | None]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    prize_tier_id: Mapped[int | None] = mapped_column(ForeignKey("prize_tiers.id"))
    prize_name: Mapped[str | None] = mapped_column(String(100))


class CollectiveResult(db.Model):
    """One ranked unit, for a round (round_id set) or the whole contest, at the contest's level; frozen."""

    __tablename__ = "collective_results"
    __table_args__ = (UniqueConstraint("contest_id", "round_id", "level", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    level: Mapped[int]
    rank: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    member_count: Mapped[int]
    participants: Mapped[int]
    attempts: Mapped[int]
    participation_rate: Mapped[float] = mapped_column(Float)
    average_score: Mapped[float] = mapped_column(Float)
    prize_tier_id: Mapped[int | None] = mapped_column(ForeignKey("prize_tiers.id"))
    prize_name: Mapped[str | None] = mapped_column(String(100))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
