"""Participants: registration, password reset, and the organizer's console (search, edit, hide).

The console's functions take the account's ``scope`` (``services.scopes``): a scoped organizer finds, counts and
changes only participants whose unit is in their subtree, and moves them only to units in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError

from quizapp.auth import hash_password
from quizapp.domain.registration import MIN_PASSWORD, Registration, RegistrationError, check_registration
from quizapp.domain.text import clean, escape_like, fold
from quizapp.extensions import db
from quizapp.models import Attempt, Contest, Role, Round, TimeExtension, Unit, User
from quizapp.models.units import UnitAncestor
from quizapp.services import audit
from quizapp.services.changes import round_changed
from quizapp.services.people import participant_search
from quizapp.services.scopes import EVERYTHING, Scope, ScopeError, contest_clause, participant_clause, unit_in_scope


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


def require_in_scope(scope: Scope, user: User) -> None:
    """Raise ``ScopeError`` unless ``user`` (a participant) is in ``scope``: their unit is in its subtree."""
    if not scope.everything and not unit_in_scope(scope, user.unit_id):
        raise ScopeError("outside_scope", "participant")


def reset_password(user: User, new_password: str, *, actor: User, now: datetime,
                   scope: Scope = EVERYTHING) -> None:
    """An organizer sets a new password; the participant's sessions and API tokens stop working."""
    require_in_scope(scope, user)
    if len(new_password) < MIN_PASSWORD:
        raise RegistrationError({"password": "password_too_short"})
    user.password_hash = hash_password(new_password)
    user.token_version += 1
    audit.record(actor=actor, action="user.reset_password", object_type="user", object_id=user.id, now=now)


# --- The organizer's console: search with filters, edit, hide -------------------------------------------------

#: The profile fields an organizer edits, in the order of the form (registration's, without the password).
PROFILE_FIELDS = ("full_name", "phone", "email", "unit_code", "category", "birth_date", "id_number")
#: Personal data (SPEC rule 11): the audit log records that these changed, never their values.
PERSONAL_FIELDS = frozenset({"phone", "email", "birth_date", "id_number"})
#: check_registration checks a password too; an edit does not change it, so a value it accepts stands in.
_UNCHANGED_PASSWORD = "x" * MIN_PASSWORD


@dataclass(frozen=True)
class ParticipantFilter:
    query: str = ""
    unit_id: int | None = None  #: the unit and everything under it
    category: str | None = None


def search_participants(filters: ParticipantFilter, scope: Scope = EVERYTHING) -> Select:
    """Participants of ``scope`` that ``people.participant_search`` finds (name without accents, phone in any
    form, email, citizen ID) or whose own unit has the query as its code or in its name; within a unit's subtree
    and of a category when asked; merged accounts left out. Ordered by name."""
    statement = select(User).where(User.role == Role.PARTICIPANT, User.merged_into_id.is_(None),
                                   participant_clause(scope))
    text = clean(filters.query)
    if text:
        found = participant_search(text).with_only_columns(User.id).order_by(None)
        by_unit = select(Unit.id).where(or_(Unit.code == text,
                                            Unit.name_key.like(f"%{escape_like(fold(text))}%", escape="\\")))
        statement = statement.where(or_(User.id.in_(found), User.unit_id.in_(by_unit)))
    if filters.unit_id is not None:
        subtree = select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == filters.unit_id)
        statement = statement.where(User.unit_id.in_(subtree))
    if filters.category:
        statement = statement.where(User.category == filters.category)
    return statement.order_by(User.name_key, User.id)


@dataclass(frozen=True)
class ProfileError(Exception):
    """Problems of an edit: field -> registration code (or ``unit_outside_scope``), and for a taken phone, email
    or citizen ID the account holding it (field -> (user id, full name)) when it is in the editor's scope."""

    problems: dict[str, str]
    holders: dict[str, tuple[int, str]] = field(default_factory=dict)


def profile_values(user: User, unit_code: str | None) -> dict[str, Any]:
    """The editable fields of ``user`` as the form shows them."""
    return {"full_name": user.full_name, "phone": user.phone, "email": user.email, "unit_code": unit_code,
            "category": user.category, "birth_date": user.birth_date, "id_number": user.id_number}


def holders(values: dict[str, str | None], *, besides: int | None = None,
            scope: Scope = EVERYTHING) -> dict[str, tuple[int, str] | None]:
    """Which of the phone, email and citizen ID in ``values`` belong to another account (one query):
    field -> (its id, its full name), or None for an account outside ``scope`` (it is not named)."""
    columns = {"phone": User.phone, "email": User.email, "id_number": User.id_number}
    conditions = [columns[name] == value for name, value in values.items() if value and name in columns]
    if not conditions:
        return {}
    statement = select(User.id, User.full_name, User.phone, User.email, User.id_number,
                       participant_clause(scope).label("in_scope")).where(or_(*conditions))
    if besides is not None:
        statement = statement.where(User.id != besides)
    found: dict[str, tuple[int, str] | None] = {}
    for row in db.session.execute(statement):
        for name in columns:
            if values.get(name) and getattr(row, name) == values[name]:
                found[name] = (row.id, row.full_name) if row.in_scope else None
    return found


def update_profile(user: User, raw: dict[str, object], *, actor: User, now: datetime, today: date,
                   scope: Scope = EVERYTHING) -> list[str]:
    """Check ``raw`` as a registration is checked (``check_registration``) and save it on ``user``; returns the
    fields that changed. The audit entry names them, with old and new values except for personal data. A scoped
    organizer edits people of their subtree and keeps them there (``unit_outside_scope``)."""
    require_in_scope(scope, user)
    problems: dict[str, str] = {}
    try:
        checked = check_registration({**raw, "password": _UNCHANGED_PASSWORD}, today=today)
    except RegistrationError as error:
        checked, problems = None, dict(error.problems)
    unit_code = clean(str(raw.get("unit_code") or ""))
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if unit_code and unit is None:
        problems["unit_code"] = "unknown_unit"
    elif unit is not None and not unit_in_scope(scope, unit.id):
        problems["unit_code"] = "unit_outside_scope"
    taken = {} if checked is None else holders(
        {"phone": checked.phone, "email": checked.email, "id_number": checked.id_number}, besides=user.id,
        scope=scope)
    problems.update({name: f"{name}_taken" for name in taken})
    if problems or checked is None or unit is None:
        raise ProfileError(problems, {name: holder for name, holder in taken.items() if holder is not None})
    old_unit = db.session.get(Unit, user.unit_id) if user.unit_id else None
    before = profile_values(user, old_unit.code if old_unit else None)
    after = {"full_name": checked.full_name, "phone": checked.phone, "email": checked.email,
             "unit_code": unit.code, "category": checked.category, "birth_date": checked.birth_date,
             "id_number": checked.id_number}
    changed = [name for name in PROFILE_FIELDS if before[name] != after[name]]
    if not changed:
        return []
    user.full_name, user.name_key = checked.full_name, fold(checked.full_name)
    user.phone, user.email, user.id_number = checked.phone, checked.email, checked.id_number
    user.unit_id, user.category, user.birth_date = unit.id, checked.category, checked.birth_date
    changes = [{"field": name} if name in PERSONAL_FIELDS else
               {"field": name, "old": before[name], "new": after[name]} for name in changed]
    audit.record(actor=actor, action="user.edit", object_type="user", object_id=user.id, now=now,
                 details={"user_id": user.id, "changes": changes})
    if {"unit_code", "category", "full_name"} & set(changed):
        rounds_of(user.id)  # collectives and published names follow the unit, category and name
    return changed


def rounds_of(user_id: int) -> None:
    """Mark the rounds where ``user_id`` has attempts as changed (their cached results are dropped on commit)."""
    for round_id in db.session.scalars(select(Attempt.round_id).where(Attempt.user_id == user_id).distinct()):
        round_changed(round_id)


def set_hidden(user: User, hidden: bool, reason: str | None, *, actor: User, now: datetime,
               scope: Scope = EVERYTHING) -> None:
    """Hide ``user`` from every ranking, count and statistic (with a reason, required), or show them again.
    Rounds already finalized keep their frozen results; re-opening one applies the change."""
    require_in_scope(scope, user)
    reason = clean(reason) or None
    if hidden and not reason:
        raise ProfileError({"reason": "required"})
    if user.hidden == hidden:
        return
    user.hidden, user.hidden_reason = hidden, reason if hidden else None
    audit.record(actor=actor, action="user.hide" if hidden else "user.unhide", object_type="user",
                 object_id=user.id, now=now, reason=reason, details={"user_id": user.id})
    rounds_of(user.id)


def extension_rounds(scope: Scope = EVERYTHING) -> list[tuple[int, str]]:
    """(round id, "Contest – Round") of the rounds an organizer may give extra time in, newest contest first:
    the rounds of the contests in their scope (``scopes.contest_clause``)."""
    rows = db.session.execute(
        select(Round.id, Round.name, Contest.title).join(Contest, Contest.id == Round.contest_id)
        .where(contest_clause(scope, Contest.id)).order_by(Contest.id.desc(), Round.position)
    ).all()
    return [(row.id, f"{row.title} – {row.name}") for row in rows]


def participant_history(user_id: int, scope: Scope = EVERYTHING) -> tuple[list, list]:
    """The person's attempts (newest first) and time extensions, each with its round's name, in the rounds of
    contests in ``scope``: a scoped organizer does not see the rounds of the level above's contests."""
    in_scope = contest_clause(scope, Round.contest_id)
    attempts = db.session.execute(
        select(Attempt, Round.name).join(Round, Round.id == Attempt.round_id)
        .where(Attempt.user_id == user_id, in_scope).order_by(Attempt.started_at.desc())
    ).all()
    extensions = db.session.execute(
        select(TimeExtension, Round.name).join(Round, Round.id == TimeExtension.round_id)
        .where(TimeExtension.user_id == user_id, in_scope)
    ).all()
    return attempts, extensions
