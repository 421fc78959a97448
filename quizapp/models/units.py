"""The organization tree (province → district → commune → school, or party committees and cells)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow


class Unit(db.Model):
    """One node of the tree; ``depth`` is 1 at the root, as the contest's ``collective_level`` counts it."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        CheckConstraint("depth >= 1", name="depth_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    depth: Mapped[int] = mapped_column(default=1)
    member_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnitAncestor(db.Model):
    """Closure table: one row per (ancestor, descendant) pair, the unit itself included at distance 0.

    Lets collectives be ranked at any level with one join, the same SQL on SQLite and PostgreSQL.
    """

    __tablename__ = "unit_ancestors"

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    ancestor_depth: Mapped[int] = mapped_column(index=True)
