"""Importing participants from a spreadsheet (.xlsx, .csv), for contests that register people in advance.

All or nothing: every problem is found and named with its row and column (a row as Excel numbers it), and
nothing is saved unless the file has none. Each row is checked as a registration is
(``domain.registration.check_registration``); a unit code must exist; a phone, email or citizen ID may appear
once in the file (a repeat names both rows) and must not belong to an account already stored (named, when the
importer may see it). A scoped organizer (``services.scopes``) imports only into units of their subtree: a row
whose unit is outside it is refused with its row.

Passwords: each new account gets a generated one-time password, returned once (the organizer downloads them as
a workbook and hands them out through the units); only their hashes are stored. "Quên mật khẩu" mails a link to
the account's own address, and most participants registered by a province have no email, so accounts without a
password would be accounts nobody could open.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, or_, select

from quizapp.domain.banks.headers import HeaderSpec, build_aliases, find_header_row, formula_problems, map_columns
from quizapp.domain.banks.model import DEFAULT_LIMITS, ImportLimits, Problem, Refused
from quizapp.domain.banks.sheets import Sheet, read_sheets
from quizapp.domain.phones import normalise_phone
from quizapp.domain.registration import CATEGORIES, Registration, RegistrationError, check_registration
from quizapp.domain.text import clean, fold
from quizapp.extensions import db
from quizapp.models import Role, Unit, User
from quizapp.passwords import Passwords
from quizapp.services import audit
from quizapp.services.scopes import EVERYTHING, Scope, participant_clause, unit_clause

FIELDS = ("full_name", "phone", "email", "unit_code", "category", "birth_date", "id_number")
PEOPLE_HEADERS = HeaderSpec(
    aliases=build_aliases({
        "number": ("STT", "TT", "No"),
        "full_name": ("Họ và tên", "Họ tên", "Full name", "Name"),
        "phone": ("Số điện thoại", "Điện thoại", "SĐT", "Số ĐT", "Phone", "Phone number", "Mobile"),
        "email": ("Email", "E-mail", "Thư điện tử"),
        "unit_code": ("Mã đơn vị", "Mã ĐV", "Unit code", "Unit"),
        "category": ("Đối tượng", "Category"),
        "birth_date": ("Ngày sinh", "Ngày tháng năm sinh", "Birth date", "Date of birth"),
        "id_number": ("Số căn cước", "Số căn cước công dân", "Số CCCD", "CCCD", "Citizen ID", "ID number"),
    }),
    anchor="full_name",
    required=("full_name", "phone", "unit_code"),
)
MAX_ROWS = 5000  # a district's list; a province imports district by district (hashing a password takes time)
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no l/1, o/0: read aloud or copied from paper
PASSWORD_LENGTH = 10
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_UNIQUE = ("phone", "email", "id_number")
#: One-time passwords are random (10 of 31 characters: 49 bits), so a cheap hash holds them (2^49 guesses at a
#: millisecond each); signing in re-hashes them at the app's full cost. At that cost (20 ms a hash) a list of
#: 5,000 would take 100 s in one request; at this one, 5 s.
ONE_TIME_HASHER = Passwords(time_cost=1, memory_kib=1024, parallelism=1)


@dataclass(frozen=True)
class RowProblem:
    """A problem of one row: ``field`` (its column, as headed in the file) and ``code``: a registration code,
    ``unknown_unit``, ``unit_outside_scope`` (data: code), ``unknown_category``, ``duplicate_in_file`` (data:
    first_line) or ``taken`` (data: the holder's id and name, or nothing for a holder outside the scope); or a
    problem of the file's layout (``file``: a ``Problem`` worded by messages.files, ``missing_header``/
    ``no_header``: data field)."""

    code: str
    line: int | None = None
    field: str | None = None
    column: str | None = None
    data: dict = dataclasses.field(default_factory=dict)
    problem: Problem | None = None


class ImportRefused(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(len(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportRow:
    line: int
    registration: Registration


@dataclass(frozen=True)
class Seen:
    """The unit code and the unique values of a row, those that are valid (None otherwise), also on a row with
    other problems: a repeat or a taken phone is reported along with them."""

    line: int
    unit_code: str | None
    phone: str | None
    email: str | None
    id_number: str | None


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    units: dict[str, int]  #: unit code -> id


def _birth_date(value: str) -> str:
    """A Vietnamese day/month/year ("01/05/2000") as ISO; anything else as it is (check_registration judges)."""
    match = _DMY.fullmatch(value.strip())
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else value


def _category(value: str) -> str | None:
    """The category as registration stores it (found without accents or case), or None when unknown."""
    wanted = fold(value)
    return next((name for name in CATEGORIES if fold(name) == wanted), None)


def _seen(line: int, raw: dict[str, str], bad: dict[str, str]) -> Seen:
    email = clean(raw.get("email")).lower() or None
    id_number = re.sub(r"\s", "", raw.get("id_number") or "") or None
    return Seen(line, clean(raw.get("unit_code")) or None,
                None if "phone" in bad else normalise_phone(raw.get("phone")),
                None if "email" in bad else email, None if "id_number" in bad else id_number)


def _read_rows(sheet: Sheet, today: date, problems: list[RowProblem], seen: list[Seen]) -> list[ImportRow]:
    header_index = find_header_row(sheet, PEOPLE_HEADERS)
    if header_index is None:
        if not sheet.is_empty():
            problems.append(RowProblem("no_header"))
        return []
    columns, found = map_columns(sheet, header_index, PEOPLE_HEADERS)
    for problem in found:
        if problem.code == "missing_header":
            problems.append(RowProblem("missing_header", problem.line, str(problem.data["field"])))
        else:
            problems.append(RowProblem("file", problem=problem))
    if any(problem.code == "missing_header" for problem in found):
        return []
    rows: list[ImportRow] = []
    for index in range(header_index + 1, len(sheet.rows)):
        cells = sheet.rows[index]
        raw = {name: (cells[column] if column < len(cells) else "").strip()
               for name, column in columns.fields.items() if name != "number"}
        if not any(raw.values()):
            continue
        line = index + 1
        problems.extend(RowProblem("file", problem=p)
                        for p in formula_problems(sheet, columns, line, skip_number=True))
        row_problems: dict[str, str] = {}
        if raw.get("category"):
            category = _category(raw["category"])
            if category is None:
                row_problems["category"] = "unknown_category"
            raw["category"] = category or ""
        raw["birth_date"] = _birth_date(raw.get("birth_date", ""))
        try:
            registration = check_registration({**raw, "password": "x" * 8}, today=today)
        except RegistrationError as error:
            row_problems = {**error.problems, **row_problems}
            registration = None
        seen.append(_seen(line, raw, row_problems))
        for name, code in row_problems.items():
            problems.append(RowProblem(code, line, name, columns.heading_of(name) or name))
        if registration is not None and not row_problems:
            rows.append(ImportRow(line, registration))
    return rows


def _duplicates(rows: list[Seen], columns_of: dict[str, str]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for name in _UNIQUE:
        first: dict[str, int] = {}
        for row in rows:
            value = getattr(row, name)
            if not value:
                continue
            if value in first:
                problems.append(RowProblem("duplicate_in_file", row.line, name, columns_of.get(name, name),
                                           {"first_line": first[value]}))
            else:
                first[value] = row.line
    return problems


def _taken(rows: list[Seen], columns_of: dict[str, str], scope: Scope) -> list[RowProblem]:
    """Rows whose phone, email or citizen ID already belongs to an account (one query per 500 rows); a holder
    outside ``scope`` is not named."""
    problems: list[RowProblem] = []
    columns = {"phone": User.phone, "email": User.email, "id_number": User.id_number}
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        values = {name: {getattr(r, name) for r in chunk} - {None, ""} for name in _UNIQUE}
        conditions = [columns[name].in_(found) for name, found in values.items() if found]
        if not conditions:
            continue
        holders: dict[tuple[str, str], tuple[int, str] | None] = {}
        for row in db.session.execute(select(User.id, User.full_name, *columns.values(),
                                             participant_clause(scope).label("in_scope")).where(or_(*conditions))):
            for name in _UNIQUE:
                if getattr(row, name):
                    holders[(name, getattr(row, name))] = (row.id, row.full_name) if row.in_scope else None
        for row in chunk:
            for name in _UNIQUE:
                key = (name, getattr(row, name) or "")
                if key in holders:
                    holder = holders[key]
                    problems.append(RowProblem("taken", row.line, name, columns_of.get(name, name),
                                               {"user_id": holder[0], "name": holder[1]} if holder else {}))
    return problems


def plan_import(filename: str, data: bytes, *, today: date, limits: ImportLimits = DEFAULT_LIMITS,
                scope: Scope = EVERYTHING) -> ImportPlan:
    """Read and check the whole file; raise ImportRefused with every problem, in row order. For a scoped
    organizer each row's unit must be in their subtree (``unit_outside_scope``)."""
    try:
        sheets = read_sheets(filename, data, limits, PEOPLE_HEADERS.score)
    except Refused as refused:
        raise ImportRefused([RowProblem("file", problem=p) for p in refused.problems]) from None
    problems: list[RowProblem] = []
    rows: list[ImportRow] = []
    seen: list[Seen] = []
    headings: dict[str, str] = {}
    for sheet in sheets[:1]:  # the first visible sheet holds the list
        rows = _read_rows(sheet, today, problems, seen)
        header_index = find_header_row(sheet, PEOPLE_HEADERS)
        if header_index is not None:
            headings = map_columns(sheet, header_index, PEOPLE_HEADERS)[0].field_headings
    if len(rows) > MAX_ROWS:
        raise ImportRefused([RowProblem("too_many_rows", data={"count": len(rows), "limit": MAX_ROWS})])
    if not rows and not problems:
        raise ImportRefused([RowProblem("no_rows")])
    codes = {row.unit_code for row in seen if row.unit_code}
    found = db.session.execute(select(Unit.code, Unit.id, unit_clause(scope, Unit.id).label("inside"))
                               .where(Unit.code.in_(codes))).all() if codes else []
    units = {code: unit_id for code, unit_id, _inside in found}
    outside = {code for code, _unit_id, inside in found if not inside}
    column = headings.get("unit_code", "unit_code")
    problems += [RowProblem("unit_outside_scope" if row.unit_code in outside else "unknown_unit", row.line,
                            "unit_code", column, {"code": row.unit_code})
                 for row in seen if row.unit_code and (row.unit_code not in units or row.unit_code in outside)]
    problems += _duplicates(seen, headings) + _taken(seen, headings, scope)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.line or 0, FIELDS.index(p.field)
                                                            if p.field in FIELDS else 0)))
    return ImportPlan(rows, units)


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def import_participants(plan: ImportPlan, *, filename: str, actor: User, now: datetime) -> list[tuple[int, str]]:
    """Create the planned accounts in one INSERT; returns (row's line, one-time password) per account.
    ``consent_at`` stays empty: the consent was collected by the units that drew up the list, outside the app,
    and the account's record does not claim a moment it did not see."""
    passwords = [new_password() for _ in plan.rows]
    values = [{"role": Role.PARTICIPANT, "full_name": r.full_name, "name_key": fold(r.full_name), "phone": r.phone,
               "email": r.email, "birth_date": r.birth_date, "id_number": r.id_number, "category": r.category,
               "unit_id": plan.units[r.unit_code], "password_hash": ONE_TIME_HASHER.hash(password), "consent_at": None,
               "created_at": now, "active": True, "hidden": False, "token_version": 0}
              for r, password in zip((row.registration for row in plan.rows), passwords, strict=True)]
    db.session.execute(insert(User), values)
    audit.record(actor=actor, action="users.import", object_type="user", object_id=None, now=now,
                 details={"filename": filename, "added": len(values)})
    return [(row.line, password) for row, password in zip(plan.rows, passwords, strict=True)]


def passwords_workbook(plan: ImportPlan, created: list[tuple[int, str]], headings: dict[str, str]) -> bytes:
    """The accounts made and their one-time passwords, for the organizer to hand out (the only copy)."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    sheet = workbook.add_worksheet(headings["sheet"][:31])
    titles = [headings[name] for name in ("line", "full_name", "phone", "unit_code", "password")]
    for column, (title, width) in enumerate(zip(titles, (8, 30, 16, 14, 16), strict=True)):
        sheet.write_string(0, column, title, bold)
        sheet.set_column(column, column, width)
    for index, (row, (line, password)) in enumerate(zip(plan.rows, created, strict=True), start=1):
        r = row.registration
        for column, value in enumerate((str(line), r.full_name, r.phone, r.unit_code, password)):
            sheet.write_string(index, column, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
