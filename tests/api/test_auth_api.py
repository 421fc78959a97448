"""POST /api/v1/auth/register and /auth/token, and the unit search registration relies on."""

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Unit, User
from quizapp.services.units import rebuild_tree
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def units(app):
    root = Unit(code="HN", name="Thành phố Hà Nội", name_key="thanh pho ha noi", member_count=100)
    db.session.add(root)
    db.session.flush()
    child = Unit(code="HN-BD", name="Phường Ba Đình", name_key="phuong ba dinh", member_count=10, parent_id=root.id)
    db.session.add(child)
    db.session.flush()
    rebuild_tree()
    db.session.commit()
    return root, child


def registration(**changes):
    body = {"full_name": "Trần Thị Mẫu", "phone": "0912 345 678", "password": "mat-khau-1", "unit_code": "HN-BD"}
    body.update(changes)
    return body


def test_register_then_get_a_token_by_phone_or_email(client, units):
    response = client.post("/api/v1/auth/register", json=registration(email="Mau@Example.test"))
    assert response.status_code == 201
    participant_id = response.get_json()["participant_id"]
    user = db.session.get(User, participant_id)
    assert user.phone == "0912345678" and user.unit_id == units[1].id and user.consent_at is not None
    for login in ("+84912345678", "mau@example.test"):
        token = client.post("/api/v1/auth/token", json={"login": login, "password": "mat-khau-1"})
        assert token.status_code == 200 and token.get_json()["token"]


def test_register_names_every_bad_field_and_saves_nothing(client, units):
    response = client.post("/api/v1/auth/register", json=registration(
        phone="12345", password="short", unit_code="NOPE", id_number="123", birth_date="2090-01-01",
        email="not-an-email"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_registration"
    assert set(error["fields"]) == {"phone", "password", "id_number", "birth_date", "email"}
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_unknown_unit_is_named(client, units):
    response = client.post("/api/v1/auth/register", json=registration(unit_code="NOPE"))
    assert response.status_code == 422
    assert "unit_code" in response.get_json()["error"]["fields"]


def test_same_phone_in_another_form_is_already_registered(client, units):
    assert client.post("/api/v1/auth/register", json=registration()).status_code == 201
    again = client.post("/api/v1/auth/register", json=registration(phone="+84 912 345 678", full_name="Người khác"))
    assert again.status_code == 409
    assert again.get_json()["error"]["fields"]["phone"]


def test_citizen_id_is_unique(client, units):
    client.post("/api/v1/auth/register", json=registration(id_number="001090012345"))
    again = client.post("/api/v1/auth/register", json=registration(phone="0987654321", id_number="001090012345"))
    assert again.status_code == 409 and "id_number" in again.get_json()["error"]["fields"]


@pytest.mark.parametrize("body", [None, "text", [1, 2], {"login": 5, "password": "x"}, {"login": "a"}])
def test_bad_token_requests_are_json_errors(client, body):
    if body is None:
        response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    else:
        response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code in (400, 422)
    assert response.is_json and response.get_json()["error"]["code"]


def test_wrong_password_is_401_json(client, units):
    client.post("/api/v1/auth/register", json=registration())
    response = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_wrong_types_in_registration_are_refused(client, units):
    response = client.post("/api/v1/auth/register", json=registration(phone=912345678))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "phone"


@pytest.mark.parametrize("query", ["ha noi", "HA NOI", "Hà Nội", "hn"])
def test_unit_search_is_accent_insensitive(client, units, query):
    found = client.get("/api/v1/units", query_string={"q": query}).get_json()["units"]
    assert "HN" in [unit["code"] for unit in found]


def test_unit_search_gives_the_path(client, units):
    found = client.get("/api/v1/units?q=ba dinh").get_json()["units"]
    assert found[0]["path"] == "Thành phố Hà Nội › Phường Ba Đình"


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_sign_in_records_itself_and_upgrades_an_outdated_hash(app, client, units):
    from quizapp.passwords import Passwords

    client.post("/api/v1/auth/register", json=registration())
    user = db.session.scalar(select(User).where(User.phone == "0912345678"))
    outdated = Passwords(time_cost=2, memory_kib=1024, parallelism=1).hash("mat-khau-1")  # not the app's settings
    user.password_hash = outdated
    db.session.commit()
    assert client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "mat-khau-1"}).status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert user.password_hash != outdated and ",t=1," in user.password_hash  # the test settings: t=1
    assert client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "mat-khau-1"}).status_code == 200


def test_a_deactivated_account_gets_no_token_and_its_tokens_stop_working(client, units):
    client.post("/api/v1/auth/register", json=registration())
    token = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "mat-khau-1"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/attempts/999999", headers=headers).status_code == 404  # a valid token: not found
    user = db.session.scalar(select(User).where(User.phone == "0912345678"))
    user.active = False
    db.session.commit()
    refused = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "mat-khau-1"})
    assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_credentials"
    assert client.get("/api/v1/attempts/999999", headers=headers).status_code == 401


def test_a_password_change_revokes_earlier_tokens(client, units):
    client.post("/api/v1/auth/register", json=registration())
    token = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "mat-khau-1"}).json["token"]
    user = db.session.scalar(select(User).where(User.phone == "0912345678"))
    user.token_version += 1  # what a password change or reset does
    db.session.commit()
    answer = client.get("/api/v1/attempts/999999", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.json["error"]["code"] == "unauthorized"


def test_the_api_neither_reads_nor_writes_the_pages_session(app, client, make_user, login):
    """A browser signed in on the pages is not signed in on the API (bearer tokens only): the API does not even
    open the session cookie, sets none, and the page session survives API calls made alongside it."""
    user = make_user(phone="0912000111")
    login(user)
    cookie = client.get_cookie("session")
    assert cookie is not None
    sessions = app.session_interface
    for path, opened in (("/", True), ("/api/v1/contests", False)):
        with app.test_request_context(path, headers={"Cookie": f"session={cookie.value}"}) as context:
            session = sessions.open_session(app, context.request)
            assert sessions.is_null_session(session) is not opened
            assert (session.get("_user_id") == user.get_id()) is opened
    assert client.post("/api/v1/rounds/1/attempts").status_code == 401
    token = client.post("/api/v1/auth/token", json={"login": "0912000111", "password": TEST_PASSWORD})
    assert token.status_code == 200
    assert not token.headers.getlist("Set-Cookie")
    page = client.get("/")
    assert page.status_code == 200 and "Đăng xuất".encode() in page.data  # still signed in on the pages
