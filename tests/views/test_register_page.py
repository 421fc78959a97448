"""A participant registers on the site: the form, the unit lookup, every problem in words, the rate limit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp.domain.banks import ImportLimits
from quizapp.domain.registration import CATEGORIES
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.models.types import utcnow
from quizapp.services.units import import_units

UNITS_CSV = (
    "Mã,Tên đơn vị,Mã cấp trên,Số thành viên\n"
    "HN,Thành phố Hà Nội,,12000\n"
    "HN-BD,Phường Ba Đình,HN,2400\n"
    "HN-BD-CB1,Chi bộ Khu dân cư số 1,HN-BD,120\n"
    "HN-HK,Phường Hoàn Kiếm,HN,1800\n"
)


def load_units() -> None:
    import_units(filename="units.csv", data=UNITS_CSV.encode(), actor=None, now=utcnow(), limits=ImportLimits())
    db.session.commit()


def good_form(**changes: str) -> dict[str, str]:
    form = {"full_name": "  Nguyễn Thị   Minh Khai ", "phone": "+84 912 345 678", "password": "mat-khau-du-thi",
            "confirm": "mat-khau-du-thi", "unit_code": "HN-BD-CB1", "email": "Minh.Khai@Example.VN",
            "birth_date": "1990-05-19", "id_number": "001190012345", "category": "Đảng viên", "consent": "y"}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def units(app):
    load_units()


def test_the_form_asks_for_everything_and_explains_the_consent(client, units):
    html = client.get("/register").get_data(as_text=True)
    for label in ("Họ và tên", "Số điện thoại di động", "Mật khẩu", "Nhập lại mật khẩu", "Mã đơn vị",
                  "Email (không bắt buộc)", "Ngày sinh (không bắt buộc)", "Số căn cước công dân (không bắt buộc)",
                  "Đối tượng (không bắt buộc)"):
        assert label in html
    for category in CATEGORIES:
        assert f'<option value="{category}">{category}</option>' in html
    assert "Nghị định 13/2023/NĐ-CP" in html and "Mục đích: tổ chức cuộc thi" in html
    assert re.search(r'<input[^>]*name="consent"[^>]*type="checkbox"', html)
    assert 'src="/static/unit-picker.js"' in html and "<script>" not in html
    assert 'href="/register/units"' in html  # the unit lookup for browsers without JavaScript


def test_anonymous_visitors_see_a_register_link_in_the_menu(client, make_user, login):
    assert 'href="/register">Đăng ký</a>' in client.get("/contests").get_data(as_text=True)
    login(make_user(Role.PARTICIPANT, phone="0987654321"))
    assert 'href="/register">Đăng ký</a>' not in client.get("/contests").get_data(as_text=True)


def test_registering_signs_the_participant_in_and_goes_to_the_contests(client, units):
    response = client.post("/register", data=good_form())
    assert response.status_code == 302 and response.headers["Location"] == "/contests"
    user = db.session.scalar(select(User))
    assert (user.full_name, user.phone, user.email, user.id_number) == (
        "Nguyễn Thị Minh Khai", "0912345678", "minh.khai@example.vn", "001190012345")
    assert user.role is Role.PARTICIPANT and user.category == "Đảng viên" and user.consent_at is not None
    assert str(user.birth_date) == "1990-05-19"
    assert "Nguyễn Thị Minh Khai" in client.get("/contests").get_data(as_text=True)  # signed in


def test_only_the_required_fields_are_needed(client, units):
    response = client.post("/register", data=good_form(email="", birth_date="", id_number="", category=""))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email is None and user.birth_date is None and user.id_number is None and user.category is None


def test_a_form_without_the_optional_fields_at_all_is_accepted(client, units):
    data = {key: good_form()[key] for key in ("full_name", "phone", "password", "confirm", "unit_code", "consent")}
    assert client.post("/register", data=data).status_code == 302 and users() == 1


def test_a_category_outside_the_list_is_refused_in_vietnamese(client, units):
    response = client.post("/register", data=good_form(category="Tin tặc"))
    assert response.status_code == 422 and "Hãy chọn một đối tượng trong danh sách." in response.text
    assert users() == 0


def test_next_is_followed_when_it_stays_on_the_site(client, units):
    response = client.post("/register?next=/contests/7", data=good_form())
    assert response.headers["Location"] == "/contests/7"


def test_an_outside_next_is_ignored(client, units):
    response = client.post("/register?next=https://evil.example/", data=good_form())
    assert response.headers["Location"] == "/contests"


def test_every_problem_is_named_in_vietnamese_and_nothing_is_saved(client, units):
    response = client.post("/register", data=good_form(
        full_name="", phone="12345", password="ngan", confirm="khac", unit_code="KHONG-CO", email="a@b",
        birth_date="2099-01-01", id_number="12345", consent=None))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Thông tin này là bắt buộc.", "Số điện thoại di động không hợp lệ",
                    "Mật khẩu phải có ít nhất 8 ký tự.", "Mật khẩu nhập lại không khớp.",
                    "Địa chỉ email không hợp lệ.", "Ngày sinh không hợp lý.",
                    "Số căn cước công dân phải gồm đúng 12 chữ số.",
                    "Bạn cần đồng ý với việc xử lý dữ liệu cá nhân để đăng ký dự thi."):
        assert message in html, message
    assert 'aria-invalid="true"' in html
    assert users() == 0


def test_an_unknown_unit_is_named(client, units):
    response = client.post("/register", data=good_form(unit_code="KHONG-CO"))
    assert response.status_code == 422
    assert "Không tìm thấy đơn vị này" in response.get_data(as_text=True)
    assert users() == 0


def test_what_was_typed_stays_in_the_form_except_the_password(client, units):
    html = client.post("/register", data=good_form(consent=None)).get_data(as_text=True)
    assert 'value="  Nguyễn Thị   Minh Khai "' in html and 'value="+84 912 345 678"' in html
    assert "mat-khau-du-thi" not in html
    assert "Thành phố Hà Nội › Phường Ba Đình › Chi bộ Khu dân cư số 1" in html  # the chosen unit's path


def test_a_phone_already_registered_is_refused_in_any_form(client, units, make_user):
    make_user(Role.PARTICIPANT, phone="0912345678")
    response = client.post("/register", data=good_form(phone="0912.345.678"))
    assert response.status_code == 422
    assert "Số điện thoại này đã được đăng ký." in response.get_data(as_text=True)
    assert users() == 1


def test_a_signed_in_participant_is_not_asked_to_register_again(client, units, make_user, login):
    login(make_user(Role.PARTICIPANT, phone="0987654321"))
    assert client.get("/register").status_code == 302


def test_the_unit_lookup_finds_units_without_accents_and_fills_the_form(client, units):
    html = client.get("/register/units", query_string={"q": "ba dinh"}).get_data(as_text=True)
    assert "Thành phố Hà Nội › Phường Ba Đình" in html and "Hoàn Kiếm" not in html
    assert 'href="/register?unit=HN-BD"' in html
    form = client.get("/register?unit=HN-BD").get_data(as_text=True)
    assert 'value="HN-BD"' in form and "Đã chọn: Thành phố Hà Nội › Phường Ba Đình" in form


def test_the_unit_lookup_says_when_nothing_matches(client, units):
    html = client.get("/register/units", query_string={"q": "khong ton tai"}).get_data(as_text=True)
    assert "Không tìm thấy đơn vị nào khớp với «khong ton tai»." in html


class TestRateLimit:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "RATELIMIT_ENABLED": True, "QUIZAPP_REGISTER_LIMIT": "2 per minute"}

    def test_too_many_registrations_are_slowed_down(self, client, units):
        for phone in ("0911111111", "0922222222"):
            client.post("/register", data=good_form(phone=phone, unit_code="KHONG-CO"))
        response = client.post("/register", data=good_form(phone="0933333333"))
        assert response.status_code == 429
        assert "thử lại" in response.get_data(as_text=True)
        assert users() == 0
        assert client.get("/register").status_code == 200  # reading the form is not limited


class TestWithCsrf:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_token_saves_nothing(self, client, units):
        response = client.post("/register", data=good_form())
        assert response.status_code == 400 and users() == 0

    def test_the_rendered_form_carries_a_token_that_works(self, client, units):
        html = client.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        assert client.post("/register", data=good_form(csrf_token=token)).status_code == 302
        assert users() == 1
