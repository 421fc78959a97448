"""Contest audiences: the TOML keys, their check against the unit tree, and who may start, see and count.

One table of cases runs through every place the rule is applied: the Python reference (``Audience.admits``, used
by the listings), the start's SQL (``audience_refusal``, the query of ``start_or_resume``) and the collectives' SQL
(``admitted_sql`` in ``counted_entries``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import tomli_w
from sqlalchemy import func, select

from quizapp.domain.banks import ImportLimits
from quizapp.domain.contests import ContestSpecError, parse_contest
from quizapp.extensions import db
from quizapp.messages.contests import describe_spec_problem
from quizapp.models import Attempt, Contest, Role, User
from quizapp.models.contests import ContestAudienceCategory, ContestAudienceUnit
from quizapp.models.types import utcnow
from quizapp.services.attempts.start import audience_refusal
from quizapp.services.banks import import_bank
from quizapp.services.contests import admitted_sql, contest_audience, create_contest, public_contests, viewer
from tests.services.test_standings import make_units, person

BANK = "Câu hỏi,A,B,C,D,Đáp án,Chủ đề\n" + "".join(f"Câu số {n}?,1,2,3,4,A,T\n" for n in range(1, 6))


def document(*, audience: list[str] | None = None, categories: list[str] | None = None,
             title: str = "Cuộc thi của khối") -> dict:
    now = utcnow()
    contest: dict = {"title": title}
    if audience is not None:
        contest["audience"] = audience
    if categories is not None:
        contest["audience_categories"] = categories
    return {"contest": contest, "rounds": [{
        "name": "Tuần 1", "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(), "question_count": 3, "time_limit_seconds": 600,
        "max_attempts": 2}]}


def contest_from(**keys) -> Contest:
    contest = create_contest(parse_contest(tomli_w.dumps(document(**keys))), actor=None, now=utcnow())
    db.session.commit()
    return contest


def units_and_bank() -> dict:
    """The units of ``make_units`` and a bank of five questions; the units by code."""
    units = make_units()
    import_bank(bank_name="B", filename="b.csv", data=BANK.encode(), actor=None, now=utcnow(), limits=ImportLimits())
    db.session.commit()
    return units


@pytest.fixture
def tree(app):
    return units_and_bank()


# --- the TOML keys ---------------------------------------------------------------------------------------------

def test_the_audience_keys_are_read_with_categories_spelt_as_registration_stores_them():
    spec = parse_contest(tomli_w.dumps(document(audience=["HN-BD", " DN "], categories=["đảng viên", "Đoàn viên"])))
    assert spec.audience == ("HN-BD", "DN")
    assert spec.audience_categories == ("Đảng viên", "Đoàn viên")
    assert parse_contest(tomli_w.dumps(document())).audience == ()


def test_bad_audience_values_are_each_named_by_their_key(app):
    bad = document(audience=["HN", "HN", ""], categories=["Đảng viên", "ĐẢNG VIÊN"])
    bad["contest"]["audience"].append(7)
    bad["rounds"][0]["audience"] = ["HN"]
    with pytest.raises(ContestSpecError) as refused:
        parse_contest(tomli_w.dumps(bad))
    found = {problem.key: problem.code for problem in refused.value.problems}
    assert found == {"contest.audience[1]": "duplicate_value", "contest.audience[2]": "empty_text",
                     "contest.audience[3]": "wrong_type", "contest.audience_categories[1]": "duplicate_value",
                     "rounds[0].audience": "unknown_key"}
    with app.test_request_context():
        words = {p.key: describe_spec_problem(p) for p in refused.value.problems}
    assert "«HN» đã có ở contest.audience[0]" in words["contest.audience[1]"]
    assert "[contest]" in words["rounds[0].audience"]
    with pytest.raises(ContestSpecError) as refused:
        parse_contest(tomli_w.dumps({**document(), "contest": {"title": "x", "audience": "HN"}}))
    assert [(p.key, p.code) for p in refused.value.problems] == [("contest.audience", "wrong_type")]


def test_unknown_units_and_categories_are_refused_at_creation_and_nothing_is_saved(tree, app):
    spec = parse_contest(tomli_w.dumps(document(audience=["HN-BD", "HN-BDX", "Phường Hoàn Kiếm"],
                                                categories=["Đảng viên", "Đang vien cu"])))
    with pytest.raises(ContestSpecError) as refused:
        create_contest(spec, actor=None, now=utcnow())
    problems = {p.key: p for p in refused.value.problems}
    assert set(problems) == {"contest.audience[1]", "contest.audience[2]", "contest.audience_categories[1]"}
    assert problems["contest.audience[1]"].data == {"code": "HN-BDX", "suggestion": "HN-BD"}
    assert problems["contest.audience[2]"].data["suggestion"] == "HN-HK"  # a unit's name written for its code
    assert problems["contest.audience_categories[1]"].data["suggestion"] == "Đảng viên"
    with app.test_request_context():
        said = describe_spec_problem(problems["contest.audience[1]"])
    assert said == "contest.audience[1]: không có đơn vị nào mã «HN-BDX» trong cây đơn vị; có phải «HN-BD»?"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Contest)) == 0


def test_a_category_some_participant_registered_with_is_accepted(tree):
    person(unit=tree["DN"], category="Cựu chiến binh")
    contest = contest_from(categories=["Cựu chiến binh"])
    assert contest_audience(contest.id).categories == ("Cựu chiến binh",)


def test_the_audience_is_stored_in_the_organizers_order(tree):
    contest = contest_from(audience=["HN-HK", "HN-BD"], categories=["Đoàn viên", "Đảng viên"])
    audience = contest_audience(contest.id)
    assert [unit.code for unit in audience.units] == ["HN-HK", "HN-BD"]
    assert audience.categories == ("Đoàn viên", "Đảng viên")
    assert contest_audience(contest_from(title="Mọi người").id).limited is False


# --- one rule, three places --------------------------------------------------------------------------------------

CASES = [
    # audience units, audience categories, the person's unit, their category, admitted
    ((), (), "DN", None, True),
    (("HN-BD",), (), "HN-BD-CB1", None, True),
    (("HN-BD",), (), "HN-BD", "Hội viên", True),
    (("HN-BD",), (), "HN", None, False),
    (("HN-BD",), (), "HN-HK", None, False),
    (("HN-BD",), (), None, None, False),
    (("HN-BD", "DN"), (), "DN", None, True),
    ((), ("Đảng viên",), "DN", "Đảng viên", True),
    ((), ("Đảng viên",), "DN", "Đoàn viên", False),
    ((), ("Đảng viên",), None, None, False),
    (("HN",), ("Đảng viên", "Đoàn viên"), "HN-BD-CB1", "Đoàn viên", True),
    (("HN",), ("Đảng viên",), "HN-BD-CB1", "Đoàn viên", False),
    (("HN-HK",), ("Đảng viên",), "HN-BD-CB1", "Đảng viên", False),
]


@pytest.mark.parametrize(("units", "categories", "unit", "category", "admitted"), CASES)
def test_the_audience_rule_is_the_same_in_python_and_in_sql(tree, units, categories, unit, category, admitted):
    contest = contest_from(audience=list(units), categories=list(categories))
    someone = person(unit=tree[unit] if unit else None, category=category)
    audience = contest_audience(contest.id)
    seen = viewer(someone.id)
    assert audience.admits(seen.unit_ancestor_ids, seen.category) is admitted
    assert (audience_refusal(contest.id, someone.id) is None) is admitted
    assert bool(db.session.scalar(select(admitted_sql(contest.id, User.unit_id, User.category))
                                  .where(User.id == someone.id))) is admitted
    listed = [item.contest.id for item in public_contests(utcnow(), someone.id)]
    assert (contest.id in listed) is admitted
    assert contest.id in [item.contest.id for item in public_contests(utcnow())]  # visitors see it


# --- starting -----------------------------------------------------------------------------------------------------

def register(client, phone: str, unit_code: str, category: str | None = None) -> dict[str, str]:
    body = {"full_name": "Thí Sinh Thử", "phone": phone, "password": "mat-khau-1", "unit_code": unit_code}
    if category:
        body["category"] = category
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    token = client.post("/api/v1/auth/token", json={"login": phone, "password": "mat-khau-1"}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_refuses_a_start_outside_the_audience_with_403_naming_it(tree, client):
    contest = contest_from(audience=["HN-BD"], categories=["Đảng viên"])
    round_id = contest.rounds[0].id
    outsider = register(client, "0912000001", "HN-HK", "Đảng viên")
    refused = client.post(f"/api/v1/rounds/{round_id}/attempts", headers=outsider)
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "outside_audience"
    assert "Phường Ba Đình; đối tượng: Đảng viên" in error["message"]
    wrong_category = register(client, "0912000002", "HN-BD-CB1", "Đoàn viên")
    assert client.post(f"/api/v1/rounds/{round_id}/attempts", headers=wrong_category).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    insider = register(client, "0912000003", "HN-BD-CB1", "Đảng viên")
    assert client.post(f"/api/v1/rounds/{round_id}/attempts", headers=insider).status_code == 201


def test_an_attempt_in_progress_is_not_resumed_once_its_author_is_outside(tree, client):
    contest = contest_from(audience=["HN"])
    round_id = contest.rounds[0].id
    auth = register(client, "0912000004", "HN-HK")
    assert client.post(f"/api/v1/rounds/{round_id}/attempts", headers=auth).status_code == 201
    db.session.execute(db.update(User).where(User.phone == "0912000004").values(unit_id=tree["DN"].id))
    db.session.commit()
    assert client.post(f"/api/v1/rounds/{round_id}/attempts", headers=auth).status_code == 403


def test_the_start_page_says_who_the_contest_is_for(tree, client, make_user, login):
    contest = contest_from(audience=["HN-BD"], title="Cuộc thi Ba Đình")
    round_ = contest.rounds[0]
    outsider = make_user(Role.PARTICIPANT, phone="0912000005")
    db.session.execute(db.update(User).where(User.id == outsider.id).values(unit_id=tree["DN"].id))
    db.session.commit()
    login(outsider)
    page = client.get(f"/rounds/{round_.id}/start")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "Cuộc thi này chỉ dành cho: Phường Ba Đình." in text
    assert f'action="/rounds/{round_.id}/start"' not in text  # no button
    posted = client.post(f"/rounds/{round_.id}/start", data={})
    assert posted.status_code == 302 and posted.headers["Location"].endswith(f"/contests/{contest.id}")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    shown = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Cuộc thi này chỉ dành cho: Phường Ba Đình." in shown  # the refusal, flashed
    assert "Dành cho: Phường Ba Đình" in shown and "không dành cho đơn vị hoặc đối tượng bạn đã đăng ký" in shown
    assert f"/rounds/{round_.id}/start" not in shown


# --- listings -----------------------------------------------------------------------------------------------------

def test_a_participant_is_listed_only_the_contests_open_to_them(tree, client, make_user, login):
    mine = contest_from(audience=["HN"], title="Cuộc thi Hà Nội")
    theirs = contest_from(audience=["DN"], categories=["Đảng viên"], title="Cuộc thi Đà Nẵng")
    everyone = contest_from(title="Cuộc thi chung")
    anonymous = client.get("/contests").get_data(as_text=True)
    assert "Dành cho: Thành phố Đà Nẵng; đối tượng: Đảng viên" in anonymous
    assert "Dành cho: Thành phố Hà Nội" in anonymous and "Cuộc thi chung" in anonymous
    api = {c["id"] for c in client.get("/api/v1/contests").get_json()["contests"]}
    assert api == {mine.id, theirs.id, everyone.id}

    auth = register(client, "0912000006", "HN-HK", "Đảng viên")
    api = {c["id"] for c in client.get("/api/v1/contests", headers=auth).get_json()["contests"]}
    assert api == {mine.id, everyone.id}
    stale = {"Authorization": "Bearer not-a-token"}
    assert len(client.get("/api/v1/contests", headers=stale).get_json()["contests"]) == 3

    participant = make_user(Role.PARTICIPANT, phone="0912000007")
    db.session.execute(db.update(User).where(User.id == participant.id).values(unit_id=tree["HN-BD"].id))
    db.session.commit()
    login(participant)
    listed = client.get("/contests").get_data(as_text=True)
    assert "Cuộc thi Hà Nội" in listed and "Cuộc thi chung" in listed and "Cuộc thi Đà Nẵng" not in listed


def test_staff_see_every_contest(tree, client, make_user, login):
    contest_from(audience=["DN"], title="Cuộc thi Đà Nẵng")
    login(make_user(Role.ORGANIZER, email="btc@example.vn"))
    assert "Cuộc thi Đà Nẵng" in client.get("/contests").get_data(as_text=True)


def test_the_audience_rows_go_with_their_contest(tree):
    contest = contest_from(audience=["HN"], categories=["Đảng viên"])
    db.session.delete(db.session.get(Contest, contest.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ContestAudienceUnit)) == 0
    assert db.session.scalar(select(func.count()).select_from(ContestAudienceCategory)) == 0


def test_every_audience_problem_is_said_in_words(app):
    from quizapp.domain.contests import SpecProblem

    with app.test_request_context():
        said = [describe_spec_problem(problem) for problem in (
            SpecProblem("unknown_category", "contest.audience_categories[0]",
                        {"value": "Đang vien", "suggestion": None}),
            SpecProblem("unknown_unit", "contest.audience[0]", {"code": "X9", "suggestion": None}),
            SpecProblem("wrong_type", "contest.audience", {"expected": "list_of_texts", "found": "text"}),
        )]
    assert said == [
        "contest.audience_categories[0]: đối tượng «Đang vien» không có trong danh sách đối tượng dự thi và chưa "
        "thí sinh nào đăng ký đối tượng này.",
        "contest.audience[0]: không có đơn vị nào mã «X9» trong cây đơn vị.",
        'contest.audience: phải là danh sách các chuỗi văn bản (ví dụ ["T01", "T02"]), nhưng đang là chuỗi văn bản '
        "trong dấu ngoặc kép.",
    ]
