"""Writing a ContestSpec as the contest TOML (SPEC: the format ``quizapp contests create`` reads), so that creating
a contest from the text gives the same contest again.

Every key is written, defaults included, in the order of the SPEC's example: ``[contest]`` then one ``[[rounds]]``
table per round. Times are ISO 8601 with Vietnam's offset (``2026-11-23T00:00:00+07:00``), a text with line breaks
(the rules: always) a multi-line string; values are escaped by ``tomli_w``. A round without a prediction question has no
``prediction_question`` key (TOML has no null). ``parse_contest(spec_toml(spec)) == spec`` for every spec that
``parse_contest`` gives (``tests/test_contest_export.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import tomli_w

from quizapp.domain.contests.spec import ContestSpec, DrawSpec, PrizeSpec, RoundSpec

VIETNAM = timezone(timedelta(hours=7))


def spec_toml(spec: ContestSpec) -> str:
    """The contest TOML of ``spec``."""
    contest = [
        ("title", spec.title),
        ("rules", _Multiline(spec.rules)),
        ("one_prize_per_contest", spec.one_prize_per_contest),
        ("collective_level", spec.collective_level),
        ("collective_metric", spec.collective_metric),
        ("collective_prizes", _prizes(spec.collective_prizes)),
        ("audience", list(spec.audience)),
        ("audience_categories", list(spec.audience_categories)),
    ]
    parts = ["[contest]\n" + _lines(contest)]
    parts.extend("[[rounds]]\n" + _lines(_round(round_)) for round_ in spec.rounds)
    return "\n".join(parts)


def _round(spec: RoundSpec) -> list[tuple[str, Any]]:
    values: list[tuple[str, Any]] = [
        ("name", spec.name),
        ("opens_at", spec.opens_at),
        ("closes_at", spec.closes_at),
        ("question_count", spec.question_count),
        ("time_limit_seconds", spec.time_limit_seconds),
        ("grace_seconds", spec.grace_seconds),
        ("max_attempts", spec.max_attempts),
        ("draw", [_draw(entry) for entry in spec.draw]),
    ]
    if spec.prediction_question is not None:
        values.append(("prediction_question", spec.prediction_question))
    values += [
        ("prediction_answer", spec.prediction_answer),
        ("min_correct_for_prize", spec.min_correct_for_prize),
        ("review", spec.review),
        ("prizes", _prizes(spec.prizes)),
    ]
    return values


def _draw(entry: DrawSpec) -> dict[str, Any]:
    criteria = {"topic": entry.topic, "bank": entry.bank, "difficulty": entry.difficulty}
    return {**{key: value for key, value in criteria.items() if value is not None}, "count": entry.count}


def _prizes(prizes: Iterable[PrizeSpec]) -> list[dict[str, Any]]:
    return [{"name": prize.name, "count": prize.count} for prize in prizes]


def _lines(values: list[tuple[str, Any]]) -> str:
    return "".join(f"{key} = {_value(value)}\n" for key, value in values)


class _Multiline(str):
    """A text written as a multi-line string even on one line (the rules are read as a page of text)."""

    __slots__ = ()


def _value(value: Any) -> str:
    """One value as TOML: a date-time in +07:00 with a ``T``; anything else as ``tomli_w`` writes it."""
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM).isoformat()
    if isinstance(value, _Multiline) and value and "\n" not in value:
        return '"""\n' + _value(str(value))[1:-1] + '"""'  # a basic string's escapes hold in a multi-line one
    written = tomli_w.dumps({"v": str(value) if isinstance(value, _Multiline) else value}, multiline_strings=True)
    return written.removeprefix("v = ").removesuffix("\n")
