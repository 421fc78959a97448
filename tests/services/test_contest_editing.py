"""services.contest_editing: rounds copied for the next period, edits refused when attempts forbid them (nothing
written), a round of another contest refused, publishing audited once, notices checked, and each round edit
marking the round as changed so that its cached public results are dropped after the commit."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain.contests import parse_contest
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, AuditEntry, Role, Round
from quizapp.models.notices import ContestNotice
from quizapp.models.types import utcnow
from quizapp.services import contest_editing, notices
from quizapp.services.contest_editing import ContestEditError, copied_round
from quizapp.services.contests import VIETNAM, contest_spec
from tests.services.test_contests import add_questions

TOML = """
[contest]
title = "Tìm hiểu Hiến pháp"
[[rounds]]
name = "Tuần 1"
opens_at = 2030-11-23T00:00:00+07:00
closes_at = 2030-11-30T00:00:00+07:00
question_count = 4
time_limit_seconds = 600
draw = [{ topic = "Lịch sử", count = 4 }]
prizes = [{ name = "Giải Nhất", count = 1 }]
[[rounds]]
name = "Đợt đặc biệt"
opens_at = 2030-12-01T08:00:00+07:00
closes_at = 2030-12-01T20:00:00+07:00
question_count = 4
time_limit_seconds = 600
"""


@pytest.fixture
def contest(app, make_user):
    add_questions("Ngân hàng A", "Lịch sử", 6)
    organizer = make_user(Role.ORGANIZER)
    created = contest_editing.create_draft(parse_contest(TOML), actor=organizer, now=utcnow())
    db.session.commit()
    return created


def audits() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def test_a_draft_is_not_published_until_published_once(contest):
    assert not contest.published
    before = audits()
    assert contest_editing.set_published(contest, True, actor=None, now=utcnow())
    assert not contest_editing.set_published(contest, True, actor=None, now=utcnow())
    assert contest.published and audits() == before + 1


def test_a_copy_lands_after_the_last_round_a_week_on_with_the_next_name(contest):
    spec = contest_spec(contest)
    week = copied_round(spec, 0)
    assert week.name == "Tuần 2" and week.draw == spec.rounds[0].draw and week.prizes == spec.rounds[0].prizes
    # a week on would overlap the one-day round of 1 December: two weeks on
    assert week.opens_at == datetime(2030, 12, 7, tzinfo=VIETNAM) and week.closes_at - week.opens_at == timedelta(7)
    one_day = copied_round(spec, 1)
    assert one_day.name == "Đợt đặc biệt (bản sao)"
    assert one_day.opens_at == datetime(2030, 12, 8, 8, tzinfo=VIETNAM)  # the same weekday, a week later


def test_copy_round_writes_the_round_with_its_draw_and_prizes(contest):
    copy = contest_editing.copy_round(contest, contest.rounds[0].id, actor=None, now=utcnow())
    db.session.commit()
    assert [r.name for r in contest.rounds] == ["Tuần 1", "Đợt đặc biệt", "Tuần 2"]
    assert [r.position for r in contest.rounds] == [1, 2, 3]
    assert [(d.topic, d.count) for d in copy.draw_rules] == [("Lịch sử", 4)]
    assert [(t.name, t.count) for t in copy.prize_tiers] == [("Giải Nhất", 1)]


def test_a_round_of_another_contest_is_refused(contest, make_user):
    other = contest_editing.create_draft(replace(parse_contest(TOML), title="Khác"), actor=None, now=utcnow())
    db.session.commit()
    spec = contest_spec(contest)
    with pytest.raises(ContestEditError) as error:
        contest_editing.save_contest(contest, spec, [other.rounds[0].id, contest.rounds[1].id], actor=None,
                                     now=utcnow())
    assert [r.code for r in error.value.refusals] == ["unknown_round"]
    with pytest.raises(ContestEditError):
        contest_editing.copy_round(contest, other.rounds[0].id, actor=None, now=utcnow())


def test_a_round_with_attempts_cannot_be_left_out_and_nothing_is_written(contest, make_user):
    person = make_user()
    now = utcnow()
    db.session.add(Attempt(round_id=contest.rounds[0].id, user_id=person.id, number=1,
                           status=AttemptStatus.SUBMITTED, started_at=now, deadline_at=now + timedelta(minutes=10),
                           submitted_at=now, duration_ms=1, question_count=4, correct_count=1))
    db.session.commit()
    spec = contest_spec(contest)
    edited = replace(spec, title="Tên mới", rounds=spec.rounds[1:])
    before = audits()
    with pytest.raises(ContestEditError) as error:
        contest_editing.save_contest(contest, edited, [contest.rounds[1].id], actor=None, now=now)
    assert [(r.code, r.data["attempts"]) for r in error.value.refusals] == [("round_removed", 1)]
    db.session.rollback()
    assert audits() == before and contest.title == "Tìm hiểu Hiến pháp" and len(contest.rounds) == 2


def test_a_round_edit_marks_the_round_changed_for_the_cache(contest, monkeypatch):
    marked: list[int] = []
    monkeypatch.setattr("quizapp.services.audit.round_changed", marked.append)
    spec = contest_spec(contest)
    renamed = replace(spec, rounds=(replace(spec.rounds[0], name="Tuần đầu"), spec.rounds[1]))
    assert contest_editing.save_contest(contest, renamed, [r.id for r in contest.rounds], actor=None,
                                        now=utcnow()) == 1
    assert marked == [contest.rounds[0].id]


def test_notices_are_cleaned_checked_and_listed_newest_first(contest):
    now = utcnow()
    notices.post_notice(contest, "  Đợt 1   mở lúc 0 giờ. ", actor=None, now=now)
    notices.post_notice(contest, "Đợt 2 lùi lịch.", actor=None, now=now + timedelta(minutes=1))
    for text, code in (("   ", "empty"), ("x" * 501, "too_long")):
        with pytest.raises(notices.NoticeError) as error:
            notices.post_notice(contest, text, actor=None, now=now)
        assert error.value.code == code
    assert [n.text for n in notices.contest_notices(contest.id)] == ["Đợt 2 lùi lịch.", "Đợt 1 mở lúc 0 giờ."]
    first = notices.contest_notices(contest.id)[1]
    assert not notices.remove_notice(contest, first.id + 100, actor=None, now=now)
    assert notices.remove_notice(contest, first.id, actor=None, now=now)
    assert db.session.scalar(select(func.count(ContestNotice.id))) == 1
    assert db.session.scalar(select(func.count(Round.id))) == 2


def test_a_round_without_attempts_can_be_left_out_and_the_others_renumbered(contest):
    spec = contest_spec(contest)
    kept = contest.rounds[1].id
    contest_editing.save_contest(contest, replace(spec, rounds=spec.rounds[1:]), [kept], actor=None, now=utcnow())
    db.session.commit()
    assert [(r.id, r.position) for r in contest.rounds] == [(kept, 1)]
    assert db.session.scalar(select(func.count(Round.id))) == 1
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == "round.delete"
