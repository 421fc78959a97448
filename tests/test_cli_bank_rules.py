"""Every format and every bad-file rule of the issue, through `quizapp banks import` as an organizer runs it.

Each bad file exits 1, names its problems (row or line, column, reason) on stderr, and saves nothing.
"""

import unicodedata

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Question
from tests.domain._files import HEADER, csv_bytes, question, rezip, to_cp1258, workbook, xlsx
from tests.domain.test_bank_sheets import zip_bomb

LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
          b"<sst>&lol2;</sst>")


def run(app, tmp_path, name, data, *extra):
    path = tmp_path / name
    path.write_bytes(data)
    runner = app.test_cli_runner()
    return runner.invoke(args=["banks", "import", str(path), "--bank", "Kiểm tra", *extra])


def nothing_saved():
    return (db.session.scalar(select(func.count()).select_from(Question)) == 0
            and db.session.scalar(select(func.count()).select_from(Bank)) == 0)


BAD_FILES = {
    "missing option": ("b.csv", csv_bytes([HEADER, question(1, options=["x", "y", "", "z"])]), ["Dòng 2", "C"]),
    "answer not among options": ("b.csv", csv_bytes([HEADER, question(1, answer="E")]), ["Dòng 2", "E"]),
    "duplicate question": ("b.csv", csv_bytes([HEADER, question(1, "Cùng một câu?"), question(2, "Cùng một câu?")]),
                           ["Dòng 3", "Dòng 2"]),
    "empty text": ("b.csv", csv_bytes([HEADER, question(1, "   ")]), ["Dòng 2"]),
    "formula cell": ("b.xlsx", xlsx([HEADER, question(1, options=["=1+1", "b", "c", "d"])]), ["Dòng 2", "công thức"]),
    "unknown header": ("b.csv", csv_bytes([[*HEADER, "Ghi chú lạ"], [*question(1), "x"]]), ["Ghi chú lạ"]),
    "not a spreadsheet": ("b.xlsx", b"%PDF-1.7 this is a pdf", ["PDF"]),
    "legacy xls": ("b.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, [".xlsx"]),
    "zip bomb": ("b.xlsx", zip_bomb(300), ["từ chối"]),
    "xml entities": ("b.xlsx", rezip(xlsx([HEADER, question(1)]), add={"xl/extra.xml": LAUGHS}), ["từ chối"]),
    "no questions": ("b.csv", csv_bytes([HEADER]), ["Không có câu hỏi"]),
    "unsupported format": ("b.pdf", b"whatever", [".pdf"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_file_exits_1_names_the_problem_and_saves_nothing(app, tmp_path, case):
    name, data, expected = BAD_FILES[case]
    result = run(app, tmp_path, name, data)
    assert result.exit_code == 1, result.output
    output = result.output + getattr(result, "stderr", "")
    for text in expected:
        assert text.lower() in output.lower(), output
    assert nothing_saved()


def test_file_too_large_names_the_limit(app, tmp_path):
    app.config["QUIZAPP_IMPORT_MAX_BYTES"] = 1024
    result = run(app, tmp_path, "b.csv", csv_bytes([HEADER] + [question(n) for n in range(1, 40)]))
    assert result.exit_code == 1 and "MB" in result.output
    assert nothing_saved()


def test_every_problem_is_listed_at_once(app, tmp_path):
    rows = [HEADER, question(1, ""), question(2, answer="Z"), question(3, options=["a", "", "c", "d"])]
    result = run(app, tmp_path, "b.csv", csv_bytes(rows))
    assert result.exit_code == 1
    assert all(f"Dòng {n}" in result.output for n in (2, 3, 4))


def imported() -> list[Question]:
    return list(db.session.scalars(select(Question).order_by(Question.id)))


def test_real_organizers_file_quirks_are_accepted(app, tmp_path):
    """Numbers typed as numbers, line breaks and quotes in cells, decomposed Unicode, stray spaces, lower-case
    answers, headers in another order and in English, a title block, several sheets, trailing empty rows."""
    decomposed = unicodedata.normalize("NFD", "  Bác Hồ   ra đi tìm đường cứu nước năm nào? ")
    first = [["CUỘC THI TÌM HIỂU – NGÂN HÀNG CÂU HỎI"], [],
             ["Answer", "Question", "A", "B", "C", "D", "Topic"],
             [" b ", decomposed, 1910, 1911, 1912, 1913, "Tiểu sử"],
             ["c", 'Câu có "ngoặc kép"\nvà xuống dòng?', "x", "y", "z", "w", "Tiểu sử"],
             [None] * 7, [None] * 7]
    second = [["Câu hỏi", "A", "B", "Đáp án"], ["Câu ở trang tính thứ hai?", "Đúng", "Sai", "A"]]
    result = run(app, tmp_path, "b.xlsx", workbook({"Đợt 1": first, "Đợt 2": second}))
    assert result.exit_code == 0, result.output
    questions = imported()
    assert len(questions) == 3
    assert questions[0].text == "Bác Hồ ra đi tìm đường cứu nước năm nào?"
    assert unicodedata.is_normalized("NFC", questions[0].text)
    assert [o.text for o in questions[0].options] == ["1910", "1911", "1912", "1913"]
    assert questions[0].correct_option.text == "1911"
    assert questions[1].text == 'Câu có "ngoặc kép"\nvà xuống dòng?' and questions[1].correct_option.text == "z"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "semicolon"])
def test_csv_encodings_and_separators(app, tmp_path, encoding):
    rows = [HEADER, question(1, "Đảng Cộng sản Việt Nam ra đời năm nào?", "C",
                             options=["1925", "1929", "1930", "1945"])]
    if encoding == "cp1258":
        data = to_cp1258("\n".join(",".join(str(c or "") for c in row) for row in rows) + "\n")
    elif encoding == "semicolon":
        data = csv_bytes(rows, delimiter=";")
    else:
        data = csv_bytes(rows, encoding=encoding)
    result = run(app, tmp_path, "b.csv", data)
    assert result.exit_code == 0, result.output
    (saved,) = imported()
    assert saved.text == "Đảng Cộng sản Việt Nam ra đời năm nào?" and saved.correct_option.text == "1930"


def test_aiken_question_starting_like_an_option(app, tmp_path):
    aiken = ("C. Mác và Ph. Ăngghen cùng soạn thảo văn kiện nào năm 1848?\n"
             "A. Tuyên ngôn của Đảng Cộng sản\nB. Tư bản\nC. Chống Đuyrinh\nANSWER: A\n\n"
             "Hội Việt Nam Cách mạng Thanh niên thành lập năm nào?\nA) 1923\nB) 1925\nANSWER: B\n")
    result = run(app, tmp_path, "b.txt", aiken.encode(), "--topic", "Lý luận")
    assert result.exit_code == 0, result.output
    first, second = imported()
    assert first.text.startswith("C. Mác") and len(first.options) == 3 and first.topic == "Lý luận"
    assert second.correct_option.text == "1925"


def test_gift_with_category_feedback_and_escapes(app, tmp_path):
    gift = ("// mẫu\n$CATEGORY: $course$/Tư tưởng Hồ Chí Minh\n\n"
            "::Q1:: Câu nói \\{nổi tiếng\\} nào của Bác? {\n  =Không có gì quý hơn độc lập, tự do\n"
            "  ~Đoàn kết\\: sức mạnh\n  ####Lời kêu gọi 17/7/1966.\n}\n")
    result = run(app, tmp_path, "b.gift", gift.encode())
    assert result.exit_code == 0, result.output
    (saved,) = imported()
    assert saved.text == "Câu nói {nổi tiếng} nào của Bác?" and saved.topic == "Tư tưởng Hồ Chí Minh"
    assert [o.text for o in saved.options] == ["Không có gì quý hơn độc lập, tự do", "Đoàn kết: sức mạnh"]
    assert saved.explanation == "Lời kêu gọi 17/7/1966."


def test_gift_true_false_is_refused_with_its_line(app, tmp_path):
    result = run(app, tmp_path, "b.gift", "Hà Nội là thủ đô? {T}\n".encode())
    assert result.exit_code == 1 and "1" in result.output
    assert nothing_saved()
