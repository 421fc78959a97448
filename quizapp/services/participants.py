"""Participants: registration and password reset."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from quizapp.auth import hash_password
from quizapp.domain.registration import MIN_PASSWORD, Registration, RegistrationError
from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import Role, Unit, User
from quizapp.services import audit


def register(registration: Registration, *, now: datetime) -> User:
    """Create a participant under the unit ``registration.unit_code``, with their consent recorded at ``now``.

    Phone, email and citizen ID are unique: a taken one is a RegistrationError naming the field, also when two
    registrations race (the database's unique constraints decide).
    """
    unit = db.session.scalar(select(Unit).where(Unit.code == registration.unit_code))
    problems: dict[str, str] = {} if unit else {"unit_code": "unknown_unit"}
    problems.update(_taken(registration))
    if problems:
        raise RegistrationError(problems)
    user = User(role=Role.PARTICIPANT, full_name=registration.full_name, name_key=fold(registration.full_name),
                phone=registration.phone, email=registration.email, birth_date=registration.birth_date,
                id_number=registration.id_number, category=registration.category, unit_id=unit.id,
                password_hash=hash_password(registration.password), consent_at=now, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise RegistrationError(_taken(registration) or {"phone": "phone_taken"}) from None
    return user


def _taken(registration: Registration) -> dict[str, str]:
    """Which of phone, email and citizen ID already belong to someone (one query)."""
    conditions = [User.phone == registration.phone]
    if registration.email:
        conditions.append(User.email == registration.email)
    if registration.id_number:
        conditions.append(User.id_number == registration.id_number)
    rows = db.session.execute(select(User.phone, User.email, User.id_number).where(or_(*conditions))).all()
    taken: dict[str, str] = {}
    for phone, email, id_number in rows:
        if phone == registration.phone:
            taken["phone"] = "phone_taken"
        if registration.email and email == registration.email:
            taken["email"] = "email_taken"
        if registration.id_number and id_number == registration.id_number:
            taken["id_number"] = "id_number_taken"
    return taken


def reset_password(user: User, new_password: str, *, actor: User, now: datetime) -> None:
    """An organizer sets a new password; the participant's sessions and API tokens stop working."""
    if len(new_password) < MIN_PASSWORD:
        raise RegistrationError({"password": "password_too_short"})
    user.password_hash = hash_password(new_password)
    user.token_version += 1
    audit.record(actor=actor, action="user.reset_password", object_type="user", object_id=user.id, now=now)
