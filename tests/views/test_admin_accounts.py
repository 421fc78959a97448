"""Administrators manage staff accounts in the browser: create an organizer, a judge or a unit officer (with
their unit), every problem beside its field and nothing saved; turn an account off (it cannot sign in, its
sessions end) and on again, never their own (so an admin always remains); nobody but an admin reaches the page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Role, User
from tests.conftest import TEST_PASSWORD
from tests.services.test_flags import build_units


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="quantri@example.test", full_name="Quản Trị Thử")


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert client.post("/login", data={"login": admin.email, "password": TEST_PASSWORD}).status_code == 302
    return client


def _create(client, **form):
    data = {"role": "organizer", "full_name": "", "email": "", "password": "mat-khau-dai-du", "unit": ""} | form
    return client.post("/admin/accounts", data=data)


def test_an_admin_creates_staff_accounts(app, admin_client):
    build_units()
    db.session.commit()
    assert _create(admin_client, role="organizer", email="btc@example.test", full_name="Ban Tổ Chức").status_code == 302
    assert _create(admin_client, role="unit_officer", email="canbo@example.test", unit="D1").status_code == 302
    page = admin_client.get("/admin/accounts").get_data(as_text=True)
    assert "btc@example.test" in page and "Ban Tổ chức" in page
    assert "canbo@example.test" in page and "Cán bộ phụ trách đơn vị" in page and "(D1)" in page
    officer = db.session.scalar(select(User).where(User.email == "canbo@example.test"))
    assert officer.role is Role.UNIT_OFFICER and officer.scope_unit_id is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                      AuditEntry.object_id == officer.id)).details["unit"] == "D1"


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"email": "khong-phai-email"}, "email", "Địa chỉ email không hợp lệ."),
    ({"email": "quantri@example.test"}, "email", "Email này đã được dùng cho một tài khoản khác."),
    ({"email": "a@example.test", "password": "ngan"}, "password", "Mật khẩu phải có ít nhất 8 ký tự."),
    ({"email": "a@example.test", "role": "unit_officer", "unit": "KHONG-CO"}, "unit",
     "Không tìm thấy đơn vị này."),
    ({"email": "a@example.test", "role": "admin", "unit": "D1"}, "unit", "Tài khoản quản trị không gắn với đơn vị"),
    ({"email": "a@example.test", "role": "unit_officer"}, "unit", "Cán bộ phụ trách đơn vị cần mã đơn vị"),
    ({"email": "a@example.test", "role": "participant"}, "role", "Hãy chọn một vai trò trong danh sách."),
])
def test_each_problem_is_named_beside_its_field_and_nothing_is_saved(app, admin_client, form, field, message):
    build_units()
    db.session.commit()
    before = db.session.scalar(select(db.func.count()).select_from(User))
    response = _create(admin_client, **form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = html.split(f'id="{field}-errors"')[1].split("</ul>")[0]
    assert message in errors
    assert db.session.scalar(select(db.func.count()).select_from(User)) == before


def test_a_turned_off_account_cannot_sign_in_and_its_sessions_end(app, admin_client, admin, make_user):
    judge = make_user(Role.JUDGE, email="bgk@example.test")
    judge_client = app.test_client()
    judge_client.post("/login", data={"login": judge.email, "password": TEST_PASSWORD})
    assert judge_client.get("/judge").status_code == 200
    assert admin_client.post(f"/admin/accounts/{judge.id}/deactivate").status_code == 302
    assert judge_client.get("/judge").status_code in (302, 401)  # the session it had is over
    refused = app.test_client().post("/login", data={"login": judge.email, "password": TEST_PASSWORD})
    assert refused.status_code != 302
    assert admin_client.post(f"/admin/accounts/{judge.id}/reactivate").status_code == 302
    assert app.test_client().post("/login", data={"login": judge.email, "password": TEST_PASSWORD}).status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == judge.id)).all()
    assert "user.deactivate" in actions and "user.reactivate" in actions


def test_an_admin_cannot_turn_off_their_own_account(app, admin_client, admin):
    response = admin_client.post(f"/admin/accounts/{admin.id}/deactivate", follow_redirects=True)
    assert "Không thể tự khóa tài khoản của chính mình." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.JUDGE, Role.UNIT_OFFICER, Role.PARTICIPANT])
def test_only_admins_reach_the_page(app, make_user, role, client):
    units = build_units()
    db.session.commit()
    user = make_user(role, scope_unit_id=units["D1"].id) if role is Role.UNIT_OFFICER else make_user(role)
    signed = app.test_client()
    signed.post("/login", data={"login": user.email or user.phone, "password": TEST_PASSWORD})
    assert signed.get("/admin/accounts").status_code == 403
    assert signed.post("/admin/accounts", data={"role": "admin", "email": "x@example.test",
                                                "password": "mat-khau-dai-du"}).status_code == 403
    assert client.get("/admin/accounts").status_code == 302  # the public goes to sign-in
