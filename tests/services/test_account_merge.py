"""Merging two accounts of one person (services.account_merge): the documented rule, and set-based work."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptStatus,
    Contest,
    Disqualification,
    ErasureRequest,
    IssuedCertificate,
    Role,
    Round,
    RoundResult,
    User,
)
from quizapp.models.types import utcnow
from quizapp.services.account_merge import MergeError, merge_accounts, plan_merge


def make_round(name, position, contest, **changes):
    now = utcnow()
    round_ = Round(contest=contest, position=position, name=name, opens_at=now - timedelta(days=3),
                   closes_at=now + timedelta(days=1), question_count=1, time_limit_seconds=600, **changes)
    db.session.add(round_)
    db.session.flush()
    return round_


def attempt(round_, user, number, status=AttemptStatus.SUBMITTED):
    started = utcnow() - timedelta(hours=10 - number)
    row = Attempt(round_id=round_.id, user_id=user.id, number=number, started_at=started,
                  deadline_at=started + timedelta(minutes=10), question_count=1, status=status,
                  correct_count=1, submitted_at=started + timedelta(minutes=1), duration_ms=60_000)
    db.session.add(row)
    db.session.flush()
    return row


def result(round_, user, rank, row):
    db.session.add(RoundResult(round_id=round_.id, user_id=user.id, rank=rank, attempt_id=row.id, correct_count=1,
                               question_count=1, duration_ms=60_000, submitted_at=row.submitted_at))


@pytest.fixture
def pair(app, make_user):
    return (make_user(phone="0912000001", full_name="Trần Văn An"),
            make_user(phone="0912000002", full_name="Tran Van An"))


def test_results_of_a_finalized_round_move_when_only_the_merged_account_is_ranked(pair, make_user):
    keep, other = pair
    actor = make_user(Role.ORGANIZER)
    contest = Contest(title="Thử", rules="")
    db.session.add(contest)
    finalized = make_round("Tuần 1", 1, contest, finalized_at=utcnow())
    row = attempt(finalized, other, 1)
    result(finalized, other, 1, row)
    db.session.add(IssuedCertificate(code="ABCD1234", contest_id=contest.id, round_id=finalized.id, user_id=other.id,
                                     prize_name="Giải Nhất", issued_at=utcnow()))
    db.session.commit()
    merge_accounts(keep, other, actor=actor, now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(RoundResult.user_id)) == keep.id
    assert db.session.scalar(select(RoundResult.attempt_id)) == row.id  # the frozen entry itself is unchanged
    assert db.session.scalar(select(IssuedCertificate.user_id)) == keep.id


def test_a_disqualification_moves_unless_the_kept_account_is_already_set_aside_there(pair, make_user):
    keep, other = pair
    actor = make_user(Role.ORGANIZER)
    contest = Contest(title="Thử", rules="")
    db.session.add(contest)
    first, second = make_round("Tuần 1", 1, contest), make_round("Tuần 2", 2, contest)
    db.session.add_all([Disqualification(round_id=first.id, user_id=keep.id, reason="a"),
                        Disqualification(round_id=first.id, user_id=other.id, reason="b"),
                        Disqualification(round_id=second.id, user_id=other.id, reason="c")])
    db.session.commit()
    merge_accounts(keep, other, actor=actor, now=utcnow())
    db.session.commit()
    rows = {(d.round_id, d.reason): d.user_id for d in db.session.scalars(select(Disqualification))}
    assert rows == {(first.id, "a"): keep.id, (first.id, "b"): other.id, (second.id, "c"): keep.id}


def test_both_with_pending_erasure_requests_is_refused_and_nothing_changes(pair, make_user):
    keep, other = pair
    actor = make_user(Role.ORGANIZER)
    db.session.add_all([ErasureRequest(user_id=keep.id, reason="x", requested_at=utcnow()),
                        ErasureRequest(user_id=other.id, reason="y", requested_at=utcnow())])
    db.session.commit()
    with pytest.raises(MergeError) as refused:
        merge_accounts(keep, other, actor=actor, now=utcnow())
    assert refused.value.data["refusals"] == [("both_erasure_pending", [])]
    db.session.rollback()
    assert db.session.get(User, other.id).active


def test_accounts_already_merged_or_of_staff_are_refused(pair, make_user):
    keep, other = pair
    judge = make_user(Role.JUDGE)
    with pytest.raises(MergeError, match="not_participant"):
        plan_merge(keep, judge)
    other.merged_into_id = keep.id
    with pytest.raises(MergeError, match="already_merged"):
        plan_merge(keep, other)


def _statements_to_merge(make_user, attempts_each: int) -> int:
    keep = make_user(phone=f"09130000{attempts_each:02d}")
    other = make_user(phone=f"09140000{attempts_each:02d}")
    actor = make_user(Role.ORGANIZER)
    contest = Contest(title=f"Thử {attempts_each}", rules="")
    db.session.add(contest)
    rounds = [make_round(f"Tuần {n}", n, contest, max_attempts=attempts_each) for n in range(1, 4)]
    for round_ in rounds:
        for number in range(1, attempts_each + 1):
            attempt(round_, keep, number)
            attempt(round_, other, number)
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        plan = merge_accounts(keep, other, actor=actor, now=utcnow())
        db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    db.session.commit()
    numbers = sorted(db.session.scalars(select(Attempt.number).where(Attempt.user_id == keep.id,
                                                                      Attempt.round_id == rounds[0].id)))
    assert numbers == list(range(1, 2 * attempts_each + 1)) and plan.attempts == 3 * attempts_each
    return len(statements)


def test_a_merge_takes_the_same_number_of_statements_whatever_the_number_of_attempts(app, make_user):
    assert _statements_to_merge(make_user, 2) == _statements_to_merge(make_user, 12)
