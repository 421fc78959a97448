"""The organizer's 'Câu hỏi gần trùng nhau' page: pairs across banks side by side, retire one, or mark them as
different questions."""

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Question, Role
from tests.views.test_bank_pages import HEADER, import_csv

BIOGRAPHY = HEADER + (
    "1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "2,Nguyễn Tất Thành ra đi tìm đường cứu nước năm nào?,1911,1917,1920,1925,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "3,Chủ tịch Hồ Chí Minh mất năm nào?,1969,1968,1970,1975,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
)
REVIEW = HEADER + (
    "1,Bác Hồ sinh vào năm nào?,Năm 1890,Năm 1891,Năm 1901,Năm 1911,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
    '2,"Năm 1911, Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?",Bến Nhà Rồng,Hải Phòng,Đà Nẵng,'
    "Quy Nhơn,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
    "3,Tác phẩm “Đường Kách mệnh” được xuất bản năm nào?,1927,1925,1930,1941,A,Ôn tập,Trung bình,,Toàn tập\n"
)


def question(text: str) -> Question:
    return db.session.scalar(select(Question).where(Question.text == text))


@pytest.fixture
def two_banks(organizer_client):
    assert import_csv(organizer_client, BIOGRAPHY, bank="Tiểu sử").status_code == 302
    assert import_csv(organizer_client, REVIEW, bank="Ôn tập").status_code == 302
    return organizer_client


def pair_sections(page: str) -> list[str]:
    return re.findall(r'<section class="card dup-pair".*?</section>', page, flags=re.S)


def test_the_page_lists_each_pair_side_by_side_with_banks_and_similarity(two_banks):
    page = two_banks.get("/organizer/near-duplicates").get_data(as_text=True)
    sections = pair_sections(page)
    assert "2 cặp câu hỏi cần xem" in page and len(sections) == 2
    born, reworded = question("Chủ tịch Hồ Chí Minh sinh năm nào?"), question("Bác Hồ sinh vào năm nào?")
    same_fact = next(s for s in sections if "Bác Hồ sinh vào năm nào?" in s)
    assert f"Câu #{born.id} và câu #{reworded.id}: giống" in same_fact
    assert "Hỏi cùng một điều với cùng đáp án." in same_fact
    assert "Ngân hàng “Tiểu sử”" in same_fact and "Ngân hàng “Ôn tập”" in same_fact
    assert '<li class="correct">Năm 1890 <span class="sr-only">(đáp án đúng)</span> ✓</li>' in same_fact
    left, year = question("Năm 1911, Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?"), \
        question("Nguyễn Tất Thành ra đi tìm đường cứu nước năm nào?")
    gives = next(s for s in sections if "bến cảng nào" in s)
    assert f"Câu #{left.id} nêu sẵn đáp án của câu #{year.id}." in gives
    assert "mất năm nào" not in page and "Đường Kách mệnh" not in page  # distinct questions are not listed


def test_retiring_one_of_a_pair_takes_it_off_the_list_and_is_audited(two_banks):
    reworded = question("Bác Hồ sinh vào năm nào?")
    response = two_banks.post(f"/organizer/questions/{reworded.id}/retire",
                              data={"next": "/organizer/near-duplicates"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/organizer/near-duplicates")
    page = two_banks.get("/organizer/near-duplicates").get_data(as_text=True)
    assert "1 cặp câu hỏi cần xem" in page and "Bác Hồ sinh vào năm nào?" not in page
    db.session.expire_all()
    assert db.session.get(Question, reworded.id).retired_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "question.retire"))
    assert entry.object_id == reworded.id


def test_marking_a_pair_as_different_questions_takes_it_off_the_list_and_is_audited(two_banks, make_user):
    born, reworded = question("Chủ tịch Hồ Chí Minh sinh năm nào?"), question("Bác Hồ sinh vào năm nào?")
    response = two_banks.post("/organizer/near-duplicates/dismiss", data={"first": born.id, "second": reworded.id})
    assert response.status_code == 302
    page = two_banks.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Đã đánh dấu câu #{born.id} và câu #{reworded.id} là hai câu hỏi khác nhau" in page
    assert len(pair_sections(page)) == 1 and "Bác Hồ sinh vào năm nào?" not in "".join(pair_sections(page))
    assert db.session.get(Question, reworded.id).retired_at is None  # nothing retired
    # marking it again (another tab) records nothing more
    two_banks.post("/organizer/near-duplicates/dismiss", data={"first": reworded.id, "second": born.id})
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "question.not_duplicate")).all()
    assert [(e.object_id, e.details) for e in entries] == [(born.id, {"other_question_id": reworded.id})]


@pytest.mark.parametrize(("data", "status"), [
    ({"first": "same", "second": "same"}, 400),
    ({"first": "1", "second": ""}, 400),
    ({"first": "abc", "second": "2"}, 400),
    ({"first": "999999", "second": "same"}, 404),
])
def test_a_bad_dismissal_is_refused_and_records_nothing(two_banks, data, status):
    born = question("Chủ tịch Hồ Chí Minh sinh năm nào?")
    data = {key: str(born.id) if value == "same" else value for key, value in data.items()}
    assert two_banks.post("/organizer/near-duplicates/dismiss", data=data).status_code == status
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "question.not_duplicate")) == 0


def test_no_pair_says_so(organizer_client):
    import_csv(organizer_client, BIOGRAPHY, bank="Tiểu sử")
    page = organizer_client.get("/organizer/near-duplicates").get_data(as_text=True)
    assert "Không có cặp câu hỏi nào gần trùng nhau." in page and not pair_sections(page)


def test_participants_and_judges_cannot_see_the_page(client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    assert client.get("/organizer/near-duplicates").status_code == 403
    assert client.post("/organizer/near-duplicates/dismiss", data={"first": "1", "second": "2"}).status_code == 403


class TestWithCsrf:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def signed_in(self, client, make_user):
        from quizapp.domain.banks import ImportLimits
        from quizapp.models.types import utcnow
        from quizapp.services.banks import import_bank

        for name, content in (("Tiểu sử", BIOGRAPHY), ("Ôn tập", REVIEW)):
            import_bank(bank_name=name, filename="f.csv", data=content.encode(), actor=None, now=utcnow(),
                        limits=ImportLimits())
        db.session.commit()
        organizer = make_user(Role.ORGANIZER)
        with client.session_transaction() as session:  # signed in without posting the sign-in form
            session["_user_id"] = organizer.get_id()
            session["_fresh"] = True
        return client

    def test_a_dismissal_needs_the_token_of_the_page(self, signed_in):
        born, reworded = question("Chủ tịch Hồ Chí Minh sinh năm nào?"), question("Bác Hồ sinh vào năm nào?")
        pair = {"first": born.id, "second": reworded.id}
        assert signed_in.post("/organizer/near-duplicates/dismiss", data=pair).status_code == 400
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "question.not_duplicate")) == 0
        page = signed_in.get("/organizer/near-duplicates").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = signed_in.post("/organizer/near-duplicates/dismiss", data={**pair, "csrf_token": token})
        assert response.status_code == 302
