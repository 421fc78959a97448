"""The audit log reads as sentences: no detail key (``attempts_gaining``, ``old_answer``), no role code and no
Python dict reaches the page, for every kind of entry the services write, and for entries of an older shape."""

from __future__ import annotations

import re

import pytest

from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services import audit
from quizapp.transactions import end_transaction
from tests.services.test_flags import add_entry, build_scene


@pytest.fixture
def judge_client(make_user, login):
    return login(make_user(Role.JUDGE, full_name="Giám Khảo Hai"))


def _page(client, **params) -> str:
    """The text of the log's rows, without the markup."""
    html = client.get("/judge/audit", query_string=params).get_data(as_text=True)
    return re.sub(r"<[^>]+>", " ", html.split("<tbody>")[1].split("</tbody>")[0])


def test_each_kind_of_entry_is_written_in_words(app, judge_client, make_user):
    scene = build_scene()
    add_entry(scene, "Nguyễn Văn An", correct=3)
    person = scene.users["Nguyễn Văn An"]
    finalizer = make_user(Role.JUDGE, full_name="Giám Khảo Chốt")
    now, rid = utcnow(), scene.round.id
    entries = [
        ("question.regrade", "question", 7, {"question_id": 7, "old_answer": "B", "new_answer": "C",
                                             "attempts_gaining": 10, "attempts_losing": 3, "round_ids": [rid]}),
        ("round.regrade", "round", rid, {"question_id": 7, "old_answer": "B", "new_answer": "C",
                                         "attempts_gaining": 4, "attempts_losing": 1}),
        ("round.finalize", "round", rid, {"ranked": 12, "excluded": 1, "prediction_actual": 5,
                                          "prizes": {"Giải Nhất": 1, "Giải Nhì": 2}}),
        ("round.reopen", "round", rid, {"finalized_at": "2026-11-30T10:00:00+00:00",
                                        "finalized_by_id": finalizer.id, "prediction_actual": 5, "prizes": 3}),
        ("round.extension", "round", rid, {"user_id": person.id, "seconds": 120, "previous_seconds": None,
                                           "attempt_id": None, "deadline": None}),
        ("round.close", "round", rid, {"closed_at": "2026-11-30T10:00:00+00:00", "closed_attempts": 2,
                                       "already_closed": False}),
        ("user.create", "user", finalizer.id, {"role": "judge"}),
        ("bank.import", "bank", 1, {"filename": "tuan1.xlsx", "added": 20, "unchanged": 2, "skipped": 1}),
        ("question.edit", "question", 7, {"changes": [{"field": "text", "old": "Câu cũ", "new": "Câu mới"}]}),
        ("question.edit", "question", 8, {}),
        ("some.future_action", "round", rid, {"seats": 40, "user_id": person.id}),
    ]
    for action, object_type, object_id, details in entries:
        audit.record(actor=None, action=action, object_type=object_type, object_id=object_id, now=now,
                     details=details)
    end_transaction(succeeded=True)

    body = _page(judge_client)
    assert "đáp án đổi từ B sang C" in body
    assert "10 lượt thi được thêm điểm, 3 lượt thi bị trừ điểm" in body
    assert f"Các đợt thi bị ảnh hưởng: {scene.round.name}" in body
    assert "Giải Nhất: 1; Giải Nhì: 2" in body
    assert "Giám Khảo Chốt" in body  # who had finalized, by name
    assert "Thời gian cộng thêm: 120 giây (trước đó: 0 giây)" in body
    assert "2 lượt thi đang làm được đóng và chấm" in body
    assert "Vai trò: Ban Giám khảo" in body
    assert "Tệp tuan1.xlsx: 20 câu hỏi mới, 2 câu đã có." in body
    assert "Nội dung câu hỏi: «Câu cũ» → «Câu mới»" in body
    assert "Nguyễn Văn An" in body
    for code in ("attempts_gaining", "old_answer", "round_ids", "finalized_by_id", "previous_seconds", "role:",
                 "judge", "seats", "{", "}"):
        assert code not in body, code
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", body)  # no snake_case key of any kind


def test_english_readers_get_english_sentences(app, judge_client):
    scene = build_scene()
    audit.record(actor=None, action="round.regrade", object_type="round", object_id=scene.round.id, now=utcnow(),
                 details={"question_id": 7, "old_answer": "B", "new_answer": "C", "attempts_gaining": 4,
                          "attempts_losing": 1})
    end_transaction(succeeded=True)
    body = _page(judge_client, lang="en")
    assert "Question #7: the answer changed from B to C." in body
    assert "Attempts gaining marks: 4; attempts losing marks: 1." in body


def test_the_console_s_contest_and_round_changes_are_written_in_words(app, judge_client):
    scene = build_scene()
    now, rid, cid = utcnow(), scene.round.id, scene.contest.id
    entries = [
        ("contest.edit", "contest", cid, {"changes": [
            {"field": "collective_metric", "old": "participation_rate", "new": "average_score"},
            {"field": "collective_prizes", "old": [{"name": "Giải tập thể", "count": 3}], "new": []}]}),
        ("round.edit", "round", rid, {"changes": [
            {"field": "closes_at", "old": "2026-11-30T00:00:00+07:00", "new": "2026-12-01T00:00:00+07:00"},
            {"field": "one_prize_per_contest", "old": False, "new": True}]}),
        ("round.create", "round", rid, {"name": "Tuần 2", "opens_at": "2026-11-30T00:00:00+07:00",
                                        "closes_at": "2026-12-07T00:00:00+07:00"}),
        ("contest.publish", "contest", cid, {"title": scene.contest.title}),
        ("contest.notice_post", "contest", cid, {"text": "Đợt 2 lùi lịch một ngày."}),
    ]
    for action, object_type, object_id, details in entries:
        audit.record(actor=None, action=action, object_type=object_type, object_id=object_id, now=now,
                     details=details)
    end_transaction(succeeded=True)
    body = _page(judge_client)
    assert "Sửa cuộc thi" in body and "Sửa đợt thi" in body and "Thêm đợt thi" in body
    assert "Tiêu chí xếp hạng tập thể: «tỷ lệ tham gia» → «điểm trung bình»" in body
    assert "Giải tập thể: «Giải tập thể: 3» → «không có»" in body
    assert "Đóng lúc: «00:00 30/11/2026» → «00:00 01/12/2026»" in body
    assert "Đợt «Tuần 2», từ 00:00 30/11/2026 đến 00:00 07/12/2026." in body
    assert "Công bố cuộc thi" in body and "Thông báo: «Đợt 2 lùi lịch một ngày.»" in body
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", body) and "{" not in body
