"""A contest's letterhead (models.letterheads): read it for printing, save what the organizer or a judge entered."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from quizapp.domain.letterhead import Letterhead, date_line, motto_lines, number_line, text_lines
from quizapp.domain.text import clean
from quizapp.extensions import db
from quizapp.models import Contest, ContestLetterhead, Motto, User
from quizapp.services import audit

DEFAULT_ISSUING_BODY = "BAN TỔ CHỨC CUỘC THI"
DEFAULT_SIGNING_CAPACITY = "TM. BAN TỔ CHỨC"
DEFAULT_SIGNER_TITLE = "TRƯỞNG BAN"


@dataclass(frozen=True)
class LetterheadValues:
    """What the form holds; texts as typed (cleaned on saving)."""

    superior_body: str = ""
    issuing_body: str = DEFAULT_ISSUING_BODY
    motto: str = Motto.STATE.value
    document_number: str = ""
    place: str = ""
    signed_on: date | None = None
    opening: str = ""
    recipients: str = ""
    signing_capacity: str = DEFAULT_SIGNING_CAPACITY
    signer_title: str = DEFAULT_SIGNER_TITLE
    signer_name: str = ""


def letterhead_values(contest_id: int) -> LetterheadValues:
    """The contest's saved letterhead, or the defaults when none was entered yet."""
    row = db.session.get(ContestLetterhead, contest_id)
    if row is None:
        return LetterheadValues()
    return LetterheadValues(**{name: getattr(row, name) for name in LetterheadValues.__dataclass_fields__} |
                            {"motto": row.motto.value})


def _multiline(text: str) -> str:
    return "\n".join(text_lines(text))


def save_letterhead(contest: Contest, values: LetterheadValues, *, actor: User | None, now: datetime) -> None:
    """Store the letterhead (created on first save), audited with the fields that changed."""
    before = letterhead_values(contest.id)
    after = LetterheadValues(**{
        name: (_multiline(value) if name in ("opening", "recipients") else clean(value))
        if isinstance(value, str) and name != "motto" else value
        for name, value in asdict(values).items()})
    row = db.session.get(ContestLetterhead, contest.id)
    if row is None:
        row = ContestLetterhead(contest_id=contest.id)
        db.session.add(row)
    for name, value in asdict(after).items():
        setattr(row, name, Motto(value) if name == "motto" else value)
    row.updated_at, row.updated_by_id = now, actor.id if actor else None
    changed = [name for name in LetterheadValues.__dataclass_fields__ if getattr(before, name) != getattr(after, name)]
    audit.record(actor=actor, action="contest.letterhead", object_type="contest", object_id=contest.id, now=now,
                 details={"fields": changed})
    db.session.flush()


def letterhead_for_print(contest_id: int, *, announced_on: date) -> Letterhead:
    """The letterhead as printed; the date is the one entered, else ``announced_on``."""
    values = letterhead_values(contest_id)
    return Letterhead(
        superior_body=values.superior_body.upper(), issuing_body=(values.issuing_body or DEFAULT_ISSUING_BODY).upper(),
        motto=motto_lines(values.motto), number=number_line(values.document_number),
        date=date_line(values.place, values.signed_on or announced_on), opening=text_lines(values.opening),
        recipients=text_lines(values.recipients), signing_capacity=values.signing_capacity.upper(),
        signer_title=values.signer_title.upper(), signer_name=values.signer_name)
