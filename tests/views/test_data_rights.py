"""Data rights in the browser: "Tài khoản của tôi" (download JSON/.xlsx, ask for erasure) and the organizer's
erasure requests; nobody else reaches any of it."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
import pytest

from quizapp.domain.personal_data import ANONYMOUS_NAME
from quizapp.extensions import db
from quizapp.models import AuditEntry, ErasureRequest, ErasureStatus, Role, User
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.conftest import TEST_PASSWORD
from tests.services.test_standings import entry, make_contest, make_units


@pytest.fixture
def setting(app, make_user):
    """A round closed yesterday (not finalized) with two participants who can sign in."""
    units = make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1)).rounds[0]
    an = make_user(phone="0912345678", email="an@example.test", full_name="Nguyễn Văn An", unit_id=units["HN-BD"].id,
                   id_number="001099012345")
    binh = make_user(phone="0912345679", full_name="Trần Thị Bình", unit_id=units["HN-HK"].id)
    entry(round_, an, 10, prediction=1)
    entry(round_, binh, 9, prediction=1)
    return round_, an, binh


def test_a_participant_downloads_their_own_data_as_json_and_xlsx(setting, login):
    round_, an, binh = setting
    client = login(an)
    page = client.get("/account")
    assert page.status_code == 200 and "0912345678" in page.get_data(as_text=True)
    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["full_name"] == "Nguyễn Văn An" and data["account"]["id_number"] == "001099012345"
    assert "Trần Thị Bình" not in response.get_data(as_text=True)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/account/data.xlsx").data))
    assert workbook.sheetnames[:3] == ["Tài khoản", "Lượt thi", "Câu trả lời"]
    cells = {row[0]: row[1] for row in workbook["Tài khoản"].iter_rows(values_only=True)}
    assert cells["Họ và tên"] == "Nguyễn Văn An" and cells["Số CCCD"] == "001099012345"
    assert db.session.query(AuditEntry).filter_by(action="person.export", actor_id=an.id).count() == 2


def test_the_public_and_staff_reach_none_of_the_participant_pages_and_participants_none_of_the_organizers(
        setting, client, login, make_user):
    for path in ("/account", "/account/data.json", "/account/data.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/erasure", data={"reason": "x"}).status_code == 302
    assert client.get("/organizer/erasure-requests").status_code == 302
    login(make_user(Role.JUDGE))
    assert client.get("/account/data.json").status_code == 403
    assert client.get("/organizer/erasure-requests").status_code == 403
    client.post("/logout")
    login(setting[2])
    assert client.get("/organizer/erasure-requests").status_code == 403
    assert client.post("/organizer/erasure-requests/1/erase").status_code == 403
    assert db.session.query(ErasureRequest).count() == 0


def test_a_request_needs_a_reason_and_only_one_is_pending(setting, login):
    round_, an, binh = setting
    client = login(an)
    empty = client.post("/account/erasure", data={"reason": "  "})
    assert empty.status_code == 422 and "Cần ghi lý do." in empty.get_data(as_text=True)
    assert db.session.query(ErasureRequest).count() == 0
    sent = client.post("/account/erasure", data={"reason": "Tôi không muốn lưu dữ liệu"}, follow_redirects=True)
    assert sent.status_code == 200 and "Đang chờ xử lý" in sent.get_data(as_text=True)
    again = client.post("/account/erasure", data={"reason": "Lần nữa"})
    assert again.status_code == 409 and "đang chờ Ban Tổ chức xử lý" in again.get_data(as_text=True)
    assert db.session.query(ErasureRequest).count() == 1
    assert db.session.query(AuditEntry).filter_by(action="person.erasure_request").one().reason == \
        "Tôi không muốn lưu dữ liệu"


def test_the_organizer_erases_once_final_or_refuses_with_a_reason(setting, client, login, make_user):
    round_, an, binh = setting
    for person, reason in ((an, "Xóa giúp tôi"), (binh, "Không dùng nữa")):
        login(person).post("/account/erasure", data={"reason": reason})
        client.post("/logout")
    organizer = make_user(Role.ORGANIZER)
    login(organizer)
    listing = client.get("/organizer/erasure-requests").get_data(as_text=True)
    assert "Nguyễn Văn An" in listing and "Xóa giúp tôi" in listing and "Chưa thể xóa" in listing
    request_an, request_binh = db.session.query(ErasureRequest).order_by(ErasureRequest.id).all()
    early = client.post(f"/organizer/erasure-requests/{request_an.id}/erase", follow_redirects=True)
    assert "Chưa thể xóa dữ liệu" in early.get_data(as_text=True) and "Tuần 1" in early.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, an.id).phone == "0912345678"
    finalize_round(db.session.merge(round_), actor=None, now=utcnow())
    db.session.commit()
    done = client.post(f"/organizer/erasure-requests/{request_an.id}/erase", follow_redirects=True)
    assert f"{ANONYMOUS_NAME} #{an.id}" in done.get_data(as_text=True)
    no_reason = client.post(f"/organizer/erasure-requests/{request_binh.id}/refuse", data={"answer": ""},
                            follow_redirects=True)
    assert "Cần ghi lý do từ chối." in no_reason.get_data(as_text=True)
    client.post(f"/organizer/erasure-requests/{request_binh.id}/refuse", data={"answer": "Đang có khiếu nại"})
    db.session.expire_all()
    erased, kept = db.session.get(User, an.id), db.session.get(User, binh.id)
    assert (erased.phone, erased.email, erased.erased_at is not None) == (None, None, True)
    assert kept.phone == "0912345679" and kept.erased_at is None
    statuses = {r.user_id: (r.status, r.answer) for r in db.session.query(ErasureRequest)}
    assert statuses == {an.id: (ErasureStatus.DONE, None), binh.id: (ErasureStatus.REFUSED, "Đang có khiếu nại")}
    erase_entry = db.session.query(AuditEntry).filter_by(action="person.erase").one()
    assert (erase_entry.actor_id, erase_entry.reason) == (organizer.id, "Xóa giúp tôi")
    client.post("/logout")
    refused = client.post("/login", data={"login": "0912345678", "password": TEST_PASSWORD})
    assert refused.status_code != 302
    login(binh)
    assert "Lý do từ chối: Đang có khiếu nại" in client.get("/account").get_data(as_text=True)
