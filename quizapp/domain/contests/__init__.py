"""Contests as organizers describe them: the contest TOML, its problems, draw feasibility and round status."""

from quizapp.domain.contests.audience import EVERYONE, Audience, AudienceUnit
from quizapp.domain.contests.draw import QuestionCell, draw_problems, matches
from quizapp.domain.contests.parse import decode_contest_file, parse_contest, read_contest
from quizapp.domain.contests.spec import (
    COLLECTIVE_METRICS,
    DIFFICULTIES,
    PREDICTION_ANSWERS,
    REVIEW_MODES,
    SPEC_PROBLEM_CODES,
    ContestSpec,
    ContestSpecError,
    DrawSpec,
    PrizeSpec,
    RoundSpec,
    SpecProblem,
)
from quizapp.domain.contests.status import ContestPhase, RoundStatus, contest_phase, round_status

__all__ = [
    "EVERYONE", "Audience", "AudienceUnit",
    "COLLECTIVE_METRICS", "DIFFICULTIES", "PREDICTION_ANSWERS", "REVIEW_MODES", "SPEC_PROBLEM_CODES",
    "ContestPhase", "ContestSpec", "ContestSpecError", "DrawSpec", "PrizeSpec", "QuestionCell", "RoundSpec",
    "RoundStatus", "SpecProblem", "contest_phase", "decode_contest_file", "draw_problems", "matches",
    "parse_contest", "read_contest", "round_status",
]
