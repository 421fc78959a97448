"""The organizer finds a participant, resets their password and gives them extra time."""

from datetime import timedelta

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AuditEntry, Contest, Role, Round, TimeExtension
from quizapp.models.types import utcnow
from tests.conftest import TEST_PASSWORD


def make_round(**changes):
    now = utcnow()
    contest = Contest(title="Cuộc thi thử", rules="")
    values = {"position": 1, "name": "Tuần 1", "opens_at": now - timedelta(days=1),
              "closes_at": now + timedelta(days=1), "question_count": 1, "time_limit_seconds": 600}
    values.update(changes)
    round_ = Round(contest=contest, **values)
    db.session.add_all([contest, round_])
    db.session.commit()
    return round_


def test_search_finds_by_name_without_accents_and_by_phone_in_any_form(organizer_client, make_user):
    make_user(Role.PARTICIPANT, phone="0912345678", full_name="Lê Thị Hoà")
    make_user(Role.PARTICIPANT, phone="0987654321", full_name="Phạm Văn Bình")
    by_name = organizer_client.get("/organizer/participants", query_string={"q": "le thi hoa"}).get_data(as_text=True)
    assert "Lê Thị Hoà" in by_name and "Phạm Văn Bình" not in by_name
    by_phone = organizer_client.get("/organizer/participants", query_string={"q": "+84 987 654 321"})
    assert "Phạm Văn Bình" in by_phone.get_data(as_text=True)


def test_reset_password_signs_the_participant_out_everywhere(app, organizer_client, make_user):
    participant = make_user(Role.PARTICIPANT, phone="0912345678")
    other = app.test_client()
    other.post("/login", data={"login": "0912345678", "password": TEST_PASSWORD})
    response = organizer_client.post(f"/organizer/participants/{participant.id}/password",
                                     data={"password": "mat-khau-moi-1"})
    assert response.status_code == 302
    assert other.get("/organizer/banks").status_code == 302  # the old session is gone: sent to sign-in
    assert other.post("/login", data={"login": "0912345678", "password": "mat-khau-moi-1"}).status_code == 302
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.reset_password"))


def test_short_password_is_refused(organizer_client, make_user):
    participant = make_user(Role.PARTICIPANT, phone="0912345678")
    response = organizer_client.post(f"/organizer/participants/{participant.id}/password", data={"password": "ngan"})
    assert response.status_code == 400


def test_extension_moves_the_running_deadline_and_is_recorded(organizer_client, make_user):
    round_ = make_round()
    participant = make_user(Role.PARTICIPANT, phone="0912345678")
    started = utcnow() - timedelta(minutes=5)
    attempt = Attempt(round_id=round_.id, user_id=participant.id, number=1, started_at=started,
                      deadline_at=started + timedelta(seconds=600), question_count=1)
    db.session.add(attempt)
    db.session.commit()
    response = organizer_client.post(f"/organizer/participants/{participant.id}/extension",
                                     data={"round_id": round_.id, "minutes": 5, "reason": "Mất điện tại điểm thi"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline_at == started + timedelta(seconds=900)
    extension = db.session.scalar(select(TimeExtension))
    assert extension.seconds == 300 and extension.reason == "Mất điện tại điểm thi"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.extension"))
    assert entry.reason == "Mất điện tại điểm thi"


def test_extension_needs_a_reason(organizer_client, make_user):
    round_ = make_round()
    participant = make_user(Role.PARTICIPANT, phone="0912345678")
    response = organizer_client.post(f"/organizer/participants/{participant.id}/extension",
                                     data={"round_id": round_.id, "minutes": 5, "reason": ""})
    assert response.status_code == 400
    assert db.session.scalar(select(TimeExtension)) is None


def test_staff_accounts_are_not_participants(organizer_client, make_user):
    judge = make_user(Role.JUDGE)
    assert organizer_client.get(f"/organizer/participants/{judge.id}").status_code == 404
