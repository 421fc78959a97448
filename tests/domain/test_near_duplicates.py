"""Near-duplicate questions: the same fact asked twice or a stem that gives another's answer away is found;
distinct questions on the same topic are not."""

import pytest

from quizapp.domain.near_duplicates import Item, find_pairs, find_pairs_between, judge, normalise, prepared, same_answer


def pair_of(a: tuple[str, str], b: tuple[str, str]):
    first, second = prepared([Item(1, *a), Item(2, *b)])
    return judge(first, second)


def test_normalise_folds_case_spacing_and_punctuation_but_keeps_accents():
    assert normalise("  Chủ tịch  Hồ Chí Minh sinh năm nào? ") == "chủ tịch hồ chí minh sinh năm nào"
    assert normalise("“Đường Kách mệnh” (1927)") == "đường kách mệnh 1927"
    assert normalise("Năm") != normalise("Nam")  # accents tell Vietnamese words apart
    assert normalise("Cho\u0302\u0301") == normalise("Chố")  # decomposed input is composed first


@pytest.mark.parametrize(("a", "b", "reason"), [
    # the same stem, only case and punctuation differ (whatever the keys say)
    (("Chủ tịch Hồ Chí Minh sinh năm nào?", "1890"), ("chủ tịch Hồ Chí Minh sinh năm nào", "1891"), "same_stem"),
    # reworded stems, the same answer
    (("Chủ tịch Hồ Chí Minh sinh năm nào?", "1890"), ("Bác Hồ sinh vào năm nào?", "Năm 1890"), "same_fact"),
    (("Bản Tuyên ngôn Độc lập được Chủ tịch Hồ Chí Minh đọc tại đâu?", "Quảng trường Ba Đình, Hà Nội"),
     ("Chủ tịch Hồ Chí Minh đọc bản Tuyên ngôn Độc lập ở địa điểm nào?", "Quảng trường Ba Đình"), "same_fact"),
    (("Năm 1911, Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?", "Bến Nhà Rồng"),
     ("Người thanh niên Nguyễn Tất Thành rời Tổ quốc ra đi tìm đường cứu nước tại bến cảng nào?",
      "Bến cảng Nhà Rồng"), "same_fact"),
    # one stem states the other's answer
    (("Nguyễn Tất Thành ra đi tìm đường cứu nước năm nào?", "1911"),
     ("Năm 1911, Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?", "Bến Nhà Rồng"), "gives_away"),
    (("Thân phụ của Chủ tịch Hồ Chí Minh là ai?", "Nguyễn Sinh Sắc"),
     ("Cụ Nguyễn Sinh Sắc, thân phụ của Chủ tịch Hồ Chí Minh, đỗ Phó bảng vào năm nào?", "1901"), "gives_away"),
])
def test_the_same_question_asked_twice_is_a_pair(a, b, reason):
    pair = pair_of(a, b)
    assert pair is not None and pair.reason == reason
    assert 70 <= pair.similarity <= 100


def test_a_giveaway_says_whose_answer_is_given():
    given = ("Nguyễn Tất Thành ra đi tìm đường cứu nước năm nào?", "1911")
    giver = ("Năm 1911, Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?", "Bến Nhà Rồng")
    assert pair_of(given, giver).revealed == "first"
    assert pair_of(giver, given).revealed == "second"


@pytest.mark.parametrize(("a", "b"), [
    # one word apart, different facts
    (("Chủ tịch Hồ Chí Minh sinh năm nào?", "1890"), ("Chủ tịch Hồ Chí Minh mất năm nào?", "1969")),
    (("Thân phụ của Chủ tịch Hồ Chí Minh là ai?", "Nguyễn Sinh Sắc"),
     ("Thân mẫu của Chủ tịch Hồ Chí Minh là ai?", "Hoàng Thị Loan")),
    (("Tác phẩm “Đường Kách mệnh” được xuất bản năm nào?", "1927"),
     ("Tác phẩm “Bản án chế độ thực dân Pháp” được xuất bản năm nào?", "1925")),
    # keys alike in letters, not in words
    (("Kết luận 21-KL/TW về đẩy mạnh xây dựng, chỉnh đốn Đảng được ban hành tại hội nghị nào?",
      "Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XIII"),
     ("Nghị quyết 60-NQ/TW ngày 12/4/2025 được ban hành tại hội nghị nào?",
      "Hội nghị lần thứ 11 Ban Chấp hành Trung ương Đảng khóa XIII")),
    # a common two-word key found in another quotation gives nothing away
    (("Hồ Chí Minh viết: “Văn hóa nghệ thuật cũng là một mặt trận. Anh chị em là … trên mặt trận ấy”. "
      "Từ còn thiếu là gì?", "Chiến sĩ"),
     ("Theo ghi chép của Hồ Chí Minh năm 1943, “toàn bộ những sáng tạo và phát minh đó tức là …”. "
      "Từ còn thiếu là gì?", "Văn hóa")),
    # one answer's word inside a long different answer
    (("Theo Hồ Chí Minh, “Kiệm” là gì?", "Tiết kiệm, không xa xỉ, không hoang phí, không bừa bãi"),
     ("Hồ Chí Minh viết: chữ liêm phải đi đôi với chữ kiệm; có … mới liêm được. Từ còn thiếu là gì?", "Kiệm")),
])
def test_distinct_questions_on_the_same_topic_are_not_a_pair(a, b):
    assert pair_of(a, b) is None


def test_same_answer_needs_the_shorter_answer_to_be_most_of_the_longer():
    assert same_answer("1890", "năm 1890")
    assert same_answer("bến nhà rồng", "bến cảng nhà rồng")
    assert not same_answer("kiệm", "tiết kiệm không xa xỉ không hoang phí")
    assert not same_answer("nguyễn sinh cung", "nguyễn sinh sắc")


QUESTIONS = [
    ("Chủ tịch Hồ Chí Minh sinh năm nào?", "1890"),
    ("Chủ tịch Hồ Chí Minh mất năm nào?", "1969"),
    ("Thân phụ của Chủ tịch Hồ Chí Minh là ai?", "Nguyễn Sinh Sắc"),
    ("Thân mẫu của Chủ tịch Hồ Chí Minh là ai?", "Hoàng Thị Loan"),
    ("Tác phẩm “Đường Kách mệnh” được xuất bản năm nào?", "1927"),
    ("Bác Hồ sinh vào năm nào?", "Năm 1890"),
    ("Cụ Nguyễn Sinh Sắc, thân phụ của Chủ tịch Hồ Chí Minh, đỗ Phó bảng vào năm nào?", "1901"),
    ("Hội Việt Nam Cách mạng Thanh niên được thành lập năm nào?", "1925"),
]


def test_find_pairs_lists_each_pair_once_most_alike_first():
    items = prepared(Item(index, stem, key) for index, (stem, key) in enumerate(QUESTIONS))
    pairs = find_pairs(items, workers=1)
    assert {(p.first, p.second, p.reason) for p in pairs} == {(0, 5, "same_fact"), (2, 6, "gives_away")}
    assert [p.similarity for p in pairs] == sorted((p.similarity for p in pairs), reverse=True)
    assert find_pairs(items, workers=2) == pairs


def test_find_pairs_between_an_upload_and_the_banks():
    existing = prepared(Item(100 + index, stem, key) for index, (stem, key) in enumerate(QUESTIONS[:5]))
    new = prepared([Item(0, "Bác Hồ sinh vào năm nào?", "Năm 1890"), Item(1, "Bác Hồ mất năm nào?", "1969"),
                    Item(2, "Ai là người sáng lập Đảng Cộng sản Việt Nam?", "Nguyễn Ái Quốc")])
    pairs = find_pairs_between(new, existing)
    assert {(p.first, p.second, p.reason) for p in pairs} == {(0, 100, "same_fact"), (1, 101, "same_fact")}
    assert find_pairs_between(new, []) == [] and find_pairs_between([], existing) == []


def test_blocks_of_rows_find_the_same_pairs(monkeypatch):
    import quizapp.domain.near_duplicates as module

    items = prepared(Item(index, stem, key) for index, (stem, key) in enumerate(QUESTIONS * 3))
    whole = find_pairs(items, workers=1)
    monkeypatch.setattr(module, "BLOCK_ROWS", 3)
    assert find_pairs(items, workers=1) == whole
    assert len(whole) == 2 * 9 + 8 * 3  # both pairs between any two copies, and each question with its copies


def test_the_sample_banks_give_no_pair():
    """The 275 real questions of question_banks/ (distinct, several per topic) ask nothing twice, and no stem
    names another question's answer (the four giveaways once found there, the father's and the mother's names,
    "Chữ Hán" and "Tự do, độc lập", were reworded): a province can use the samples as they are."""
    from tests.test_sample_banks import every_question

    questions = [question for _name, question in every_question()]
    items = prepared(Item(n, q.text, q.options[q.correct_index]) for n, q in enumerate(questions))
    found = [(questions[p.first].text, questions[p.second].text, p.reason) for p in find_pairs(items)]
    assert found == []
