"""Contests, their audiences, rounds, draw rules, prize tiers and per-participant time extensions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.domain.contests.status import effective_close
from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow


def _enum(cls: type[StrEnum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=30,
                values_callable=lambda e: [m.value for m in e])


class CollectiveMetric(StrEnum):
    PARTICIPANTS = "participants"
    ATTEMPTS = "attempts"
    PARTICIPATION_RATE = "participation_rate"
    AVERAGE_SCORE = "average_score"


class PredictionAnswer(StrEnum):
    PERFECT_SCORES = "perfect_scores"
    PARTICIPANTS = "participants"
    ATTEMPTS = "attempts"
    MANUAL = "manual"


class Review(StrEnum):
    NEVER = "never"
    AFTER_SUBMIT = "after_submit"
    AFTER_CLOSE = "after_close"


class PrizeKind(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


class Contest(db.Model):
    __tablename__ = "contests"
    __table_args__ = (CheckConstraint("collective_level >= 1", name="collective_level_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    rules: Mapped[str] = mapped_column(Text, default="")
    one_prize_per_contest: Mapped[bool] = mapped_column(default=False)
    collective_level: Mapped[int] = mapped_column(default=2)
    collective_metric: Mapped[CollectiveMetric] = mapped_column(
        _enum(CollectiveMetric, "collective_metric"), default=CollectiveMetric.PARTICIPATION_RATE
    )
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    rounds: Mapped[list[Round]] = relationship(
        back_populates="contest", order_by="Round.position", cascade="all, delete-orphan"
    )
    prize_tiers: Mapped[list[PrizeTier]] = relationship(
        primaryjoin="and_(PrizeTier.contest_id == Contest.id, PrizeTier.round_id.is_(None))",
        order_by="PrizeTier.position", viewonly=True,
    )
    audience_units: Mapped[list[ContestAudienceUnit]] = relationship(
        order_by="ContestAudienceUnit.position", cascade="all, delete-orphan"
    )
    audience_categories: Mapped[list[ContestAudienceCategory]] = relationship(
        order_by="ContestAudienceCategory.position", cascade="all, delete-orphan"
    )


class ContestAudienceUnit(db.Model):
    """A unit whose subtree may take part in the contest (the unit and every unit below it). A contest without
    any may be entered from the whole tree. ``position`` keeps the organizer's order."""

    __tablename__ = "contest_audience_units"
    __table_args__ = (UniqueConstraint("contest_id", "position"),)

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    position: Mapped[int]


class ContestAudienceCategory(db.Model):
    """A participants' category (``User.category``, as stored) that may take part; none: every category, and
    people without one."""

    __tablename__ = "contest_audience_categories"
    __table_args__ = (UniqueConstraint("contest_id", "position"),)

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int]


class Round(db.Model):
    """A timed round. ``closed_at`` is set when an organizer ends it early; ``finalized_at`` freezes its results."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("contest_id", "position"),
        CheckConstraint("closes_at > opens_at", name="window_in_order"),
        CheckConstraint("question_count > 0", name="question_count_positive"),
        CheckConstraint("time_limit_seconds > 0", name="time_limit_positive"),
        CheckConstraint("grace_seconds >= 0", name="grace_not_negative"),
        CheckConstraint("max_attempts > 0", name="max_attempts_positive"),
        CheckConstraint("min_correct_for_prize >= 0", name="min_correct_not_negative"),
        Index("ix_rounds_window", "opens_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    question_count: Mapped[int]
    time_limit_seconds: Mapped[int]
    grace_seconds: Mapped[int] = mapped_column(default=10)
    max_attempts: Mapped[int] = mapped_column(default=1)
    prediction_question: Mapped[str | None] = mapped_column(Text)
    prediction_answer: Mapped[PredictionAnswer] = mapped_column(
        _enum(PredictionAnswer, "prediction_answer"), default=PredictionAnswer.PERFECT_SCORES
    )
    prediction_actual: Mapped[int | None]
    min_correct_for_prize: Mapped[int] = mapped_column(default=0)
    review: Mapped[Review] = mapped_column(_enum(Review, "review"), default=Review.AFTER_CLOSE)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contest: Mapped[Contest] = relationship(back_populates="rounds")
    draw_rules: Mapped[list[DrawRule]] = relationship(
        back_populates="round", order_by="DrawRule.position", cascade="all, delete-orphan"
    )
    prize_tiers: Mapped[list[PrizeTier]] = relationship(
        back_populates="round", order_by="PrizeTier.position", cascade="all, delete-orphan"
    )

    def effective_close(self) -> datetime:
        """When the round stops accepting new attempts: its scheduled close or an earlier manual close."""
        return effective_close(self.closes_at, self.closed_at)


class DrawRule(db.Model):
    """``count`` questions drawn from the active questions matching every criterion given (topic, bank, difficulty)."""

    __tablename__ = "draw_rules"
    __table_args__ = (
        UniqueConstraint("round_id", "position"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    topic: Mapped[str | None] = mapped_column(String(200))
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id"))
    difficulty: Mapped[str | None] = mapped_column(String(10))
    count: Mapped[int]

    round: Mapped[Round] = relationship(back_populates="draw_rules")


class PrizeTier(db.Model):
    """A prize tier in order: individual tiers belong to a round, collective tiers to the contest (round_id NULL)."""

    __tablename__ = "prize_tiers"
    __table_args__ = (
        UniqueConstraint("contest_id", "round_id", "kind", "position"),
        CheckConstraint("count > 0", name="count_positive"),
        CheckConstraint("(kind = 'individual') = (round_id IS NOT NULL)", name="individual_has_round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PrizeKind] = mapped_column(_enum(PrizeKind, "prize_kind"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    count: Mapped[int]

    round: Mapped[Round | None] = relationship(back_populates="prize_tiers")


class TimeExtension(db.Model):
    """Extra seconds an organizer granted one participant in one round (disability, technical incident)."""

    __tablename__ = "time_extensions"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        CheckConstraint("seconds > 0", name="seconds_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    seconds: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
