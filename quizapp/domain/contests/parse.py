"""Reading the contest TOML into a ContestSpec, with every problem in it named by its TOML path.

The rules a contest description must follow (each is checked here, and only here):

- The file is UTF-8 TOML (a BOM is allowed). ``[contest]`` needs ``title``; ``[[rounds]]`` needs at least one
  round, and each round ``name``, ``opens_at``, ``closes_at``, ``question_count`` and ``time_limit_seconds``.
- Times are ISO 8601 date-times with an offset (Vietnam is +07:00): a TOML date-time, or the same text in
  quotes. A time without an offset is refused rather than guessed.
- A round closes after it opens; rounds are listed in chronological order and do not overlap (a round may open
  at the very moment the previous one closes). Round names are unique within the contest (ignoring case).
- ``question_count`` 1–500, ``time_limit_seconds`` 1–86400, ``max_attempts`` ≥ 1 (default 1),
  ``grace_seconds`` 0–600 (default 10), ``min_correct_for_prize`` from 0 to ``question_count`` (default 0),
  ``collective_level`` ≥ 1 (default 2); every count in ``draw``, ``prizes`` and ``collective_prizes`` ≥ 1.
- ``collective_metric`` (default participation_rate), ``prediction_answer`` (default perfect_scores) and
  ``review`` (default after_close) take one of their listed values.
- A draw entry selects by ``topic``, ``bank``, ``difficulty`` (easy/medium/hard, or Dễ/Trung bình/Khó) or
  several of them, and has a ``count``; when a draw is given its counts add up to ``question_count``. Without
  a draw the round draws ``question_count`` questions from all active questions.
- Prize tiers are listed from the highest; each has a non-empty ``name``, unique within its list, and a
  ``count``.
- ``audience`` (optional) lists unit codes: the participants registered in those units or below them may take
  part (default: the whole tree); ``audience_categories`` (optional) lists participants' categories that may
  take part (default: all; a known category written in other case or without accents is read as registration
  spells it). Both lists hold non-empty texts, none twice; a code that names no unit is refused when the
  contest is created.
- Any other key is a problem (a misspelt key would otherwise be silently ignored), with the nearest known key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

from quizapp.domain.contests.spec import (
    COLLECTIVE_METRICS,
    DIFFICULTIES,
    PREDICTION_ANSWERS,
    REVIEW_MODES,
    ContestSpec,
    ContestSpecError,
    DrawSpec,
    PrizeSpec,
    RoundSpec,
    SpecProblem,
    draw_key,
    round_key,
)
from quizapp.domain.contests.values import ValueReader, join_key, kind_of
from quizapp.domain.registration import CATEGORIES
from quizapp.domain.text import clean, fold

TOP_KEYS = ("contest", "rounds")
CONTEST_KEYS = ("title", "rules", "one_prize_per_contest", "collective_level", "collective_metric",
                "collective_prizes", "audience", "audience_categories")
ROUND_KEYS = ("name", "opens_at", "closes_at", "question_count", "time_limit_seconds", "grace_seconds",
              "max_attempts", "draw", "prediction_question", "prediction_answer", "min_correct_for_prize",
              "review", "prizes")
DRAW_KEYS = ("topic", "bank", "difficulty", "count")
PRIZE_KEYS = ("name", "count")

MAX_QUESTIONS = 500
MAX_TIME_LIMIT = 24 * 3600
MAX_GRACE = 600
MAX_ATTEMPTS = 1000
MAX_LEVEL = 20
MAX_PRIZE_COUNT = 100_000
TEXT_LIMITS = {"title": 300, "rules": 100_000, "name": 200, "prize": 100, "topic": 200, "bank": 200,
               "prediction_question": 2000, "unit_code": 50, "category": 50}
#: The categories registration offers, by their folded spelling: an audience category written otherwise
#: (``đảng viên``) is stored as registration stores it, so that it matches participants.
KNOWN_CATEGORIES = {fold(category): category for category in CATEGORIES}
DIFFICULTY_ALIASES = {"easy": "easy", "de": "easy", "medium": "medium", "trung binh": "medium",
                      "tb": "medium", "hard": "hard", "kho": "hard"}

_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def decode_contest_file(data: bytes) -> str:
    """The text of a contest file: UTF-8, with or without a BOM; raises ContestSpecError otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContestSpecError([SpecProblem("bad_encoding", "")]) from None


def parse_contest(text: str) -> ContestSpec:
    """Read a contest TOML into a ContestSpec; raises ContestSpecError listing every problem found."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ContestSpecError([_syntax_problem(str(error))]) from None
    return read_contest(document)


def read_contest(document: Mapping[str, Any]) -> ContestSpec:
    """Check a contest description already read into a mapping (a TOML document, or what the organizer's form
    built in the same shape) and return its ContestSpec; raises ContestSpecError listing every problem found.
    The one validation of a contest, whichever way it arrives."""
    reader = _Reader()
    spec = reader.contest(document)
    if reader.problems or spec is None:
        raise ContestSpecError(reader.problems)
    return spec


def _syntax_problem(message: str) -> SpecProblem:
    match = _SYNTAX_POSITION.search(message)
    if match:
        return SpecProblem("toml_syntax", "", {"line": int(match[1]), "column": int(match[2]),
                                               "detail": message[:match.start()]})
    return SpecProblem("toml_syntax", "", {"line": None, "column": None, "detail": message})


class _Reader(ValueReader):
    """Walks the parsed document once: its tables, rounds, draws and prizes, and the checks across rounds."""

    # -- the document

    def contest(self, document: Mapping[str, Any]) -> ContestSpec | None:
        self.known_keys(document, "", TOP_KEYS, {"contest": CONTEST_KEYS, "rounds": ROUND_KEYS})
        table = self.table(document, "contest", "", required=True) or {}
        self.known_keys(table, "contest", CONTEST_KEYS, {"rounds": ROUND_KEYS})
        title = self.text(table, "title", "contest", required=True, limit=TEXT_LIMITS["title"])
        rules = self.text(table, "rules", "contest", limit=TEXT_LIMITS["rules"]) or ""
        one_prize = self.boolean(table, "one_prize_per_contest", "contest", default=False)
        level = self.integer(table, "collective_level", "contest", default=2, minimum=1, maximum=MAX_LEVEL)
        metric = self.choice(table, "collective_metric", "contest", COLLECTIVE_METRICS,
                             default="participation_rate")
        collective_prizes = self.prizes(table, "collective_prizes", "contest")
        audience = self.text_list(table, "audience", "contest", limit=TEXT_LIMITS["unit_code"], same=str)
        categories = self.text_list(table, "audience_categories", "contest", limit=TEXT_LIMITS["category"],
                                    canonical=KNOWN_CATEGORIES)
        rounds = self.rounds(document)
        if None in (title, one_prize, level, metric, collective_prizes, audience, categories, rounds):
            return None
        return ContestSpec(title=title, rules=rules, one_prize_per_contest=one_prize, collective_level=level,
                           collective_metric=metric, collective_prizes=collective_prizes, rounds=rounds,
                           audience=audience, audience_categories=categories)  # type: ignore[arg-type]

    def rounds(self, document: Mapping[str, Any]) -> tuple[RoundSpec, ...] | None:
        entries = self.tables(document, "rounds", "", required=True)
        if entries is None:
            return None
        if not entries:
            self.add("no_rounds", "rounds")
            return None
        rounds = [self.round(entry, index) for index, entry in enumerate(entries)]
        self.check_round_names(entries)
        self.check_chronology(rounds)
        if any(r is None for r in rounds):
            return None
        return tuple(r for r in rounds if r is not None)

    def round(self, table: Mapping[str, Any], index: int) -> RoundSpec | None:
        key = round_key(index)
        name = self.text(table, "name", key, required=True, limit=TEXT_LIMITS["name"])
        self.round_name = name
        try:
            return self.round_fields(table, key, index, name)
        finally:
            self.round_name = None

    def round_fields(self, table: Mapping[str, Any], key: str, index: int,
                     name: str | None) -> RoundSpec | None:
        self.known_keys(table, key, ROUND_KEYS, {"contest": CONTEST_KEYS})
        opens_at = self.moment(table, "opens_at", key)
        closes_at = self.moment(table, "closes_at", key)
        if opens_at and closes_at and closes_at <= opens_at:
            self.add("window_reversed", join_key(key, "closes_at"), opens_at=opens_at.isoformat(),
                     closes_at=closes_at.isoformat())
            closes_at = None
        count = self.integer(table, "question_count", key, required=True, minimum=1, maximum=MAX_QUESTIONS)
        values = {
            "time_limit_seconds": self.integer(table, "time_limit_seconds", key, required=True, minimum=1,
                                               maximum=MAX_TIME_LIMIT),
            "grace_seconds": self.integer(table, "grace_seconds", key, default=10, minimum=0,
                                          maximum=MAX_GRACE),
            "max_attempts": self.integer(table, "max_attempts", key, default=1, minimum=1,
                                         maximum=MAX_ATTEMPTS),
            "prediction_question": self.text(table, "prediction_question", key,
                                             limit=TEXT_LIMITS["prediction_question"]) or None,
            "prediction_answer": self.choice(table, "prediction_answer", key, PREDICTION_ANSWERS,
                                             default="perfect_scores"),
            "min_correct_for_prize": self.min_correct(table, key, count),
            "review": self.choice(table, "review", key, REVIEW_MODES, default="after_close"),
            "draw": self.draw(table, key, index, count),
            "prizes": self.prizes(table, "prizes", key),
        }
        required = (name, opens_at, closes_at, count)
        optional_failed = any(v is None for k, v in values.items() if k != "prediction_question")
        if None in required or optional_failed:
            return None
        return RoundSpec(name=name, opens_at=opens_at, closes_at=closes_at, question_count=count,
                         **values)  # type: ignore[arg-type]

    def min_correct(self, table: Mapping[str, Any], key: str, question_count: int | None) -> int | None:
        value = self.integer(table, "min_correct_for_prize", key, default=0, minimum=0, maximum=MAX_QUESTIONS)
        if value is not None and question_count is not None and value > question_count:
            self.add("min_correct_above_question_count", join_key(key, "min_correct_for_prize"), value=value,
                     question_count=question_count)
            return None
        return value

    def draw(self, table: Mapping[str, Any], key: str, index: int,
             question_count: int | None) -> tuple[DrawSpec, ...] | None:
        entries = self.tables(table, "draw", key)
        if entries is None:
            return None
        draws = [self.draw_entry(entry, draw_key(index, position)) for position, entry in enumerate(entries)]
        if any(d is None for d in draws):
            return None
        valid = tuple(d for d in draws if d is not None)
        total = sum(d.count for d in valid)
        if valid and question_count is not None and total != question_count:
            self.add("draw_count_mismatch", join_key(key, "draw"), total=total, question_count=question_count)
            return None
        return valid

    def draw_entry(self, table: Mapping[str, Any], key: str) -> DrawSpec | None:
        self.known_keys(table, key, DRAW_KEYS, {})
        problems_before = len(self.problems)
        topic = self.text(table, "topic", key, limit=TEXT_LIMITS["topic"], allow_empty=False)
        bank = self.text(table, "bank", key, limit=TEXT_LIMITS["bank"], allow_empty=False)
        difficulty = self.difficulty(table, key)
        count = self.integer(table, "count", key, required=True, minimum=1, maximum=MAX_QUESTIONS)
        if len(self.problems) > problems_before:
            return None
        if not (topic or bank or difficulty):
            self.add("draw_without_selector", key)
            return None
        return DrawSpec(count=count, topic=topic or None, bank=bank or None,  # type: ignore[arg-type]
                        difficulty=difficulty)

    def difficulty(self, table: Mapping[str, Any], key: str) -> str | None:
        if "difficulty" not in table:
            return None
        value = table["difficulty"]
        if not isinstance(value, str):
            self.add("wrong_type", join_key(key, "difficulty"), expected="text", found=kind_of(value))
            return None
        canonical = DIFFICULTY_ALIASES.get(fold(value))
        if canonical is None:
            self.add("not_allowed", join_key(key, "difficulty"), value=value,
                     allowed=(*DIFFICULTIES, "Dễ", "Trung bình", "Khó"))
        return canonical

    def prizes(self, table: Mapping[str, Any], name: str, prefix: str) -> tuple[PrizeSpec, ...] | None:
        entries = self.tables(table, name, prefix)
        if entries is None:
            return None
        prizes: list[PrizeSpec | None] = []
        first_seen: dict[str, str] = {}
        for position, entry in enumerate(entries):
            key = f"{join_key(prefix, name)}[{position}]"
            self.known_keys(entry, key, PRIZE_KEYS, {})
            prize_name = self.text(entry, "name", key, required=True, limit=TEXT_LIMITS["prize"])
            count = self.integer(entry, "count", key, required=True, minimum=1, maximum=MAX_PRIZE_COUNT)
            if prize_name is not None and prize_name.casefold() in first_seen:
                self.add("duplicate_prize_name", join_key(key, "name"), name=prize_name,
                         first=first_seen[prize_name.casefold()])
                prize_name = None
            elif prize_name is not None:
                first_seen[prize_name.casefold()] = join_key(key, "name")
            valid = prize_name is not None and count is not None
            prizes.append(PrizeSpec(prize_name, count) if valid else None)  # type: ignore[arg-type]
        if any(p is None for p in prizes):
            return None
        return tuple(p for p in prizes if p is not None)

    # -- checks across rounds

    def check_round_names(self, entries: list[Mapping[str, Any]]) -> None:
        first_seen: dict[str, str] = {}
        for index, entry in enumerate(entries):
            value = entry.get("name")
            if not isinstance(value, str) or not clean(value):
                continue
            name = clean(value)
            key = join_key(round_key(index), "name")
            if name.casefold() in first_seen:
                self.add("duplicate_round_name", key, name=name, first=first_seen[name.casefold()])
            else:
                first_seen[name.casefold()] = key

    def check_chronology(self, rounds: list[RoundSpec | None]) -> None:
        """Each round opens no earlier than the previous one closes (among rounds whose window is valid)."""
        previous: RoundSpec | None = None
        for index, current in enumerate(rounds):
            if current is None:
                continue
            key = join_key(round_key(index), "opens_at")
            if previous is not None and current.opens_at < previous.opens_at:
                self.add("round_out_of_order", key, previous=previous.name,
                         previous_opens_at=previous.opens_at.isoformat(), round=current.name)
            elif previous is not None and current.opens_at < previous.closes_at:
                self.add("round_overlaps", key, previous=previous.name,
                         previous_closes_at=previous.closes_at.isoformat(), round=current.name)
            previous = current
