"""What a scoped organizer or judge sees on the dashboard, the certificates' staff routes, the statistics API and
the unit officers' report: the contests of their scope only, and of those the units of their subtree only, checked
against an independent count; outside, a 403 (the API's in its JSON error shape). Unscoped staff see everything as
before, and participants (who have no scope) reach their own certificate as before.

The tree: Tỉnh Thử (T) › Huyện Trong (A) › A1, A2; T › Huyện Ngoài (OUT-B) › OUT-B1. Staff scoped to A. Contests:
"inside" (audience A, open now), "outside" (audience OUT-B), "whole" (no audience: the level above A's).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import distinct, func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Contest, Role, Unit, UnitAncestor, User
from quizapp.models.contests import ContestAudienceUnit
from quizapp.models.types import utcnow
from tests.conftest import TEST_PASSWORD
from tests.services.test_standings import add_units, entry, make_contest, person

LAYOUT = (("T", "Tỉnh Thử", None, 1000), ("A", "Huyện Trong", "T", 300), ("A1", "Xã Trong Một", "A", 120),
          ("A2", "Xã Trong Hai", "A", 80), ("OUT-B", "Huyện Ngoài Phạm Vi", "T", 400),
          ("OUT-B1", "Xã Ngoài Một", "OUT-B", 150))
#: what a viewer scoped to A must never be shown
OUTSIDE = ("Tỉnh Thử", "Huyện Ngoài Phạm Vi", "Xã Ngoài Một", "OUT-B", "Cuộc thi ngoài phạm vi", "Cuộc thi toàn tỉnh")


@dataclass
class World:
    units: dict[str, Unit]
    contests: dict[str, Contest]
    people: dict[str, User]


@pytest.fixture
def world(app) -> World:
    units = add_units(LAYOUT)
    now = utcnow()
    contests = {
        "inside": make_contest(title="Cuộc thi của Huyện Trong", closes_at=now + timedelta(days=1)),
        "outside": make_contest(title="Cuộc thi ngoài phạm vi", closes_at=now + timedelta(days=1)),
        "whole": make_contest(title="Cuộc thi toàn tỉnh", closes_at=now + timedelta(days=1)),
    }
    for key, code in (("inside", "A"), ("outside", "OUT-B")):
        db.session.add(ContestAudienceUnit(contest_id=contests[key].id, unit_id=units[code].id, position=1))
    db.session.commit()
    people = {"a1": person("Người Trong Một", units["A1"]), "a1b": person("Người Trong Hai", units["A1"]),
              "b1": person("Người Ngoài", units["OUT-B1"])}
    inside = contests["inside"].rounds[0]
    entry(inside, people["a1"], 8)
    entry(inside, people["a1"], 9, at=timedelta(hours=2))
    entry(inside, people["a1b"], 5)
    entry(contests["outside"].rounds[0], people["b1"], 7)
    entry(contests["whole"].rounds[0], people["b1"], 6)
    return World(units, contests, people)


def _staff(make_user, role: Role, world: World | None = None, scope: str | None = None) -> User:
    scope_unit_id = world.units[scope].id if world is not None and scope else None
    return make_user(role, scope_unit_id=scope_unit_id)


def _client(app, user: User):
    client = app.test_client()
    assert client.post("/login", data={"login": user.email, "password": TEST_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def organizer_a(app, make_user, world):
    return _client(app, _staff(make_user, Role.ORGANIZER, world, "A"))


@pytest.fixture
def judge_a(app, make_user, world):
    return _client(app, _staff(make_user, Role.JUDGE, world, "A"))


def _participants_under(round_id: int, unit_id: int) -> int:
    """Independently of the dashboard: distinct people with a finished attempt in the round whose unit lies in
    ``unit_id``'s subtree."""
    return db.session.scalar(
        select(func.count(distinct(Attempt.user_id))).join(User, User.id == Attempt.user_id)
        .join(UnitAncestor, UnitAncestor.descendant_id == User.unit_id)
        .where(Attempt.round_id == round_id, UnitAncestor.ancestor_id == unit_id,
               Attempt.status != AttemptStatus.IN_PROGRESS))


# --- the dashboard ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewer", ["organizer_a", "judge_a"])
def test_the_dashboard_home_lists_the_contests_of_the_scope_only(request, world, viewer):
    client = request.getfixturevalue(viewer)
    page = client.get("/organizer/dashboard/").get_data(as_text=True)
    assert "Cuộc thi của Huyện Trong" in page
    assert "Cuộc thi ngoài phạm vi" not in page and "Cuộc thi toàn tỉnh" not in page


@pytest.mark.parametrize("viewer", ["organizer_a", "judge_a"])
def test_the_dashboard_refuses_a_contest_or_round_outside(request, world, viewer):
    client = request.getfixturevalue(viewer)
    for key in ("outside", "whole"):
        contest = world.contests[key]
        round_id = contest.rounds[0].id
        for path in (f"/organizer/dashboard/contests/{contest.id}", f"/organizer/dashboard/rounds/{round_id}",
                     f"/organizer/dashboard/rounds/{round_id}/data.json",
                     f"/organizer/dashboard/rounds/{round_id}/dashboard.xlsx"):
            response = client.get(path)
            assert response.status_code == 403, path
            assert "ngoài phạm vi đơn vị bạn phụ trách" in response.get_data(as_text=True)
            assert "Cuộc thi ngoài phạm vi" not in response.get_data(as_text=True) or key == "outside"


def test_a_scoped_organizers_units_start_at_their_unit_and_match_an_independent_count(organizer_a, world):
    round_ = world.contests["inside"].rounds[0]
    units = world.units
    base = f"/organizer/dashboard/rounds/{round_.id}"
    top = organizer_a.get(f"{base}/data.json").get_json()
    assert [(u["code"], u["participants"]) for u in top["units"]] == [
        ("A", _participants_under(round_.id, units["A"].id))]
    assert top["participants"] == _participants_under(round_.id, units["A"].id) == 2
    assert [u["code"] for u in top["not_taken_part"]] == ["A2"]  # the whole subtree's silent units
    below = organizer_a.get(f"{base}/data.json?unit={units['A'].id}").get_json()
    assert [(u["code"], u["participants"], u["member_count"]) for u in below["units"]] == [
        ("A1", _participants_under(round_.id, units["A1"].id), 120), ("A2", 0, 80)]
    assert [u["code"] for u in below["not_taken_part"]] == ["A2"]
    for outside in ("T", "OUT-B", "OUT-B1"):  # as a filter, a unit outside is not there at all
        assert organizer_a.get(f"{base}/data.json?unit={units[outside].id}").status_code == 404
    page = organizer_a.get(base).get_data(as_text=True)
    assert "Huyện Trong" in page and not [marker for marker in OUTSIDE if marker in page]
    book = load_workbook(io.BytesIO(organizer_a.get(f"{base}/dashboard.xlsx").data))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "A" in cells and "A1" in cells and "A2" in cells
    assert not [marker for marker in OUTSIDE for cell in cells if marker in cell]


def test_an_unscoped_organizer_still_sees_the_whole_tree(app, make_user, world):
    client = _client(app, _staff(make_user, Role.ORGANIZER))
    index = client.get("/organizer/dashboard/").get_data(as_text=True)
    assert all(title in index for title in ("Cuộc thi của Huyện Trong", "Cuộc thi ngoài phạm vi",
                                            "Cuộc thi toàn tỉnh"))
    round_ = world.contests["inside"].rounds[0]
    top = client.get(f"/organizer/dashboard/rounds/{round_.id}/data.json").get_json()
    assert [u["code"] for u in top["units"]] == ["T"]
    assert client.get(f"/organizer/dashboard/rounds/{world.contests['outside'].rounds[0].id}").status_code == 200


# --- certificates ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewer", ["organizer_a", "judge_a"])
def test_the_certificates_staff_routes_refuse_outside(request, world, viewer):
    client = request.getfixturevalue(viewer)
    for key in ("outside", "whole"):
        contest = world.contests[key]
        for path in (f"/organizer/contests/{contest.id}/certificates",
                     f"/organizer/contests/{contest.id}/certificates/preview.pdf",
                     f"/rounds/{contest.rounds[0].id}/certificates.pdf",
                     f"/rounds/{contest.rounds[0].id}/certificates.pdf?collectives=1"):
            response = client.get(path)
            assert response.status_code == 403, path
            assert "ngoài phạm vi đơn vị bạn phụ trách" in response.get_data(as_text=True)
    assert client.post(f"/organizer/contests/{world.contests['outside'].id}/certificates",
                       data={"issuing_body": "X", "signer_title": "Y"}).status_code == 403


def test_the_certificates_staff_routes_open_inside(organizer_a, world):
    contest = world.contests["inside"]
    assert organizer_a.get(f"/organizer/contests/{contest.id}/certificates").status_code == 200
    # the round is not finalized: the guard let it through to the view's own answer
    response = organizer_a.get(f"/rounds/{contest.rounds[0].id}/certificates.pdf")
    assert response.status_code == 302 and "/certificates" in response.headers["Location"]


def test_the_public_and_participants_routes_are_not_scoped(app, make_user, world, organizer_a):
    assert organizer_a.get("/xac-minh").status_code == 200
    participant = make_user(Role.PARTICIPANT, unit_id=world.units["OUT-B1"].id)
    client = _client(app, participant)
    # a participant's own certificate: no prize here, so a 404, never a scope's 403
    assert client.get(f"/rounds/{world.contests['outside'].rounds[0].id}/my-certificate.pdf").status_code == 404


# --- the unit officers' report, opened by a scoped organizer --------------------------------------------------

def test_a_scoped_organizer_reports_on_their_subtree_only(organizer_a, world):
    whole = world.contests["whole"]
    world.contests["outside"].published = False
    db.session.commit()
    index = organizer_a.get("/officer/").get_data(as_text=True)
    assert "Huyện Trong" in index  # their unit, as an officer's
    assert "Cuộc thi toàn tỉnh" in index  # published: they report on their people's results in it
    assert "Cuộc thi ngoài phạm vi" not in index  # another unit's draft
    assert organizer_a.get(f"/officer/contests/{world.contests['outside'].id}").status_code == 404
    own = organizer_a.get(f"/officer/contests/{whole.id}")
    assert own.status_code == 200 and "Huyện Trong" in own.get_data(as_text=True)
    assert organizer_a.get(f"/officer/contests/{whole.id}?unit=A1").status_code == 200
    for outside in ("T", "OUT-B", "OUT-B1"):
        assert organizer_a.get(f"/officer/contests/{whole.id}?unit={outside}").status_code == 404
