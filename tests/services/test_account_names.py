"""A name with invisible or direction-changing characters is refused wherever an account gets its name: the
registration page, the API's registration and a staff account; the field is named, nothing is saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.models.types import utcnow
from quizapp.services.accounts import AccountError, create_staff
from tests.views.test_register_page import good_form, load_units


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_the_registration_page_names_the_field_and_keeps_the_rest(client):
    load_units()
    response = client.post("/register", data=good_form(full_name="Nguyễn\u202e Thị Minh Khai"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Có ký tự không nhìn thấy hoặc ký tự đổi chiều chữ" in html
    assert 'id="full_name-errors"' in html and 'value="+84 912 345 678"' in html
    assert users() == 0


def test_the_api_names_the_field(client):
    load_units()
    response = client.post("/api/v1/auth/register", json={
        "full_name": "Trần\u200b Văn Ba", "phone": "0912345678", "password": "mat-khau-du-thi", "unit_code": "HN"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "full_name" in error["fields"] and error["message"].startswith("Họ và tên: Có ký tự không nhìn thấy")
    assert users() == 0


def test_a_staff_account_name_is_checked_too(app):
    with pytest.raises(AccountError) as refused:
        create_staff(role=Role.JUDGE, email="gk@example.vn", password="mat-khau-du", full_name="Giám\u2066 khảo",
                     actor=None, now=utcnow())
    assert (refused.value.code, refused.value.field) == ("invisible_character", "full_name")
    db.session.rollback()
    assert users() == 0
