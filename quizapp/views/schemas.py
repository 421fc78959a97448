"""The shapes of the JSON API's requests and answers, declared once (pydantic models).

Requests (:class:`~quizapp.views.validation.Shape`) are read and checked by ``quizapp.views.validation``; answers
are documented by the models here and checked against them in the tests (``QUIZAPP_CHECK_RESPONSES``, and the
schemathesis run over the document). ``/api/v1/openapi.json`` is generated from them (``views/api/openapi.py``).
The attempt page's JSON save and the leaderboard page read the same shapes as the API.

Rules that need the database (an unknown question, a phone already registered) stay with the services; what is
declared here is what can be told from the request alone. A constraint the domain checks with words of its own
(registration) is only documented here (``json_schema_extra``), so that its message stays the domain's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from quizapp.services.leaderboard import BOARD_SIZE
from quizapp.views.validation import Shape

#: The most entries of a public leaderboard that the pages and the API show (``limit`` goes up to it).
LEADERBOARD_SIZE = BOARD_SIZE  # what a board keeps (services.leaderboard)
_MAX_PREDICTION = 2**31 - 1  # the column is a 32-bit integer


def _digits(value: Any) -> Any:
    """A query-string number in ASCII digits only (no sign, space, underscore, or other script's digits)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise PydanticCustomError("int_parsing", "Input should be a whole number in ASCII digits")
    return value


def limit(maximum: int) -> Any:
    """The one rule for a ``limit`` parameter: a whole number from 1 to ``maximum``; anything else is a 422
    (never clamped), on the pages as in the API."""
    return Annotated[int, Field(ge=1, le=maximum), BeforeValidator(_digits)]


UnitLimit = limit(100)
BoardLimit = limit(LEADERBOARD_SIZE)
QuestionKey = Annotated[str, Field(pattern=r"^[0-9]{1,10}$", description="a question id, as JSON keys are strings")]
OptionId = Annotated[StrictInt, Field(ge=1, description="an option id as shown in this attempt")]
Prediction = Annotated[StrictInt, Field(ge=0, le=_MAX_PREDICTION)]
Answers = Annotated[dict[QuestionKey, OptionId | None], Field(
    description="question id → the chosen option's id (null clears the answer)",
    json_schema_extra={"additionalProperties": False, "examples": [{"101": 405, "102": 409}]})]


# --- requests ---------------------------------------------------------------------------------------------------

class Registration(Shape):
    """A participant's registration; every bad field is named at once in error.fields."""

    # Each field's rule is the domain's (quizapp.domain.registration), with its own words: documented here only.

    full_name: Annotated[str, Field(json_schema_extra={"maxLength": 200})]
    phone: Annotated[str, Field(description="Vietnamese mobile: 0912345678, +84912345678, 84912345678")]
    password: Annotated[str, Field(json_schema_extra={"minLength": 8})]
    unit_code: str
    email: Annotated[str, Field(json_schema_extra={"format": "email"})] = None  # type: ignore[assignment]
    birth_date: Annotated[str, Field(json_schema_extra={"format": "date"})] = None  # type: ignore[assignment]
    id_number: Annotated[str, Field(description="citizen ID (CCCD)",
                                    json_schema_extra={"pattern": "^[0-9]{12}$"})] = None  # type: ignore[assignment]
    category: Annotated[str, Field(examples=["Đảng viên", "Đoàn viên", "Học sinh"])] = None  # type: ignore[assignment]


class TokenRequest(Shape):
    codes: ClassVar[dict[str, str]] = {"login": "missing_credentials", "password": "missing_credentials"}

    login: Annotated[str, Field(min_length=1, description="phone or email")]
    password: Annotated[str, Field(min_length=1)]


class SaveAnswers(Shape):
    """Some or all answers, the prediction typed so far, or both."""

    codes: ClassVar[dict[str, str]] = {"": "invalid_answers", "answers": "invalid_answers",
                                       "prediction": "invalid_prediction"}
    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["answers"]}, {"required": ["prediction"]}]})

    answers: Answers = None  # type: ignore[assignment]
    prediction: Prediction | None = None

    @model_validator(mode="after")
    def _something_to_save(self) -> SaveAnswers:
        if not self.model_fields_set & {"answers", "prediction"}:
            raise PydanticCustomError("missing", "answers or prediction is required", {"field": "answers"})
        return self


class Submit(Shape):
    """The final answers (optional: those saved before count) and the prediction."""

    codes: ClassVar[dict[str, str]] = {"answers": "invalid_answers", "prediction": "invalid_prediction"}

    answers: Answers = None  # type: ignore[assignment]
    prediction: Prediction | None = None


class UnitQuery(Shape):
    codes: ClassVar[dict[str, str]] = {"q": "query_too_long", "limit": "invalid_limit"}

    q: Annotated[str, Field(max_length=100, examples=["ha noi"])] = ""
    limit: UnitLimit = 20


class LeaderboardQuery(Shape):
    codes: ClassVar[dict[str, str]] = {"limit": "invalid_limit"}

    limit: BoardLimit = 50


# --- answers ----------------------------------------------------------------------------------------------------

class Answer(BaseModel):
    """An answer's declared shape: no member beyond those listed."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: Annotated[str, Field(examples=["attempt_cap_reached"])]
    message: Annotated[str, Field(description="Vietnamese by default; English with the lang=en cookie")]
    field: Annotated[str, Field(description="the first bad field")] = None  # type: ignore[assignment]
    fields: Annotated[dict[str, str], Field(description="every bad field, with its message")] = None  # type: ignore[assignment]


class Error(BaseModel):
    """Every refusal: a stable code, words for people and, for a bad request, the fields concerned."""

    error: ErrorDetail


class Registered(Answer):
    participant_id: int


class Token(Answer):
    token: Annotated[str, Field(description="send as Authorization: Bearer <token>")]


class Round(Answer):
    id: int
    name: str
    opens_at: datetime
    closes_at: datetime
    status: Literal["upcoming", "open", "closed", "finalized"]
    question_count: int
    time_limit_seconds: int
    max_attempts: int


class Contest(Answer):
    id: int
    title: str
    status: Literal["open", "upcoming", "past"]
    rounds: list[Round]


class ContestList(Answer):
    contests: list[Contest]


class Unit(Answer):
    id: int
    code: str
    name: str
    path: Annotated[str, Field(examples=["Thành phố Hà Nội › Phường Ba Đình"])]
    depth: int
    member_count: int


class UnitList(Answer):
    units: list[Unit]


class ShownOption(Answer):
    id: int
    text: str


class ShownQuestion(Answer):
    id: int
    text: str
    options: list[ShownOption]


class Attempt(Answer):
    """Questions and options in this attempt's shuffled order; never the correct answers."""

    attempt_id: int
    deadline: Annotated[datetime, Field(description="the server's deadline")]
    questions: list[ShownQuestion]
    prediction_question: str | None
    answers: Annotated[dict[str, int], Field(description="the answers saved so far")]
    status: Literal["in_progress", "submitted", "expired"] = None  # type: ignore[assignment]


class Saved(Answer):
    saved: Annotated[int, Field(description="how many answers this request saved")]


class Result(Answer):
    correct_count: int
    question_count: int
    duration_ms: Annotated[int, Field(description="measured by the server")]
    late: Annotated[bool, Field(description=(
        "present (true) when the submit came after the deadline and grace: the attempt was closed with the "
        "answers saved by its deadline, and the answers sent with this submit were not counted"))] = None  # type: ignore[assignment]
    message: Annotated[str, Field(description="with late: the same, in words for the participant")] = None  # type: ignore[assignment]


class ReviewQuestion(Answer):
    id: int
    text: str
    options: list[ShownOption]
    chosen_option_id: int | None
    correct_option_id: Annotated[int | None, Field(description="once the key is shown")] = None
    is_correct: Annotated[bool, Field(description="once the key is shown")] = None  # type: ignore[assignment]
    explanation: Annotated[str | None, Field(description="once the key is shown")] = None


class Review(Answer):
    attempt_id: int
    correct_count: int
    question_count: int
    duration_ms: int | None
    key_shown: bool
    questions: list[ReviewQuestion]


class LeaderboardEntry(Answer):
    rank: int
    name: Annotated[str, Field(examples=["Nguyễn V. A."])]
    unit: str | None
    correct_count: int
    question_count: int
    duration_ms: int
    prize: str | None
    prediction: Annotated[int | None, Field(description="only once the round is closed")] = None
    prediction_gap: Annotated[int | None, Field(
        description="only once the round is closed: |prediction - actual answer|")] = None


class Leaderboard(Answer):
    """Cached for up to a minute; provisional until finalized. While entries can still arrive (until the close
    plus the network grace) in a round whose prediction answer is counted (perfect_scores, participants,
    attempts), entries is empty and nothing tells how many there are: the prediction stays a guess. A round whose
    answer is entered by hand (manual), or without a prediction question, lists its live entries ranked by score
    and time, without predictions. Once no entry can arrive, prediction_actual and each entry's prediction and
    prediction_gap are given."""

    round_id: int
    status: Literal["upcoming", "open", "closed", "finalized"]
    finalized: bool
    updated_at: Annotated[datetime, Field(description="when the ranking was computed")]
    prediction_actual: Annotated[int | None, Field(
        description="only once the round is closed: the actual answer of the prediction question (provisional "
                    "until finalized; null: none)")] = None
    entries: list[LeaderboardEntry]


class OptionChoices(Answer):
    option_id: Annotated[int, Field(description="the bank's option id (not the ids shown in an attempt)")]
    chosen: Annotated[int, Field(ge=0, description="finished attempts that chose it")]


class QuestionStatistics(Answer):
    question_id: int
    text: str
    drawn: Annotated[int, Field(ge=1, description="finished attempts that drew the question")]
    facility: Annotated[float, Field(ge=0, le=1, description="share of those attempts that answered it correctly "
                                                             "(unanswered counts as wrong)")]
    discrimination: Annotated[float | None, Field(ge=-1, le=1, description=(
        "Pearson correlation of the question's 0/1 mark with the attempt's score on its other questions; null "
        "when undefined (fewer than 2 attempts, or no variance)"))]
    options: Annotated[list[OptionChoices], Field(description="every option of the question, in the bank's order")]


class RoundStatistics(Answer):
    """Item analysis of a round over its finished attempts (submitted, or closed at their deadline), hidden test
    accounts left out; for organizers and judges only, so it is available while the round is open."""

    entries: Annotated[int, Field(ge=0, description="finished attempts")]
    participants: Annotated[int, Field(ge=0, description="distinct participants with a finished attempt")]
    in_progress: Annotated[int, Field(ge=0, description="attempts running now")]
    questions: Annotated[list[QuestionStatistics], Field(description="every question drawn, by question id")]
