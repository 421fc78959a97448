"""Prize certificates: the template an organizer sets per contest, and the code each certificate is verified by."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime


class CertificateTemplate(db.Model):
    """What a contest's certificates print besides the prize: issuer, decision, signer, heading, a line, a logo."""

    __tablename__ = "certificate_templates"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    heading: Mapped[str] = mapped_column(String(60))
    issuing_body: Mapped[str] = mapped_column(String(200))
    decision_number: Mapped[str] = mapped_column(String(60), default="")
    decision_date: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(100), default="")
    intro: Mapped[str] = mapped_column(String(300), default="")
    signer_title: Mapped[str] = mapped_column(String(100), default="")
    signer_name: Mapped[str] = mapped_column(String(100), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IssuedCertificate(db.Model):
    """The code of one certificate and the prize it certifies: a person's prize in a round (``round_id`` and
    ``user_id``), or a unit's collective prize in a contest (``unit_id``, no round).

    Issued once per person (or unit) and prize, so the same prize always prints the same code; whether it is
    still genuine is read from the results each time it is verified (``quizapp.services.certificates``), so a
    re-opened round or a disqualification revokes it without any step to remember.
    """

    __tablename__ = "issued_certificates"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (unit_id IS NULL)", name="one_holder"),
        Index("uq_issued_certificates_person", "round_id", "user_id", "prize_name", unique=True,
              sqlite_where=text("user_id IS NOT NULL"), postgresql_where=text("user_id IS NOT NULL")),
        Index("uq_issued_certificates_unit", "contest_id", "unit_id", "prize_name", unique=True,
              sqlite_where=text("unit_id IS NOT NULL"), postgresql_where=text("unit_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    prize_name: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: A collective's: when the last round of the contest was finalized as it was issued (while that stands,
    #: the collective standings need not be counted again to verify it).
    basis_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
