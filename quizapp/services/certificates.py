"""Prize certificates: a contest's template, the certificates of a finalized round (or of the contest's collective
prizes) with their codes issued in bulk, a winner's own certificate, and the public verification of a code.

Who holds a prize is read from the results only: a round's frozen ``round_results`` (rule 9) for individuals;
the contest's collective standings, once every round of it is finalized, for units. A certificate's code is
issued the first time its page is printed and kept: printing the same prize again prints the same code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import exists, select, tuple_

from quizapp.domain import certificates as paper
from quizapp.domain.certificates import Certificate, CertificateError, Template
from quizapp.domain.masking import mask_name
from quizapp.domain.text import clean
from quizapp.extensions import db
from quizapp.models import (
    CertificateTemplate,
    Contest,
    ContestLetterhead,
    Disqualification,
    IssuedCertificate,
    Round,
    RoundResult,
    Unit,
    User,
)
from quizapp.services import audit
from quizapp.services.letterheads import letterhead_values
from quizapp.services.standings import UNIT_PATH_SEPARATOR, unit_table

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONTS = paper.Fonts(regular=str(FONTS_DIR / "DejaVuSerif.ttf"), bold=str(FONTS_DIR / "DejaVuSerif-Bold.ttf"),
                    italic=str(FONTS_DIR / "DejaVuSerif-Italic.ttf"))
TEXT_FIELDS = ("heading", "issuing_body", "decision_number", "place", "intro", "signer_title", "signer_name")


# --- the template ------------------------------------------------------------------------------------------

def template_for(contest_id: int) -> Template:
    """The contest's certificate template; while the organizer has not set one, the defaults, with the issuing
    body, place and signer taken from the contest's letterhead (``services.letterheads``) when it has one, so
    that what was entered once for the announcement is not typed again."""
    row = db.session.get(CertificateTemplate, contest_id)
    if row is None:
        return _from_letterhead(contest_id)
    return Template(**{name: getattr(row, name) for name in (*TEXT_FIELDS, "decision_date", "logo")})


def _from_letterhead(contest_id: int) -> Template:
    if db.session.get(ContestLetterhead, contest_id) is None:
        return Template()
    letterhead = letterhead_values(contest_id)
    return Template(issuing_body=letterhead.issuing_body.upper(), place=letterhead.place,
                    signer_title=letterhead.signer_title.upper() or Template.signer_title,
                    signer_name=letterhead.signer_name)


def save_template(contest: Contest, values: Template, *, logo: bytes | None, remove_logo: bool,
                  actor: User | None, now: datetime) -> None:
    """Store the template (created on first save): texts cleaned; a new ``logo`` replaces the old one once
    :func:`quizapp.domain.certificates.check_logo` accepts it (else ``CertificateError``, nothing saved);
    ``remove_logo`` drops it. Audited with the fields that changed."""
    logo_type = paper.check_logo(logo) if logo else None
    before = template_for(contest.id)
    row = db.session.get(CertificateTemplate, contest.id)
    if row is None:
        row = CertificateTemplate(contest_id=contest.id)
        db.session.add(row)
    for name in TEXT_FIELDS:
        setattr(row, name, clean(getattr(values, name) or ""))
    row.decision_date = values.decision_date
    if logo:
        row.logo, row.logo_type = logo, logo_type
    elif remove_logo:
        row.logo, row.logo_type = None, None
    row.updated_at, row.updated_by_id = now, actor.id if actor else None
    db.session.flush()
    after = template_for(contest.id)
    changed = [field.name for field in fields(Template) if getattr(before, field.name) != getattr(after, field.name)]
    audit.record(actor=actor, action="contest.certificate_template", object_type="contest", object_id=contest.id,
                 now=now, details={"fields": changed})
    db.session.flush()


def template_form_data(contest_id: int) -> dict[str, object]:
    """The template's values as the organizer's form shows them (the logo aside)."""
    values = asdict(template_for(contest_id))
    values.pop("logo")
    return values


def has_logo(contest_id: int) -> bool:
    return bool(db.session.scalar(select(CertificateTemplate.logo_type).where(
        CertificateTemplate.contest_id == contest_id)))


# --- printing ----------------------------------------------------------------------------------------------

def render(certificates: list[Certificate], template: Template, stream: BinaryIO) -> None:
    """The PDF of ``certificates`` (one A4 landscape page each), set in the vendored DejaVu Serif."""
    paper.render_pdf(certificates, template, FONTS, stream)


def round_certificates(round_: Round, *, base_url: str, now: datetime, user_id: int | None = None) -> list[Certificate]:
    """The certificates of every individual prize of a finalized round, in rank order (only ``user_id``'s when
    given), their codes issued as needed. Refused with ``not_finalized`` on a round whose results are not frozen."""
    if round_.finalized_at is None:
        raise CertificateError("not_finalized", round=round_.name)
    query = (select(RoundResult.user_id, RoundResult.prize_name, User.full_name, User.unit_id)
             .join(User, User.id == RoundResult.user_id)
             .where(RoundResult.round_id == round_.id, RoundResult.prize_name.is_not(None))
             .order_by(RoundResult.rank))
    if user_id is not None:
        query = query.where(RoundResult.user_id == user_id)
    winners = db.session.execute(query).all()
    codes = _issue(round_.contest_id, round_.id, [(row.user_id, row.prize_name) for row in winners], now=now)
    places = _places([row.unit_id for row in winners])
    return [Certificate(code=codes[row.user_id, row.prize_name], recipient=row.full_name,
                        unit=places.get(row.unit_id), prize=row.prize_name, round_name=round_.name,
                        contest_title=round_.contest.title,
                        url=paper.verification_url(base_url, codes[row.user_id, row.prize_name]))
            for row in winners]


def collective_certificates(contest: Contest, *, base_url: str, now: datetime) -> list[Certificate]:
    """The certificates of the contest's collective prizes (its units at its collective level, over all its
    rounds), in rank order. Refused with ``rounds_not_finalized`` while a round of the contest is not finalized:
    collective prizes count every round, so they are final only then."""
    from quizapp.services.collectives import collective_standings

    open_rounds = [r.name for r in contest.rounds if r.finalized_at is None]
    if open_rounds or not contest.rounds:
        raise CertificateError("rounds_not_finalized", names=open_rounds)
    frame = collective_standings(contest, level=contest.collective_level, round_=None, now=now)
    winners = frame[frame["prize_name"].notna()]
    pairs = [(int(unit), str(prize)) for unit, prize in zip(winners["unit_id"], winners["prize_name"], strict=True)]
    basis = max(r.finalized_at for r in contest.rounds)
    codes = _issue(contest.id, None, pairs, now=now, basis_at=basis)
    return [Certificate(code=codes[unit, prize], recipient=str(name), unit=None, prize=prize, round_name=None,
                        contest_title=contest.title, url=paper.verification_url(base_url, codes[unit, prize]))
            for (unit, prize), name in zip(pairs, winners["name"], strict=True)]


def _places(unit_ids: list[int | None]) -> dict[int, str]:
    """Unit id → where the person belongs, smallest first ("Chi bộ 1, Phường Ba Đình, Thành phố Hà Nội")."""
    wanted = {unit for unit in unit_ids if unit is not None}
    if not wanted:
        return {}
    paths = unit_table()["unit_path"]
    return {unit: ", ".join(reversed(paths[unit].split(UNIT_PATH_SEPARATOR))) for unit in wanted if unit in paths}


def _issue(contest_id: int, round_id: int | None, holders: list[tuple[int, str]], *, now: datetime,
           basis_at: datetime | None = None) -> dict[tuple[int, str], str]:
    """(user or unit id, prize) → its certificate's code: the one issued before, else a new one (written in
    bulk). ``round_id`` None: units' collective prizes. Two queries and one insert whatever the number."""
    if not holders:
        return {}
    holder = IssuedCertificate.unit_id if round_id is None else IssuedCertificate.user_id
    scope = IssuedCertificate.contest_id == contest_id if round_id is None else IssuedCertificate.round_id == round_id
    found = {(int(h), prize): (code, row_id) for h, prize, code, row_id in db.session.execute(
        select(holder, IssuedCertificate.prize_name, IssuedCertificate.code, IssuedCertificate.id)
        .where(scope, holder.is_not(None), tuple_(holder, IssuedCertificate.prize_name).in_(holders)))}
    if basis_at is not None and found:
        db.session.execute(IssuedCertificate.__table__.update()
                           .where(IssuedCertificate.id.in_([row_id for _, row_id in found.values()]))
                           .values(basis_at=basis_at))
    missing = [pair for pair in holders if pair not in found]
    fresh = _fresh_codes(len(missing))
    rows = [{"code": code, "contest_id": contest_id, "round_id": round_id, "prize_name": prize, "issued_at": now,
             "basis_at": basis_at, "user_id": h if round_id is not None else None,
             "unit_id": h if round_id is None else None} for (h, prize), code in zip(missing, fresh, strict=True)]
    if rows:
        db.session.execute(IssuedCertificate.__table__.insert(), rows)
    return {pair: code for pair, (code, _) in found.items()} | dict(zip(missing, fresh, strict=True))


def _fresh_codes(count: int) -> list[str]:
    """``count`` new codes, none of them already issued (a clash of 50 random bits is rare, but checked)."""
    codes: set[str] = set()
    while len(codes) < count:
        batch = {paper.new_code() for _ in range(count - len(codes))} - codes
        taken = set(db.session.scalars(select(IssuedCertificate.code).where(IssuedCertificate.code.in_(batch))))
        codes |= batch - taken
    return sorted(codes)


# --- verification ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verification:
    """What the public page shows of a code: the status (``quizapp.domain.certificates``), who (masked), what."""

    code: str
    status: str
    holder: str
    unit: str | None
    prize: str
    contest_title: str
    round_name: str | None
    issued_on: date


def verify(code: str, *, now: datetime) -> Verification | None:
    """The verification of ``code`` (as typed: see ``normalize_code``), or None when no certificate has it."""
    normal = paper.normalize_code(code)
    if normal is None:
        return None
    issued = db.session.scalar(select(IssuedCertificate).where(IssuedCertificate.code == normal))
    if issued is None:
        return None
    contest = db.session.get(Contest, issued.contest_id)
    if issued.user_id is not None:
        return _verify_person(issued, contest)
    return _verify_unit(issued, contest, now=now)


def _verify_person(issued: IssuedCertificate, contest: Contest) -> Verification:
    round_ = db.session.get(Round, issued.round_id)
    person = db.session.get(User, issued.user_id)
    prize_now = db.session.scalar(select(RoundResult.prize_name).where(
        RoundResult.round_id == round_.id, RoundResult.user_id == person.id))
    disqualified = db.session.scalar(select(exists().where(
        Disqualification.round_id == round_.id, Disqualification.user_id == person.id,
        Disqualification.lifted_at.is_(None))))
    status = paper.individual_status(finalized=round_.finalized_at is not None, prize_now=prize_now,
                                     prize=issued.prize_name, disqualified=bool(disqualified))
    unit = db.session.get(Unit, person.unit_id) if person.unit_id else None
    return Verification(code=issued.code, status=status, holder=mask_name(person.full_name),
                        unit=unit.name if unit else None, prize=issued.prize_name, contest_title=contest.title,
                        round_name=round_.name, issued_on=issued.issued_at.date())


def _verify_unit(issued: IssuedCertificate, contest: Contest, *, now: datetime) -> Verification:
    all_final = bool(contest.rounds) and all(r.finalized_at is not None for r in contest.rounds)
    prize_now = None
    if all_final and issued.basis_at == max(r.finalized_at for r in contest.rounds):
        prize_now = issued.prize_name  # nothing re-opened since it was issued
    elif all_final:
        from quizapp.services.collectives import collective_standings

        frame = collective_standings(contest, level=contest.collective_level, round_=None, now=now)
        held = frame[frame["unit_id"] == issued.unit_id]["prize_name"].dropna()
        prize_now = str(held.iloc[0]) if len(held) else None
    unit = db.session.get(Unit, issued.unit_id)
    return Verification(code=issued.code, status=paper.collective_status(
        all_final=all_final, prize_now=prize_now, prize=issued.prize_name), holder=unit.name, unit=None,
        prize=issued.prize_name, contest_title=contest.title, round_name=None, issued_on=issued.issued_at.date())


def holds_prize(round_: Round, user_id: int) -> bool:
    """Whether ``user_id`` holds a prize in the round's frozen results (their own certificate can be printed)."""
    return round_.finalized_at is not None and bool(db.session.scalar(select(exists().where(
        RoundResult.round_id == round_.id, RoundResult.user_id == user_id, RoundResult.prize_name.is_not(None)))))

