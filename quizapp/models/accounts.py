"""Accounts: staff (admin, organizer, judge) and participants share one table, told apart by role."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ColumnElement, Enum, ForeignKey, String, Text, and_, bindparam, exists, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from quizapp.models.units import Unit


class Role(StrEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    JUDGE = "judge"
    PARTICIPANT = "participant"
    #: staff who report on one unit's subtree (``User.scope_unit_id``, always set for them)
    UNIT_OFFICER = "unit_officer"


def role_allows(role: Role, roles: tuple[Role, ...]) -> bool:
    """Whether an account of ``role`` may do what needs one of ``roles``: admins may do everything."""
    return role in roles or role is Role.ADMIN


class User(UserMixin, db.Model):
    """A person who signs in. Personal data (phone, email, birth date, citizen ID) is masked wherever public."""

    __tablename__ = "users"
    __table_args__ = (
        # an erased account (SPEC rule 11) keeps neither: it can no longer sign in
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL OR erased_at IS NOT NULL", name="has_login"),
        CheckConstraint("token_version >= 0", name="token_version_not_negative"),
        # a unit officer is always scoped to one unit; organizers and judges may be (services/scopes.py);
        # participants and admins never are
        CheckConstraint("role <> 'unit_officer' OR scope_unit_id IS NOT NULL", name="unit_officer_has_scope"),
        CheckConstraint("scope_unit_id IS NULL OR role IN ('organizer', 'judge', 'unit_officer')",
                        name="scope_only_for_staff"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, create_constraint=True, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=Role.PARTICIPANT, index=True,
    )
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True, default="")
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(15), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    birth_date: Mapped[date | None]
    id_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    category: Mapped[str | None] = mapped_column(String(50), index=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)  # why an organizer hid the account from rankings
    #: the account this one was merged into (it is then inactive: its attempts and results moved there)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    token_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit | None] = relationship(lazy="raise_on_sql", foreign_keys=[unit_id])

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active and self.erased_at is None

    def get_id(self) -> str:  # Flask-Login: a password change signs out every session
        return f"{self.id}:{self.token_version}"

    @classmethod
    def is_active_clause(cls) -> ColumnElement[bool]:
        """``is_active`` in SQL, on the table's columns (for Core queries that load no ``User``)."""
        columns = cls.__table__.c
        return and_(columns.active.is_(True), columns.erased_at.is_(None))

    @classmethod
    def token_holds(cls, *roles: Role, user_param: str = "user_id") -> ColumnElement[bool]:
        """SQL: the account ``:user_id`` (or the parameter named ``user_param``) is active, still at
        ``:token_version`` (its password unchanged since the token was issued) and has one of ``roles`` (admins
        have all). For a query that checks a bearer token along with its own work; the two bound parameters come
        with that query's parameters."""
        columns = cls.__table__.c
        # one comparison per role, not IN (...): an IN list of values is expanded at every execution
        allowed = or_(*(columns.role == role for role in sorted({*roles, Role.ADMIN})))
        return exists().where(columns.id == bindparam(user_param), columns.token_version == bindparam("token_version"),
                              cls.is_active_clause(), allowed)

    def has_role(self, *roles: Role) -> bool:
        return role_allows(self.role, roles)
