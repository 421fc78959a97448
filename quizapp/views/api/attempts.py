"""The timed attempt through the API: start or resume, save answers, submit, review."""

from __future__ import annotations

import random

from flask import jsonify, request
from flask_babel import gettext as _

from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import Attempt, Role, Round
from quizapp.models.types import utcnow
from quizapp.services import attempts as attempt_service
from quizapp.views import attempt_json, schemas
from quizapp.views.api import bp
from quizapp.views.api.common import APIError, current_api_user, current_claim, operation, token_required

_ATTEMPT_ANSWERS = {404: "Not one of your attempts", 409: "Attempt closed (deadline and grace passed, or submitted)",
                    422: "Bad answers or prediction: an unknown question or option, or a field of the wrong type"}


def _attempt(attempt_id: int) -> Attempt:
    found = db.session.get(Attempt, attempt_id)
    if found is None or found.user_id != current_api_user().id:
        raise attempt_json.not_found(attempt_id)
    return found


def _client() -> dict[str, str | None]:
    """What the client says about itself (the service cuts each to its column's length)."""
    return {"client_ip": request.remote_addr, "client_agent": request.user_agent.string or None,
            "device_id": request.headers.get("X-Device-Id") or None}


@bp.post("/rounds/<int:round_id>/attempts")
@token_required(Role.PARTICIPANT, checked_by_service=True)
@operation("Start an attempt, or resume the one in progress", tags=("attempts",), responses={
    201: ("Started", schemas.Attempt), 200: ("Resumed", schemas.Attempt),
    403: "Round not open yet, or the account is not a participant", 404: "No such round",
    409: "Attempt cap reached, round closed, or the bank cannot fill an attempt"})
def start_attempt(round_id: int):
    claim = current_claim()
    try:
        started = attempt_service.start_or_resume(round_id, claim.user_id, now=utcnow(), rng=random.Random(),
                                                  token_version=claim.version, **_client())
    except AttemptError as error:
        raise attempt_json.attempt_refusal(error) from None
    return jsonify(started.payload), (201 if started.created else 200)


@bp.get("/attempts/<int:attempt_id>")
@token_required(Role.PARTICIPANT)
@operation("The attempt as shown to its participant", tags=("attempts",),
           responses={200: schemas.Attempt, 404: "Not one of your attempts"})
def get_attempt(attempt_id: int):
    attempt = _attempt(attempt_id)
    payload = attempt_service.attempt_payload(attempt)
    payload["status"] = attempt.status.value
    return jsonify(payload)


@bp.put("/attempts/<int:attempt_id>/answers")
@token_required(Role.PARTICIPANT, checked_by_service=True)
@operation("Save some or all answers (and the prediction typed so far)", tags=("attempts",),
           body=schemas.SaveAnswers, responses={200: schemas.Saved, **_ATTEMPT_ANSWERS})
def save_answers(attempt_id: int, body: schemas.SaveAnswers):
    claim = current_claim()  # the service checks, in its one locked read, the token's account and the owner
    saved = attempt_json.save_answers(attempt_id, body, user_id=claim.user_id, now=utcnow(),
                                      token_version=claim.version)
    return jsonify({"saved": saved.count})


@bp.post("/attempts/<int:attempt_id>/submit")
@token_required(Role.PARTICIPANT, checked_by_service=True)
@operation("Submit; a repeated submit returns the same result", tags=("attempts",), body=schemas.Submit,
           responses={200: schemas.Result, 404: "Not one of your attempts",
                      422: _ATTEMPT_ANSWERS[422]})
def submit_attempt(attempt_id: int, body: schemas.Submit):
    claim = current_claim()  # as for a save, the service checks the token's account and the attempt's owner
    try:
        result = attempt_service.submit(attempt_id, user_id=claim.user_id, answers=body.answers,
                                        prediction=body.prediction, now=utcnow(), token_version=claim.version)
    except AttemptError as error:
        raise attempt_json.attempt_refusal(error) from None
    return jsonify(attempt_json.submit_answer(result))


@bp.get("/attempts/<int:attempt_id>/review")
@token_required(Role.PARTICIPANT)
@operation("Questions with chosen and correct options, when the round's review setting allows",
           tags=("attempts",), responses={200: schemas.Review, 403: "Review not available yet",
                                          404: "Not one of your attempts"})
def review(attempt_id: int):
    attempt = _attempt(attempt_id)
    payload = attempt_service.review_payload(attempt, db.session.get(Round, attempt.round_id), utcnow())
    if payload is None:
        raise APIError(403, "review_not_available", _("Chưa được xem lại đáp án của lượt thi này."))
    return jsonify(payload)
