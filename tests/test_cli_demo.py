"""`quizapp demo`: the whole product for a newcomer, loaded twice without doubling anything."""

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Contest, Question, Role, RoundResult, Unit, User


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Bank, Question, Unit, User, Contest, Attempt, RoundResult)}


def test_demo_loads_everything_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for role, page in (("Quản trị", "/organizer/participants"), ("Ban tổ chức", "/organizer/banks"),
                       ("Ban giám khảo", "/judge"), ("Cán bộ phụ trách đơn vị", "/officer/"), ("Thí sinh", "/")):
        line = next(line for line in first.output.splitlines() if line.startswith(f"Tài khoản {role}:"))
        assert "demo-2026" in line and line.endswith(f"rồi mở {page}")
    loaded = counts()
    assert loaded["Bank"] == 7 and loaded["Question"] >= 150 + 5 * 25 and loaded["Unit"] >= 10
    assert loaded["RoundResult"] > 0
    roles = set(db.session.scalars(select(User.role)).all())
    assert roles == {Role.ADMIN, Role.ORGANIZER, Role.JUDGE, Role.UNIT_OFFICER, Role.PARTICIPANT}
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts() == loaded


def test_demo_participant_can_sign_in_and_sees_an_open_round(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    response = client.post("/login", data={"login": "0900099999", "password": "demo-2026"})
    assert response.status_code == 302
    contests = client.get("/api/v1/contests").get_json()["contests"]
    assert any(r["status"] == "open" for c in contests for r in c["rounds"])


def test_demo_unit_officer_reads_the_report_of_their_ward(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    response = client.post("/login", data={"login": "canbo@demo.quizapp.vn", "password": "demo-2026"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/officer/")
    assert "Phường Ba Đình" in client.get("/officer/").get_data(as_text=True)


def test_demo_ward_organizer_runs_the_wards_own_contest_and_sees_nothing_above(app, client):
    output = app.test_cli_runner().invoke(args=["demo"]).output
    assert "Tài khoản Ban tổ chức cấp phường (chỉ Phường Hoàn Kiếm, mã HN-HK)" in output
    city = db.session.scalar(select(Contest.id).where(Contest.title.like("%(cuộc thi mẫu)")))
    ward = db.session.scalar(select(Contest.id).where(Contest.title.like("%(cuộc thi mẫu cấp phường)")))
    assert city and ward
    client.post("/login", data={"login": "btc.hoankiem@demo.quizapp.vn", "password": "demo-2026"})
    listing = client.get("/organizer/contests").get_data(as_text=True)
    assert "Phường Hoàn Kiếm (cuộc thi mẫu cấp phường)" in listing and "(cuộc thi mẫu)<" not in listing
    assert client.get(f"/organizer/contests/{ward}/edit").status_code == 200
    assert client.get(f"/organizer/contests/{city}/edit").status_code == 403
    client.post("/logout")
    # the demo participant belongs to Phường Ba Đình: the ward's contest is not theirs to take
    client.post("/login", data={"login": "0900099999", "password": "demo-2026"})
    listing = client.get("/").get_data(as_text=True)
    assert "(cuộc thi mẫu)" in listing and "cấp phường" not in listing
    assert "cấp phường" in app.test_client().get("/").get_data(as_text=True)  # anonymous visitors see every level
