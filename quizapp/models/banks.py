"""Question banks, their questions and options, and the record of each import."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow

DIFFICULTIES = ("easy", "medium", "hard")


class Bank(db.Model):
    """A named set of questions. ``revision`` counts the changes to its questions and options (import, edit,
    retire, restore: ``services.banks`` bumps it in the same transaction), so that what is cached from a bank
    (the draw pools of ``services.draw_pool``) knows when it is out of date."""

    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the unit whose subtree's staff own the bank (services/scopes.py); None: a shared bank, read by everyone
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)


class Question(db.Model):
    """A multiple-choice question. Never deleted once an attempt drew it: it is retired instead."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("bank_id", "text_hash"),
        CheckConstraint("difficulty IS NULL OR difficulty IN ('easy', 'medium', 'hard')", name="difficulty_known"),
        Index("ix_questions_draw", "bank_id", "topic", "difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    number: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))  # sha256 of domain.text.question_key(text)
    search_key: Mapped[str] = mapped_column(Text, default="")  # accent-folded text for search
    topic: Mapped[str | None] = mapped_column(String(200), index=True)
    difficulty: Mapped[str | None] = mapped_column(String(10))
    explanation: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def correct_option(self) -> Option | None:
        return next((o for o in self.options if o.is_correct), None)


class Option(db.Model):
    __tablename__ = "options"
    __table_args__ = (
        UniqueConstraint("question_id", "position"),
        CheckConstraint("position >= 0 AND position < 6", name="position_in_range"),
        # At most one correct option per question; the service guarantees at least one.
        Index("uq_options_one_correct", "question_id", unique=True,
              sqlite_where=text("is_correct"), postgresql_where=text("is_correct")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class BankImport(db.Model):
    """One accepted import: what file, by whom, and what it added."""

    __tablename__ = "bank_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    added: Mapped[int]
    unchanged: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
