"""Data rights (SPEC rule 11, Nghị định 13/2023/NĐ-CP): a participant's data exported, erasure asked for,
handled or refused. The command line and the pages call the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, or_, select, update

from quizapp.domain.personal_data import ErasureError, RoundState, anonymous_label, rounds_not_final
from quizapp.domain.phones import normalise_phone
from quizapp.domain.text import clean, fold
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptQuestion,
    AuditEntry,
    Contest,
    Disqualification,
    ErasureRequest,
    ErasureStatus,
    Option,
    Question,
    Role,
    Round,
    RoundResult,
    TimeExtension,
    Unit,
    User,
)
from quizapp.services import audit
from quizapp.services.changes import round_changed
from quizapp.services.results import accepts_entries_until
from quizapp.services.scopes import EVERYTHING, Scope, contest_clause, participant_clause
from quizapp.services.units import unit_paths

#: What an erased account keeps as its password hash: no password verifies against it.
UNUSABLE_PASSWORD = "!erased"

#: Audit actions about one person recorded against a round, with the person in ``details["user_id"]``.
_ROUND_ACTIONS_ABOUT_A_PERSON = ("round.disqualify", "round.reinstate", "round.extension")


def find_participant(login: str) -> User | None:
    """The participant whose phone (in any usual form) or e-mail is ``login``; None for anything else (staff
    accounts included: their data is not a participant's)."""
    text = clean(login)
    if not text:
        return None
    phone = normalise_phone(text)
    condition = or_(User.email == text.lower(), User.phone == phone) if phone else User.email == text.lower()
    return db.session.scalar(select(User).where(condition, User.role == Role.PARTICIPANT).limit(1))


# --- export ---------------------------------------------------------------------------------------------------

def export_data(user: User, *, actor: User | None, now: datetime) -> dict[str, Any]:
    """Everything held about ``user``, as JSON-ready values: account fields, unit, consent, every attempt with its
    answers (the bank's question texts and the chosen options' texts), frozen results and prizes,
    disqualifications, time extensions, erasure requests and the audit entries about them. Recorded in the
    audit log (who asked, when).

    Answers carry no correctness: the export can be downloaded while a round is open, and rule 2 keeps the key
    from the browser until the round's review setting shows it (the score of each attempt is the participant's
    own, shown to them anyway)."""
    rounds = _round_names(user.id)
    data = {
        "generated_at": _iso(now),
        "account": {
            "id": user.id, "full_name": user.full_name, "phone": user.phone, "email": user.email,
            "birth_date": _iso(user.birth_date), "id_number": user.id_number, "category": user.category,
            "registered_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
            "active": user.is_active, "erased_at": _iso(user.erased_at),
        },
        "unit": _unit(user.unit_id),
        "consent": {"given_at": _iso(user.consent_at)},
        "attempts": _attempts(user.id, rounds),
        "results": _results(user.id, rounds),
        "disqualifications": [
            {"round_id": d.round_id, **rounds[d.round_id], "reason": d.reason, "decided_at": _iso(d.decided_at),
             "lifted_at": _iso(d.lifted_at), "lift_reason": d.lift_reason}
            for d in db.session.scalars(select(Disqualification).where(Disqualification.user_id == user.id)
                                        .order_by(Disqualification.id))
        ],
        "time_extensions": [
            {"round_id": e.round_id, **rounds[e.round_id], "seconds": e.seconds, "reason": e.reason,
             "granted_at": _iso(e.granted_at)}
            for e in db.session.scalars(select(TimeExtension).where(TimeExtension.user_id == user.id)
                                        .order_by(TimeExtension.id))
        ],
        "erasure_requests": [
            {"requested_at": _iso(r.requested_at), "reason": r.reason, "status": r.status.value,
             "handled_at": _iso(r.handled_at), "answer": r.answer}
            for r in db.session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == user.id)
                                        .order_by(ErasureRequest.id))
        ],
        "audit": _audit_entries(user.id),
    }
    data["prizes"] = [result for result in data["results"] if result["prize"]]
    audit.record(actor=actor, action="person.export", object_type="user", object_id=user.id, now=now)
    return data


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _round_names(user_id: int) -> dict[int, dict[str, Any]]:
    """Every round the person has a trace in (attempt, result, disqualification, extension): round id → its name
    and its contest's, for the sections that name a round."""
    ids = (select(Attempt.round_id).where(Attempt.user_id == user_id)
           .union(select(RoundResult.round_id).where(RoundResult.user_id == user_id),
                  select(Disqualification.round_id).where(Disqualification.user_id == user_id),
                  select(TimeExtension.round_id).where(TimeExtension.user_id == user_id)))
    rows = db.session.execute(select(Round.id, Round.name, Contest.id, Contest.title).join(Contest)
                              .where(Round.id.in_(ids))).all()
    return {row[0]: {"round": row[1], "contest_id": row[2], "contest": row[3]} for row in rows}


def _unit(unit_id: int | None) -> dict[str, Any] | None:
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    return {"code": unit.code, "name": unit.name, "path": unit_paths([unit_id]).get(unit_id)} if unit else None


def _attempts(user_id: int, rounds: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)
                                  .order_by(Attempt.started_at, Attempt.id)).all()
    answers: dict[int, list[dict[str, Any]]] = {attempt.id: [] for attempt in attempts}
    rows = db.session.execute(
        select(AttemptQuestion.attempt_id, AttemptQuestion.position, Question.text, Option.text,
               AttemptQuestion.answered_at)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .outerjoin(Option, Option.id == AttemptQuestion.chosen_option_id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.user_id == user_id).order_by(AttemptQuestion.attempt_id, AttemptQuestion.position)
    ).all()
    for attempt_id, position, question, chosen, answered_at in rows:
        answers[attempt_id].append({"position": position + 1, "question": question, "chosen_option": chosen,
                                    "answered_at": _iso(answered_at)})
    return [
        {"id": a.id, "round_id": a.round_id, **rounds[a.round_id], "number": a.number, "status": a.status.value,
         "started_at": _iso(a.started_at), "deadline_at": _iso(a.deadline_at), "submitted_at": _iso(a.submitted_at),
         "duration_ms": a.duration_ms, "correct_count": a.correct_count, "question_count": a.question_count,
         "prediction": a.prediction, "client_ip": a.client_ip, "client_agent": a.client_agent,
         "device_id": a.device_id, "answers": answers[a.id]}
        for a in attempts
    ]


def _results(user_id: int, rounds: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The person's frozen results (finalized rounds only: a live place could tell an open round's count)."""
    results = db.session.scalars(select(RoundResult).where(RoundResult.user_id == user_id)
                                 .order_by(RoundResult.round_id)).all()
    return [{"round_id": r.round_id, **rounds[r.round_id], "rank": r.rank, "attempt_id": r.attempt_id,
             "correct_count": r.correct_count, "question_count": r.question_count, "duration_ms": r.duration_ms,
             "prediction": r.prediction, "prediction_gap": r.prediction_gap, "submitted_at": _iso(r.submitted_at),
             "prize": r.prize_name} for r in results]


def audit_entries_about(user_id: int) -> list[AuditEntry]:
    """The audit entries about the person: on their account, by them, and the round decisions naming them."""
    candidates = db.session.scalars(select(AuditEntry).where(or_(
        (AuditEntry.object_type == "user") & (AuditEntry.object_id == user_id),
        AuditEntry.actor_id == user_id,
        AuditEntry.action.in_(_ROUND_ACTIONS_ABOUT_A_PERSON),
    )).order_by(AuditEntry.at, AuditEntry.id)).all()
    return [entry for entry in candidates
            if entry.action not in _ROUND_ACTIONS_ABOUT_A_PERSON or (entry.details or {}).get("user_id") == user_id]


def _audit_entries(user_id: int) -> list[dict[str, Any]]:
    return [{"at": _iso(e.at), "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
             "by_self": e.actor_id == user_id, "reason": e.reason, "details": e.details or {}}
            for e in audit_entries_about(user_id)]


# --- erasure --------------------------------------------------------------------------------------------------

def round_states(user_id: int) -> list[RoundState]:
    """Every round of every contest the person took part in (an attempt there), for :func:`rounds_not_final`."""
    contests = select(Round.contest_id).join(Attempt, Attempt.round_id == Round.id).where(Attempt.user_id == user_id)
    took_part = set(db.session.scalars(select(Attempt.round_id).where(Attempt.user_id == user_id)))
    rounds = db.session.execute(select(Round, Contest.title).join(Contest).where(Round.contest_id.in_(contests))
                                .order_by(Round.contest_id, Round.position)).all()
    return [RoundState(round_id=r.id, round_name=r.name, contest_id=r.contest_id, contest_title=title,
                       finalized=r.finalized_at is not None, accepts_entries_until=accepts_entries_until(r),
                       took_part=r.id in took_part) for r, title in rounds]


def pending_rounds(user_id: int, now: datetime) -> list[RoundState]:
    return rounds_not_final(round_states(user_id), now)


@dataclass(frozen=True, slots=True)
class Erased:
    user_id: int
    label: str
    rounds: int  # rounds in which results were kept under the label


def erase(user: User, *, reason: str, actor: User | None, now: datetime) -> Erased:
    """Erase ``user``'s personal data once their results are final; keep the results under an anonymous label.

    Refused (nothing changed): ``reason_required``; ``already_erased``; ``not_a_participant``;
    ``results_not_final`` with the rounds still open or not finalized (``rounds``: contest and round names).
    Then: the name becomes the anonymous label, phone, e-mail, citizen ID, birth date and last sign-in are
    cleared, the password made unusable and every session and API token revoked; the attempts lose their
    address, browser and device; attempts, answers, unit, category, disqualifications and frozen results stay,
    so every ranking and finalized export gives the same places and scores. A pending erasure request is marked
    done; the step is audited with who, when and why, and the public results of the rounds are refreshed."""
    text = clean(reason)
    if not text:
        raise ErasureError("reason_required")
    if user.role is not Role.PARTICIPANT:
        raise ErasureError("not_a_participant")
    if user.erased_at is not None:
        raise ErasureError("already_erased", {"erased_at": user.erased_at.isoformat()})
    waiting = pending_rounds(user.id, now)
    if waiting:
        raise ErasureError("results_not_final", {"rounds": [(s.contest_title, s.round_name) for s in waiting]})
    label = anonymous_label(user.id)
    user.full_name, user.name_key = label, fold(label)
    user.phone = user.email = user.id_number = user.birth_date = user.last_login_at = None
    user.password_hash = UNUSABLE_PASSWORD
    user.token_version += 1
    user.erased_at = now
    db.session.execute(update(Attempt).where(Attempt.user_id == user.id)
                       .values(client_ip=None, client_agent=None, device_id=None))
    db.session.execute(update(ErasureRequest).where(ErasureRequest.user_id == user.id,
                                                    ErasureRequest.status == ErasureStatus.PENDING)
                       .values(status=ErasureStatus.DONE, handled_at=now, handled_by_id=actor.id if actor else None))
    round_ids = sorted(set(db.session.scalars(select(Attempt.round_id).where(Attempt.user_id == user.id))))
    for round_id in round_ids:
        round_changed(round_id)  # names on cached public pages
    audit.record(actor=actor, action="person.erase", object_type="user", object_id=user.id, now=now, reason=text)
    db.session.flush()
    return Erased(user_id=user.id, label=label, rounds=len(round_ids))


# --- erasure requests -----------------------------------------------------------------------------------------

def erasure_requests(scope: Scope = EVERYTHING, *, limit: int = 200) -> list[tuple[ErasureRequest, User]]:
    """The requests of the participants in ``scope`` (their unit in its subtree) with their person, pending first
    (oldest first), then the handled ones; at most ``limit``."""
    return [tuple(row) for row in db.session.execute(
        select(ErasureRequest, User).join(User, User.id == ErasureRequest.user_id)
        .where(participant_clause(scope, User.unit_id))
        .order_by(case((ErasureRequest.status == ErasureStatus.PENDING, 0), else_=1),
                  ErasureRequest.requested_at, ErasureRequest.id).limit(limit)
    )]


def waiting_in_scope(user_id: int, now: datetime, scope: Scope = EVERYTHING) -> tuple[list[RoundState], int]:
    """The rounds keeping the person's results from being final (:func:`pending_rounds`): those of contests in
    ``scope``, and how many more belong to contests of the level above (counted, not named)."""
    waiting = pending_rounds(user_id, now)
    if scope.everything or not waiting:
        return waiting, 0
    inside = set(db.session.scalars(select(Contest.id).where(
        Contest.id.in_({state.contest_id for state in waiting}), contest_clause(scope, Contest.id))))
    shown = [state for state in waiting if state.contest_id in inside]
    return shown, len(waiting) - len(shown)


def pending_request(user_id: int) -> ErasureRequest | None:
    return db.session.scalar(select(ErasureRequest).where(ErasureRequest.user_id == user_id,
                                                          ErasureRequest.status == ErasureStatus.PENDING))


def request_erasure(user: User, *, reason: str, now: datetime) -> ErasureRequest:
    """The participant asks for erasure (with a reason). Refused: ``reason_required``, ``already_erased``,
    ``request_pending`` (one pending request at a time)."""
    text = clean(reason)
    if not text:
        raise ErasureError("reason_required")
    if user.erased_at is not None:
        raise ErasureError("already_erased", {"erased_at": user.erased_at.isoformat()})
    if pending_request(user.id) is not None:
        raise ErasureError("request_pending")
    request = ErasureRequest(user_id=user.id, reason=text, requested_at=now, status=ErasureStatus.PENDING)
    db.session.add(request)
    db.session.flush()
    audit.record(actor=user, action="person.erasure_request", object_type="user", object_id=user.id, now=now,
                 reason=text)
    return request


def handle_request(request: ErasureRequest, *, actor: User, now: datetime) -> Erased:
    """An organizer carries out a pending request: :func:`erase` with the participant's reason."""
    if request.status is not ErasureStatus.PENDING:
        raise ErasureError("request_closed")
    user = db.session.get(User, request.user_id)
    return erase(user, reason=request.reason, actor=actor, now=now)


def refuse_request(request: ErasureRequest, *, answer: str, actor: User, now: datetime) -> None:
    """An organizer refuses a pending request, with a reason the participant sees on their account page."""
    text = clean(answer)
    if not text:
        raise ErasureError("reason_required")
    if request.status is not ErasureStatus.PENDING:
        raise ErasureError("request_closed")
    request.status, request.answer = ErasureStatus.REFUSED, text
    request.handled_at, request.handled_by_id = now, actor.id
    audit.record(actor=actor, action="person.erasure_refuse", object_type="user", object_id=request.user_id,
                 now=now, reason=text)
    db.session.flush()
