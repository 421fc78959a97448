"""A scoped organizer's units console, participants console and erasure requests: they see exactly their subtree
(compared with counts taken independently, straight from the parent links), every change outside it is refused
with a clear sentence and nothing changed, and imports with rows outside are refused row by row. An unscoped
organizer sees everything as before."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptStatus,
    AuditEntry,
    Contest,
    ErasureRequest,
    ErasureStatus,
    Role,
    Round,
    TimeExtension,
    Unit,
    User,
)
from quizapp.models.contests import ContestAudienceUnit
from quizapp.models.types import utcnow
from quizapp.services.participants import ParticipantFilter, reset_password, search_participants
from quizapp.services.scopes import Scope, ScopeError
from quizapp.services.units import rebuild_tree
from tests.conftest import TEST_PASSWORD

#: (code, name, parent, members): the scoped organizer works in H01; H02 and the root DN are outside
TREE = (("T01", "Tỉnh Thử", None, 5000), ("H01", "Huyện Hòa Bình", "T01", 900), ("X01", "Xã An Lạc", "H01", 300),
        ("C01", "Chi bộ Thôn Một", "X01", 30), ("X02", "Xã Bình Minh", "H01", 200),
        ("H02", "Huyện Khác Xa", "T01", 800), ("X03", "Xã Cẩm Thạch", "H02", 100), ("DN", "Đà Nẵng", None, 700))
INSIDE = {"H01", "X01", "C01", "X02"}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def errors_of(page: str, field_id: str) -> str:
    found = re.search(rf'<ul class="errors" id="{field_id}-errors">(.*?)</ul>', page, flags=re.S)
    return found.group(1) if found else ""


@pytest.fixture
def units(app) -> dict[str, Unit]:
    made: dict[str, Unit] = {}
    for code, name, parent, members in TREE:
        unit = Unit(code=code, name=name, name_key=name.lower(), member_count=members,
                    parent_id=made[parent].id if parent else None)
        db.session.add(unit)
        db.session.flush()
        made[code] = unit
    rebuild_tree()
    db.session.commit()
    return made


@pytest.fixture
def people(units, make_user) -> dict[str, User]:
    """Two participants per unit (one hidden in X01), and one without a unit."""
    made = {}
    for n, (code, *_rest) in enumerate(TREE):
        for k in range(2):
            made[f"{code}-{k}"] = make_user(phone=f"09120{n:02d}{k:03d}", full_name=f"Người {code} số {k}",
                                            unit_id=units[code].id, hidden=(code == "X01" and k == 1))
    made["none"] = make_user(phone="0912999999", full_name="Người Không Đơn Vị")
    return made


@pytest.fixture
def scoped(units, make_user, login):
    """A client signed in as an organizer scoped to H01."""
    return login(make_user(Role.ORGANIZER, scope_unit_id=units["H01"].id))


def subtree_codes(top: str) -> set[str]:
    """The codes at or below ``top``, walked from the parent links (not through the closure table)."""
    rows = db.session.execute(select(Unit.id, Unit.code, Unit.parent_id)).all()
    code_of = {row.id: row.code for row in rows}
    parent_of = {row.code: code_of.get(row.parent_id) for row in rows}

    def below(code: str | None) -> bool:
        while code is not None:
            if code == top:
                return True
            code = parent_of[code]
        return False

    return {code for code in parent_of if below(code)}


def tree_state():
    return (sorted(db.session.execute(select(Unit.code, Unit.name, Unit.parent_id, Unit.member_count)).tuples()),
            db.session.scalar(select(func.count()).select_from(AuditEntry)))


def upload_units(client, body: str):
    return client.post("/organizer/units", data={"file": (io.BytesIO(body.encode()), "units.csv")},
                       content_type="multipart/form-data")


# --- the units console ----------------------------------------------------------------------------------------

def test_scoped_tree_search_figures_and_exports_are_exactly_the_subtree(scoped, people, units):
    assert subtree_codes("H01") == INSIDE
    page = scoped.get("/organizer/units").get_data(as_text=True)
    shown = set(re.findall(r'<span class="cell unit-code">([^<]+)</span>', page))
    assert shown == INSIDE
    # registrations of H01 (not hidden), counted independently from the people made
    expected = sum(1 for key, user in people.items() if key.split("-")[0] in INSIDE and not user.hidden)
    assert f"Đã đăng ký: {expected}" in re.sub(r"\s+", " ", page)
    found = text(scoped.get("/organizer/units", query_string={"q": "Huyện"}))
    assert "Huyện Hòa Bình" in found and "Huyện Khác Xa" not in found
    nothing = text(scoped.get("/organizer/units", query_string={"q": "Cẩm Thạch"}))
    assert "Không tìm thấy đơn vị nào" in nothing
    rows = list(csv.reader(io.StringIO(scoped.get("/organizer/units/export.csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    assert {row[0] for row in rows[1:]} == INSIDE
    assert [row for row in rows if row[0] == "H01"][0][2] == "T01"  # the top keeps its place for a re-import
    book = openpyxl.load_workbook(io.BytesIO(scoped.get("/organizer/units/export.xlsx").data))
    assert {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)} == INSIDE


def test_contests_offered_for_figures_are_those_of_the_scope(scoped, units):
    whole = Contest(title="Cuộc thi toàn tỉnh", rules="")
    ours = Contest(title="Cuộc thi của huyện", rules="")
    theirs = Contest(title="Cuộc thi huyện bên", rules="")
    db.session.add_all([whole, ours, theirs])
    db.session.flush()
    db.session.add_all([ContestAudienceUnit(contest_id=ours.id, unit_id=units["X01"].id, position=1),
                        ContestAudienceUnit(contest_id=theirs.id, unit_id=units["H02"].id, position=1)])
    db.session.commit()
    page = scoped.get("/organizer/units").get_data(as_text=True)
    assert "Cuộc thi của huyện" in page  # the level above's contests (whole tree, or another district) are not
    assert "Cuộc thi toàn tỉnh" not in page and "Cuộc thi huyện bên" not in page
    assert scoped.get("/organizer/units", query_string={"contest": theirs.id}).status_code == 200
    assert "Cuộc thi huyện bên" not in scoped.get("/organizer/units",
                                                  query_string={"contest": theirs.id}).get_data(as_text=True)


def test_unscoped_organizer_still_sees_and_exports_everything(organizer_client, people):
    page = organizer_client.get("/organizer/units").get_data(as_text=True)
    assert set(re.findall(r'<span class="cell unit-code">([^<]+)</span>', page)) == {row[0] for row in TREE}
    rows = organizer_client.get("/organizer/units/export.csv").get_data(as_text=True).splitlines()
    assert len(rows) == len(TREE) + 1
    listed = text(organizer_client.get("/organizer/participants"))
    assert f"{len(people)} thí sinh" in listed  # hidden ones and the one without a unit too


def test_units_outside_are_refused_and_the_own_top_unit_belongs_to_the_level_above(scoped, units):
    before = tree_state()
    assert scoped.get(f"/organizer/units/{units['H02'].id}").status_code == 403
    assert scoped.post(f"/organizer/units/{units['X03'].id}/edit",
                       data={"name": "Đổi", "member_count": 1}).status_code == 403
    top = scoped.get(f"/organizer/units/{units['H01'].id}")
    assert top.status_code == 200 and "do Ban Tổ chức cấp trên quản lý" in text(top)
    for action, data in (("edit", {"name": "Huyện Đổi Tên", "member_count": 1}), ("move", {"parent_code": "X01"}),
                         ("merge", {"target_code": "X01"})):
        refused = scoped.post(f"/organizer/units/{units['H01'].id}/{action}", data=data)
        assert refused.status_code == 422, action
        assert "đơn vị cao nhất trong phạm vi bạn phụ trách" in text(refused), action
    assert tree_state() == before


def test_adding_moving_and_merging_stay_inside_the_subtree(scoped, units):
    before = tree_state()
    outside = scoped.post("/organizer/units/add", data={"code": "N1", "name": "Mới", "parent_code": "H02",
                                                        "member_count": 1})
    assert outside.status_code == 422
    assert "“H02” nằm ngoài phạm vi bạn phụ trách" in errors_of(outside.get_data(as_text=True), "parent_code")
    root = scoped.post("/organizer/units/add", data={"code": "N1", "name": "Mới", "parent_code": "",
                                                     "member_count": 1})
    assert root.status_code == 422 and "dưới “H01”" in errors_of(root.get_data(as_text=True), "parent_code")
    moved_out = scoped.post(f"/organizer/units/{units['X02'].id}/move", data={"parent_code": "H02"})
    assert moved_out.status_code == 422
    assert "nằm ngoài phạm vi" in errors_of(moved_out.get_data(as_text=True), "parent_code")
    merged_out = scoped.post(f"/organizer/units/{units['X02'].id}/merge", data={"target_code": "X03"})
    assert merged_out.status_code == 422
    assert "“X03” nằm ngoài phạm vi" in errors_of(merged_out.get_data(as_text=True), "target_code")
    into_top = scoped.post(f"/organizer/units/{units['X02'].id}/merge", data={"target_code": "H01"})
    assert into_top.status_code == 422
    assert "đơn vị cao nhất" in errors_of(into_top.get_data(as_text=True), "target_code")
    assert tree_state() == before
    # inside, each works
    assert scoped.post("/organizer/units/add", data={"code": "N1", "name": "Chi bộ Mới", "parent_code": "X02",
                                                     "member_count": 5}).status_code == 302
    assert scoped.post(f"/organizer/units/{units['X02'].id}/move", data={"parent_code": "X01"}).status_code == 302
    assert scoped.post(f"/organizer/units/{units['C01'].id}/merge", data={"target_code": "N1"}).status_code == 302
    assert subtree_codes("H01") == {"H01", "X01", "X02", "N1"}
    assert subtree_codes("H02") == {"H02", "X03"}


def test_an_import_with_rows_outside_is_refused_row_by_row_and_nothing_saved(scoped, units):
    before = tree_state()
    body = ("code,name,parent_code,member_count\n"
            "N1,Chi bộ Mới,X01,10\n"          # line 2: fine
            "X03,Xã Cẩm Thạch,H02,150\n"      # line 3: a unit outside
            "N2,Chi bộ Lạ,H02,5\n"            # line 4: a parent outside
            "N3,Gốc Mới,,5\n"                 # line 5: a root
            "H01,Huyện Đổi Tên,T01,900\n"     # line 6: the own top unit changed
            "N4,Chi bộ Con,N1,3\n")           # line 7: under a row of the file: fine
    refused = upload_units(scoped, body)
    page = text(refused)
    assert refused.status_code == 422
    assert "Dòng 3: đơn vị “X03” nằm ngoài phạm vi" in page
    assert "Dòng 4: đơn vị cấp trên “H02” của “N2” nằm ngoài phạm vi" in page
    assert "Dòng 5: đơn vị “N3” không có mã cấp trên" in page
    assert "Dòng 6: tệp thay đổi đơn vị “H01”" in page
    assert "Dòng 2" not in page and "Dòng 7" not in page
    assert tree_state() == before


def test_the_subtree_exported_imports_again_and_a_good_file_is_confirmed(scoped, units):
    exported = scoped.get("/organizer/units/export.csv").get_data(as_text=True).lstrip("\ufeff")
    again = upload_units(scoped, exported)
    assert again.status_code == 200 and "Không có gì cần xác nhận" in text(again)
    preview = upload_units(scoped, exported + "N1,Chi bộ Mới,X02,12\r\n")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Xác nhận nhập" in page
    fields = dict(re.findall(r'name="(token|filename)" type="hidden" value="([^"]*)"', page)
                  or [(n, v) for v, n in re.findall(r'value="([^"]*)"[^>]*name="(token|filename)"', page)])
    assert scoped.post("/organizer/units/confirm", data=fields).status_code == 302
    assert subtree_codes("H01") == INSIDE | {"N1"}


# --- the participants console ---------------------------------------------------------------------------------

def test_scoped_list_counts_and_search_are_exactly_the_subtree(app, scoped, people, units):
    expected = {user.full_name for key, user in people.items() if key.split("-")[0] in INSIDE}
    listed = text(scoped.get("/organizer/participants"))
    assert f"{len(expected)} thí sinh" in listed
    app.config["QUIZAPP_PAGE_SIZE"] = 100
    page = scoped.get("/organizer/participants").get_data(as_text=True)
    assert set(re.findall(r">(Người [^<]+)</a>", page)) == expected
    assert "Người Không Đơn Vị" not in page
    # search by a name, a phone and a unit from outside: nothing
    for query in ("Người X03 số 0", people["H02-1"].phone, "Cẩm Thạch", "DN"):
        assert "0 thí sinh" in text(scoped.get("/organizer/participants", query_string={"q": query})), query
    refused = scoped.get("/organizer/participants", query_string={"unit": "H02"})
    assert refused.status_code == 400 and "ngoài phạm vi bạn phụ trách" in text(refused)
    inside = text(scoped.get("/organizer/participants", query_string={"unit": "X01"}))
    assert "4 thí sinh" in inside  # X01 and C01, two each
    # the service itself, for the same scope
    statement = search_participants(ParticipantFilter(), Scope(units["H01"].id))
    assert db.session.scalar(select(func.count()).select_from(statement.subquery())) == len(expected)


def test_profile_edits_keep_people_inside_and_name_no_outside_holder(scoped, people):
    person = people["X01-0"]
    data = {"full_name": person.full_name, "phone": person.phone, "email": "", "unit_code": "H02",
            "category": "", "birth_date": "", "id_number": ""}
    moved_out = scoped.post(f"/organizer/participants/{person.id}/profile", data=data)
    assert moved_out.status_code == 400
    assert "ngoài phạm vi bạn phụ trách" in errors_of(moved_out.get_data(as_text=True), "unit_code")
    taken = scoped.post(f"/organizer/participants/{person.id}/profile",
                        data={**data, "unit_code": "X02", "phone": people["H02-0"].phone})
    page = taken.get_data(as_text=True)
    assert taken.status_code == 400 and "Số điện thoại này đã được đăng ký" in page
    assert people["H02-0"].full_name not in page
    db.session.expire_all()
    assert db.session.get(User, person.id).unit_id == people["X01-0"].unit_id
    assert scoped.post(f"/organizer/participants/{person.id}/profile",
                       data={**data, "unit_code": "X02"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).unit_id == people["X02-0"].unit_id


def test_actions_on_people_outside_are_refused_and_change_nothing(scoped, people, units):
    outside = people["H02-0"]
    old_hash = outside.password_hash
    assert scoped.get(f"/organizer/participants/{outside.id}").status_code == 403
    assert scoped.get(f"/organizer/participants/{people['none'].id}").status_code == 403
    assert scoped.post(f"/organizer/participants/{outside.id}/password",
                       data={"password": "mat-khau-moi-1"}).status_code == 403
    assert scoped.post(f"/organizer/participants/{outside.id}/hide", data={"hide-reason": "thử"}).status_code == 403
    db.session.expire_all()
    outside = db.session.get(User, outside.id)
    assert outside.password_hash == old_hash and not outside.hidden
    with pytest.raises(ScopeError):
        reset_password(outside, "mat-khau-moi-1", actor=outside, now=utcnow(), scope=Scope(units["H01"].id))


def test_extra_time_only_in_rounds_of_contests_in_scope(scoped, people, units):
    now = utcnow()
    ours = Contest(title="Cuộc thi của huyện", rules="")
    whole = Contest(title="Cuộc thi toàn tỉnh", rules="")
    rounds = {}
    for contest in (ours, whole):
        rounds[contest.title] = Round(contest=contest, position=1, name="Tuần 1", opens_at=now - timedelta(days=1),
                                      closes_at=now + timedelta(days=1), question_count=1, time_limit_seconds=600)
    db.session.add_all([ours, whole, *rounds.values()])
    db.session.flush()
    db.session.add(ContestAudienceUnit(contest_id=ours.id, unit_id=units["H01"].id, position=1))
    db.session.commit()
    person = people["X02-0"]
    for round_ in rounds.values():
        db.session.add(Attempt(round_id=round_.id, user_id=person.id, number=1, started_at=now,
                               deadline_at=now + timedelta(seconds=600), question_count=1,
                               status=AttemptStatus.IN_PROGRESS))
        round_.name = f"Đợt của {round_.contest.title}"
    db.session.commit()
    page = scoped.get(f"/organizer/participants/{person.id}").get_data(as_text=True)
    assert "Cuộc thi của huyện – Đợt của Cuộc thi của huyện" in page  # offered for extra time, and its attempt
    assert page.count("Đợt của Cuộc thi của huyện") == 2
    assert "Cuộc thi toàn tỉnh" not in page  # neither offered nor listed: the level above's
    refused = scoped.post(f"/organizer/participants/{person.id}/extension",
                          data={"round_id": rounds["Cuộc thi toàn tỉnh"].id, "minutes": 5, "reason": "thử"})
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(TimeExtension)) == 0
    granted = scoped.post(f"/organizer/participants/{person.id}/extension",
                          data={"round_id": rounds["Cuộc thi của huyện"].id, "minutes": 5, "reason": "thử"})
    assert granted.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(TimeExtension)) == 1


def test_merging_with_an_account_outside_is_refused_naming_which(scoped, people):
    keep, outside = people["X01-0"], people["H02-0"]
    preview = scoped.post(f"/organizer/participants/{keep.id}/merge", data={"other": outside.phone})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 400 and f"Tài khoản cần gộp (#{outside.id})" in text(preview)
    assert outside.full_name not in page
    confirm = scoped.post("/organizer/participants/merge", data={"keep_id": keep.id, "merge_id": outside.id})
    assert confirm.status_code == 403 and f"Tài khoản cần gộp (#{outside.id})" in text(confirm)
    backwards = scoped.post("/organizer/participants/merge", data={"keep_id": outside.id, "merge_id": keep.id})
    assert backwards.status_code == 403 and f"Tài khoản giữ lại (#{outside.id})" in text(backwards)
    assert outside.full_name not in backwards.get_data(as_text=True)
    db.session.expire_all()
    assert all(db.session.get(User, user.id).merged_into_id is None for user in (keep, outside))
    inside = scoped.post(f"/organizer/participants/{keep.id}/merge", data={"other": people["X02-0"].phone})
    assert inside.status_code == 200 and "Xác nhận gộp tài khoản" in inside.get_data(as_text=True)


def test_a_participant_import_with_units_outside_is_refused_naming_rows(scoped, people):
    before = db.session.scalar(select(func.count()).select_from(User))
    body = ("Họ và tên,Số điện thoại,Mã đơn vị\n"
            "Nguyễn Văn Mới,0987000001,X01\n"
            "Trần Thị Ngoài,0987000002,H02\n"
            "Lê Văn Gốc,0987000003,DN\n"
            f"Phạm Văn Trùng,{people['H02-1'].phone},C01\n")
    response = scoped.post("/organizer/participants/import",
                           data={"file": (io.BytesIO(body.encode()), "people.csv")},
                           content_type="multipart/form-data")
    page = text(response)
    assert response.status_code == 400
    assert "Dòng 3, cột «Mã đơn vị»: đơn vị mã «H02» nằm ngoài phạm vi bạn phụ trách" in page
    assert "Dòng 4, cột «Mã đơn vị»: đơn vị mã «DN» nằm ngoài phạm vi" in page
    assert "Dòng 5" in page and "thuộc đơn vị ngoài phạm vi bạn phụ trách" in page
    assert people["H02-1"].full_name not in page and "Dòng 2" not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == before


# --- erasure requests -----------------------------------------------------------------------------------------

def test_erasure_requests_listed_and_handled_only_inside(scoped, people):
    now = utcnow()
    for key in ("C01-0", "H02-0", "none"):
        db.session.add(ErasureRequest(user_id=people[key].id, reason=f"Lý do {key}", requested_at=now,
                                      status=ErasureStatus.PENDING))
    db.session.commit()
    page = scoped.get("/organizer/erasure-requests").get_data(as_text=True)
    assert people["C01-0"].full_name in page
    assert people["H02-0"].full_name not in page and "Người Không Đơn Vị" not in page
    outside = db.session.scalar(select(ErasureRequest).where(ErasureRequest.user_id == people["H02-0"].id))
    assert scoped.post(f"/organizer/erasure-requests/{outside.id}/refuse",
                       data={"answer": "không"}).status_code == 403
    assert scoped.post(f"/organizer/erasure-requests/{outside.id}/erase").status_code == 403
    db.session.expire_all()
    assert db.session.get(ErasureRequest, outside.id).status is ErasureStatus.PENDING


def test_rounds_of_the_level_above_keeping_an_erasure_waiting_are_counted_not_named(scoped, people, units):
    now = utcnow()
    whole = Contest(title="Cuộc thi toàn tỉnh", rules="")
    round_ = Round(contest=whole, position=1, name="Đợt toàn tỉnh", opens_at=now - timedelta(days=1),
                   closes_at=now + timedelta(days=1), question_count=1, time_limit_seconds=600)
    person = people["C01-0"]
    db.session.add_all([whole, round_])
    db.session.flush()
    db.session.add_all([Attempt(round_id=round_.id, user_id=person.id, number=1, started_at=now,
                                deadline_at=now + timedelta(seconds=600), question_count=1,
                                status=AttemptStatus.IN_PROGRESS),
                        ErasureRequest(user_id=person.id, reason="Lý do", requested_at=now,
                                       status=ErasureStatus.PENDING)])
    db.session.commit()
    page = text(scoped.get("/organizer/erasure-requests"))
    assert "Chưa thể xóa" in page and "1 đợt thi của cuộc thi do cấp trên tổ chức" in page
    assert "toàn tỉnh" not in page and "Xóa dữ liệu" not in page.replace("Yêu cầu xóa dữ liệu", "")


def test_an_unscoped_organizer_sees_every_erasure_request(organizer_client, people):
    db.session.add(ErasureRequest(user_id=people["H02-0"].id, reason="Lý do", requested_at=utcnow(),
                                  status=ErasureStatus.PENDING))
    db.session.commit()
    assert people["H02-0"].full_name in organizer_client.get("/organizer/erasure-requests").get_data(as_text=True)


def test_a_scope_lower_down_sees_only_its_own_branch(units, people, make_user, client):
    user = make_user(Role.ORGANIZER, scope_unit_id=units["X01"].id)
    assert client.post("/login", data={"login": user.email, "password": TEST_PASSWORD}).status_code == 302
    page = client.get("/organizer/units").get_data(as_text=True)
    assert set(re.findall(r'<span class="cell unit-code">([^<]+)</span>', page)) == subtree_codes("X01")
    assert "4 thí sinh" in text(client.get("/organizer/participants"))


def test_every_figure_of_the_scoped_tree_matches_an_independent_count(people, units):
    from quizapp.services.units import tree_figures

    figures = tree_figures(None, Scope(units["H01"].id))
    assert [row.unit.code for row in figures] == ["H01", "X01", "C01", "X02"]  # depth first, by code
    for row in figures:
        below = subtree_codes(row.unit.code)
        expected = sum(1 for key, user in people.items() if key.split("-")[0] in below and not user.hidden)
        assert row.registered == expected, row.unit.code
