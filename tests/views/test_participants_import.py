"""Importing participants from a spreadsheet: all or nothing, every problem with its row and column, preview then
confirm, one-time passwords downloaded once."""

import io

import xlsxwriter
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Role, Unit, User
from quizapp.services.units import rebuild_tree
from tests.conftest import TEST_PASSWORD
from tests.views.test_participants_console import audit_log

HEADER = ["STT", "Họ và tên", "Số điện thoại", "Email", "Mã đơn vị", "Đối tượng", "Ngày sinh", "Số căn cước"]


def units():
    db.session.add_all([Unit(code="X01", name="Xã An Lạc", name_key="xa an lac"),
                        Unit(code="X02", name="Xã Bình Minh", name_key="xa binh minh")])
    db.session.flush()
    rebuild_tree()
    db.session.commit()


def xlsx(rows, header=HEADER):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách")
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    workbook.close()
    return buffer.getvalue()


def upload(client, data, filename="thi-sinh.xlsx"):
    return client.post("/organizer/participants/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


GOOD = [["1", "Trần Văn An", "0912 000 001", "", "X01", "Đoàn viên", "01/05/2000", ""],
        ["2", "Lê Thị Bích", "+84912000002", "bich@example.vn", "X02", "hoc sinh", "2008-09-02", "001200000002"]]


def participants():
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.PARTICIPANT))


def test_preview_then_confirm_creates_accounts_and_hands_out_one_time_passwords(app, organizer_client, make_user):
    units()
    preview = upload(organizer_client, xlsx(GOOD))
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Xem trước: 2 thí sinh mới" in html and "Trần Văn An" in html
    assert participants() == 0  # a preview saves nothing
    token = html.split('name="token" type="hidden" value="')[1][:64]
    confirmed = organizer_client.post("/organizer/participants/import/confirm",
                                      data={"token": token, "filename": "thi-sinh.xlsx"})
    assert confirmed.status_code == 200 and confirmed.mimetype.endswith("spreadsheetml.sheet")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(confirmed.data)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["Dòng", "Họ và tên", "Số điện thoại", "Mã đơn vị", "Mật khẩu lần đầu"]
    assert [row[:4] for row in rows[1:]] == [["2", "Trần Văn An", "0912000001", "X01"],
                                            ["3", "Lê Thị Bích", "0912000002", "X02"]]
    bich = db.session.scalar(select(User).where(User.phone == "0912000002"))
    assert bich.category == "Học sinh" and bich.id_number == "001200000002" and bich.email == "bich@example.vn"
    an = db.session.scalar(select(User).where(User.phone == "0912000001"))
    assert an.birth_date.isoformat() == "2000-05-01"
    signer = app.test_client()
    assert signer.post("/login", data={"login": "0912000001", "password": rows[1][4]}).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "users.import"))
    assert entry.details == {"filename": "thi-sinh.xlsx", "added": 2}
    log = audit_log(app, make_user)
    assert "Nhập danh sách thí sinh" in log and "Tệp thi-sinh.xlsx: 2 thí sinh mới" in log
    again = organizer_client.post("/organizer/participants/import/confirm",
                                  data={"token": token, "filename": "thi-sinh.xlsx"})
    assert again.status_code == 400 and participants() == 2  # the passwords are given once


def test_every_problem_is_named_with_row_and_column_and_nothing_is_saved(organizer_client, make_user):
    units()
    make_user(Role.PARTICIPANT, phone="0987000009", full_name="Người Đã Có")
    rows = [["1", "Trần Văn An", "12345", "", "X01", "", "", ""],
            ["2", "Lê Thị Bích", "0912000002", "sai-email", "KHONGCO", "Thợ lặn", "", "123"],
            ["3", "Ngô Văn Cường", "0912 000 002", "", "X01", "", "", ""],
            ["4", "", "0987000009", "", "X02", "", "", ""],
            ["5", "Phan Thị Dung", "0987000009", "", "X02", "", "", ""]]
    response = upload(organizer_client, xlsx(rows))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for sentence in ("Dòng 2, cột «Số điện thoại»: số điện thoại di động không hợp lệ",
                     "Dòng 3, cột «Email»: địa chỉ email không hợp lệ",
                     "Dòng 3, cột «Đối tượng»: đối tượng không có trong danh sách",
                     "Dòng 3, cột «Số căn cước»: số căn cước công dân phải gồm đúng 12 chữ số",
                     "Dòng 4, cột «Số điện thoại»: trùng với dòng 3 của tệp.",
                     "Dòng 5, cột «Họ và tên»: thông tin này là bắt buộc.",
                     "Dòng 6, cột «Số điện thoại»: đã thuộc về tài khoản Người Đã Có"):
        assert sentence in html, sentence
    assert participants() == 1


def test_unknown_unit_code_is_named(organizer_client):
    units()
    rows = [["1", "Trần Văn An", "0912000001", "", "KHONGCO", "", "", ""]]
    html = upload(organizer_client, xlsx(rows)).get_data(as_text=True)
    assert "Dòng 2, cột «Mã đơn vị»: không có đơn vị mã «KHONGCO» trong cây đơn vị." in html
    assert participants() == 0


def test_english_headers_and_csv_are_read(organizer_client):
    units()
    csv = b"Full name,Phone,Unit code,Category\nTran Van An,0912000001,X01,Student\n"
    response = upload(organizer_client, csv, "people.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Dòng 2, cột «Category»" in html  # the category list is Vietnamese
    ok = upload(organizer_client, b"Full name,Phone,Unit code\nTran Van An,0912000001,X01\n", "people.csv")
    assert ok.status_code == 200 and "Xem trước: 1 thí sinh mới" in ok.get_data(as_text=True)


def test_a_file_without_the_required_columns_or_of_another_kind_is_refused(organizer_client):
    units()
    missing = upload(organizer_client, xlsx([["1", "Trần Văn An"]], header=["STT", "Họ và tên"]))
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "thiếu cột «Số điện thoại»" in html and "thiếu cột «Đơn vị»" in html
    other = upload(organizer_client, b"%PDF-1.4", "danh-sach.pdf")
    assert other.status_code == 400 and "problems" in other.get_data(as_text=True)
    assert participants() == 0


def test_the_import_page_needs_an_organizer(client, make_user, login):
    login(make_user(Role.PARTICIPANT, phone="0912000001"), TEST_PASSWORD)
    assert client.get("/organizer/participants/import").status_code in (302, 403)


def test_a_long_list_of_problems_shows_the_first_ones_and_counts_the_rest(organizer_client):
    units()
    rows = "".join(f"Người {n},12345,X01\n" for n in range(210))
    response = upload(organizer_client, ("Họ và tên,Số điện thoại,Mã đơn vị\n" + rows).encode(), "ds.csv")
    html = response.get_data(as_text=True)
    assert "có 210 lỗi" in html and "… và 10 lỗi khác." in html and "Dòng 201, cột" in html
    assert "Dòng 202, cột" not in html
