"""Data rights (SPEC rule 11): what an export holds, when an erasure is refused, and that an erasure keeps every
ranking and finalized export as it was, anonymously."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.auth import check_password
from quizapp.domain.masking import mask_name
from quizapp.domain.personal_data import ANONYMOUS_NAME, ErasureError
from quizapp.extensions import db
from quizapp.models import Attempt, AuditEntry, Disqualification, ErasureStatus, Option, Role, TimeExtension, User
from quizapp.services.accounts import check_credentials
from quizapp.services.attempts import save_answers, start_or_resume, submit
from quizapp.services.exports import write_frozen_round_csv, write_round_csv
from quizapp.services.leaderboard import public_entries
from quizapp.services.personal_data import (
    erase,
    export_data,
    find_participant,
    handle_request,
    refuse_request,
    request_erasure,
)
from quizapp.services.results import finalize_round
from quizapp.services.standings import round_standings
from tests.services.test_attempts import NOW, make_bank, make_round, shown_ids_of
from tests.services.test_standings import CLOSES, entry, make_contest, make_units, person

AFTER = CLOSES + timedelta(days=1)


@pytest.fixture
def units(app):
    return make_units()


def test_a_login_is_a_phone_in_any_usual_form_or_an_email(units):
    someone = person("Nguyễn Văn An", phone="0912345678", email="an@example.test")
    for login in ("0912345678", "0912 345 678", "+84 912 345 678", "AN@example.test "):
        assert find_participant(login).id == someone.id
    assert find_participant("0999999999") is None and find_participant("") is None


def test_the_export_holds_the_account_the_attempt_with_question_and_option_texts_and_the_decisions(app, make_user):
    units = make_units()
    make_bank()
    round_ = make_round(draw=[("Tư tưởng Hồ Chí Minh", 3)])
    someone = person("Trần Thị Bình", units["HN-BD"], email="binh@example.test", id_number="001234567890",
                     consent_at=NOW - timedelta(days=2), created_at=NOW - timedelta(days=2))
    organizer = make_user(Role.ORGANIZER)
    started = start_or_resume(round_.id, someone.id, now=NOW, rng=random.Random(3), client_ip="203.0.113.9")
    first = db.session.get(Attempt, started.id).questions[0]
    chosen = int(first.option_order.split(",")[0])  # a bank option id of the first question
    save_answers(started.id, {first.question_id: shown_ids_of(started.id)[chosen]}, user_id=someone.id,
                 now=NOW + timedelta(minutes=1))
    submit(started.id, user_id=someone.id, prediction=7, now=NOW + timedelta(minutes=2))
    db.session.add(TimeExtension(round_id=round_.id, user_id=someone.id, seconds=300, reason="Mất điện",
                                 granted_by_id=organizer.id, granted_at=NOW))
    db.session.add(Disqualification(round_id=round_.id, user_id=someone.id, reason="Dùng hai tài khoản",
                                    decided_at=NOW + timedelta(hours=1)))
    db.session.commit()

    data = json.loads(json.dumps(export_data(someone, actor=organizer, now=NOW + timedelta(hours=2))))
    account = data["account"]
    assert (account["full_name"], account["phone"], account["email"], account["id_number"]) == (
        "Trần Thị Bình", someone.phone, "binh@example.test", "001234567890")
    assert account["registered_at"].startswith((NOW - timedelta(days=2)).date().isoformat())
    assert data["consent"]["given_at"] is not None
    assert data["unit"] == {"code": "HN-BD", "name": "Phường Ba Đình", "path": "Thành phố Hà Nội › Phường Ba Đình"}
    [attempt] = data["attempts"]
    assert attempt["round"] == "Tuần 1" and attempt["contest"] == round_.contest.title
    assert attempt["prediction"] == 7 and attempt["client_ip"] == "203.0.113.9" and len(attempt["answers"]) == 3
    answered = [a for a in attempt["answers"] if a["chosen_option"]]
    assert len(answered) == 1 and answered[0]["question"].startswith("Tư tưởng Hồ Chí Minh: câu hỏi số")
    assert answered[0]["chosen_option"] == db.session.get(Option, chosen).text
    assert "is_correct" not in answered[0]  # the key stays hidden as rule 2 says
    assert data["time_extensions"][0]["reason"] == "Mất điện" and data["time_extensions"][0]["seconds"] == 300
    assert data["disqualifications"][0]["reason"] == "Dùng hai tài khoản"
    assert data["results"] == [] and data["prizes"] == []
    recorded = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.export")).all()
    assert [(e.actor_id, e.object_id) for e in recorded] == [(organizer.id, someone.id)]


@pytest.fixture
def finished(units, make_user):
    """A contest whose only round closed at CLOSES: four entries, Nhất 1 / Nhì 2; the judge has not finalized."""
    round_ = make_contest().rounds[0]
    people = {}
    for name, correct, unit, phone in (("Nguyễn Văn An", 10, "HN-BD", "0912000001"),
                                       ("Trần Thị Bình", 9, "HN-HK", "0912000002"),
                                       ("Lê Văn Chi", 8, "HN-BD", "0912000003"),
                                       ("Phạm Thu Dung", 3, "HN-HK", "0912000004")):
        people[name] = person(name, units[unit], phone=phone, email=f"{phone}@example.test",
                              id_number=f"00120000{phone[-4:]}")
        entry(round_, people[name], correct, prediction=1)
    return round_, people


def _export(round_) -> str:
    """The finalized round's CSV export as the command writes it (PostgreSQL's COPY, or the Python writer)."""
    stream = io.StringIO()
    if write_frozen_round_csv(round_.id, stream, winners_only=False) is None:
        write_round_csv(round_standings(round_, now=AFTER), stream, winners_only=False)
    return stream.getvalue()


def _personal(user: User) -> tuple:
    db.session.expire_all()
    user = db.session.get(User, user.id)
    return user.full_name, user.phone, user.email, user.id_number, user.password_hash, user.erased_at


def test_erasure_is_refused_until_the_round_is_finalized_and_nothing_changes(finished):
    round_, people = finished
    bình = people["Trần Thị Bình"]
    before = _personal(bình)
    with pytest.raises(ErasureError) as refused:
        erase(bình, reason="Yêu cầu của người dự thi", actor=None, now=AFTER)
    assert refused.value.code == "results_not_final"
    assert refused.value.data["rounds"] == [(round_.contest.title, "Tuần 1")]
    db.session.rollback()
    assert _personal(bình) == before
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.erase")) is None


def test_another_round_of_the_contest_still_to_come_keeps_the_results_from_being_final(units, make_user):
    contest = make_contest(rounds=2, closes_at=AFTER + timedelta(days=3))
    first, second = contest.rounds
    someone = person("Lê Văn Chi", units["HN-BD"])
    entry(first, someone, 8)
    finalize_round(first, actor=make_user(Role.JUDGE), now=first.closes_at + timedelta(minutes=1))
    db.session.commit()
    with pytest.raises(ErasureError) as refused:
        erase(someone, reason="Hết mục đích", actor=None, now=first.closes_at + timedelta(hours=1))
    assert refused.value.data["rounds"] == [(contest.title, second.name)]
    # once the second round is over (nobody can enter it any more), the contest is final for them
    assert erase(someone, reason="Hết mục đích", actor=None, now=second.closes_at + timedelta(hours=1)).rounds == 1


def test_erasure_after_finalizing_keeps_every_rank_and_score_and_the_finalized_export(finished, make_user):
    round_, people = finished
    judge = make_user(Role.JUDGE)
    finalize_round(round_, actor=judge, now=AFTER)
    db.session.commit()
    kept = ["rank", "user_id", "attempt_id", "correct_count", "question_count", "duration_ms", "prediction",
            "prediction_gap", "unit_code", "category", "prize_name"]
    standings_before = round_standings(round_, now=AFTER).frame[kept].to_dict("records")
    export_before = _export(round_)

    bình = people["Trần Thị Bình"]
    erased = erase(bình, reason="Người dự thi yêu cầu xóa", actor=None, now=AFTER + timedelta(hours=1))
    db.session.commit()

    assert round_standings(round_, now=AFTER).frame[kept].to_dict("records") == standings_before
    rows_before = list(csv.DictReader(io.StringIO(export_before)))
    rows_after = list(csv.DictReader(io.StringIO(_export(round_))))
    personal = {"full_name", "phone"}
    assert [{k: v for k, v in r.items() if k not in personal} for r in rows_after] == \
        [{k: v for k, v in r.items() if k not in personal} for r in rows_before]
    erased_row = next(r for r in rows_after if r["rank"] == "2")
    assert erased_row["full_name"] == f"{ANONYMOUS_NAME} #{bình.id}" == erased.label
    assert erased_row["phone"] == "" and erased_row["prize"] == "Giải Nhì"

    name, phone, email, id_number, password_hash, erased_at = _personal(bình)
    assert (phone, email, id_number, erased_at is not None) == (None, None, None, True)
    assert not check_password(password_hash, "anything").matches
    assert check_credentials("0912000002", "anything", now=AFTER) is None
    public = public_entries(round_standings(round_, now=AFTER).frame)
    assert public[1]["name"] == ANONYMOUS_NAME == mask_name(name) and str(bình.id) not in public[1]["name"]
    entry_ = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.erase"))
    assert (entry_.actor_id, entry_.object_id, entry_.reason) == (None, bình.id, "Người dự thi yêu cầu xóa")


def test_a_second_erasure_is_refused_clearly_and_changes_nothing(finished, make_user):
    round_, people = finished
    finalize_round(round_, actor=make_user(Role.JUDGE), now=AFTER)
    an = people["Nguyễn Văn An"]
    erase(an, reason="Lần đầu", actor=None, now=AFTER)
    db.session.commit()
    before = _personal(an)
    with pytest.raises(ErasureError) as refused:
        erase(an, reason="Lần hai", actor=None, now=AFTER + timedelta(days=1))
    assert refused.value.code == "already_erased"
    assert _personal(an) == before
    with pytest.raises(ErasureError) as no_reason:
        erase(people["Lê Văn Chi"], reason="  ", actor=None, now=AFTER)
    assert no_reason.value.code == "reason_required"


def test_a_request_is_handled_by_the_same_erasure_or_refused_with_a_reason(finished, make_user):
    round_, people = finished
    organizer = make_user(Role.ORGANIZER)
    chi, dung = people["Lê Văn Chi"], people["Phạm Thu Dung"]
    asked = request_erasure(chi, reason="Tôi không muốn lưu dữ liệu", now=AFTER)
    with pytest.raises(ErasureError) as twice:
        request_erasure(chi, reason="Lần nữa", now=AFTER)
    assert twice.value.code == "request_pending"
    with pytest.raises(ErasureError) as early:
        handle_request(asked, actor=organizer, now=AFTER)
    assert early.value.code == "results_not_final" and asked.status is ErasureStatus.PENDING
    finalize_round(round_, actor=make_user(Role.JUDGE), now=AFTER)
    handle_request(asked, actor=organizer, now=AFTER)
    db.session.commit()
    db.session.refresh(asked)
    assert asked.status is ErasureStatus.DONE and asked.handled_by_id == organizer.id
    other = request_erasure(dung, reason="Xóa giúp tôi", now=AFTER)
    refuse_request(other, answer="Đang có khiếu nại về kết quả", actor=organizer, now=AFTER)
    assert other.status is ErasureStatus.REFUSED and dung.erased_at is None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "user")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["person.erasure_request", "person.erase", "person.erasure_request", "person.erasure_refuse"]
