"""services.participant_import: one-time passwords, hashed cheaply then upgraded at the first sign-in."""

import argon2
import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Role, Unit, User
from quizapp.models.types import utcnow
from quizapp.services.participant_import import ImportRefused, import_participants, plan_import
from quizapp.services.units import rebuild_tree


@pytest.fixture
def settings(settings):
    return {**settings, "QUIZAPP_ARGON2_TIME_COST": 2}  # the app's cost differs from the one-time passwords'


def test_a_one_time_password_is_rehashed_at_the_apps_cost_on_first_sign_in(app, make_user):
    db.session.add(Unit(code="X01", name="Xã An Lạc", name_key="xa an lac"))
    db.session.flush()
    rebuild_tree()
    csv = "Họ và tên,Số điện thoại,Mã đơn vị\nTrần Văn An,0912000001,X01\n".encode()
    plan = plan_import("ds.csv", csv, today=utcnow().date())
    [(line, password)] = import_participants(plan, filename="ds.csv", actor=make_user(Role.ORGANIZER), now=utcnow())
    db.session.commit()
    assert line == 2 and len(password) == 10
    stored = db.session.scalar(select(User.password_hash).where(User.phone == "0912000001"))
    assert argon2.extract_parameters(stored).time_cost == 1
    assert db.session.scalar(select(User.consent_at).where(User.phone == "0912000001")) is None  # not seen here
    client = app.test_client()
    assert client.post("/login", data={"login": "0912000001", "password": password}).status_code == 302
    db.session.expire_all()
    upgraded = db.session.scalar(select(User.password_hash).where(User.phone == "0912000001"))
    assert argon2.extract_parameters(upgraded).time_cost == 2


def test_the_same_email_twice_in_a_file_names_both_rows(app):
    db.session.add(Unit(code="X01", name="Xã An Lạc", name_key="xa an lac"))
    db.session.commit()
    csv = ("Họ và tên,Số điện thoại,Email,Mã đơn vị\n"
           "Trần Văn An,0912000001,an@example.vn,X01\n"
           "Lê Thị Bích,0912000002,AN@example.vn,X01\n").encode()
    with pytest.raises(ImportRefused) as refused:
        plan_import("ds.csv", csv, today=utcnow().date())
    [problem] = refused.value.problems
    assert (problem.code, problem.line, problem.column, problem.data) == ("duplicate_in_file", 3, "Email",
                                                                          {"first_line": 2})
