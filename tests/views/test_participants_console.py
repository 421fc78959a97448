"""The organizer's participant console: search with filters, edit with registration's checks, hide, merge."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptStatus,
    AuditEntry,
    Contest,
    ErasureRequest,
    Role,
    Round,
    RoundResult,
    TimeExtension,
    Unit,
    User,
)
from quizapp.models.types import utcnow
from quizapp.services.units import rebuild_tree


def make_units():
    province = Unit(code="T01", name="Tỉnh Thử", name_key="tinh thu")
    db.session.add(province)
    db.session.flush()
    district = Unit(code="H01", name="Huyện Hòa Bình", name_key="huyen hoa binh", parent_id=province.id)
    other = Unit(code="H02", name="Huyện Khác", name_key="huyen khac", parent_id=province.id)
    db.session.add_all([district, other])
    db.session.flush()
    commune = Unit(code="X01", name="Xã An Lạc", name_key="xa an lac", parent_id=district.id)
    db.session.add(commune)
    db.session.flush()
    rebuild_tree()
    db.session.commit()
    return province, district, other, commune


def make_round(name="Tuần 1", position=1, contest=None, **changes):
    now = utcnow()
    contest = contest or Contest(title="Cuộc thi thử", rules="")
    values = {"position": position, "name": name, "opens_at": now - timedelta(days=2),
              "closes_at": now + timedelta(days=1), "question_count": 1, "time_limit_seconds": 600}
    values.update(changes)
    round_ = Round(contest=contest, **values)
    db.session.add_all([contest, round_])
    db.session.commit()
    return round_


def add_attempt(round_, user, number=1, status=AttemptStatus.SUBMITTED, correct=1):
    started = utcnow() - timedelta(hours=number)
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=number, started_at=started,
                      deadline_at=started + timedelta(seconds=600), question_count=1, status=status,
                      correct_count=None if status is AttemptStatus.IN_PROGRESS else correct,
                      submitted_at=None if status is AttemptStatus.IN_PROGRESS else started + timedelta(minutes=1),
                      duration_ms=None if status is AttemptStatus.IN_PROGRESS else 60_000)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def page(client, url, **query):
    return client.get(url, query_string=query).get_data(as_text=True)


def audit_log(app, make_user):
    """The audit page as a judge reads it."""
    from tests.conftest import TEST_PASSWORD

    judge = make_user(Role.JUDGE)
    client = app.test_client()
    client.post("/login", data={"login": judge.email, "password": TEST_PASSWORD})
    return page(client, "/judge/audit")


# --- search ---------------------------------------------------------------------------------------------------

def test_search_by_unit_code_or_name_and_filters_by_subtree_and_category(organizer_client, make_user):
    province, district, other, commune = make_units()
    make_user(phone="0912000001", full_name="Trần Văn An", unit_id=commune.id, category="Đoàn viên")
    make_user(phone="0912000002", full_name="Lê Thị Bích", unit_id=other.id, category="Đoàn viên")
    make_user(phone="0912000003", full_name="Ngô Văn Cường", unit_id=district.id, category="Học sinh")
    by_unit = page(organizer_client, "/organizer/participants", q="xa an lac")
    assert "Trần Văn An" in by_unit and "Lê Thị Bích" not in by_unit
    subtree = page(organizer_client, "/organizer/participants", unit="H01")
    assert "Trần Văn An" in subtree and "Ngô Văn Cường" in subtree and "Lê Thị Bích" not in subtree
    both = page(organizer_client, "/organizer/participants", unit="H01", category="Đoàn viên")
    assert "Trần Văn An" in both and "Ngô Văn Cường" not in both
    by_email = page(organizer_client, "/organizer/participants", q="0912 000 002")
    assert "Lê Thị Bích" in by_email and "Trần Văn An" not in by_email


def test_unknown_unit_filter_is_named_beside_its_field(organizer_client, make_user):
    make_user(phone="0912000001", full_name="Trần Văn An")
    response = organizer_client.get("/organizer/participants", query_string={"unit": "KHONGCO"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Không tìm thấy đơn vị này" in html and "Trần Văn An" not in html


def test_search_pages_keep_the_filters(app, organizer_client, make_user):
    app.config["QUIZAPP_PAGE_SIZE"] = 2
    _, district, _, _ = make_units()
    for n in range(3):
        make_user(phone=f"091200000{n}", full_name=f"Người {n}", unit_id=district.id)
    html = page(organizer_client, "/organizer/participants", unit="H01")
    assert "unit=H01" in html and "page=2" in html


# --- edit -----------------------------------------------------------------------------------------------------

def profile(**changes):
    data = {"full_name": "Trần Văn An", "phone": "0912000001", "email": "", "unit_code": "X01", "category": "",
            "birth_date": "", "id_number": ""}
    data.update(changes)
    return data


def test_edit_saves_normalised_values_and_audits_what_changed(app, organizer_client, make_user):
    _, district, _, commune = make_units()
    person = make_user(phone="0912000001", full_name="Tran Van An", unit_id=commune.id)
    response = organizer_client.post(f"/organizer/participants/{person.id}/profile", data=profile(
        full_name="Trần Văn An", phone="+84 912 000 009", unit_code="H01", email="An@Example.VN",
        category="Đoàn viên", birth_date="2000-05-01"))
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert (person.full_name, person.phone, person.email, person.unit_id) == (
        "Trần Văn An", "0912000009", "an@example.vn", district.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.edit"))
    fields = {change["field"]: change for change in entry.details["changes"]}
    assert fields["unit_code"] == {"field": "unit_code", "old": "X01", "new": "H01"}
    assert fields["phone"] == {"field": "phone"}  # personal data: no values in the log
    log = audit_log(app, make_user)
    assert "Sửa thông tin thí sinh" in log and "«X01» → «H01»" in log
    assert "Số điện thoại: đã sửa" in log and "0912000009" not in log


def test_edit_names_every_problem_beside_its_field_and_saves_nothing(organizer_client, make_user):
    make_units()
    person = make_user(phone="0912000001", full_name="Trần Văn An")
    response = organizer_client.post(f"/organizer/participants/{person.id}/profile", data=profile(
        full_name="", phone="12345", unit_code="KHONGCO", email="not-an-email", id_number="123"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for sentence in ("Thông tin này là bắt buộc.", "Số điện thoại di động không hợp lệ",
                     "Không tìm thấy đơn vị này", "Địa chỉ email không hợp lệ.", "phải gồm đúng 12 chữ số"):
        assert sentence in html
    assert 'aria-invalid="true"' in html
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == "Trần Văn An"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.edit")) is None


def test_a_taken_phone_names_its_holder_with_a_link(organizer_client, make_user):
    make_units()
    person = make_user(phone="0912000001", full_name="Trần Văn An")
    holder = make_user(phone="0912000002", full_name="Lê Thị Bích")
    response = organizer_client.post(f"/organizer/participants/{person.id}/profile",
                                     data=profile(phone="0912 000 002"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Số điện thoại này đã thuộc về Lê Thị Bích." in html
    assert f'href="/organizer/participants/{holder.id}"' in html
    db.session.expire_all()
    assert db.session.get(User, person.id).phone == "0912000001"


def test_keeping_ones_own_phone_is_not_a_conflict(organizer_client, make_user):
    make_units()
    person = make_user(phone="0912000001", full_name="Trần Văn An")
    response = organizer_client.post(f"/organizer/participants/{person.id}/profile", data=profile(category="Học sinh"))
    assert response.status_code == 302


# --- hide -----------------------------------------------------------------------------------------------------

def test_hide_needs_a_reason_then_hides_with_it_and_unhides(organizer_client, make_user):
    person = make_user(phone="0912000001", full_name="Trần Văn An")
    refused = organizer_client.post(f"/organizer/participants/{person.id}/hide", data={"hide-reason": " "})
    assert refused.status_code == 400
    db.session.expire_all()
    assert not db.session.get(User, person.id).hidden
    hidden = organizer_client.post(f"/organizer/participants/{person.id}/hide",
                                   data={"hide-reason": "Tài khoản thử của ban tổ chức"})
    assert hidden.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, person.id)
    assert user.hidden and user.hidden_reason == "Tài khoản thử của ban tổ chức"
    assert "Tài khoản thử của ban tổ chức" in page(organizer_client, f"/organizer/participants/{person.id}")
    assert organizer_client.post(f"/organizer/participants/{person.id}/unhide").status_code == 302
    db.session.expire_all()
    user = db.session.get(User, person.id)
    assert not user.hidden and user.hidden_reason is None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["user.hide", "user.unhide"]


def test_a_hidden_participant_is_left_out_of_the_ranking(app, make_user):
    from quizapp.services.standings import round_standings

    round_ = make_round()
    shown = make_user(phone="0912000001", full_name="Trần Văn An")
    hidden = make_user(phone="0912000002", full_name="Lê Thị Bích", hidden=True, hidden_reason="thử")
    add_attempt(round_, shown)
    add_attempt(round_, hidden)
    standings = round_standings(round_, now=utcnow())
    assert list(standings.frame["user_id"]) == [shown.id]
    assert list(standings.excluded["user_id"]) == [hidden.id]


# --- merge ----------------------------------------------------------------------------------------------------

def test_merge_preview_shows_what_moves_and_changes_nothing(organizer_client, make_user):
    round_ = make_round()
    keep = make_user(phone="0912000001", full_name="Trần Văn An")
    other = make_user(phone="0912000002", full_name="Tran Van An")
    add_attempt(round_, keep)
    add_attempt(round_, other)
    response = organizer_client.post(f"/organizer/participants/{keep.id}/merge", data={"other": "0912 000 002"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Lượt thi: 1" in html and "Tuần 1" in html and "Xác nhận gộp tài khoản" in html
    db.session.expire_all()
    assert db.session.get(User, other.id).active
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id == other.id)) == 1


def test_merge_moves_attempts_renumbered_extensions_and_requests_and_deactivates(app, organizer_client,
                                                                                  make_user):
    round_ = make_round(max_attempts=1)
    keep = make_user(phone="0912000001", full_name="Trần Văn An")
    other = make_user(phone="0912000002", full_name="Tran Van An")
    add_attempt(round_, keep, 1)
    moved = [add_attempt(round_, other, 1).id, add_attempt(round_, other, 2).id]
    db.session.add_all([TimeExtension(round_id=round_.id, user_id=keep.id, seconds=60, reason="a"),
                        TimeExtension(round_id=round_.id, user_id=other.id, seconds=300, reason="b"),
                        ErasureRequest(user_id=other.id, reason="x", requested_at=utcnow())])
    db.session.commit()
    response = organizer_client.post("/organizer/participants/merge", data={"keep_id": keep.id, "merge_id": other.id})
    assert response.status_code == 302
    db.session.expire_all()
    numbers = db.session.execute(select(Attempt.id, Attempt.number).where(Attempt.user_id == keep.id)).all()
    assert sorted(n for i, n in numbers if i in moved) == [2, 3] and len(numbers) == 3  # cap not enforced after
    extensions = db.session.scalars(select(TimeExtension)).all()
    assert [(e.user_id, e.seconds) for e in extensions] == [(keep.id, 300)]
    assert db.session.scalar(select(ErasureRequest.user_id)) == keep.id
    merged = db.session.get(User, other.id)
    assert not merged.active and merged.merged_into_id == keep.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.merge"))
    assert entry.details["attempts"] == 2 and entry.details["merged_id"] == other.id
    log = audit_log(app, make_user)
    assert "Gộp tài khoản trùng" in log and "được gộp vào" in log
    assert "Tran Van An" not in page(organizer_client, "/organizer/participants", q="an")


def test_merge_is_refused_when_both_are_in_one_finalized_rounds_results(organizer_client, make_user):
    round_ = make_round(name="Tuần chốt", finalized_at=utcnow())
    keep = make_user(phone="0912000001", full_name="Trần Văn An")
    other = make_user(phone="0912000002", full_name="Tran Van An")
    for rank, user in enumerate((keep, other), start=1):
        attempt = add_attempt(round_, user)
        db.session.add(RoundResult(round_id=round_.id, user_id=user.id, rank=rank, attempt_id=attempt.id,
                                   correct_count=1, question_count=1, duration_ms=60_000,
                                   submitted_at=attempt.submitted_at))
    db.session.commit()
    preview = organizer_client.post(f"/organizer/participants/{keep.id}/merge", data={"other": f"#{other.id}"})
    html = preview.get_data(as_text=True)
    assert "kết quả đã chốt của «Tuần chốt»" in html and "Xác nhận gộp tài khoản" not in html
    response = organizer_client.post("/organizer/participants/merge", data={"keep_id": keep.id, "merge_id": other.id})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(User, other.id).active
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id == other.id)) == 1
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.merge")) is None


def test_merge_is_refused_with_both_in_progress_in_one_round(organizer_client, make_user):
    round_ = make_round(name="Tuần đang mở", max_attempts=3)
    keep = make_user(phone="0912000001")
    other = make_user(phone="0912000002")
    add_attempt(round_, keep, status=AttemptStatus.IN_PROGRESS)
    add_attempt(round_, other, status=AttemptStatus.IN_PROGRESS)
    response = organizer_client.post("/organizer/participants/merge", data={"keep_id": keep.id, "merge_id": other.id})
    assert response.status_code == 409
    assert "đang làm bài trong «Tuần đang mở»" in response.get_data(as_text=True)


def test_merge_with_itself_or_an_unknown_account_is_refused_beside_the_field(organizer_client, make_user):
    keep = make_user(phone="0912000001")
    itself = organizer_client.post(f"/organizer/participants/{keep.id}/merge", data={"other": "0912000001"})
    assert itself.status_code == 400 and "khác với tài khoản này" in itself.get_data(as_text=True)
    unknown = organizer_client.post(f"/organizer/participants/{keep.id}/merge", data={"other": "0999999999"})
    assert unknown.status_code == 400 and "Không tìm thấy tài khoản này." in unknown.get_data(as_text=True)


def test_a_merged_or_erased_account_is_not_edited_or_merged(organizer_client, make_user):
    make_units()
    keep = make_user(phone="0912000001", full_name="Trần Văn An")
    merged = make_user(phone="0912000002", full_name="Tran Van An", active=False, merged_into_id=keep.id)
    erased = make_user(phone="0912000003", full_name="Đã xóa", erased_at=utcnow())
    response = organizer_client.post(f"/organizer/participants/{merged.id}/profile",
                                     data=profile(full_name="Tên mới", phone="0912000002"))
    assert response.status_code == 409 and "không sửa được" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, merged.id).full_name == "Tran Van An"
    page_html = page(organizer_client, f"/organizer/participants/{merged.id}")
    assert "Tài khoản này đã được gộp vào" in page_html and "Lưu thông tin" not in page_html
    refused = organizer_client.post(f"/organizer/participants/{keep.id}/merge", data={"other": f"#{erased.id}"})
    assert refused.status_code == 400 and "đã bị xóa theo yêu cầu" in refused.get_data(as_text=True)


class TestWithCsrf:
    """The page's forms carry their own tokens (the hide form's is prefixed), so they work with CSRF on."""

    @pytest.fixture
    def settings(self, settings):
        return {**settings, "WTF_CSRF_ENABLED": True}

    def test_hide_unhide_and_edit_post_the_tokens_of_the_page(self, client, make_user):
        make_units()
        organizer = make_user(Role.ORGANIZER)
        person = make_user(phone="0912000001", full_name="Trần Văn An")
        with client.session_transaction() as session:
            session["_user_id"] = organizer.get_id()
            session["_fresh"] = True
        url = f"/organizer/participants/{person.id}"
        html = page(client, url)
        hide_token = re.search(r'name="hide-csrf_token" type="hidden" value="([^"]+)"', html)[1]
        assert client.post(f"{url}/hide", data={"hide-reason": "thử"}).status_code == 400
        assert client.post(f"{url}/hide", data={"hide-reason": "thử", "hide-csrf_token": hide_token}).status_code == 302
        html = page(client, url)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)[1]
        assert client.post(f"{url}/unhide", data={"csrf_token": token}).status_code == 302
        edited = client.post(f"{url}/profile", data={**profile(full_name="Trần Văn Ân"), "csrf_token": token})
        assert edited.status_code == 302
        db.session.expire_all()
        assert db.session.get(User, person.id).full_name == "Trần Văn Ân"
