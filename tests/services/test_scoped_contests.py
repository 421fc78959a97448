"""The services behind the scoped staff's contest screens: what a scoped organizer may write (an audience inside
their subtree, draws naming a bank they may read: every refusal at once, with the description's problems, nothing
written), copying a round the level above drew from every bank, the audit entries a scoped judge reads, and the
regrade refused when rounds outside used the question."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import tomli_w
from sqlalchemy import func, select

from quizapp.domain.contests import parse_contest
from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Contest
from quizapp.models.contests import ContestAudienceUnit
from quizapp.models.types import utcnow
from quizapp.services import audit
from quizapp.services.contest_editing import ContestEditError, copy_round, create_draft, save_contest
from quizapp.services.contests import create_contest
from quizapp.services.regrade import RegradeError
from quizapp.services.regrade_scope import refuse_regrade_outside
from quizapp.services.scopes import EVERYTHING, Scope
from tests.services.test_flags import add_entry, build_scene, build_units
from tests.views.test_scoped_contests import add_bank

NOW = utcnow()


@pytest.fixture
def world(app):
    units = build_units()
    banks = {"d1": add_bank("Ngân hàng Huyện Một", units["D1"].id), "d2": add_bank("Ngân hàng Huyện Hai",
                                                                                   units["D2"].id)}
    return {"units": units, "banks": banks, "d1": Scope(units["D1"].id)}


def spec_for(*, audience=("D1A",), draw=None):
    """A contest of one round drawing three questions (from the D1 bank unless ``draw`` says otherwise)."""
    draw = draw if draw is not None else [{"bank": "Ngân hàng Huyện Một", "count": 3}]
    return parse_contest(tomli_w.dumps({"contest": {"title": "Mẫu", "audience": list(audience)}, "rounds": [{
        "name": "Tuần 1", "opens_at": (NOW + timedelta(days=1)).isoformat(),
        "closes_at": (NOW + timedelta(days=8)).isoformat(), "question_count": 3, "time_limit_seconds": 600,
        "draw": draw}]}))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_every_refusal_is_given_at_once_with_the_descriptions_problems_and_nothing_is_written(world):
    spec = spec_for(audience=("D2", "D1A", "XX"),
                    draw=[{"topic": "Lịch sử", "count": 2}, {"bank": "Ngân hàng Huyện Hai", "count": 1}])
    entries = count(AuditEntry)
    with pytest.raises(ContestEditError) as refused:
        create_draft(spec, actor=None, now=NOW, scope=world["d1"])
    refusals = {(r.code, r.key) for r in refused.value.refusals}
    assert refusals == {("audience_outside_scope", "contest.audience[0]"),
                        ("draw_bank_required", "rounds[0].draw[0].bank")}
    problems = {(p.code, p.key) for p in refused.value.problems}
    # a bank the account may not read is unknown to it, as in its lists; an unknown code as for anyone
    assert ("unknown_bank", "rounds[0].draw[1].bank") in problems
    assert ("unknown_unit", "contest.audience[2]") in problems
    assert next(r for r in refused.value.refusals if r.code == "audience_outside_scope").data == {
        "code": "D2", "unit": "Huyện Một"}
    assert count(Contest) == 0 and count(AuditEntry) == entries


def test_the_command_line_and_unscoped_staff_are_not_limited(world):
    spec = spec_for(audience=(), draw=[{"topic": "Lịch sử", "count": 3}])
    assert create_draft(spec, actor=None, now=NOW, scope=EVERYTHING).id
    assert create_contest(replace(spec, title="Từ dòng lệnh"), actor=None, now=NOW).id


def test_a_round_the_level_above_drew_from_every_bank_keeps_its_draw_but_is_not_copied_by_a_scoped_organizer(world):
    spec = spec_for(draw=[{"topic": "Lịch sử", "count": 3}])
    contest = create_contest(spec, actor=None, now=NOW)  # by the level above, for D1A
    db.session.commit()
    renamed = replace(spec, rounds=(replace(spec.rounds[0], name="Tuần đầu"),))
    assert save_contest(contest, renamed, [contest.rounds[0].id], actor=None, now=NOW, scope=world["d1"]) == 1
    with pytest.raises(ContestEditError) as refused:
        copy_round(contest, contest.rounds[0].id, actor=None, now=NOW, scope=world["d1"])
    assert [(r.code, r.key) for r in refused.value.refusals] == [("draw_bank_required", "rounds[1].draw[0].bank")]
    db.session.rollback()
    assert len(db.session.get(Contest, contest.id).rounds) == 1


def test_a_scoped_judge_reads_only_entries_about_their_subtrees_contests_and_rounds(world):
    units = world["units"]
    inside = build_scene(units=units, title="Trong")
    db.session.add(ContestAudienceUnit(contest_id=inside.contest.id, unit_id=units["D1"].id, position=1))
    outside = build_scene(units=units, title="Ngoài")
    before = count(AuditEntry)
    for object_type, object_id in (("round", inside.round.id), ("contest", inside.contest.id),
                                   ("round", outside.round.id), ("contest", outside.contest.id),
                                   ("question", inside.questions[0].id), ("user", 1), ("unit", units["D1"].id)):
        audit.record(actor=None, action="x", object_type=object_type, object_id=object_id, now=NOW)
    db.session.commit()

    def seen(scope, **filters):
        return {(e.object_type, e.object_id) for e in db.session.scalars(audit.entries_query(scope, **filters))}

    assert seen(world["d1"]) == {("round", inside.round.id), ("contest", inside.contest.id)}
    assert seen(world["d1"], contest_id=outside.contest.id) == set()
    assert seen(world["d1"], round_id=inside.round.id) == {("round", inside.round.id)}
    assert len(seen(EVERYTHING)) == before + 7


def test_the_regrade_is_refused_when_rounds_outside_the_scope_drew_the_question(world):
    units = world["units"]
    inside = build_scene(units=units, title="Trong")
    db.session.add(ContestAudienceUnit(contest_id=inside.contest.id, unit_id=units["D1"].id, position=1))
    db.session.get(Bank, inside.questions[0].bank_id).scope_unit_id = units["D1"].id
    db.session.commit()
    add_entry(inside, "Người Trong", correct=2, unit="D1A")
    question = inside.questions[0]
    refuse_regrade_outside(question.id, world["d1"])  # only their round drew it

    for title in ("Ngoài một", "Ngoài hai"):
        outside = build_scene(units=units, title=title)
        outside.questions = inside.questions
        add_entry(outside, f"Người {title}", correct=1, unit="D2")
    with pytest.raises(RegradeError) as refused:
        refuse_regrade_outside(question.id, world["d1"])
    assert (refused.value.code, refused.value.data) == ("rounds_outside_scope", {"rounds": 2})
    refuse_regrade_outside(question.id, EVERYTHING)
