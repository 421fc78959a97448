"""The announcement in the form of a party or state notice: the letterhead entered once per contest (issuing body,
number, motto, place and date, recipients, signer), the judges' version with what verifies a winner, its .xlsx
(which prints on A4 landscape, fitted to the width, headings repeated), and the form's refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from quizapp.extensions import db
from quizapp.models import AuditEntry, ContestLetterhead, Role
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.services.test_flags import add_entry
from tests.views.test_judge_pages import _closed_scene

LETTERHEAD = {
    "superior_body": "Tỉnh ủy Tỉnh Thử", "issuing_body": "Ban Tuyên giáo và Dân vận", "motto": "party",
    "document_number": "05-TB/BTGDV", "place": "Thử", "signed_on": "2026-02-05",
    "opening": "Căn cứ Kế hoạch số 12-KH/BTGDV về tổ chức cuộc thi;\n\nBan Tổ chức thông báo kết quả như sau:",
    "recipients": "- Thường trực Tỉnh ủy (để b/c);\n- Lưu VP.", "signing_capacity": "TM. Ban Tổ chức",
    "signer_title": "Trưởng ban", "signer_name": "Nguyễn Thị Mẫu",
}


@pytest.fixture
def scene(app):
    scene = _closed_scene(prizes=(("Giải Nhất", 1), ("Giải Nhì", 1)))
    add_entry(scene, "Nguyễn Văn An", correct=4, duration_ms=354_000, unit="D1A", category="Đảng viên")
    add_entry(scene, "Trần Thị Bình", correct=3, duration_ms=100_000, unit="D1")
    add_entry(scene, "Lê Văn Cường", correct=1, duration_ms=150_000, unit="D1")
    an = scene.users["Nguyễn Văn An"]
    an.birth_date, an.id_number = date(1990, 3, 4), "001090012345"
    db.session.commit()
    return scene


@pytest.fixture
def judge(make_user, login):
    return login(make_user(Role.JUDGE))


def _finalize(scene) -> None:
    finalize_round(scene.round, actor=None, now=utcnow())
    db.session.commit()


def test_the_letterhead_is_entered_once_and_printed_in_the_form_of_a_notice(scene, judge):
    url = f"/judge/contests/{scene.contest.id}/letterhead"
    response = judge.post(url, data=LETTERHEAD)
    assert response.status_code == 302
    _finalize(scene)
    for path in (f"/judge/contests/{scene.contest.id}/announcement", f"/contests/{scene.contest.id}/announcement"):
        html = judge.get(path).get_data(as_text=True)
        assert "TỈNH ỦY TỈNH THỬ" in html and "BAN TUYÊN GIÁO VÀ DÂN VẬN" in html
        assert "Số: 05-TB/BTGDV" in html
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" not in html
        assert "Thử, ngày 05 tháng 02 năm 2026" in html
        assert "Căn cứ Kế hoạch số 12-KH/BTGDV về tổ chức cuộc thi;" in html
        assert "Nơi nhận:" in html and "- Thường trực Tỉnh ủy (để b/c);" in html and "- Lưu VP." in html
        assert "TM. BAN TỔ CHỨC" in html and "TRƯỞNG BAN" in html and "Nguyễn Thị Mẫu" in html
    public = judge.get(f"/contests/{scene.contest.id}/announcement").get_data(as_text=True)
    assert "Nguyễn V. A." in public and "Nguyễn Văn An" not in public
    assert scene.users["Nguyễn Văn An"].phone not in public and "001090012345" not in public
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "contest.letterhead")).one()
    assert "issuing_body" in entry.details["fields"]


def test_without_a_letterhead_the_state_form_and_the_finalization_date_are_used(scene, judge):
    _finalize(scene)
    html = judge.get(f"/judge/contests/{scene.contest.id}/announcement").get_data(as_text=True)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "BAN TỔ CHỨC CUỘC THI" in html
    assert "Chưa nhập đủ thông tin văn bản" in html  # no signer yet: the judge is told, not the public
    assert "Ngày " in html


def test_the_form_names_each_problem_and_saves_nothing(scene, judge):
    bad = dict(LETTERHEAD, issuing_body="", signer_name="", motto="kingdom", signed_on="05/02/2026x",
               document_number="x" * 61)
    response = judge.post(f"/judge/contests/{scene.contest.id}/letterhead", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cần ghi cơ quan ban hành." in html and "Cần ghi họ và tên người ký." in html
    assert html.count('class="errors"') >= 4
    assert db.session.get(ContestLetterhead, scene.contest.id) is None


def test_the_judges_version_has_what_verifies_a_winner_on_screen_and_in_the_xlsx(scene, judge):
    _finalize(scene)
    html = judge.get(f"/judge/contests/{scene.contest.id}/announcement").get_data(as_text=True)
    assert "04/03/1990" in html and "001090012345" in html and "Đảng viên" in html
    response = judge.get(f"/judge/contests/{scene.contest.id}/announcement.xlsx")
    assert response.status_code == 200
    data = response.get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[6]]
    assert header[:8] == ["Đợt thi", "Giải", "Hạng", "Họ và tên", "Điện thoại", "Đối tượng", "Ngày sinh",
                          "Số căn cước"]
    first = [cell.value for cell in sheet[7]]
    assert first[1:4] == ["Giải Nhất", 1, "Nguyễn Văn An"] and first[7] == "001090012345"
    assert first[6].date() == date(1990, 3, 4) and sheet.cell(7, 11).number_format.endswith("[h]:mm:ss")
    assert [cell.value for cell in sheet[8]][3] == "Trần Thị Bình"
    assert sheet.max_row == 8  # the two winners, not Cường
    _assert_prints_well(data, sheet)


def _assert_prints_well(data: bytes, sheet) -> None:
    """A4 landscape, fitted to one page wide, the heading row repeated on every printed page."""
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1)  # 1 by default
    assert sheet.page_setup.fitToHeight == 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
    assert "_xlnm.Print_Titles" in workbook_xml


def test_the_results_exports_print_well(scene, judge):
    _finalize(scene)
    for path in (f"/judge/rounds/{scene.round.id}/results.xlsx",
                 f"/judge/contests/{scene.contest.id}/collectives.xlsx"):
        data = judge.get(path).get_data()
        _assert_prints_well(data, openpyxl.load_workbook(io.BytesIO(data)).active)


def test_organizers_find_the_certificate_template_from_the_announcement(scene, organizer_client):
    path = f"/judge/contests/{scene.contest.id}/announcement"
    assert f"/organizer/contests/{scene.contest.id}/certificates" in organizer_client.get(path).get_data(as_text=True)
