"""Question banks for a scoped organizer (issue "Scopes"): they read and change their subtree's banks, read the shared
ones, and never see another unit's private bank, in the list, the bank pages, the near-duplicates or an upload's
check; their new banks belong to their unit. Unscoped organizers see and change everything as before.

The tree (tests.services.test_standings.make_units): HN › HN-BD › HN-BD-CB1; HN › HN-HK; DN.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, BankImport, Question, Role
from quizapp.models.types import utcnow
from quizapp.services.banks import BankNotWritable, import_bank, list_banks
from quizapp.services.near_duplicates import check_upload, near_duplicates
from quizapp.services.scopes import EVERYTHING, Scope
from tests.conftest import TEST_PASSWORD
from tests.services.test_standings import make_units
from tests.views.test_bank_pages import HEADER, confirm_token, import_csv, upload
from tests.views.test_near_duplicates_page import BIOGRAPHY, REVIEW, pair_sections

SHARED, BA_DINH, CHI_BO, HOAN_KIEM = "Tiểu sử (dùng chung)", "Ôn tập Ba Đình", "Chi bộ số 1", "Ôn tập Hoàn Kiếm"
#: the sub-unit's bank nearly repeats Ba Đình's third question (a pair a Ba Đình organizer may dismiss)
CHI_BO_CSV = HEADER + "1,Tác phẩm Đường Kách mệnh xuất bản năm nào?,1927,1925,1930,1941,A,Ôn tập,,,Toàn tập\n"
#: Hoàn Kiếm's private bank nearly repeats it too, and holds a question nobody outside Hoàn Kiếm may see
HOAN_KIEM_CSV = HEADER + (
    "1,Đường Kách mệnh được xuất bản vào năm nào?,1927,1925,1930,1941,A,Ôn tập,,,Toàn tập\n"
    "2,Câu hỏi riêng của phường Hoàn Kiếm về Hồ Gươm?,Hồ Gươm,Hồ Tây,Hồ Trúc Bạch,Hồ Thiền Quang,A,Riêng,,,Sổ tay\n"
)
SECRET = "Câu hỏi riêng của phường Hoàn Kiếm về Hồ Gươm?"


def add_bank(name: str, content: str, scope: Scope = EVERYTHING) -> Bank:
    result = import_bank(bank_name=name, filename="f.csv", data=content.encode(), actor=None, now=utcnow(),
                         limits=ImportLimits(), scope=scope)
    db.session.commit()
    return result.bank


def question(text: str) -> Question:
    return db.session.scalar(select(Question).where(Question.text == text))


@pytest.fixture
def world(app):
    units = make_units()
    banks = {
        SHARED: add_bank(SHARED, BIOGRAPHY),
        BA_DINH: add_bank(BA_DINH, REVIEW, Scope(units["HN-BD"].id)),
        CHI_BO: add_bank(CHI_BO, CHI_BO_CSV, Scope(units["HN-BD-CB1"].id)),
        HOAN_KIEM: add_bank(HOAN_KIEM, HOAN_KIEM_CSV, Scope(units["HN-HK"].id)),
    }
    return {"units": units, "banks": banks}


@pytest.fixture
def ba_dinh(world, make_user, login):
    """An organizer of Phường Ba Đình, signed in."""
    return login(make_user(Role.ORGANIZER, scope_unit_id=world["units"]["HN-BD"].id))


def bank_rows(page: str) -> dict[str, str]:
    """The bank list's rows by bank name."""
    rows = re.findall(r'<tr class="bank-row">(.*?)</tr>', page, flags=re.S)
    return {re.search(r'<a href="[^"]+">([^<]+)</a>', row).group(1): row for row in rows}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def staged_files(app) -> list[Path]:
    return list((Path(app.instance_path) / "uploads").glob("*"))


# --- what is listed -------------------------------------------------------------------------------------------

def test_a_scoped_organizer_lists_their_subtrees_banks_and_the_shared_ones_never_a_siblings(ba_dinh):
    page = ba_dinh.get("/organizer/banks").get_data(as_text=True)
    rows = bank_rows(page)
    assert set(rows) == {SHARED, BA_DINH, CHI_BO}
    assert HOAN_KIEM not in page
    assert "Dùng chung" in rows[SHARED] and "chỉ xem" in rows[SHARED]
    assert "Phường Ba Đình" in rows[BA_DINH] and "chỉ xem" not in rows[BA_DINH]
    assert "Chi bộ Khu dân cư số 1" in rows[CHI_BO] and "chỉ xem" not in rows[CHI_BO]
    # counts are each bank's own: 3 active questions in the shared bank, 3 in Ba Đình's, 1 in the cell's
    assert [re.findall(r'<td class="num">(\d+)</td>', rows[name]) for name in (SHARED, BA_DINH, CHI_BO)] == [
        ["3", "0"], ["3", "0"], ["1", "0"]]
    # the upload form offers only the banks they may add to
    datalist = re.search(r'<datalist id="bank-names">(.*?)</datalist>', page, flags=re.S).group(1)
    assert BA_DINH in datalist and CHI_BO in datalist and SHARED not in datalist


def test_the_province_organizer_changes_every_district_bank_and_reads_the_shared_one(world, make_user, login):
    client = login(make_user(Role.ORGANIZER, scope_unit_id=world["units"]["HN"].id))
    rows = bank_rows(client.get("/organizer/banks").get_data(as_text=True))
    assert set(rows) == {SHARED, BA_DINH, CHI_BO, HOAN_KIEM}
    assert [name for name, row in rows.items() if "chỉ xem" in row] == [SHARED]


def test_an_organizer_of_another_root_sees_only_the_shared_bank(world, make_user, login):
    client = login(make_user(Role.ORGANIZER, scope_unit_id=world["units"]["DN"].id))
    assert set(bank_rows(client.get("/organizer/banks").get_data(as_text=True))) == {SHARED}


def test_unscoped_staff_see_every_bank_with_the_unit_that_owns_it(world, organizer_client):
    rows = bank_rows(organizer_client.get("/organizer/banks").get_data(as_text=True))
    assert set(rows) == {SHARED, BA_DINH, CHI_BO, HOAN_KIEM}
    assert "Dùng chung" in rows[SHARED] and "Phường Hoàn Kiếm" in rows[HOAN_KIEM]
    assert not any("chỉ xem" in row for row in rows.values())
    page = organizer_client.get(f"/organizer/banks/{world['banks'][HOAN_KIEM].id}").get_data(as_text=True)
    assert "Đơn vị sở hữu: Phường Hoàn Kiếm" in page and "/edit" in page and "Ngừng dùng" in page


def test_the_listing_service_applies_the_scope(world):
    units = world["units"]
    assert {row.bank.name for row in list_banks(Scope(units["HN-HK"].id))} == {HOAN_KIEM, SHARED}
    assert {(row.bank.name, row.writable) for row in list_banks(Scope(units["HN-BD-CB1"].id))} == {
        (CHI_BO, True), (SHARED, False)}


# --- one bank ---------------------------------------------------------------------------------------------------

def test_a_siblings_bank_its_export_and_its_questions_are_refused(world, ba_dinh):
    bank = world["banks"][HOAN_KIEM]
    secret = question(SECRET)
    for url in (f"/organizer/banks/{bank.id}", f"/organizer/banks/{bank.id}/export.xlsx",
                f"/organizer/questions/{secret.id}/edit"):
        response = ba_dinh.get(url)
        assert response.status_code == 403, url
        assert "nằm ngoài phạm vi đơn vị bạn phụ trách" in response.get_data(as_text=True)
        assert SECRET not in response.get_data(as_text=True)


def test_a_shared_bank_is_read_and_downloaded_but_offers_no_change(world, ba_dinh):
    bank = world["banks"][SHARED]
    page = ba_dinh.get(f"/organizer/banks/{bank.id}").get_data(as_text=True)
    assert "Chủ tịch Hồ Chí Minh sinh năm nào?" in page
    assert "Bạn chỉ được xem, tải về và rút câu hỏi từ ngân hàng này" in page
    assert "/edit" not in page and "/retire" not in page and "Ngừng dùng" not in page
    export = ba_dinh.get(f"/organizer/banks/{bank.id}/export.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    own = ba_dinh.get(f"/organizer/banks/{world['banks'][BA_DINH].id}").get_data(as_text=True)
    assert "/edit" in own and "Ngừng dùng" in own and "Bạn chỉ được xem" not in own


def test_a_shared_question_cannot_be_edited_retired_or_restored_with_a_clear_403(world, ba_dinh):
    shared = question("Chủ tịch Hồ Chí Minh sinh năm nào?")
    shown = ba_dinh.get(f"/organizer/questions/{shared.id}/edit")  # shown, with why it cannot be changed
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "dùng chung cho mọi cấp" in page and shared.text in page
    assert 'name="text"' not in page and ">Lưu<" not in page and "/retire" not in page
    form = {"text": "Đã sửa?", "option_a": "1", "option_b": "2", "answer": "A"}
    for response in (ba_dinh.post(f"/organizer/questions/{shared.id}/edit", data=form),
                     ba_dinh.post(f"/organizer/questions/{shared.id}/retire"),
                     ba_dinh.post(f"/organizer/questions/{shared.id}/restore")):
        assert response.status_code == 403
        assert "dùng chung cho mọi cấp" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Question, shared.id)
    assert kept.text == "Chủ tịch Hồ Chí Minh sinh năm nào?" and kept.retired_at is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.like("question.%"))) == 0


def test_an_own_question_is_retired_and_restored(world, ba_dinh):
    own = question("Bác Hồ sinh vào năm nào?")
    assert ba_dinh.post(f"/organizer/questions/{own.id}/retire").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, own.id).retired_at is not None
    assert ba_dinh.post(f"/organizer/questions/{own.id}/restore").status_code == 302
    assert ba_dinh.get(f"/organizer/questions/{own.id}/edit").status_code == 200


def test_the_services_refuse_a_change_to_a_bank_outside_the_scope(world):
    from quizapp.services.banks import retire_question
    from quizapp.services.scopes import ScopeError

    scope = Scope(world["units"]["HN-BD"].id)
    with pytest.raises(ScopeError) as shared:
        retire_question(question("Chủ tịch Hồ Chí Minh sinh năm nào?"), actor=None, now=utcnow(), scope=scope)
    with pytest.raises(ScopeError) as sibling:
        retire_question(question(SECRET), actor=None, now=utcnow(), scope=scope)
    assert (shared.value.code, sibling.value.code) == ("read_only", "outside_scope")
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.retired_at.is_not(None))) == 0


# --- upload -----------------------------------------------------------------------------------------------------

NEW = HEADER + "1,Bác Hồ viết Di chúc vào năm nào?,1965,1960,1969,1954,A,Tác phẩm,,,Di chúc\n"


def test_a_scoped_organizers_new_bank_belongs_to_their_unit(world, ba_dinh):
    preview = upload(ba_dinh, NEW, bank="Di chúc Ba Đình").get_data(as_text=True)
    assert "Ngân hàng sẽ thuộc đơn vị “Phường Ba Đình”" in preview
    assert import_csv(ba_dinh, NEW, bank="Di chúc Ba Đình").status_code == 302
    bank = db.session.scalar(select(Bank).where(Bank.name == "Di chúc Ba Đình"))
    assert bank.scope_unit_id == world["units"]["HN-BD"].id
    page = ba_dinh.get(f"/organizer/banks/{bank.id}").get_data(as_text=True)
    assert "Đơn vị sở hữu: Phường Ba Đình" in page


def test_a_scoped_organizer_adds_to_a_bank_of_their_subtree(world, ba_dinh):
    assert import_csv(ba_dinh, NEW, bank=CHI_BO).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Question)
                             .where(Question.bank_id == world["banks"][CHI_BO].id)) == 2


def test_unscoped_uploads_still_create_shared_banks(world, organizer_client):
    preview = upload(organizer_client, NEW, bank="Di chúc").get_data(as_text=True)
    assert "Ngân hàng sẽ dùng chung" in preview
    assert import_csv(organizer_client, NEW, bank="Di chúc").status_code == 302
    assert db.session.scalar(select(Bank.scope_unit_id).where(Bank.name == "Di chúc")) is None


@pytest.mark.parametrize(("name", "said"), [
    (SHARED, "là của một ngân hàng dùng chung"),
    (HOAN_KIEM, "đã được một đơn vị khác dùng cho ngân hàng câu hỏi của họ"),
    (f"  {SHARED}  ", "là của một ngân hàng dùng chung"),  # the name is cleaned as the import cleans it
])
def test_the_name_of_a_bank_they_cannot_change_is_refused_beside_the_field_and_nothing_is_kept(
        world, ba_dinh, app, name, said):
    questions, imports = count(Question), count(BankImport)
    response = upload(ba_dinh, NEW, bank=name)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    errors = re.search(r'<ul class="errors" id="bank-errors">(.*?)</ul>', page, flags=re.S).group(1)
    assert said in errors and "hãy đặt một tên khác" in errors
    assert "Di chúc vào năm nào" not in page and SECRET not in page
    assert (count(Question), count(BankImport)) == (questions, imports)
    assert staged_files(app) == []


def test_a_confirmation_naming_a_bank_they_cannot_change_saves_nothing(world, ba_dinh, app):
    preview = upload(ba_dinh, NEW, bank="Tên mới").get_data(as_text=True)
    fields = {**confirm_token(preview), "bank": HOAN_KIEM}  # altered, or taken by Hoàn Kiếm meanwhile
    questions = count(Question)
    response = ba_dinh.post("/organizer/banks/confirm", data=fields)
    assert response.status_code == 409
    assert "đã được một đơn vị khác dùng" in response.get_data(as_text=True)
    assert count(Question) == questions and count(BankImport) == 4
    assert staged_files(app) == []


def test_the_import_service_refuses_a_bank_the_scope_may_not_change(world):
    with pytest.raises(BankNotWritable) as refused:
        import_bank(bank_name=HOAN_KIEM, filename="f.csv", data=NEW.encode(), actor=None, now=utcnow(),
                    limits=ImportLimits(), scope=Scope(world["units"]["HN-BD"].id))
    assert refused.value.shared is False and refused.value.name == HOAN_KIEM
    db.session.rollback()
    assert count(Question) == 3 + 3 + 1 + 2


# --- near-duplicates ------------------------------------------------------------------------------------------

def test_near_duplicates_are_looked_for_only_among_readable_banks(world, ba_dinh, app, make_user):
    everything = {(item.first.text, item.second.text) for item in near_duplicates()}
    hoan_kiem = "Đường Kách mệnh được xuất bản vào năm nào?"
    assert any(hoan_kiem in pair for pair in everything)  # the sibling's question does repeat Ba Đình's
    page = ba_dinh.get("/organizer/near-duplicates").get_data(as_text=True)
    assert hoan_kiem not in page and HOAN_KIEM not in page and SECRET not in page
    assert "Chỉ gồm các ngân hàng bạn được xem" in page
    sections = pair_sections(page)
    assert len(sections) == 3  # two with the shared bank, one with the cell's bank
    with_shared = [s for s in sections if SHARED in s]
    own = [s for s in sections if SHARED not in s]
    assert len(with_shared) == 2 and len(own) == 1
    for section in with_shared:  # the shared side offers no change, and the pair cannot be dismissed
        assert "Không phải trùng lặp" not in section and section.count("/retire") == 1
    assert "Không phải trùng lặp" in own[0] and own[0].count("/retire") == 2
    unscoped = app.test_client()  # the same banks seen unscoped: every pair, each one dismissable
    organizer = make_user(Role.ORGANIZER)
    assert unscoped.post("/login", data={"login": organizer.email, "password": TEST_PASSWORD}).status_code == 302
    sections = pair_sections(unscoped.get("/organizer/near-duplicates").get_data(as_text=True))
    assert len(sections) == len(everything) == 5
    assert all("Không phải trùng lặp" in section for section in sections)


def test_a_pair_with_a_shared_or_a_siblings_question_cannot_be_dismissed(world, ba_dinh):
    own = question("Bác Hồ sinh vào năm nào?")
    for other, said in ((question("Chủ tịch Hồ Chí Minh sinh năm nào?"), "dùng chung cho mọi cấp"),
                        (question(SECRET), "nằm ngoài phạm vi")):
        response = ba_dinh.post("/organizer/near-duplicates/dismiss", data={"first": own.id, "second": other.id})
        assert response.status_code == 403 and said in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "question.not_duplicate")) == 0
    cell = question("Tác phẩm Đường Kách mệnh xuất bản năm nào?")
    third = question("Tác phẩm “Đường Kách mệnh” được xuất bản năm nào?")
    assert ba_dinh.post("/organizer/near-duplicates/dismiss",
                        data={"first": cell.id, "second": third.id}).status_code == 302


def test_an_uploads_check_does_not_reveal_another_units_questions(world, ba_dinh):
    repeats = HEADER + (
        f"1,{SECRET},Hồ Gươm,Hồ Tây,Hồ Trúc Bạch,Hồ Thiền Quang,A,,,,\n"
        "2,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,,,,\n"
    )
    page = upload(ba_dinh, repeats, bank="Ôn tập mới").get_data(as_text=True)
    assert "1 câu hỏi đã có y hệt trong ngân hàng khác" in page
    assert SHARED in page and HOAN_KIEM not in page
    shared = question("Chủ tịch Hồ Chí Minh sinh năm nào?")
    assert f"câu #{shared.id}" in page and f"/organizer/questions/{shared.id}/edit" not in page  # read only
    unscoped = check_upload([], None)
    assert unscoped.identical == [] and unscoped.near == []
