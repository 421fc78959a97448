"""A contest's letterhead: who issues its documents and who signs them, entered once per contest.

The results announcement takes the form of a Vietnamese party or state notice from it (issuing body and number
top left, the national motto or the party's name top right, place and date, "Nơi nhận", the signature block).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime


class Motto(StrEnum):
    STATE = "state"  # CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc
    PARTY = "party"  # ĐẢNG CỘNG SẢN VIỆT NAM


class ContestLetterhead(db.Model):
    __tablename__ = "contest_letterheads"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    superior_body: Mapped[str] = mapped_column(String(200), default="")
    issuing_body: Mapped[str] = mapped_column(String(200))
    motto: Mapped[Motto] = mapped_column(
        Enum(Motto, name="motto", native_enum=False, create_constraint=True, length=10,
             values_callable=lambda e: [m.value for m in e]), default=Motto.STATE)
    document_number: Mapped[str] = mapped_column(String(60), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    signed_on: Mapped[date | None]
    opening: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    signing_capacity: Mapped[str] = mapped_column(String(100), default="")
    signer_title: Mapped[str] = mapped_column(String(100), default="")
    signer_name: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
