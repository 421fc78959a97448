"""Notices an organizer posts at the top of a public contest page ("Đợt 2 lùi lịch sang ngày 15/12"): short,
dated, removed when no longer true. Not the results announcement (``services.announcement``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime

NOTICE_MAX_LENGTH = 500


class ContestNotice(db.Model):
    __tablename__ = "contest_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(NOTICE_MAX_LENGTH))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
