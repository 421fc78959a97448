"""The organizers' dashboard pages: who may see them, the JSON the page refreshes from, the .xlsx, bad filters
answered clearly, and nothing of it on the public pages (rule 12)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quizapp.extensions import db
from quizapp.models import AttemptStatus, Role, RoundSummary
from quizapp.models.types import utcnow
from tests.conftest import TEST_PASSWORD
from tests.services.test_dashboard_service import LAYOUT, PARTY
from tests.services.test_standings import add_units, entry, make_contest, person


@pytest.fixture
def live(app):
    """A round open now (opened 6 days ago): p1 (A1, party) twice, p2 (A2) once, p3 (B) in progress now."""
    units = add_units(LAYOUT)
    now = utcnow()
    contest = make_contest(closes_at=now + timedelta(days=1), question_count=10)
    round_ = contest.rounds[0]
    p1, p2, p3 = (person(unit=units["A1"], category=PARTY), person(unit=units["A2"]), person(unit=units["B"]))
    entry(round_, p1, 8, at=timedelta(hours=1))
    entry(round_, p1, 6, at=timedelta(days=1))
    entry(round_, p2, 10, at=timedelta(days=2))
    entry(round_, p3, 0, at=now - round_.opens_at - timedelta(minutes=2), status=AttemptStatus.IN_PROGRESS)
    db.session.commit()
    return round_, units


def url(round_, suffix=""):
    return f"/organizer/dashboard/rounds/{round_.id}{suffix}"


def test_the_round_page_shows_the_figures_charts_and_their_tables(organizer_client, live):
    round_, units = live
    response = organizer_client.get(url(round_))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'data-figure="entries">3<', html) and re.search(r'data-figure="participants">2<', html)
    assert re.search(r'data-figure="in_progress">1<', html)
    assert html.count("<svg") == 4 and html.count("<details") == 4 and 'scope="row"' in html
    assert "style=" not in html and "<script>" not in html and "dashboard.js" in html
    # drill-down: T's link goes to its children, A and B; C is listed among the units nobody took part in
    assert f'?unit={units["T"].id}#units' in html
    assert "Tỉnh C" in html.split("Đơn vị chưa có ai dự thi")[1]
    below = organizer_client.get(url(round_, f"?unit={units['T'].id}")).get_data(as_text=True)
    assert "Huyện A" in below and "Huyện B" in below and f'?unit={units["A"].id}#units' in below


def test_the_json_the_page_refreshes_from(organizer_client, live):
    round_, units = live
    data = organizer_client.get(url(round_, f"/data.json?unit={units['A'].id}")).get_json()
    assert {key: data[key] for key in ("round_id", "category", "unit_id", "entries", "participants",
                                        "in_progress")} == {"round_id": round_.id, "category": None,
                                                            "unit_id": units["A"].id, "entries": 3,
                                                            "participants": 2, "in_progress": 1}
    assert [(u["code"], u["participants"], u["entries"], u["member_count"]) for u in data["units"]] == [
        ("A1", 1, 2, 10), ("A2", 1, 1, 20)]
    assert data["units"][0]["participation_rate"] == pytest.approx(0.1)
    assert data["not_taken_part"] == []
    assert {s["correct_count"]: s["entries"] for s in data["scores"]}[8] == 1
    assert sum(d["entries"] for d in data["by_day"]) == 3 and len(data["by_hour"]) == 48
    party = organizer_client.get(url(round_, "/data.json?category=Đảng viên")).get_json()
    assert (party["entries"], party["participants"], party["in_progress"]) == (2, 1, 0)


def test_the_xlsx_holds_the_same_figures(organizer_client, live):
    round_, _units = live
    response = organizer_client.get(url(round_, "/dashboard.xlsx"))
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tổng quan", "Theo ngày", "Theo giờ", "Theo điểm", "Đơn vị", "Chưa tham gia"]
    summary = book["Tổng quan"]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=5, values_only=True)}
    assert values["Số lượt thi"] == 3 and values["Số người dự thi"] == 2 and values["Đang làm bài"] == 1
    units = book["Đơn vị"]
    assert [c.value for c in units[4]] == ["Mã đơn vị", "Tên đơn vị", "Mã cấp trên", "Cấp", "Số thành viên",
                                           "Số người dự thi", "Số lượt thi", "Tỷ lệ tham gia"]
    rows = {row[0]: row for row in units.iter_rows(min_row=5, values_only=True)}
    assert rows["A"][5:] == (2, 3, pytest.approx(0.02)) and rows["B1"][7] is None and rows["T"][2] == ""
    assert units.page_setup.orientation == "landscape" and units.print_title_rows == "$4:$4"
    assert units.sheet_properties.pageSetUpPr.fitToPage and units.column_dimensions["B"].width > 30
    assert [row[0] for row in book["Chưa tham gia"].iter_rows(min_row=5, values_only=True)] == ["B", "C"]


def test_judges_see_it_participants_and_the_public_do_not(client, live, make_user, login):
    round_, _units = live
    assert client.get(url(round_)).status_code == 302  # to sign in
    assert client.get(url(round_, "/data.json")).status_code == 302
    login(make_user(Role.PARTICIPANT))
    for suffix in ("", "/data.json", "/dashboard.xlsx"):
        assert client.get(url(round_, suffix)).status_code == 403
    assert client.get("/organizer/dashboard/").status_code == 403
    client.post("/logout")
    login(make_user(Role.JUDGE))
    assert client.get(url(round_)).status_code == 200
    assert client.get(f"/organizer/dashboard/contests/{round_.contest_id}").status_code == 200


def test_bad_filters_are_named_and_change_nothing(organizer_client, live):
    round_, units = live
    response = organizer_client.get(url(round_, "?category=Không có"))
    assert response.status_code == 400 and "Không có đối tượng “Không có” trong đợt thi này." in response.get_data(
        as_text=True)
    response = organizer_client.get(url(round_, "/data.json?unit=abc"))
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Đơn vị phải là một mã số: “abc”."
    response = organizer_client.get(url(round_, "/data.json?unit=999999"))
    assert response.status_code == 404 and "999999" in response.get_json()["error"]["message"]
    assert organizer_client.get("/organizer/dashboard/rounds/0").status_code == 404
    assert organizer_client.get("/organizer/dashboard/rounds/99999999999").status_code == 404


def test_the_contest_page_lists_its_rounds_figures(organizer_client, live):
    round_, _units = live
    html = organizer_client.get(f"/organizer/dashboard/contests/{round_.contest_id}").get_data(as_text=True)
    assert round_.name in html and url(round_) in html
    index = organizer_client.get("/organizer/dashboard/").get_data(as_text=True)
    assert url(round_) in index


def test_nothing_public_changes_rule_12(app, live, make_user):
    """The public pages of the open round look the same before and after the dashboard counted it (but for the
    API's own clock), and carry no count and no link to it."""
    round_, _units = live
    public = [f"/contests/{round_.contest_id}", f"/rounds/{round_.id}/leaderboard",
              f"/api/v1/rounds/{round_.id}/leaderboard"]
    anonymous = app.test_client()

    def pages():
        # but for the clocks: the API's updated_at, and the countdowns (their seconds and the time they show)
        clocks = re.compile(r'"updated_at": "[^"]*"|<time class="countdown".*?</time>', re.S)
        return [clocks.sub("", anonymous.get(path).get_data(as_text=True)) for path in public]

    before = pages()
    assert db.session.get(RoundSummary, round_.id) is None
    staff = app.test_client()
    organizer = make_user(Role.ORGANIZER)
    staff.post("/login", data={"login": organizer.email, "password": TEST_PASSWORD})
    assert staff.get(url(round_)).status_code == 200
    assert db.session.get(RoundSummary, round_.id) is not None
    after = pages()
    assert after == before
    for html in after:
        assert "/organizer/dashboard" not in html and "lượt thi đã nộp" not in html


def test_a_round_not_open_yet_shows_empty_figures(organizer_client, app):
    add_units(LAYOUT)
    upcoming = make_contest(closes_at=utcnow() + timedelta(days=9)).rounds[0]  # opens in 2 days
    html = organizer_client.get(url(upcoming)).get_data(as_text=True)
    assert re.search(r'data-figure="entries">0<', html) and "Tỉnh T" in html
    data = organizer_client.get(url(upcoming, "/data.json")).get_json()
    assert (data["entries"], data["by_day"], data["by_hour"]) == (0, [], [])
    assert [u["code"] for u in data["not_taken_part"]] == ["C", "T"]
