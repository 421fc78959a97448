"""Changing a contest from the organizer's console: a new contest as a draft, edits of its fields and rounds, a
round copied for the next week, publishing.

Every change is checked as a whole contest description first (``quizapp.domain.contests.read_contest`` in the
view, then the question banks and the unit tree here, as ``services.contests.create_contest`` does), so a form and
a TOML file obey the same rules. Rule 10: once a round has attempts, only what cannot change its results may
change: its name, its prediction question's text, and its close moved later (more time for everyone). The
contest's own texts (title, rules) may always change; its prize and collective settings and its audience are
locked once any round has attempts. A change to the answer key goes through the regrade instead. Each change is
audited against the round or the contest, which also drops the round's cached public results after the commit.

An organizer scoped to a unit (``services.scopes``) writes only contests of their subtree: the audience must be
named and lie inside it, and every draw entry of a new or changed round must name a bank they may read (their
subtree's or a shared one), since an entry without a bank draws from every bank, other units' private ones too
(:func:`scope_refusals`). The command line and unscoped accounts are not limited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, not_, select

from quizapp.domain.contests import ContestSpec, RoundSpec, SpecProblem, draw_problems
from quizapp.domain.contests.spec import draw_key, round_key
from quizapp.extensions import db
from quizapp.models import Attempt, CollectiveMetric, Contest, PrizeKind, Round, Unit, User
from quizapp.models.contests import ContestAudienceCategory, ContestAudienceUnit
from quizapp.services import audit
from quizapp.services.contests import (
    _new_round,
    _tiers,
    audience_units,
    category_problems,
    contest_problems,
    contest_spec,
    create_contest,
    question_cells,
)
from quizapp.services.scopes import EVERYTHING, Scope, scope_unit, unit_clause

#: Round fields that change results once anyone has taken the round (``closes_at`` may still move later).
LOCKED_ROUND_FIELDS = ("opens_at", "question_count", "time_limit_seconds", "grace_seconds", "max_attempts",
                       "draw", "prediction_answer", "min_correct_for_prize", "review", "prizes")
#: Contest fields that change results once any of its rounds has attempts.
LOCKED_CONTEST_FIELDS = ("one_prize_per_contest", "collective_level", "collective_metric", "collective_prizes",
                         "audience", "audience_categories")
ROUND_FIELDS = ("name", "opens_at", "closes_at", "question_count", "time_limit_seconds", "grace_seconds",
                "max_attempts", "draw", "prediction_question", "prediction_answer", "min_correct_for_prize",
                "review", "prizes")
CONTEST_FIELDS = ("title", "rules", *LOCKED_CONTEST_FIELDS)
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class EditRefusal:
    """A change refused: ``locked`` (``attempts`` taken), ``closes_earlier`` (``attempts`` taken),
    ``round_removed`` (``attempts`` taken, ``round``), ``unknown_round``; for a scoped account
    (:func:`scope_refusals`) ``audience_required`` (``unit``: the scope's unit name), ``audience_outside_scope``
    (``code``, ``unit``), ``draw_required``, ``draw_bank_required``; ``key`` is the TOML path it is about."""

    code: str
    key: str
    data: dict[str, Any] = field(default_factory=dict)


class ContestEditError(Exception):
    """The edit cannot be saved; nothing was written. ``problems`` are the description's problems (SpecProblem),
    ``refusals`` the changes that the rounds' attempts or the account's scope forbid."""

    code = "contest_edit_refused"

    def __init__(self, problems: Sequence[SpecProblem] = (), refusals: Sequence[EditRefusal] = ()) -> None:
        self.problems = tuple(problems)
        self.refusals = tuple(refusals)
        super().__init__(f"{len(self.problems)} problem(s), {len(self.refusals)} refusal(s)")


def attempt_counts(contest: Contest) -> dict[int, int]:
    """The number of attempts of each round of the contest that has any (one query)."""
    rows = db.session.execute(
        select(Attempt.round_id, func.count(Attempt.id)).join(Round, Round.id == Attempt.round_id)
        .where(Round.contest_id == contest.id).group_by(Attempt.round_id)).tuples()
    return dict(rows.all())


def create_draft(spec: ContestSpec, *, actor: User | None, now: datetime, scope: Scope = EVERYTHING) -> Contest:
    """A contest created from the console (``services.contests.create_contest``: the same checks and audit),
    left unpublished until the organizer publishes it. For a scoped account, raises ContestEditError (with the
    description's problems too, so that all are shown at once) when :func:`scope_refusals` refuses it."""
    refusals = scope_refusals(spec, scope, range(len(spec.rounds)))
    if refusals:
        raise ContestEditError(contest_problems(spec, scope), refusals)
    contest = create_contest(spec, actor=actor, now=now, scope=scope)
    contest.published = False
    db.session.flush()
    return contest


def set_published(contest: Contest, published: bool, *, actor: User | None, now: datetime) -> bool:
    """Show or hide the contest on the public pages; False when it already was so (nothing recorded)."""
    if contest.published == published:
        return False
    contest.published = published
    audit.record(actor=actor, action="contest.publish" if published else "contest.unpublish",
                 object_type="contest", object_id=contest.id, now=now, details={"title": contest.title})
    db.session.flush()
    return True


def save_contest(contest: Contest, spec: ContestSpec, round_ids: Sequence[int | None], *, actor: User | None,
                 now: datetime, scope: Scope = EVERYTHING) -> int:
    """Make the contest what ``spec`` describes (already read by ``read_contest``); ``round_ids[i]`` is the id of
    the existing round that ``spec.rounds[i]`` edits, None for a new round; existing rounds left out are removed.
    Returns the number of audit entries written. Raises ContestEditError before writing anything when a round id
    is not one of the contest's, a change is locked by attempts, the account's ``scope`` refuses it
    (:func:`scope_refusals`, for the new and changed draws), or the banks or the unit tree refuse it."""
    current = contest_spec(contest)
    by_id = {r.id: (r, current.rounds[i]) for i, r in enumerate(contest.rounds)}
    counts = attempt_counts(contest)
    refusals = _refusals(contest, current, spec, round_ids, by_id, counts)
    if refusals:
        raise ContestEditError(refusals=refusals)
    changed_rounds = [i for i, (rid, new) in enumerate(zip(round_ids, spec.rounds, strict=True))
                      if rid is None or _round_changes(by_id[rid][1], new, ("draw", "question_count"))]
    refusals = scope_refusals(spec, scope, changed_rounds)
    problems = _bank_and_tree_problems(spec, changed_rounds, current, scope)
    if problems or refusals:
        raise ContestEditError(problems, refusals)
    written = _save_contest_fields(contest, current, spec, actor=actor, now=now)
    kept = {rid for rid in round_ids if rid is not None}
    for rid, (round_, old) in by_id.items():
        if rid not in kept:
            audit.record(actor=actor, action="round.delete", object_type="round", object_id=rid, now=now,
                         details={"name": old.name})
            contest.rounds.remove(round_)
            written += 1
    db.session.flush()
    # every bank: a round whose draw did not change keeps the banks it names, whoever may read them
    _, bank_ids = question_cells()
    if not _in_place(contest, round_ids):
        _renumber(contest)
    for position, (rid, new) in enumerate(zip(round_ids, spec.rounds, strict=True), start=1):
        if rid is None:
            written += _add_round(contest, position, new, bank_ids, actor=actor, now=now)
        else:
            written += _save_round(contest, by_id[rid][0], by_id[rid][1], new, position, bank_ids,
                                   actor=actor, now=now)
    db.session.flush()
    return written


def _refusals(contest: Contest, current: ContestSpec, spec: ContestSpec, round_ids: Sequence[int | None],
              by_id: dict[int, tuple[Round, RoundSpec]], counts: dict[int, int]) -> list[EditRefusal]:
    refusals: list[EditRefusal] = []
    total = sum(counts.values())
    if total:
        refusals += [EditRefusal("locked", f"contest.{name}", {"attempts": total})
                     for name in LOCKED_CONTEST_FIELDS if getattr(current, name) != getattr(spec, name)]
    seen: set[int] = set()
    for index, (rid, new) in enumerate(zip(round_ids, spec.rounds, strict=True)):
        if rid is None:
            continue
        if rid not in by_id or rid in seen:
            refusals.append(EditRefusal("unknown_round", f"rounds[{index}]", {"id": rid}))
            continue
        seen.add(rid)
        attempts = counts.get(rid, 0)
        if not attempts:
            continue
        old = by_id[rid][1]
        refusals += [EditRefusal("locked", f"rounds[{index}].{name}", {"attempts": attempts})
                     for name in _round_changes(old, new, LOCKED_ROUND_FIELDS)]
        if new.closes_at < old.closes_at:
            refusals.append(EditRefusal("closes_earlier", f"rounds[{index}].closes_at", {"attempts": attempts}))
    refusals += [EditRefusal("round_removed", "rounds", {"attempts": counts[rid], "round": old.name})
                 for rid, (_round, old) in by_id.items() if rid not in seen and counts.get(rid)]
    return refusals


def _round_changes(old: RoundSpec, new: RoundSpec, names: Sequence[str]) -> list[str]:
    return [name for name in names if getattr(old, name) != getattr(new, name)]


def _bank_and_tree_problems(spec: ContestSpec, changed_rounds: list[int], current: ContestSpec,
                            scope: Scope) -> list[SpecProblem]:
    """The checks of ``create_contest`` for what changed: the draws of new rounds and of rounds whose draw or
    question count changed (a running round is not refused for a bank edited since), against the banks
    ``scope`` may read; the audience when it changed."""
    problems: list[SpecProblem] = []
    if changed_rounds:
        cells, bank_ids = question_cells(scope)
        prefixes = tuple(f"rounds[{i}]." for i in changed_rounds)
        problems += [p for p in draw_problems(spec, cells, bank_ids.keys()) if p.key.startswith(prefixes)]
    if spec.audience != current.audience:
        problems += audience_units(spec)[1]
    if spec.audience_categories != current.audience_categories:
        problems += category_problems(spec.audience_categories)
    return problems


def scope_refusals(spec: ContestSpec, scope: Scope, rounds: Iterable[int]) -> list[EditRefusal]:
    """What a scoped account may not write (none for an unscoped one): a contest without an audience
    (``audience_required``) or with an audience unit outside the subtree (``audience_outside_scope``, each
    code), since such a contest belongs to the level above (``services.scopes``); among the rounds ``rounds``
    (indexes), one without a draw (``draw_required``) or a draw entry naming no bank (``draw_bank_required``),
    since either draws from every bank, other units' private ones too. Which banks may be named is checked with
    the draws (``contest_problems``: a bank the account may not read is unknown to it). At most two queries."""
    if scope.everything:
        return []
    refusals: list[EditRefusal] = []
    if spec.audience:
        outside = set(db.session.scalars(select(Unit.code).where(Unit.code.in_(spec.audience),
                                                                 not_(unit_clause(scope, Unit.id)))))
        refusals += [EditRefusal("audience_outside_scope", f"contest.audience[{index}]", {"code": code})
                     for index, code in enumerate(spec.audience) if code in outside]
    else:
        refusals.append(EditRefusal("audience_required", "contest.audience"))
    if refusals:
        unit = scope_unit(scope)
        refusals = [replace(r, data={**r.data, "unit": unit.name if unit else ""}) for r in refusals]
    for index in sorted(set(rounds)):
        draw = spec.rounds[index].draw
        if not draw:
            refusals.append(EditRefusal("draw_required", f"{round_key(index)}.draw"))
        refusals += [EditRefusal("draw_bank_required", f"{draw_key(index, position)}.bank")
                     for position, entry in enumerate(draw) if entry.bank is None]
    return refusals


def _plain(value: Any) -> Any:
    """A spec value as JSON for the audit log."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__slots__") and not isinstance(value, str):
        return {name: getattr(value, name) for name in value.__slots__ if getattr(value, name) is not None}
    return value


def _changes(old: Any, new: Any, names: Sequence[str]) -> list[dict[str, Any]]:
    """The audit's record of what changed, in the shape of the other edits' entries (``question.edit``)."""
    return [{"field": name, "old": _plain(getattr(old, name)), "new": _plain(getattr(new, name))}
            for name in names if getattr(old, name) != getattr(new, name)]


def _save_contest_fields(contest: Contest, current: ContestSpec, spec: ContestSpec, *, actor: User | None,
                         now: datetime) -> int:
    changes = _changes(current, spec, CONTEST_FIELDS)
    if not changes:
        return 0
    contest.title, contest.rules = spec.title, spec.rules
    contest.one_prize_per_contest, contest.collective_level = spec.one_prize_per_contest, spec.collective_level
    contest.collective_metric = CollectiveMetric(spec.collective_metric)
    changed = {change["field"] for change in changes}
    if "collective_prizes" in changed:
        for tier in list(contest.prize_tiers):
            db.session.delete(tier)
        db.session.flush()
        db.session.add_all(_tiers(contest.id, None, PrizeKind.COLLECTIVE, spec.collective_prizes))
        db.session.expire(contest, ["prize_tiers"])
    if {"audience", "audience_categories"} & changed:
        _save_audience(contest, spec)
    audit.record(actor=actor, action="contest.edit", object_type="contest", object_id=contest.id, now=now,
                 details={"changes": changes})
    return 1


def _save_audience(contest: Contest, spec: ContestSpec) -> None:
    unit_ids, _problems = audience_units(spec)
    contest.audience_units.clear()
    contest.audience_categories.clear()
    db.session.flush()
    contest.audience_units.extend(ContestAudienceUnit(unit_id=unit_ids[code], position=position)
                                  for position, code in enumerate(spec.audience, start=1))
    contest.audience_categories.extend(ContestAudienceCategory(category=category, position=position)
                                       for position, category in enumerate(spec.audience_categories, start=1))


def _in_place(contest: Contest, round_ids: Sequence[int | None]) -> bool:
    """The rounds keep their positions 1..n (none moved or removed; new ones come after): no renumbering."""
    existing = [r.id for r in contest.rounds]
    return (list(round_ids[:len(existing)]) == existing and all(rid is None for rid in round_ids[len(existing):])
            and [r.position for r in contest.rounds] == list(range(1, len(existing) + 1)))


def _renumber(contest: Contest) -> None:
    """Move the rounds' positions out of the way (the pair contest, position is unique at every statement)."""
    for round_ in contest.rounds:
        round_.position += 100_000
    db.session.flush()


def _add_round(contest: Contest, position: int, spec: RoundSpec, bank_ids: dict[str, int], *,
               actor: User | None, now: datetime) -> int:
    round_ = _new_round(position, spec, bank_ids)
    contest.rounds.append(round_)
    db.session.flush()
    round_.prize_tiers.extend(_tiers(contest.id, round_.id, PrizeKind.INDIVIDUAL, spec.prizes))
    audit.record(actor=actor, action="round.create", object_type="round", object_id=round_.id, now=now,
                 details={"name": spec.name, "opens_at": spec.opens_at.isoformat(),
                          "closes_at": spec.closes_at.isoformat()})
    return 1


def _save_round(contest: Contest, round_: Round, old: RoundSpec, new: RoundSpec, position: int,
                bank_ids: dict[str, int], *, actor: User | None, now: datetime) -> int:
    round_.position = position
    changed = _round_changes(old, new, ROUND_FIELDS)
    if not changed:
        return 0
    fresh = _new_round(position, new, bank_ids)
    for name in ROUND_FIELDS:
        if name in changed and name not in ("draw", "prizes"):
            setattr(round_, name, getattr(fresh, name))
    if "draw" in changed:
        round_.draw_rules.clear()
        db.session.flush()
        round_.draw_rules.extend(fresh.draw_rules)
    if "prizes" in changed:
        round_.prize_tiers.clear()
        db.session.flush()
        round_.prize_tiers.extend(_tiers(contest.id, round_.id, PrizeKind.INDIVIDUAL, new.prizes))
    audit.record(actor=actor, action="round.edit", object_type="round", object_id=round_.id, now=now,
                 details={"changes": _changes(old, new, changed)})
    return 1


def copied_round(spec: ContestSpec, index: int) -> RoundSpec:
    """Round ``index`` again for the next period: the same settings, its window moved by its own length (at
    least a week, so a weekly round lands on the same weekday) until it opens after the contest's last round
    closes; the name's last number counted on ("Tuần 1" → "Tuần 2"), or "(bản sao)" added."""
    source = spec.rounds[index]
    shift = max(source.closes_at - source.opens_at, WEEK)
    last_close = max(r.closes_at for r in spec.rounds)
    opens_at, closes_at = source.opens_at + shift, source.closes_at + shift
    while opens_at < last_close:
        opens_at, closes_at = opens_at + shift, closes_at + shift
    taken = {r.name.casefold() for r in spec.rounds}
    name = _next_name(source.name, taken)
    return replace(source, name=name, opens_at=opens_at, closes_at=closes_at)


def _next_name(name: str, taken: set[str]) -> str:
    match = re.search(r"(\d+)(\D*)$", name)
    candidate = name
    for attempt in range(1, 100):
        if match:
            number = int(match[1]) + attempt
            candidate = f"{name[:match.start(1)]}{number}{match[2]}"
        else:
            candidate = f"{name} (bản sao)" if attempt == 1 else f"{name} (bản sao {attempt})"
        if candidate.casefold() not in taken:
            return candidate
    return candidate


def copy_round(contest: Contest, round_id: int, *, actor: User | None, now: datetime,
               scope: Scope = EVERYTHING) -> Round:
    """Add a copy of the round ``round_id`` after the contest's last round (:func:`copied_round`); raises
    ContestEditError (``unknown_round``) for a round of another contest, or when the banks cannot draw it or
    the account's ``scope`` refuses its draw (:func:`save_contest`)."""
    ids = [r.id for r in contest.rounds]
    if round_id not in ids:
        raise ContestEditError(refusals=[EditRefusal("unknown_round", "rounds", {"id": round_id})])
    current = contest_spec(contest)
    copy = copied_round(current, ids.index(round_id))
    spec = replace(current, rounds=(*current.rounds, copy))
    save_contest(contest, spec, [*ids, None], actor=actor, now=now, scope=scope)
    return contest.rounds[-1]
