"""The dashboard's running figures of a round (services/dashboard.py): counters added up from the attempts table
by an id watermark, so that a page view reads a few hundred rows instead of every attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime

#: ``category`` of the counters for people without one, and ``unit_id`` for people registered in no unit.
NO_CATEGORY = ""
NO_UNIT = 0


class RoundSummary(db.Model):
    """How far a round's counters have been added up: every attempt of the round with ``id <= counted_through``
    was finished when they were, and is counted in them."""

    __tablename__ = "round_summaries"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    counted_through: Mapped[int] = mapped_column(BigInteger, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rebuilt_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoundUnitFigure(db.Model):
    """Entries and distinct participants of a round by the unit people registered in (not totalled up the tree:
    the service does that with the closure table) and their category."""

    __tablename__ = "round_unit_figures"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True)  # NO_UNIT for none; no foreign key: a counter only
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)
    participants: Mapped[int] = mapped_column(default=0)


class RoundHourFigure(db.Model):
    """Entries of a round by the hour they were finished in (hours since 1970-01-01 UTC) and category."""

    __tablename__ = "round_hour_figures"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)


class RoundScoreFigure(db.Model):
    """Entries of a round by correct count and category."""

    __tablename__ = "round_score_figures"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    correct_count: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)
