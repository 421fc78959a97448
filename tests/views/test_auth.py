"""Sign-in, sign-out, role guards, CSRF and the sign-in rate limit, through the browser routes."""

import pytest

from quizapp.models import Role
from tests.conftest import TEST_PASSWORD


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and "Mật khẩu" in page


def test_staff_signs_in_by_email_and_out_again(client, make_user):
    user = make_user(Role.ORGANIZER, email="btc@example.test")
    response = client.post("/login", data={"login": "  BTC@example.test ", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/organizer/banks").status_code == 200
    client.post("/logout")
    assert client.get("/organizer/banks").status_code == 302
    assert user.last_login_at is not None


def test_participant_signs_in_by_phone_in_any_form(client, make_user):
    make_user(Role.PARTICIPANT, phone="0912345678")
    response = client.post("/login", data={"login": "+84 912 345 678", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client, make_user):
    make_user(Role.ORGANIZER, email="btc@example.test")
    response = client.post("/login", data={"login": "btc@example.test", "password": "wrong password"})
    assert response.status_code == 401
    assert "mật khẩu không đúng" in response.get_data(as_text=True)


def test_unknown_account_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post("/login", data={"login": "nobody@example.test", "password": "whatever123"})
    assert response.status_code == 401
    assert "mật khẩu không đúng" in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, make_user):
    make_user(Role.ORGANIZER, email="old@example.test", active=False)
    assert client.post("/login", data={"login": "old@example.test", "password": TEST_PASSWORD}).status_code == 401


def test_organizer_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get("/organizer/banks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.JUDGE])
def test_organizer_pages_are_forbidden_to_other_roles(client, make_user, login, role):
    login(make_user(role))
    response = client.get("/organizer/banks")
    assert response.status_code == 403
    assert "không có quyền" in response.get_data(as_text=True)


def test_admin_passes_every_role_guard(client, make_user, login):
    login(make_user(Role.ADMIN))
    assert client.get("/organizer/banks").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                    "/\\/evil.example/", "/\t/evil.example/", "javascript:alert(1)"])
def test_open_redirect_after_login_is_refused(client, make_user, target):
    make_user(Role.ORGANIZER, email="btc@example.test")
    response = client.post("/login", query_string={"next": target},
                           data={"login": "btc@example.test", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/organizer/banks"


@pytest.mark.parametrize(("role", "workspace"), [
    (Role.ADMIN, "/organizer/participants"), (Role.ORGANIZER, "/organizer/banks"), (Role.JUDGE, "/judge"),
    (Role.PARTICIPANT, "/"),
])
def test_each_role_lands_on_its_own_workspace(client, make_user, role, workspace):
    make_user(role, email="someone@example.test")
    response = client.post("/login", data={"login": "someone@example.test", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == workspace
    assert client.get(workspace).status_code == 200
    assert client.get("/login").headers["Location"] == workspace  # already signed in


def test_a_safe_next_wins_over_the_workspace(client, make_user):
    make_user(Role.JUDGE, email="gk@example.test")
    response = client.post("/login?next=/contests/3", data={"login": "gk@example.test", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/contests/3"


def test_the_sign_in_page_leads_to_registration_and_recovery_keeping_next(client):
    page = client.get("/login?next=/rounds/7/start").get_data(as_text=True)
    assert 'href="/register?next=/rounds/7/start"' in page and "Đăng ký dự thi" in page
    assert 'href="/password/forgot?next=/rounds/7/start"' in page and "Quên mật khẩu?" in page
    plain = client.get("/login").get_data(as_text=True)
    assert 'href="/register"' in plain and 'href="/password/forgot"' in plain
    outside = client.get("/login?next=https://evil.example/").get_data(as_text=True)
    assert 'href="/register"' in outside and 'href="/password/forgot"' in outside


def test_english_is_available(client):
    client.get("/lang/en?next=/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "Password" in page


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


class TestWithCsrf:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "WTF_CSRF_ENABLED": True}

    def test_form_post_without_token_is_refused(self, client, make_user):
        make_user(Role.ORGANIZER, email="btc@example.test")
        response = client.post("/login", data={"login": "btc@example.test", "password": TEST_PASSWORD})
        assert response.status_code == 400
        assert "tải lại trang" in response.get_data(as_text=True)

    def test_every_rendered_form_carries_a_token(self, client):
        assert 'name="csrf_token"' in client.get("/login").get_data(as_text=True)


class TestRateLimit:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "RATELIMIT_ENABLED": True, "QUIZAPP_LOGIN_LIMIT": "3 per minute"}

    def test_too_many_sign_ins_are_slowed_down(self, client):
        for _ in range(3):
            client.post("/login", data={"login": "x@example.test", "password": "wrongwrong"})
        response = client.post("/login", data={"login": "x@example.test", "password": "wrongwrong"})
        assert response.status_code == 429
        assert "thử lại" in response.get_data(as_text=True)

    def test_the_endpoints_the_limiter_skips_exist_and_the_limited_ones_are_not_among_them(self, app, client):
        from quizapp.extensions import UNLIMITED_ENDPOINTS

        assert UNLIMITED_ENDPOINTS.issubset(app.view_functions)  # a misspelt name would skip nothing
        assert not UNLIMITED_ENDPOINTS & {"auth.login", "api.token", "api.register_participant", "play.register"}
        for _ in range(3):
            client.post("/api/v1/auth/token", json={"login": "x@example.test", "password": "wrongwrong"})
        assert client.post("/api/v1/auth/token", json={"login": "x@example.test", "password": "x"}).status_code == 429


class TestProductionHashing:
    @pytest.fixture
    def settings(self, settings):
        trimmed = dict(settings)
        for key in ("QUIZAPP_ARGON2_TIME_COST", "QUIZAPP_ARGON2_MEMORY_KIB"):
            trimmed.pop(key)
        return trimmed

    def test_passwords_are_argon2id_with_the_chosen_cost(self, app):
        from quizapp.auth import hash_password

        hashed = hash_password("a password")
        assert hashed.startswith("$argon2id$") and "m=7168,t=5,p=1" in hashed


def test_a_newcomer_goes_from_the_home_page_through_registration_back_to_the_round(client):
    from tests.views.test_attempt_pages import load_bank, make_round
    from tests.views.test_register_page import good_form, load_units

    load_units()
    load_bank()
    start = f"/rounds/{make_round().id}/start"
    home = client.get("/").get_data(as_text=True)
    assert f'href="/register?next={start}">Đăng ký dự thi</a>' in home  # the one open round
    assert f'href="{start}">Vào thi' in home

    to_sign_in = client.get(start)
    assert to_sign_in.status_code == 302
    sign_in_page = client.get(to_sign_in.headers["Location"]).get_data(as_text=True)
    assert f'href="/register?next={start}"' in sign_in_page
    registered = client.post(f"/register?next={start}", data=good_form())
    assert registered.status_code == 302 and registered.headers["Location"] == start
    page = client.get(start).get_data(as_text=True)
    assert "Đăng ký thành công. Chào mừng Nguyễn Thị Minh Khai" in page and "Bắt đầu làm bài" in page


def test_with_several_open_rounds_the_home_page_registers_without_a_round(client):
    from tests.views.test_attempt_pages import load_bank, make_round

    load_bank()
    make_round()
    make_round()
    home = client.get("/").get_data(as_text=True)
    assert 'href="/register">Đăng ký dự thi</a>' in home and home.count(">Vào thi<") == 2


def test_staff_see_no_start_button_on_the_home_page(client, make_user, login):
    from tests.views.test_attempt_pages import load_bank, make_round

    load_bank()
    make_round()
    login(make_user(Role.ORGANIZER))
    home = client.get("/").get_data(as_text=True)
    assert ">Vào thi<" not in home and "Đăng ký dự thi" not in home
