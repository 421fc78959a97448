"""The organizer's unit tree pages: import with a preview to confirm (all or nothing), browse and search the tree,
add, edit, move and merge units (each refusal beside its field, nothing saved), export that imports unchanged."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.messages.audit import describe_details
from quizapp.messages.judging import audit_action_label
from quizapp.models import AuditEntry, Role, Unit, UnitAncestor
from quizapp.models.contests import ContestAudienceUnit
from tests.services.test_standings import make_contest, make_units, person

GOOD = "Mã,Tên đơn vị,Mã cấp trên,Số thành viên\nHN,Hà Nội,,1000\nBD,Ba Đình,HN,200\n"


def upload(client, text: str | bytes, name="units.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/organizer/units", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def confirm_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(token|filename)" type="hidden" value="([^"]*)"', page)
                or [(n, v) for v, n in re.findall(r'value="([^"]*)"[^>]*name="(token|filename)"', page)])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot():
    return (sorted(db.session.execute(select(Unit.code, Unit.name, Unit.parent_id, Unit.depth,
                                             Unit.member_count)).tuples()),
            count(UnitAncestor), count(AuditEntry))


def errors_of(page: str, field_id: str) -> str:
    found = re.search(rf'<ul class="errors" id="{field_id}-errors">(.*?)</ul>', page, flags=re.S)
    return found.group(1) if found else ""


def test_an_upload_is_previewed_then_imported_on_confirmation(organizer_client):
    response = upload(organizer_client, GOOD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Xác nhận nhập" in page and "Ba Đình" in page
    assert count(Unit) == 0  # nothing yet
    fields = confirm_fields(page)
    assert set(fields) == {"token", "filename"}
    done = organizer_client.post("/organizer/units/confirm", data=fields)
    assert done.status_code == 302
    page = organizer_client.get("/organizer/units").get_data(as_text=True)
    assert "2 đơn vị mới" in page and "Ba Đình" in page
    assert count(Unit) == 2
    # the same file again: nothing to add or change, nothing to confirm
    again = upload(organizer_client, GOOD).get_data(as_text=True)
    assert "Không có gì cần xác nhận" in again and "Xác nhận nhập" not in again


def test_the_preview_names_each_change(organizer_client):
    make_units()
    page = upload(organizer_client, "code,name,parent_code,member_count\nHN-HK,Phường Hoàn Kiếm,DN,55\n"
                  ).get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Mã cấp trên: «HN» → «DN»" in text and "Số thành viên: «50» → «55»" in text


def test_bad_tree_lists_problems_and_saves_nothing(organizer_client):
    bad = "code,name,parent_code,member_count\nA,Đơn vị A,,10\nB,,A,-5\nC,Đơn vị C,ZZ,1\n"
    response = upload(organizer_client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dòng 3" in page and "Dòng 4" in page
    assert count(Unit) == 0


def test_a_stale_confirmation_imports_nothing(organizer_client):
    response = organizer_client.post("/organizer/units/confirm", data={"token": "0" * 64, "filename": "u.csv"})
    assert response.status_code == 302
    assert "hết hạn" in organizer_client.get("/organizer/units").get_data(as_text=True)
    assert count(Unit) == 0


def test_search_finds_without_accents_and_shows_the_path(organizer_client):
    make_units()
    page = organizer_client.get("/organizer/units?q=ba+dinh").get_data(as_text=True)
    hits = re.search(r'<ol class="unit-hits".*?</ol>', page, flags=re.S).group(0)
    assert "HN-BD — Phường Ba Đình" in hits and "Thành phố Hà Nội › Phường Ba Đình" in hits
    assert "Hoàn Kiếm" not in hits
    assert "Không tìm thấy" in organizer_client.get("/organizer/units?q=zzzz").get_data(as_text=True)


def test_the_tree_is_nested_details_open_on_the_path_asked_for(organizer_client):
    units = make_units()
    page = organizer_client.get(f"/organizer/units?open={units['HN-BD-CB1'].id}").get_data(as_text=True)
    assert page.count("<details") == 2  # HN and HN-BD have children; the cell and HN-HK are leaves
    assert f'id="unit-{units["HN-BD-CB1"].id}" class="unit-asked"' in page


def test_adding_a_unit(organizer_client):
    make_units()
    response = organizer_client.post("/organizer/units/add", data={
        "code": "HN-BD-CB2", "name": "  Chi bộ số 2 ", "parent_code": "HN-BD", "member_count": "12"})
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "HN-BD-CB2"))
    assert (unit.name, unit.depth, unit.member_count) == ("Chi bộ số 2", 3, 12)
    assert count(UnitAncestor) == 9 + 3


@pytest.mark.parametrize(("form", "field", "words"), [
    ({"code": "HN", "name": "Trùng mã", "parent_code": "", "member_count": "1"}, "code", "đã được dùng"),
    ({"code": "", "name": "Không mã", "parent_code": "", "member_count": "1"}, "code", "Hãy nhập mã"),
    ({"code": "X", "name": "Cấp trên lạ", "parent_code": "KHONG", "member_count": "1"}, "parent_code",
     "Không có đơn vị nào mã “KHONG”"),
    ({"code": "X", "name": "=SUM(A1)", "parent_code": "", "member_count": "1"}, "name", "công thức"),
    ({"code": "X", "name": "Âm", "parent_code": "", "member_count": "-3"}, "member_count", "số nguyên từ 0"),
    ({"code": "X", "name": "Chữ", "parent_code": "", "member_count": "nhiều"}, "member_count", "số"),
])
def test_adding_a_bad_unit_shows_the_error_beside_the_field_and_saves_nothing(organizer_client, form, field, words):
    make_units()
    before = snapshot()
    response = organizer_client.post("/organizer/units/add", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert words in errors_of(page, field)
    assert f'value="{form["name"]}"' in page  # what was typed is kept
    assert snapshot() == before


def test_editing_a_unit_and_its_errors(organizer_client):
    units = make_units()
    url = f"/organizer/units/{units['HN-HK'].id}"
    assert organizer_client.get(url).status_code == 200
    before = snapshot()
    bad = organizer_client.post(f"{url}/edit", data={"name": "", "member_count": "10"})
    assert bad.status_code == 422 and "Hãy nhập tên" in errors_of(bad.get_data(as_text=True), "name")
    assert snapshot() == before
    assert organizer_client.post(f"{url}/edit", data={"name": "Phường Hoàn Kiếm", "member_count": "75"}
                                 ).status_code == 302
    assert db.session.get(Unit, units["HN-HK"].id).member_count == 75
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.edit"))
    assert entry.details["changes"] == [{"field": "member_count", "old": 50, "new": 75}]
    with organizer_client.application.test_request_context():  # the audit log says it in words
        assert audit_action_label("unit.edit") == "Sửa đơn vị"
        assert describe_details("unit.edit", entry.details, {}) == ["Đơn vị HN-HK.", "Số thành viên: «50» → «75»"]


def test_moving_a_unit_and_refusing_a_move_under_its_own_descendant(organizer_client):
    units = make_units()
    url = f"/organizer/units/{units['HN'].id}/move"
    before = snapshot()
    bad = organizer_client.post(url, data={"parent_code": "HN-BD-CB1"})
    assert bad.status_code == 422
    assert "là đơn vị cấp dưới" in errors_of(bad.get_data(as_text=True), "parent_code")
    assert snapshot() == before
    moved = organizer_client.post(f"/organizer/units/{units['HN-BD'].id}/move", data={"parent_code": "DN"})
    assert moved.status_code == 302
    assert db.session.get(Unit, units["HN-BD-CB1"].id).depth == 3
    ancestors = set(db.session.scalars(select(UnitAncestor.ancestor_id)
                                       .where(UnitAncestor.descendant_id == units["HN-BD-CB1"].id)))
    assert ancestors == {units["DN"].id, units["HN-BD"].id, units["HN-BD-CB1"].id}


def test_merging_units_and_refusing_one_named_by_an_audience(organizer_client):
    units = make_units()
    contest = make_contest(title="Cuộc thi tìm hiểu 2026")
    db.session.add(ContestAudienceUnit(contest_id=contest.id, unit_id=units["HN-HK"].id, position=1))
    db.session.commit()
    before = snapshot()
    refused = organizer_client.post(f"/organizer/units/{units['HN-HK'].id}/merge", data={"target_code": "HN-BD"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Cuộc thi tìm hiểu 2026" in page and 'role="alert"' in page
    assert snapshot() == before
    blank = organizer_client.post(f"/organizer/units/{units['HN-BD'].id}/merge", data={"target_code": ""})
    assert blank.status_code == 422 and "Hãy nhập mã" in errors_of(blank.get_data(as_text=True), "target_code")
    someone = person("An", units["HN-BD"])
    merged = organizer_client.post(f"/organizer/units/{units['HN-BD'].id}/merge", data={"target_code": "DN"})
    assert merged.status_code == 302 and merged.headers["Location"].endswith(f"/organizer/units/{units['DN'].id}")
    assert db.session.scalar(select(Unit).where(Unit.code == "HN-BD")) is None
    assert db.session.get(Unit, units["HN-BD-CB1"].id).parent_id == units["DN"].id
    assert db.session.get(type(someone), someone.id).unit_id == units["DN"].id


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_export_imports_again_changing_nothing(organizer_client, kind):
    make_units()
    response = organizer_client.get(f"/organizer/units/export.{kind}")
    assert response.status_code == 200 and f".{kind}" in response.headers["Content-Disposition"]
    before = snapshot()
    page = upload(organizer_client, response.data, name=f"tree.{kind}").get_data(as_text=True)
    assert "Không có gì cần xác nhận" in page
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.JUDGE])
def test_participants_and_judges_are_refused(client, make_user, login, role):
    units = make_units()
    login(make_user(role))
    before = snapshot()
    assert client.get("/organizer/units").status_code == 403
    assert client.get("/organizer/units/export.csv").status_code == 403
    assert client.post("/organizer/units/add", data={"code": "X", "name": "X", "member_count": "1"}
                       ).status_code == 403
    assert client.post(f"/organizer/units/{units['HN'].id}/merge", data={"target_code": "DN"}).status_code == 403
    assert snapshot() == before


def test_changes_need_the_csrf_token(app, organizer_client):
    units = make_units()
    app.config["WTF_CSRF_ENABLED"] = True
    before = snapshot()
    response = organizer_client.post(f"/organizer/units/{units['HN-BD'].id}/move", data={"parent_code": "DN"})
    assert response.status_code in (400, 422)
    assert snapshot() == before


def test_units_page_is_for_organizers(client):
    assert client.get("/organizer/units").status_code == 302


def test_a_large_tree_lists_deep_units_only_under_the_units_opened(organizer_client, monkeypatch):
    from quizapp.views.organizer import units as units_view

    units = make_units()
    monkeypatch.setattr(units_view, "WHOLE_TREE_UP_TO", 3)
    monkeypatch.setattr(units_view, "OPEN_ALL_UP_TO", 3)
    page = organizer_client.get("/organizer/units").get_data(as_text=True)
    assert "HN-BD-CB1" not in page and "Mở 1 đơn vị trực thuộc" in page  # HN-BD is closed, a link opens it
    assert "Phường Hoàn Kiếm" in page  # the second level is always listed
    page = organizer_client.get(f"/organizer/units?open={units['HN-BD'].id}").get_data(as_text=True)
    assert "Chi bộ Khu dân cư số 1" in page


def test_the_preview_of_a_large_file_lists_its_first_rows_and_counts_them_all(organizer_client, monkeypatch):
    from quizapp.views.organizer import units as units_view

    monkeypatch.setattr(units_view, "PREVIEW_ROWS", 2)
    rows = "".join(f"U{n},Đơn vị {n},,1\n" for n in range(5))
    page = upload(organizer_client, "code,name,parent_code,member_count\n" + rows).get_data(as_text=True)
    assert "Đơn vị 1<" in page and "Đơn vị 2<" not in page and "… và 3 đơn vị mới khác." in page


@pytest.mark.parametrize(("action", "form", "field", "words"), [
    ("edit", {"name": "Phường Hoàn Kiếm", "member_count": "-1"}, "member_count", "số nguyên từ 0"),
    ("edit", {"name": "Tên\u202eđảo", "member_count": "5"}, "name", "ký tự không nhìn thấy"),
    ("move", {"parent_code": "KHONG-CO"}, "parent_code", "Không có đơn vị nào mã “KHONG-CO”"),
    ("move", {"parent_code": "HN-HK"}, "parent_code", "dưới chính nó"),
    ("merge", {"target_code": "KHONG-CO"}, "target_code", "Không có đơn vị nào mã “KHONG-CO”"),
    ("merge", {"target_code": "HN-HK"}, "target_code", "vào chính nó"),
])
def test_a_refused_change_on_the_unit_page_is_shown_beside_its_field(organizer_client, action, form, field, words):
    units = make_units()
    before = snapshot()
    response = organizer_client.post(f"/organizer/units/{units['HN-HK'].id}/{action}", data=form)
    assert response.status_code == 422
    assert words in errors_of(response.get_data(as_text=True), field)
    assert snapshot() == before


def test_an_unknown_unit_is_not_found(organizer_client):
    assert organizer_client.get("/organizer/units/999999").status_code == 404
    assert organizer_client.post("/organizer/units/999999/merge", data={"target_code": "X"}).status_code == 404
