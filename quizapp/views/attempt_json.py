"""The one adapter of an attempt's JSON requests, shared by the API (``views/api/attempts.py``) and the attempt
page's save (``views/play/attempt.py``): the same body (``schemas.SaveAnswers``), the same call of the service,
and an ``AttemptError`` turned into the same refusal (status, code, words) for both."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from quizapp.domain.attempts import AttemptError
from quizapp.messages.participants import attempt_error_message
from quizapp.services import attempts as attempt_service
from quizapp.transactions import keep_changes
from quizapp.views.schemas import SaveAnswers
from quizapp.views.validation import RequestRefused

# The HTTP status of each refusal, shared by the API and the attempt pages.
ATTEMPT_ERROR_STATUS = {
    "round_not_found": 404, "round_not_open": 403, "round_closed": 409, "attempt_cap_reached": 409,
    "pool_too_small": 409, "attempt_conflict": 409, "not_your_attempt": 403, "attempt_closed": 409,
    "unknown_question": 422, "unknown_option": 422, "invalid_prediction": 422, "invalid_extension": 422,
    "reason_required": 422, "token_refused": 401, "outside_audience": 403,
}

# Someone else's attempt does not exist for the caller: the same 404 as an unknown id.
_NOT_FOUND = ("attempt_not_found", "not_your_attempt")


def attempt_refusal(error: AttemptError) -> RequestRefused:
    """The refusal for ``error``; what the request wrote is rolled back with it, unless the refusal keeps its
    effect (an attempt closed because it was past its time: ``AttemptError.keeps_effect``)."""
    if error.keeps_effect:
        keep_changes()
    if error.code in _NOT_FOUND:
        return not_found(error.data["attempt_id"])
    status = ATTEMPT_ERROR_STATUS.get(error.code, 409)
    details = {k: v for k, v in error.data.items() if isinstance(v, (int, str)) or v is None}
    return RequestRefused(status, error.code, attempt_error_message(error.code, error.data), **details)


def late_submit_message() -> str:
    """What a participant is told when their submit came after the deadline and its grace (rule 1)."""
    return _("Bài nộp đến sau khi đã hết giờ làm bài (kể cả thời gian bù cho đường truyền), nên các câu trả lời "
             "gửi kèm lúc nộp không được tính. Bài đã được nộp tự động với các câu trả lời đã lưu trước khi hết giờ.")


def submit_answer(result: attempt_service.SubmitResult) -> dict[str, object]:
    """The submit's JSON answer, shared by the API: the result, and for a submit that came too late
    ``"late": true`` with :func:`late_submit_message`."""
    answer: dict[str, object] = dict(result.as_json())
    if result.late:
        answer["message"] = late_submit_message()
    return answer


def not_found(attempt_id: int) -> RequestRefused:
    return RequestRefused(404, "attempt_not_found", _("Không có lượt thi %(id)d của bạn.", id=attempt_id))


def save_answers(attempt_id: int, body: SaveAnswers, *, user_id: int, now: datetime,
                 token_version: int | None = None) -> attempt_service.SavedAnswers:
    """Save ``body`` (read by ``read_body(SaveAnswers)``) to the participant's attempt; a refusal is raised as
    :class:`RequestRefused`. An attempt found past its time is closed with its saved answers, and that closing is
    kept with the 409 ``attempt_closed``."""
    try:
        return attempt_service.save_answers(attempt_id, body.answers or {}, user_id=user_id, now=now,
                                            prediction=body.prediction, token_version=token_version)
    except AttemptError as error:
        raise attempt_refusal(error) from None
