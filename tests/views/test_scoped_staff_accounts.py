"""Scoped staff accounts: an organizer or a judge may be scoped to a unit (from the command line and from the admins'
page), a unit officer must be, an admin never is; the list shows each account's scope; every creation is audited
with its scope, and a refusal saves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Role, User
from quizapp.services.scopes import scope_of
from tests.conftest import TEST_PASSWORD
from tests.services.test_flags import build_units


@pytest.fixture
def units(app):
    found = build_units()
    db.session.commit()
    return found


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize("role", ["organizer", "judge"])
def test_the_command_line_creates_a_scoped_organizer_or_judge(app, units, role):
    made = app.test_cli_runner().invoke(args=["users", "create", "--role", role, "--unit", "D1", "--email",
                                              f"{role}@example.test", "--password", "mat-khau-dai"])
    assert made.exit_code == 0, made.output
    assert f"({role}, unit D1)" in made.output
    user = _user(f"{role}@example.test")
    assert user.role is Role(role) and user.scope_unit_id == units["D1"].id
    assert scope_of(user).unit_id == units["D1"].id
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                       AuditEntry.object_id == user.id))
    assert audit.details == {"role": role, "unit": "D1"}


def test_without_unit_an_organizer_is_unscoped_as_before(app, units):
    made = app.test_cli_runner().invoke(args=["users", "create", "--role", "organizer", "--email", "o@example.test",
                                              "--password", "mat-khau-dai"])
    assert made.exit_code == 0, made.output
    assert _user("o@example.test").scope_unit_id is None and scope_of(_user("o@example.test")).everything


@pytest.mark.parametrize(("args", "expected", "exit_code"), [
    (["--role", "admin", "--unit", "D1"], "Tài khoản quản trị không gắn với đơn vị nào", 2),
    (["--role", "unit_officer"], "--unit", 2),
    (["--role", "judge", "--unit", "KHONG-CO"], "Không có đơn vị nào mang mã này", 1),
    (["--role", "participant", "--unit", "D1"], "participant", 2),
])
def test_the_command_line_refuses_a_unit_where_it_does_not_belong(app, units, args, expected, exit_code):
    before = _count()
    refused = app.test_cli_runner().invoke(args=["users", "create", *args, "--email", "x@example.test",
                                                 "--password", "mat-khau-dai"])
    assert refused.exit_code == exit_code and expected in refused.output, refused.output
    assert "Traceback" not in refused.output
    assert _count() == before


@pytest.fixture
def admin_client(app, make_user):
    admin = make_user(Role.ADMIN, email="quantri@example.test")
    client = app.test_client()
    assert client.post("/login", data={"login": admin.email, "password": TEST_PASSWORD}).status_code == 302
    return client


def _create(client, **form):
    data = {"role": "organizer", "full_name": "", "email": "", "password": "mat-khau-dai-du", "unit": ""} | form
    return client.post("/admin/accounts", data=data)


def test_the_admin_page_creates_scoped_organizers_and_judges_and_lists_each_scope(app, units, admin_client):
    assert _create(admin_client, role="organizer", email="btc-huyen@example.test", unit="D1").status_code == 302
    assert _create(admin_client, role="judge", email="bgk-xa@example.test", unit=" D1A ").status_code == 302
    assert _create(admin_client, role="judge", email="bgk-tinh@example.test").status_code == 302
    assert _user("btc-huyen@example.test").scope_unit_id == units["D1"].id
    assert _user("bgk-xa@example.test").scope_unit_id == units["D1A"].id
    assert _user("bgk-tinh@example.test").scope_unit_id is None
    page = admin_client.get("/admin/accounts").get_data(as_text=True)
    rows = {row.split("</td>")[1].split(">")[-1]: row for row in page.split("<tr>")[2:]}
    assert "Huyện Một" in rows["btc-huyen@example.test"] and "(D1)" in rows["btc-huyen@example.test"]
    assert "Xã Một A" in rows["bgk-xa@example.test"] and "(D1A)" in rows["bgk-xa@example.test"]
    assert "Mọi đơn vị" in rows["bgk-tinh@example.test"] and "Mọi đơn vị" in rows["quantri@example.test"]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                       AuditEntry.object_id == _user("bgk-xa@example.test").id))
    assert audit.details == {"role": "judge", "unit": "D1A"}


@pytest.mark.parametrize(("form", "message"), [
    ({"role": "admin", "unit": "D1"}, "Tài khoản quản trị không gắn với đơn vị nào"),
    ({"role": "organizer", "unit": "KHONG-CO"}, "Không tìm thấy đơn vị này."),
    ({"role": "unit_officer", "unit": ""}, "Cán bộ phụ trách đơn vị cần mã đơn vị"),
])
def test_the_admin_page_names_a_wrong_unit_beside_its_field(app, units, admin_client, form, message):
    before = _count()
    response = _create(admin_client, email="a@example.test", **form)
    assert response.status_code == 422
    errors = response.get_data(as_text=True).split('id="unit-errors"')[1].split("</ul>")[0]
    assert message in errors
    assert _count() == before


def test_the_database_keeps_admins_unscoped(app, units, make_user):
    with pytest.raises(Exception):  # noqa: B017,PT011  (IntegrityError on both databases)
        make_user(Role.ADMIN, scope_unit_id=units["D1"].id)
    db.session.rollback()
    assert _count() == 0
