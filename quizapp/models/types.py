"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: stored as UTC (naive on SQLite, timestamptz on PostgreSQL), always returned aware in UTC.

    Refuses naive datetimes on the way in, so that a local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The server's clock, read at the edge (views, CLI) and passed down as an argument."""
    return datetime.now(UTC)


#: The largest id the 32-bit integer id columns hold; ids beyond it are not ids at all.
MAX_ID = 2**31 - 1


def parse_id(text: str | None) -> int | None:
    """The id written in ``text`` (ASCII digits only, at most :data:`MAX_ID`), or None when it is not one.

    Shared by every place that reads an id from outside: URLs (``quizapp.DatabaseId``), query strings and hidden
    fields, and the command line.
    """
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)
