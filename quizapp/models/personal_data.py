"""Erasure requests: a participant asks for their personal data to be erased; an organizer handles or refuses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime


class ErasureStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"        # the data was erased (by this request, or by the command line meanwhile)
    REFUSED = "refused"  # an organizer refused, with a reason


class ErasureRequest(db.Model):
    """One request; at most one per participant is pending (a partial unique index)."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        Index("uq_erasure_requests_pending", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ErasureStatus] = mapped_column(
        Enum(ErasureStatus, name="erasure_status", native_enum=False, create_constraint=True, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=ErasureStatus.PENDING, index=True,
    )
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(Text)  # an organizer's reason for a refusal
