"""The unit officers' pages: every route for every kind of visitor (public to sign-in, participant 403, an officer
of unit A never sees unit B or its people by any parameter, organizers and admins see any unit), what is listed
(no row outside the subtree, against an independent count), the .xlsx read back, the landing page after sign-in,
and the account made on the command line (bad input named, nothing saved)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AuditEntry, Role, Unit, UnitAncestor, User
from tests.conftest import TEST_PASSWORD
from tests.services.test_unit_reports import scene  # noqa: F401  (fixture)


@pytest.fixture
def officer(scene, make_user):  # noqa: F811
    _contest, units, _people = scene
    return make_user(Role.UNIT_OFFICER, email="cbpt@example.test", full_name="Cán Bộ A",
                     scope_unit_id=units["A"].id)


def _routes(contest_id: int) -> list[str]:
    return ["/officer/", f"/officer/contests/{contest_id}", f"/officer/contests/{contest_id}/report.xlsx"]


def test_public_goes_to_sign_in_and_a_participant_is_refused(client, scene, make_user, login):  # noqa: F811
    contest, _units, _people = scene
    for path in _routes(contest.id):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make_user(Role.PARTICIPANT, phone="0911222333"))
    for path in _routes(contest.id):
        assert client.get(path + "?unit=A").status_code == 403


def test_an_officer_sees_their_subtree_only_whatever_the_parameter(client, scene, officer, login):  # noqa: F811
    contest, units, people = scene
    login(officer)
    page = client.get(f"/officer/contests/{contest.id}").get_data(as_text=True)
    assert "Huyện A" in page and "Lê Văn An" in page and "Võ Trực Tiếp" in page
    for outsider in ("Đỗ C", "Ngô B", "Ẩn Danh", "Tỉnh C", "Huyện B"):
        assert outsider not in page
    assert "3 lượt dự thi của 2 người thuộc Huyện A, 1 giải (1 Nhì), 1 tập thể được khen." in page
    # independent count: finished entries of round 1 by visible, not disqualified people registered under A
    under_a = select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == units["A"].id)
    counted = db.session.scalar(
        select(func.count()).select_from(Attempt).join(User, User.id == Attempt.user_id)
        .where(User.unit_id.in_(under_a), User.hidden.is_(False), Attempt.round_id == contest.rounds[0].id,
               Attempt.user_id != people["cheat"].id))
    assert f'<strong id="total-entries">{counted}</strong>' in page
    for code in ("C", "T", "B", "B1", "nope", "A' OR 1=1 --", "A1" + " " * 60 + "x"):
        for path in _routes(contest.id)[1:]:
            response = client.get(path, query_string={"unit": code})
            assert response.status_code == 404, (path, code)
            assert "Đỗ C" not in response.get_data(as_text=True)
    assert client.get(f"/officer/contests/{contest.id}", query_string={"unit": "A1"}).status_code == 200
    assert client.get(f"/officer/contests/{contest.id}", query_string={"round": "x"}).status_code == 400
    assert client.get(f"/officer/contests/{contest.id}", query_string={"round": "999999"}).status_code == 404
    assert client.get("/officer/contests/999999").status_code == 404
    contest.published = False
    db.session.commit()
    assert client.get(f"/officer/contests/{contest.id}").status_code == 404


def test_the_xlsx_holds_the_subtree_only(client, scene, officer, login):  # noqa: F811
    contest, _units, _people = scene
    login(officer)
    response = client.get(f"/officer/contests/{contest.id}/report.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Đơn vị", "Đã dự thi", "Chưa dự thi", "Giải thưởng"]
    values = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "BÁO CÁO KẾT QUẢ THAM GIA CUỘC THI" in values and "Lê Văn An" in values
    assert not {"Đỗ C", "Ngô B", "Ẩn Danh", "Tỉnh C"} & set(values)
    units_sheet = book["Đơn vị"]
    rows = [r for r in units_sheet.iter_rows(values_only=True) if r[0] in ("A", "A1", "A2")]
    assert [r[:5] for r in rows] == [("A", "Huyện A", 100, 2, 3), ("A1", "Xã A1", 10, 1, 2), ("A2", "Xã A2", 20, 0, 0)]
    assert units_sheet.page_setup.orientation == "landscape" and units_sheet.print_title_rows


def test_a_judge_is_refused_and_an_officer_sees_no_other_staff_screen(client, scene, officer, make_user,  # noqa: F811
                                                                       login):
    contest, _units, _people = scene
    login(make_user(Role.JUDGE))
    assert client.get(f"/officer/contests/{contest.id}?unit=A").status_code == 403
    client.post("/logout")
    login(officer)
    round_id = contest.rounds[1].id  # open: the live counts of organizers and judges stay theirs (rule 12)
    for path in ("/organizer/dashboard/", f"/organizer/dashboard/rounds/{round_id}", "/judge",
                 f"/judge/rounds/{round_id}", "/organizer/participants", "/organizer/units"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ADMIN])
def test_organizers_and_admins_open_any_unit(client, scene, make_user, login, role):  # noqa: F811
    contest, _units, _people = scene
    login(make_user(role))
    assert client.get(f"/officer/contests/{contest.id}").status_code == 200  # asks for a unit code
    page = client.get(f"/officer/contests/{contest.id}", query_string={"unit": "C"}).get_data(as_text=True)
    assert "Đỗ C" in page and "Lê Văn An" not in page
    assert client.get(f"/officer/contests/{contest.id}", query_string={"unit": "nope"}).status_code == 404


def test_an_officer_lands_on_their_workspace_with_a_nav_link(client, officer):
    response = client.post("/login", data={"login": "cbpt@example.test", "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/officer/")
    page = client.get("/officer/").get_data(as_text=True)
    assert "Xã A1" not in page and "Huyện A" in page and 'href="/officer/"' in page


def test_users_create_a_unit_officer_on_the_command_line(app, scene):  # noqa: F811
    cli = app.test_cli_runner()
    made = cli.invoke(args=["users", "create", "--role", "unit_officer", "--unit", "A1", "--email", "X@Example.test",
                            "--password", "mat-khau-dai"])
    assert made.exit_code == 0, made.output
    user = db.session.scalar(select(User).where(User.email == "x@example.test"))
    assert user.role is Role.UNIT_OFFICER and user.scope_unit_id == db.session.scalar(
        select(Unit.id).where(Unit.code == "A1"))
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.object_id == user.id))
    before = db.session.scalar(select(func.count()).select_from(User))
    for args, expected in (
            (["--role", "unit_officer", "--unit", "ZZ"], "Không có đơn vị nào mang mã này"),
            (["--role", "unit_officer"], "--unit"),
            (["--role", "admin", "--unit", "A"], "--unit")):  # organizers and judges may be scoped, admins never
        refused = cli.invoke(args=["users", "create", *args, "--email", "y@example.test", "--password", "mat-khau-dai"])
        assert refused.exit_code != 0 and expected in refused.output, refused.output
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_the_database_refuses_an_officer_without_a_unit(app, make_user):
    with pytest.raises(Exception):  # noqa: B017,PT011  (IntegrityError on both databases)
        make_user(Role.UNIT_OFFICER)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
