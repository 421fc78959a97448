"""What a participant gives when registering, checked and normalised (pure: no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from quizapp.domain.phones import normalise_phone
from quizapp.domain.text import clean, name_problem

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CITIZEN_ID = re.compile(r"\d{12}")
CATEGORIES = ("Đảng viên", "Đoàn viên", "Hội viên", "Công chức, viên chức", "Người lao động", "Học sinh",
              "Sinh viên", "Quần chúng")
MIN_PASSWORD = 8


@dataclass(frozen=True, slots=True)
class Registration:
    full_name: str
    phone: str
    password: str
    unit_code: str
    email: str | None
    birth_date: date | None
    id_number: str | None
    category: str | None


@dataclass(frozen=True)
class RegistrationError(Exception):
    """Every problem found, as field → code (e.g. {"phone": "invalid_phone"})."""

    problems: dict[str, str]


def _birth_date(raw: object, today: date) -> tuple[date | None, str | None]:
    if raw in (None, ""):
        return None, None
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            return None, "invalid_birth_date"
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if value > today or age < 6 or age > 120:
        return None, "implausible_birth_date"
    return value, None


def check_registration(raw: dict[str, object], *, today: date) -> Registration:
    """Normalise a registration and return it, or raise RegistrationError naming every bad field.

    Phone: a Vietnamese mobile number in any usual form, stored as 0xxxxxxxxx. Citizen ID: 12 digits.
    Email: lower-cased. Password: at least 8 characters. Birth date: ISO (YYYY-MM-DD), age 6 to 120.
    """
    problems: dict[str, str] = {}
    full_name = clean(str(raw.get("full_name") or ""))
    if not full_name:
        problems["full_name"] = "required"
    elif len(full_name) > 200:
        problems["full_name"] = "too_long"
    elif (unusable := name_problem(full_name)) is not None:
        problems["full_name"] = unusable.code
    phone = normalise_phone(str(raw.get("phone") or ""))
    if not raw.get("phone"):
        problems["phone"] = "required"
    elif phone is None:
        problems["phone"] = "invalid_phone"
    password = str(raw.get("password") or "")
    if len(password) < MIN_PASSWORD:
        problems["password"] = "password_too_short"
    unit_code = clean(str(raw.get("unit_code") or ""))
    if not unit_code:
        problems["unit_code"] = "required"
    email = clean(str(raw.get("email") or "")).lower() or None
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        problems["email"] = "invalid_email"
    id_number = re.sub(r"\s", "", str(raw.get("id_number") or "")) or None
    if id_number and not CITIZEN_ID.fullmatch(id_number):
        problems["id_number"] = "invalid_id_number"
    birth_date, birth_problem = _birth_date(raw.get("birth_date"), today)
    if birth_problem:
        problems["birth_date"] = birth_problem
    category = clean(str(raw.get("category") or "")) or None
    if category and len(category) > 50:
        problems["category"] = "too_long"
    if problems:
        raise RegistrationError(problems)
    return Registration(full_name=full_name, phone=phone or "", password=password, unit_code=unit_code,
                        email=email, birth_date=birth_date, id_number=id_number, category=category)
