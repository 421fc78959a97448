"""The organizer's bank screens: upload → preview → confirm, browse and filter, edit, retire, download."""

import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AuditEntry, Bank, Question, Role
from quizapp.models.types import utcnow
from tests.conftest import TEST_PASSWORD
from tests.test_cli_banks import MIXED_GIFT

HEADER = "STT,Câu hỏi,A,B,C,D,Đáp án,Chủ đề,Mức độ,Giải thích,Nguồn\n"
CSV = HEADER + (
    "1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "2,Bản Tuyên ngôn Độc lập được đọc ở đâu?,Quảng trường Ba Đình,Tân Trào,Pác Bó,Việt Bắc,A,Tác phẩm,Khó,,"
    "Tuyên ngôn Độc lập\n"
    "3,Hội Việt Nam Cách mạng Thanh niên thành lập năm nào?,1923,1925,1927,1930,B,Tiểu sử,Trung bình,,Toàn tập\n"
)


def upload(client, content: str | bytes, name="bank.csv", bank="Ngân hàng thử", topic=""):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/organizer/banks/upload", data={"file": (io.BytesIO(data), name), "bank": bank,
                                                         "topic": topic}, content_type="multipart/form-data")


def confirm_token(page: str) -> dict[str, str]:
    names = "token|filename|bank|topic|skip_other_types"
    fields = dict(re.findall(rf'name="({names})"[^>]*value="([^"]*)"', page))
    fields.update({k: v for v, k in re.findall(rf'value="([^"]*)"[^>]*name="({names})"', page)})
    return fields


def import_csv(client, content=CSV, bank="Ngân hàng thử"):
    preview = upload(client, content, bank=bank)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    return client.post("/organizer/banks/confirm", data=confirm_token(preview.get_data(as_text=True)))


def count_questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_preview_shows_counts_per_topic_and_difficulty_and_saves_nothing(organizer_client):
    page = upload(organizer_client, CSV).get_data(as_text=True)
    assert "3" in page and "Tiểu sử" in page and "Tác phẩm" in page and "Trung bình" in page
    assert "Xác nhận nhập 3 câu" in page
    assert count_questions() == 0


def test_confirm_imports_and_lands_on_the_bank(organizer_client):
    response = import_csv(organizer_client)
    assert response.status_code == 302
    assert count_questions() == 3
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập 3 câu hỏi mới" in page and "Quảng trường Ba Đình" in page


def test_bad_file_lists_every_problem_with_its_row_and_offers_no_confirm(organizer_client):
    bad = HEADER + "1,,a,b,c,d,A,,,,\n2,Câu hai?,a,b,c,d,G,,,,\n"
    response = upload(organizer_client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dòng 2" in page and "Dòng 3" in page
    assert "Xác nhận" not in page
    assert count_questions() == 0 and db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_not_a_spreadsheet_is_named(organizer_client):
    response = upload(organizer_client, b"%PDF-1.4 not really", name="de-thi.xlsx")
    assert response.status_code == 422
    assert "PDF" in response.get_data(as_text=True)


class TestSmallLimit:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "QUIZAPP_IMPORT_MAX_BYTES": 200}

    def test_file_too_large_is_refused_with_the_limit(self, organizer_client):
        response = upload(organizer_client, CSV * 3)
        assert response.status_code == 422
        assert count_questions() == 0


def test_reimport_says_nothing_is_new_and_offers_no_import_of_0_questions(organizer_client):
    import_csv(organizer_client)
    response = upload(organizer_client, CSV)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Không có câu hỏi mới để nhập: cả 3 câu hỏi của tệp đã có sẵn" in page
    assert "Xác nhận" not in page and 'name="token"' not in page
    assert count_questions() == 3


def test_filters_topic_difficulty_and_accent_insensitive_search(organizer_client):
    import_csv(organizer_client)
    bank = db.session.scalar(select(Bank))
    url = f"/organizer/banks/{bank.id}"
    assert "Quảng trường" in organizer_client.get(url, query_string={"q": "quang truong"}).get_data(as_text=True)
    searched = organizer_client.get(url, query_string={"q": "tuyen ngon"}).get_data(as_text=True)
    assert "1 câu hỏi phù hợp" in searched
    by_topic = organizer_client.get(url, query_string={"topic": "Tiểu sử"}).get_data(as_text=True)
    assert "2 câu hỏi phù hợp" in by_topic and "Quảng trường" not in by_topic
    hard = organizer_client.get(url, query_string={"difficulty": "hard"}).get_data(as_text=True)
    assert "1 câu hỏi phù hợp" in hard


def test_edit_question_keeps_option_ids_and_is_audited(organizer_client):
    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "3"))
    option_ids = [o.id for o in question.options]
    response = organizer_client.post(f"/organizer/questions/{question.id}/edit", data={
        "text": "Hội Việt Nam Cách mạng Thanh niên được thành lập vào năm nào?", "option_a": "1923",
        "option_b": "1925", "option_c": "1927", "option_d": "1930", "answer": "B", "topic": "Tiểu sử",
        "difficulty": "medium", "explanation": "Tháng 6/1925, tại Quảng Châu.", "source": "Toàn tập"})
    assert response.status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.text.endswith("vào năm nào?") and [o.id for o in question.options] == option_ids
    assert question.explanation == "Tháng 6/1925, tại Quảng Châu."
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "question.edit"))
    changed = {change["field"]: change for change in entry.details["changes"]}
    assert "text" in changed and changed["explanation"]["new"] == "Tháng 6/1925, tại Quảng Châu."
    assert set(changed) <= {"text", "options", "correct", "topic", "difficulty", "explanation", "source"}


def test_the_audit_log_says_what_a_question_edit_changed(app, organizer_client, make_user):
    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "3"))
    form = {"text": question.text, "answer": "C", "topic": question.topic or "", "difficulty": "hard",
            "explanation": "", "source": question.source or ""}
    for letter, option in zip("abcdef", question.options, strict=False):
        form[f"option_{letter}"] = option.text
    response = organizer_client.post(f"/organizer/questions/{question.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    judge = app.test_client()
    judge.post("/login", data={"login": make_user(Role.JUDGE).email, "password": TEST_PASSWORD})
    body = judge.get("/judge/audit").get_data(as_text=True).split("<tbody>")[1]
    assert "Sửa câu hỏi" in body and "Mức độ: «" in body and "» → «Khó»" in body
    assert "hard" not in body


def test_edit_with_answer_outside_options_is_refused_and_nothing_changes(organizer_client):
    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "1"))
    response = organizer_client.post(f"/organizer/questions/{question.id}/edit", data={
        "text": "Sửa?", "option_a": "x", "option_b": "y", "answer": "D", "difficulty": ""})
    assert response.status_code == 400
    assert "không nằm trong các phương án" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Question, question.id).text == "Chủ tịch Hồ Chí Minh sinh năm nào?"


@pytest.mark.parametrize("answer", ["G", "AB", ""])
def test_edit_with_an_answer_that_is_no_letter_is_refused_and_nothing_changes(organizer_client, answer):
    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "1"))
    response = organizer_client.post(f"/organizer/questions/{question.id}/edit", data={
        "text": "Sửa?", "option_a": "x", "option_b": "y", "answer": answer, "difficulty": ""})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Question, question.id).text == "Chủ tịch Hồ Chí Minh sinh năm nào?"


@pytest.mark.parametrize(("answer", "options"), [("A", "ABCDEF"), ("F", "ABCDEF"), ("D", "ABCD"), ("A", "AB")])
def test_edit_moves_the_answer_and_the_option_count_with_one_correct_option(organizer_client, answer, options):
    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "3"))  # key B
    data = {"text": question.text, "answer": answer, "difficulty": ""}
    data.update({f"option_{letter.lower()}": f"Phương án {letter}" for letter in options})
    response = organizer_client.post(f"/organizer/questions/{question.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Question, question.id).options
    assert [o.text for o in saved] == [f"Phương án {letter}" for letter in options]
    assert [o.position for o in saved if o.is_correct] == ["ABCDEF".index(answer)]


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999999"])
def test_a_page_number_out_of_range_shows_a_page_not_an_error(organizer_client, page):
    import_csv(organizer_client)
    bank = db.session.scalar(select(Bank))
    response = organizer_client.get(f"/organizer/banks/{bank.id}", query_string={"page": page,
                                                                               "difficulty": "zzz"})
    assert response.status_code == 200
    assert organizer_client.get("/organizer/participants", query_string={"page": page}).status_code == 200


def test_a_request_over_the_size_limit_gets_the_413_page_in_vietnamese(organizer_client):
    response = upload(organizer_client, b"x" * (12 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "Tệp hoặc dữ liệu gửi lên quá lớn." in response.get_data(as_text=True)
    assert count_questions() == 0


def test_retired_question_leaves_the_list_but_not_the_database(organizer_client, make_user, app):
    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "1"))
    response = organizer_client.post(f"/organizer/questions/{question.id}/retire")
    assert response.status_code == 302
    page = organizer_client.get(f"/organizer/banks/{question.bank_id}").get_data(as_text=True)
    assert "2 câu hỏi phù hợp" in page and "sinh năm nào" not in page
    assert db.session.get(Question, question.id).retired_at is not None
    organizer_client.post(f"/organizer/questions/{question.id}/restore")
    db.session.expire_all()
    assert db.session.get(Question, question.id).retired_at is None


def show_in_an_attempt(question: Question, participant) -> None:
    """An attempt of ``participant`` in a new round that showed ``question`` with all its options."""
    from datetime import timedelta

    from quizapp.models import Contest, Round

    now = utcnow()
    contest = Contest(title="C", rules="")
    round_ = Round(contest=contest, position=1, name="Tuần 1", opens_at=now - timedelta(days=1),
                   closes_at=now + timedelta(days=1), question_count=1, time_limit_seconds=60)
    db.session.add_all([contest, round_])
    db.session.flush()
    attempt = Attempt(round_id=round_.id, user_id=participant.id, number=1, started_at=now,
                      deadline_at=now + timedelta(minutes=1), question_count=1)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(AttemptQuestion(attempt_id=attempt.id, position=0, question_id=question.id,
                                   option_order=",".join(str(o.id) for o in question.options),
                                       shown_option_ids=",".join(str(900 + o.id) for o in question.options)))
    db.session.commit()


def test_used_question_warns_before_editing(organizer_client, make_user):
    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "1"))
    show_in_an_attempt(question, make_user())
    page = organizer_client.get(f"/organizer/questions/{question.id}/edit").get_data(as_text=True)
    assert "đã xuất hiện trong các lượt thi" in page


def test_download_is_an_xlsx_in_the_import_layout(organizer_client):
    import_csv(organizer_client)
    bank = db.session.scalar(select(Bank))
    response = organizer_client.get(f"/organizer/banks/{bank.id}/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("STT", "Câu hỏi", "A", "B", "C", "D", "Đáp án")
    assert len(rows) == 4 and rows[1][6] == "A" and rows[3][6] == "B"
    again = upload(organizer_client, response.data, name="export.xlsx", bank=bank.name)
    assert "Không có câu hỏi mới để nhập: cả 3 câu hỏi" in again.get_data(as_text=True)


def test_missing_bank_is_404(organizer_client):
    assert organizer_client.get("/organizer/banks/999").status_code == 404


def test_a_used_question_keeps_all_its_options_and_an_edit_removing_one_changes_nothing(organizer_client,
                                                                                        make_user):
    """Attempts list the options they showed (and may have chosen one): removing one would break their review."""
    from quizapp.models import Option

    import_csv(organizer_client)
    question = db.session.scalar(select(Question).where(Question.number == "3"))
    texts = [o.text for o in question.options]
    show_in_an_attempt(question, make_user())
    fewer = {"text": "Sửa lại?", "option_a": "x", "option_b": "y", "answer": "B", "difficulty": ""}
    response = organizer_client.post(f"/organizer/questions/{question.id}/edit", data=fewer)
    assert response.status_code == 400
    assert f"phải giữ đủ {len(texts)} phương án" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Question, question.id)
    assert kept.text != "Sửa lại?" and [o.text for o in kept.options] == texts
    options = select(func.count()).select_from(Option).where(Option.question_id == question.id)
    assert db.session.scalar(options) == len(texts)
    corrected = [f"{texts[0]} (sửa)", *texts[1:], "Phương án thêm"]  # texts corrected, one added: allowed
    more = dict(fewer, **{f"option_{letter}": text for letter, text in zip("abcdef", corrected, strict=False)})
    assert organizer_client.post(f"/organizer/questions/{question.id}/edit", data=more).status_code == 302
    db.session.expire_all()
    assert [o.text for o in db.session.get(Question, question.id).options] == corrected


SKIPPED_LINES = ("Dòng 3: câu hỏi dạng đúng/sai.", "Dòng 7: câu hỏi dạng trả lời ngắn.",
                 "Dòng 9: câu hỏi dạng ghép đôi.")


def test_a_mixed_gift_export_offers_to_skip_its_other_types_each_listed_with_its_line(organizer_client):
    response = upload(organizer_client, MIXED_GIFT, name="moodle.txt")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 câu hỏi dạng khác sẽ được bỏ qua" in page
    assert all(line in page for line in SKIPPED_LINES)
    assert "Nhập 2 câu nhiều lựa chọn, bỏ qua 3 câu dạng khác" in page
    assert confirm_token(page)["skip_other_types"] == "1"
    assert count_questions() == 0 and db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_choosing_to_skip_imports_only_the_multiple_choice_questions(organizer_client):
    preview = upload(organizer_client, MIXED_GIFT, name="moodle.txt")
    response = organizer_client.post("/organizer/banks/confirm", data=confirm_token(preview.get_data(as_text=True)))
    assert response.status_code == 302
    texts = db.session.scalars(select(Question.text).order_by(Question.id)).all()
    assert texts == ["Ai là tác giả của tập thơ “Nhật ký trong tù”?",
                     "Bác đọc Tuyên ngôn Độc lập tại Quảng trường ……, Hà Nội."]
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập 2 câu hỏi mới" in page and "bỏ qua 3 câu hỏi dạng khác" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "bank.import"))
    assert (entry.details["added"], entry.details["skipped"]) == (2, 3)


def test_without_the_choice_a_mixed_export_imports_nothing(organizer_client):
    preview = upload(organizer_client, MIXED_GIFT, name="moodle.txt")
    fields = confirm_token(preview.get_data(as_text=True))
    del fields["skip_other_types"]
    response = organizer_client.post("/organizer/banks/confirm", data=fields)
    assert response.status_code == 422
    assert "Dòng 3" in response.get_data(as_text=True)
    assert count_questions() == 0 and db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_a_real_error_among_other_types_refuses_the_whole_file_and_offers_no_skip(organizer_client):
    response = upload(organizer_client, MIXED_GIFT + "\nCâu không có đáp án đúng? {~a ~b}\n", name="moodle.txt")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dòng 11: chưa có đáp án đúng." in page and "Dòng 3" in page
    assert "có thể bỏ qua khi nhập, nhưng các lỗi khác phải được sửa" in page
    assert "bỏ qua 3 câu dạng khác" not in page and "Xác nhận" not in page
    assert count_questions() == 0 and db.session.scalar(select(func.count()).select_from(Bank)) == 0


# The preview an organizer can trust: what was read, where it goes, what it repeats.

def test_preview_shows_the_first_questions_as_read_with_the_key_marked(organizer_client):
    page = upload(organizer_client, CSV).get_data(as_text=True)
    assert "3 câu hỏi đầu tiên của tệp, như đã đọc" in page
    sample = page[page.index("như đã đọc"):]
    assert "Dòng 2" in sample and "Chủ tịch Hồ Chí Minh sinh năm nào?" in sample
    assert '<li class="correct">1890 <span class="sr-only">(đáp án đúng)</span> ✓</li>' in sample
    assert '<li class="">1891</li>' in sample
    assert "Quảng trường Ba Đình" in sample and "Tác phẩm" in sample and "Khó" in sample
    assert "Biên niên tiểu sử" in sample  # the source


def test_preview_shows_only_the_first_five_questions(organizer_client):
    rows = "".join(f"{n},Câu hỏi thử số {n} về lịch sử Đảng?,a{n},b{n},c{n},d{n},A,Thử,,,\n" for n in range(1, 9))
    page = upload(organizer_client, HEADER + rows).get_data(as_text=True)
    assert "5 câu hỏi đầu tiên của tệp" in page
    assert "Câu hỏi thử số 5 " in page and "Câu hỏi thử số 6 " not in page
    assert "Xác nhận nhập 8 câu" in page


def test_preview_says_a_new_bank_will_be_created_with_its_name(organizer_client):
    page = upload(organizer_client, CSV, bank="  Tiểu sử Bác Hồ ").get_data(as_text=True)
    assert "Ngân hàng mới:" in page and "chưa có ngân hàng nào tên “Tiểu sử Bác Hồ”" in page
    assert "Xác nhận nhập 3 câu vào ngân hàng mới" in page
    assert db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_preview_says_questions_are_added_to_the_existing_bank(organizer_client):
    import_csv(organizer_client)
    more = HEADER + "4,Bác Hồ đọc bản Di chúc lần đầu vào năm nào?,1965,1960,1969,1955,A,Tác phẩm,Dễ,,Di chúc\n"
    page = upload(organizer_client, more).get_data(as_text=True)
    assert "Các câu hỏi mới sẽ được thêm vào ngân hàng có sẵn “Ngân hàng thử” (đang có 3 câu hỏi đang dùng)" in page
    assert "Ngân hàng mới:" not in page
    assert "Xác nhận nhập 1 câu" in page


def test_preview_warns_about_questions_identical_to_another_banks_and_still_offers_the_import(organizer_client):
    import_csv(organizer_client, bank="Tiểu sử Hồ Chí Minh")
    other = HEADER + (
        "1,chủ tịch  Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
        "2,Đại hội II của Đảng họp năm nào?,1951,1945,1960,1935,A,Lịch sử Đảng,Dễ,,Văn kiện Đảng\n"
    )
    response = upload(organizer_client, other, bank="Chuyên đề năm 2025")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    first = db.session.scalar(select(Question).where(Question.number == "1"))
    assert "1 câu hỏi đã có y hệt trong ngân hàng khác" in page
    section = page[page.index("đã có y hệt"):page.index("như đã đọc")]
    assert "Dòng 2:" in section and f"câu #{first.id}" in section and "“Tiểu sử Hồ Chí Minh”" in section
    assert "Đại hội II" not in section
    assert "Xác nhận nhập 2 câu vào ngân hàng mới" in page  # a warning, not a refusal


def test_preview_warns_about_near_duplicates_with_the_reason(organizer_client):
    import_csv(organizer_client, bank="Tiểu sử Hồ Chí Minh")
    other = HEADER + (
        "1,Bác Hồ sinh vào năm nào?,Năm 1890,Năm 1891,Năm 1901,Năm 1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
        "2,Chủ tịch Hồ Chí Minh mất năm nào?,1969,1968,1970,1975,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    )
    page = upload(organizer_client, other, bank="Ôn tập").get_data(as_text=True)
    assert "1 câu hỏi gần trùng với câu hỏi đã có" in page
    section = page[page.index("gần trùng với câu hỏi đã có"):page.index("như đã đọc")]
    assert "Dòng 2:" in section and "Bác Hồ sinh vào năm nào?" in section
    assert "Hỏi cùng một điều với cùng đáp án." in section and "“Tiểu sử Hồ Chí Minh”" in section
    assert "mất năm nào" not in section  # same topic, another fact: not flagged
    assert "Xác nhận nhập 2 câu" in page


def test_upload_help_names_every_accepted_format(organizer_client):
    page = organizer_client.get("/organizer/banks").get_data(as_text=True)
    for name in (".xlsx", ".csv", "Aiken", "GIFT", ".txt", ".gift"):
        assert name in page
    assert "Câu hỏi gần trùng nhau" in page
