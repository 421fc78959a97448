"""`quizapp banks import/export` and `quizapp units import` through the command line, every format."""

import io
import re
import unicodedata

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, BankImport, Option, Question, Unit, UnitAncestor

HEADER = "STT,Câu hỏi,A,B,C,D,Đáp án,Chủ đề,Mức độ,Giải thích,Nguồn\n"
GOOD_CSV = HEADER + (
    '1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1911,1930,A,Tiểu sử,Dễ,Sinh ngày 19/5/1890.,Biên niên tiểu sử\n'
    '2,"Tác phẩm ""Đường Kách mệnh"" xuất bản năm nào?",1925,1927,1930,1941,b,Tác phẩm,Trung bình,,Toàn tập\n'
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def cli(app):
    return app.test_cli_runner(mix_stderr=False) if "mix_stderr" in app.test_cli_runner.__code__.co_varnames \
        else app.test_cli_runner()


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding)
    return str(path)


def test_import_csv_prints_one_line_summary(cli, tmp_path):
    result = cli.invoke(args=["banks", "import", write(tmp_path, "hcm.csv", GOOD_CSV), "--bank", "Hồ Chí Minh"])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "2" in result.output
    question = db.session.scalar(select(Question).where(Question.number == "2"))
    assert question.text == 'Tác phẩm "Đường Kách mệnh" xuất bản năm nào?'
    assert question.correct_option.text == "1927"
    assert question.difficulty == "medium"


def test_importing_the_same_file_twice_adds_nothing(cli, tmp_path):
    path = write(tmp_path, "hcm.csv", GOOD_CSV)
    cli.invoke(args=["banks", "import", path, "--bank", "B"])
    again = cli.invoke(args=["banks", "import", path, "--bank", "B"])
    assert again.exit_code == 0
    assert count(Question) == 2 and count(Option) == 8
    assert db.session.scalars(select(BankImport.added)).all() == [2, 0]


def test_bad_file_exits_1_lists_every_problem_and_saves_nothing(cli, tmp_path):
    bad = HEADER + (
        "1,,A1,B1,C1,D1,A,,,,\n"                      # empty question text
        "2,Câu hai?,A2,B2,,D2,B,,,,\n"                 # gap: C missing
        "3,Câu ba?,A3,B3,C3,D3,E,,,,\n"                # answer not an option
        "4,Câu hai?,x,y,z,w,A,,,,\n"                   # duplicate of row 3
    )
    result = cli.invoke(args=["banks", "import", write(tmp_path, "bad.csv", bad), "--bank", "B"])
    assert result.exit_code == 1
    errors = result.stderr if hasattr(result, "stderr") else result.output
    for row in ("2", "3", "4", "5"):
        assert f"Dòng {row}" in errors, errors
    assert count(Question) == 0 and count(Bank) == 0


def test_conflicting_question_already_in_bank_is_reported_not_overwritten(cli, tmp_path):
    cli.invoke(args=["banks", "import", write(tmp_path, "a.csv", GOOD_CSV), "--bank", "B"])
    changed = GOOD_CSV.replace(",A,Tiểu sử", ",B,Tiểu sử")
    result = cli.invoke(args=["banks", "import", write(tmp_path, "b.csv", changed), "--bank", "B"])
    assert result.exit_code == 1
    first = db.session.scalar(select(Question).where(Question.number == "1"))
    assert first.correct_option.text == "1890"


def to_cp1258(text: str) -> bytes:
    """Encode as old Vietnamese Excel does: base letters precomposed (â, ơ, ư…), tone marks as combining marks."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        shape = "".join(m for m in decomposed[1:] if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in decomposed[1:] if m not in shape)
        out += unicodedata.normalize("NFC", decomposed[0] + shape).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def test_utf8_bom_and_windows_1258_csv(cli, tmp_path):
    bom = "\ufeff" + GOOD_CSV
    assert cli.invoke(args=["banks", "import", write(tmp_path, "bom.csv", bom), "--bank", "B1"]).exit_code == 0
    legacy = to_cp1258(GOOD_CSV)
    result = cli.invoke(args=["banks", "import", write(tmp_path, "old.csv", legacy), "--bank", "B2"])
    assert result.exit_code == 0, result.output
    texts = db.session.scalars(select(Question.text).join(Bank).where(Bank.name == "B2")).all()
    assert "Chủ tịch Hồ Chí Minh sinh năm nào?" in texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def _xlsx(rows) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_xlsx_numbers_stay_as_typed(cli, tmp_path):
    data = _xlsx([["Câu hỏi", "A", "B", "C", "D", "Đáp án"],
                  ["Bác sinh năm nào?", 1890, 1891, 1892, 1893, "A"]])
    result = cli.invoke(args=["banks", "import", write(tmp_path, "n.xlsx", data), "--bank", "B", "--topic", "T"])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Option.text).order_by(Option.position)).all() == ["1890", "1891", "1892", "1893"]
    assert db.session.scalar(select(Question.topic)) == "T"


def test_aiken_and_gift(cli, tmp_path):
    aiken = ("C. Mác và Ph. Ăngghen cùng viết tác phẩm nào?\nA. Tuyên ngôn của Đảng Cộng sản\n"
             "B. Tư bản\nC. Nhà nước và cách mạng\nANSWER: A\n")
    gift = "::Q1:: Bản Tuyên ngôn Độc lập được đọc ngày nào? {=2/9/1945 ~19/8/1945 ~19/12/1946}\n"
    assert cli.invoke(args=["banks", "import", write(tmp_path, "a.txt", aiken), "--bank", "A",
                            "--topic", "Lý luận"]).exit_code == 0
    assert cli.invoke(args=["banks", "import", write(tmp_path, "g.gift", gift), "--bank", "G"]).exit_code == 0
    aiken_q = db.session.scalar(select(Question).join(Bank).where(Bank.name == "A"))
    assert aiken_q.text.startswith("C. Mác") and len(aiken_q.options) == 3
    gift_q = db.session.scalar(select(Question).join(Bank).where(Bank.name == "G"))
    assert gift_q.correct_option.text == "2/9/1945"


# A GIFT export saved as .txt, a question on its first line: two multiple-choice questions (one a missing word)
# among a true/false, a short answer and a matching question.
MIXED_GIFT = (
    "Ai là tác giả của tập thơ “Nhật ký trong tù”?{~Tố Hữu ~Xuân Diệu =Hồ Chí Minh}\n"
    "\n"
    "Hà Nội là thủ đô của nước Cộng hoà xã hội chủ nghĩa Việt Nam.{T}\n"
    "\n"
    "Bác đọc Tuyên ngôn Độc lập tại Quảng trường {~Hoàn Kiếm =Ba Đình ~Lam Sơn}, Hà Nội.\n"
    "\n"
    "Nguyễn Ái Quốc là một tên gọi của ai?{=Hồ Chí Minh =Bác Hồ}\n"
    "\n"
    "Ghép tác phẩm với năm ra đời.{=Đường Kách mệnh -> 1927 =Nhật ký trong tù -> 1943}\n"
)


def errors_of(result) -> str:
    return result.stderr if hasattr(result, "stderr") else result.output


def test_a_mixed_gift_export_is_refused_whole_naming_the_flag_that_skips_the_other_types(cli, tmp_path):
    result = cli.invoke(args=["banks", "import", write(tmp_path, "moodle.txt", MIXED_GIFT), "--bank", "G"])
    assert result.exit_code == 1
    errors = errors_of(result)
    assert "Dòng 3" in errors and "Dòng 7" in errors and "Dòng 9" in errors
    assert "--skip-other-types" in errors
    assert count(Question) == 0 and count(Bank) == 0


def test_skip_other_types_imports_the_multiple_choice_and_lists_each_skipped_question(cli, tmp_path):
    path = write(tmp_path, "moodle.txt", MIXED_GIFT)
    result = cli.invoke(args=["banks", "import", path, "--bank", "G", "--skip-other-types"])
    assert result.exit_code == 0, errors_of(result)
    summary = result.stdout.strip().splitlines()
    assert len(summary) == 1 and "2 câu hỏi mới" in summary[0] and "bỏ qua 3 câu hỏi dạng khác" in summary[0]
    assert errors_of(result).splitlines() == [
        "  - bỏ qua: Dòng 3: câu hỏi dạng đúng/sai.",
        "  - bỏ qua: Dòng 7: câu hỏi dạng trả lời ngắn.",
        "  - bỏ qua: Dòng 9: câu hỏi dạng ghép đôi.",
    ]
    texts = db.session.scalars(select(Question.text).order_by(Question.id)).all()
    assert texts == ["Ai là tác giả của tập thơ “Nhật ký trong tù”?",
                     "Bác đọc Tuyên ngôn Độc lập tại Quảng trường ……, Hà Nội."]
    assert db.session.scalar(select(BankImport.added)) == 2


def test_skip_other_types_still_refuses_a_file_with_a_real_error(cli, tmp_path):
    broken = MIXED_GIFT + "\nCâu không có đáp án đúng? {~a ~b}\n"
    result = cli.invoke(args=["banks", "import", write(tmp_path, "moodle.txt", broken), "--bank", "G",
                              "--skip-other-types"])
    assert result.exit_code == 1
    errors = errors_of(result)
    assert "Dòng 11" in errors and "chưa có đáp án đúng" in errors
    assert "Dòng 3" not in errors and "--skip-other-types" not in errors
    assert count(Question) == 0 and count(Bank) == 0 and count(BankImport) == 0


def test_export_imports_again_unchanged(cli, tmp_path):
    source = write(tmp_path, "t.csv", GOOD_CSV)
    assert cli.invoke(args=["banks", "import", source, "--bank", "Gốc"]).exit_code == 0
    out = tmp_path / "export.xlsx"
    result = cli.invoke(args=["banks", "export", "Gốc", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][:7] == ["STT", "Câu hỏi", "A", "B", "C", "D", "Đáp án"]
    again = cli.invoke(args=["banks", "import", str(out), "--bank", "Gốc"])
    assert again.exit_code == 0 and count(Question) == 2
    copy = cli.invoke(args=["banks", "import", str(out), "--bank", "Bản sao"])
    assert copy.exit_code == 0, copy.output
    from quizapp.domain.banks import fingerprint
    from quizapp.services.banks import to_parsed

    def prints(name):
        bank = db.session.scalar(select(Bank).where(Bank.name == name))
        questions = db.session.scalars(select(Question).where(Question.bank_id == bank.id))
        return sorted(fingerprint(to_parsed(q)) for q in questions)

    assert prints("Gốc") == prints("Bản sao")


def test_export_unknown_bank_is_a_clear_error(cli, tmp_path):
    result = cli.invoke(args=["banks", "export", "Không có", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code != 0
    assert "Không có" in result.output


UNITS = "Mã,Tên đơn vị,Mã cấp trên,Số thành viên\nHN,Hà Nội,,1000\nBD,Ba Đình,HN,200\nCB1,Chi bộ 1,BD,30\n"


def test_units_import_builds_depths_and_closure(cli, tmp_path):
    result = cli.invoke(args=["units", "import", write(tmp_path, "u.csv", UNITS)])
    assert result.exit_code == 0, result.output
    depth = dict(db.session.execute(select(Unit.code, Unit.depth)).tuples().all())
    assert depth == {"HN": 1, "BD": 2, "CB1": 3}
    assert count(UnitAncestor) == 6
    again = cli.invoke(args=["units", "import", write(tmp_path, "u.csv", UNITS)])
    assert again.exit_code == 0 and count(Unit) == 3


def test_units_import_with_unknown_parent_saves_nothing(cli, tmp_path):
    bad = "code,name,parent_code,member_count\nA,Đơn vị A,,10\nB,Đơn vị B,ZZ,-3\n"
    result = cli.invoke(args=["units", "import", write(tmp_path, "u.csv", bad)])
    assert result.exit_code == 1
    assert count(Unit) == 0


def test_users_create(cli):
    result = cli.invoke(args=["users", "create", "--role", "judge", "--email", "GK@Example.test",
                              "--password", "longenough"])
    assert result.exit_code == 0, result.output
    duplicate = cli.invoke(args=["users", "create", "--role", "judge", "--email", "gk@example.test",
                                 "--password", "longenough"])
    assert duplicate.exit_code == 1 and "đã được dùng" in duplicate.output
    short = cli.invoke(args=["users", "create", "--role", "admin", "--email", "a@example.test", "--password", "x"])
    assert short.exit_code == 1 and "8 ký tự" in short.output


def test_units_import_that_would_loop_through_stored_units_is_refused(cli, tmp_path):
    assert cli.invoke(args=["units", "import", write(tmp_path, "u.csv", UNITS)]).exit_code == 0
    looping = "Mã,Tên đơn vị,Mã cấp trên,Số thành viên\nHN,Hà Nội,CB1,1000\n"
    result = cli.invoke(args=["units", "import", write(tmp_path, "loop.csv", looping)])
    assert result.exit_code == 1
    assert "HN" in result.output and "CB1" in result.output
    depth = dict(db.session.execute(select(Unit.code, Unit.depth)).tuples().all())
    assert depth == {"HN": 1, "BD": 2, "CB1": 3}


TIEU_SU = HEADER + (
    "1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "2,Nguyễn Tất Thành ra đi tìm đường cứu nước năm nào?,1911,1917,1920,1925,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "3,Chủ tịch Hồ Chí Minh mất năm nào?,1969,1968,1970,1975,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
)
ON_TAP = HEADER + (
    "1,Bác Hồ sinh vào năm nào?,Năm 1890,Năm 1891,Năm 1901,Năm 1911,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
    '2,"Năm 1911, Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?",Bến Nhà Rồng,Hải Phòng,Đà Nẵng,'
    "Quy Nhơn,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
    "3,Tác phẩm “Đường Kách mệnh” được xuất bản năm nào?,1927,1925,1930,1941,A,Ôn tập,Trung bình,,Toàn tập\n"
    "4,Chủ tịch Hồ Chí Minh mất năm nào?,1969,1968,1970,1975,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
)


def test_import_warns_about_repeated_questions_on_stderr_and_keeps_stdout_one_line(cli, tmp_path):
    quiet = cli.invoke(args=["banks", "import", write(tmp_path, "tieu_su.csv", TIEU_SU), "--bank", "Tiểu sử"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    result = cli.invoke(args=["banks", "import", write(tmp_path, "on_tap.csv", ON_TAP), "--bank", "Ôn tập"])
    assert result.exit_code == 0  # warnings, not a refusal
    assert re.fullmatch(r"Ôn tập: 4 câu hỏi mới, 0 câu đã có \(ngân hàng \d+\)\.\n", result.stdout)
    born = db.session.scalar(select(Question.id).where(Question.text == "Chủ tịch Hồ Chí Minh sinh năm nào?"))
    died = db.session.scalar(select(Question.id).where(Question.text == "Chủ tịch Hồ Chí Minh mất năm nào?",
                                                       Question.topic == "Tiểu sử"))
    year = db.session.scalar(select(Question.id).where(Question.text.like("Nguyễn Tất Thành ra đi%")))
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Cảnh báo: 3 câu hỏi vừa nhập trùng hoặc gần trùng với câu hỏi đã có")
    assert f"  - Dòng 5: trùng với câu #{died} của ngân hàng “Tiểu sử”." in lines
    assert any(line.startswith("  - Dòng 2: gần trùng (giống ") and line.endswith(
        f"với câu #{born} của ngân hàng “Tiểu sử”. Hỏi cùng một điều với cùng đáp án.") for line in lines)
    assert any(line.startswith("  - Dòng 3: gần trùng") and line.endswith(
        f"Câu ở dòng 3 nêu sẵn đáp án của câu #{year}.") for line in lines)
    assert len(lines) == 4  # Đường Kách mệnh (line 4) repeats nothing
    assert count(Question) == 7  # imported all the same


def test_a_refused_import_still_exits_1_without_repeat_warnings(cli, tmp_path):
    cli.invoke(args=["banks", "import", write(tmp_path, "tieu_su.csv", TIEU_SU), "--bank", "Tiểu sử"])
    broken = ON_TAP + "5,Câu không có đáp án?,a,b,c,d,,Ôn tập,Dễ,,\n"
    result = cli.invoke(args=["banks", "import", write(tmp_path, "on_tap.csv", broken), "--bank", "Ôn tập"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "Dòng 6" in result.stderr and "Cảnh báo" not in result.stderr
    assert count(Question) == 3
