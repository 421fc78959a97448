"""The timed attempt through the API: start or resume, save answers, submit, review."""

from __future__ import annotations

import random
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import Attempt, Role, Round
from quizapp.models.types import utcnow
from quizapp.services import attempts as attempt_service
from quizapp.views.api import bp
from quizapp.views.api.common import (
    APIError,
    current_api_user,
    current_claim,
    int_field,
    json_body,
    token_required,
)
from quizapp.views.messages import ATTEMPT_ERROR_STATUS, attempt_error_message

# Someone else's attempt does not exist for the caller: the same 404 as an unknown id.
_NOT_FOUND = ("attempt_not_found", "not_your_attempt")


def _refusal(error: AttemptError) -> APIError:
    db.session.rollback()
    if error.code in _NOT_FOUND:
        return _not_found(error.data["attempt_id"])
    status = ATTEMPT_ERROR_STATUS.get(error.code, 409)
    details = {k: v for k, v in error.data.items() if isinstance(v, (int, str)) or v is None}
    return APIError(status, error.code, attempt_error_message(error.code, error.data), **details)


def _not_found(attempt_id: int) -> APIError:
    return APIError(404, "attempt_not_found", _("Không có lượt thi %(id)d của bạn.", id=attempt_id))


def _attempt(attempt_id: int) -> Attempt:
    found = db.session.get(Attempt, attempt_id)
    if found is None or found.user_id != current_api_user().id:
        raise _not_found(attempt_id)
    return found


def _answers(data: dict[str, Any], *, required: bool) -> dict[str, Any] | None:
    answers = data.get("answers")
    if answers is None and not required:
        return None
    if not isinstance(answers, dict):
        raise APIError(422, "invalid_answers", _("Trường answers phải là đối tượng {\"id câu hỏi\": id phương án}."),
                       field="answers")
    return answers


def _client() -> dict[str, str | None]:
    """What the client says about itself (the service cuts each to its column's length)."""
    return {"client_ip": request.remote_addr, "client_agent": request.user_agent.string or None,
            "device_id": request.headers.get("X-Device-Id") or None}


@bp.post("/rounds/<int:round_id>/attempts")
@token_required(Role.PARTICIPANT, checked_by_service=True)
def start_attempt(round_id: int):
    claim = current_claim()
    try:
        started = attempt_service.start_or_resume(round_id, claim.user_id, now=utcnow(), rng=random.Random(),
                                                  token_version=claim.version, **_client())
    except AttemptError as error:
        raise _refusal(error) from None
    db.session.commit()
    return jsonify(started.payload), (201 if started.created else 200)


@bp.get("/attempts/<int:attempt_id>")
@token_required(Role.PARTICIPANT)
def get_attempt(attempt_id: int):
    attempt = _attempt(attempt_id)
    payload = attempt_service.attempt_payload(attempt)
    payload["status"] = attempt.status.value
    return jsonify(payload)


@bp.put("/attempts/<int:attempt_id>/answers")
@token_required(Role.PARTICIPANT, checked_by_service=True)
def save_answers(attempt_id: int):
    data = json_body()
    answers = _answers(data, required="prediction" not in data) or {}
    prediction = int_field(data, "prediction")
    claim = current_claim()
    try:  # the service checks, in its one locked read, the token's account and that the attempt is its own
        saved = attempt_service.save_answers(attempt_id, answers, user_id=claim.user_id, now=utcnow(),
                                             prediction=prediction, token_version=claim.version)
    except AttemptError as error:
        if error.code == "attempt_closed":
            db.session.commit()  # keep the closing of the expired attempt
        raise _refusal(error) from None
    db.session.commit()
    return jsonify({"saved": saved.count})


@bp.post("/attempts/<int:attempt_id>/submit")
@token_required(Role.PARTICIPANT, checked_by_service=True)
def submit_attempt(attempt_id: int):
    data = json_body()
    answers = _answers(data, required=False)
    prediction = int_field(data, "prediction")
    claim = current_claim()
    try:  # as for a save, the service checks the token's account and the attempt's owner in its locked read
        result = attempt_service.submit(attempt_id, user_id=claim.user_id, answers=answers, prediction=prediction,
                                        now=utcnow(), token_version=claim.version)
    except AttemptError as error:
        raise _refusal(error) from None
    db.session.commit()
    return jsonify(result.as_json())


@bp.get("/attempts/<int:attempt_id>/review")
@token_required(Role.PARTICIPANT)
def review(attempt_id: int):
    attempt = _attempt(attempt_id)
    payload = attempt_service.review_payload(attempt, db.session.get(Round, attempt.round_id), utcnow())
    if payload is None:
        raise APIError(403, "review_not_available", _("Chưa được xem lại đáp án của lượt thi này."))
    return jsonify(payload)
