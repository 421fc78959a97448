"""Finding participants for the organizer's screens."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from quizapp.domain.phones import normalise_phone
from quizapp.domain.text import clean, escape_like, fold
from quizapp.models import Role, User


def participant_search(query: str | None) -> Select:
    """Participants matching a name (accent-insensitive), a phone in any form, an email or a citizen ID."""
    statement = select(User).where(User.role == Role.PARTICIPANT)
    text = clean(query)
    if text:
        needle = f"%{escape_like(fold(text))}%"
        conditions = [User.name_key.like(needle, escape="\\"), User.email == text.lower(), User.id_number == text]
        phone = normalise_phone(text)
        if phone:
            conditions.append(User.phone == phone)
        statement = statement.where(or_(*conditions))
    return statement.order_by(User.name_key, User.id)
