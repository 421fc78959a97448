"""The judges' screens: who may see them, the ranking with its reasons and filters, the decisions (disqualify,
reinstate, prediction answer, finalize, re-open) with their refusals, the downloads, the flags, the audit log, and
the organizers' route from the question editor to the regrade preview."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Disqualification, PredictionAnswer, Question, Role, Round
from quizapp.models.types import utcnow
from quizapp.services.regrade import correct_index
from tests.services.test_flags import add_entry, build_scene

ROUND_CSV_HEADER = ("rank,full_name,phone,unit_code,unit_path,correct_count,question_count,duration_ms,prediction,"
                    "prediction_gap,submitted_at,attempt_id,prize")


def _closed_scene(**kwargs):
    """A scene whose round closed an hour ago by the real clock (the pages read the clock)."""
    scene = build_scene(**kwargs)
    now = utcnow()
    scene.round.opens_at = now - timedelta(days=7)
    scene.round.closes_at = now - timedelta(hours=1)
    db.session.commit()
    return scene


@pytest.fixture
def scene(app):
    """Nhất 1, Nhì 1: An 4 correct (Nhất), Bình 3 (Nhì), Cường 3 slower, Dũng 1 in Huyện Hai."""
    scene = _closed_scene(prizes=(("Giải Nhất", 1), ("Giải Nhì", 1)))
    add_entry(scene, "Nguyễn Văn An", correct=4, duration_ms=200_000, unit="D1A", category="Đảng viên",
              email="an@example.vn")
    add_entry(scene, "Trần Thị Bình", correct=3, duration_ms=100_000, unit="D1", category="Đoàn viên")
    add_entry(scene, "Lê Văn Cường", correct=3, duration_ms=150_000, unit="D1", category="Đảng viên")
    add_entry(scene, "Phạm Văn Dũng", correct=1, duration_ms=90_000, unit="D2")
    return scene


@pytest.fixture
def judge(make_user):
    return make_user(Role.JUDGE, full_name="Giám Khảo Một")


@pytest.fixture
def judge_client(judge, login):
    return login(judge)


def _ranking_names(client, round_id, **params) -> list[str]:
    html = client.get(f"/judge/rounds/{round_id}", query_string=params).get_data(as_text=True)
    table = html.split('class="ranking judge-ranking"')[1].split("</table>")[0]
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Văn Dũng"]
    return sorted((n for n in names if n in table), key=table.index)


# --- who may see the pages -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.ORGANIZER])
def test_participants_and_organizers_get_403(scene, make_user, login, role):
    client = login(make_user(role))
    for path in ("/judge", f"/judge/rounds/{scene.round.id}", f"/judge/rounds/{scene.round.id}/flags",
                 "/judge/audit", f"/judge/rounds/{scene.round.id}/results.csv"):
        assert client.get(path).status_code == 403, path
    # the announcement and its letterhead are prepared with the organizers; participants never see them
    shared = (f"/judge/contests/{scene.contest.id}/announcement", f"/judge/contests/{scene.contest.id}/letterhead",
              f"/judge/contests/{scene.contest.id}/announcement.xlsx")
    for path in shared:
        assert client.get(path).status_code == (403 if role is Role.PARTICIPANT else 200), path
    assert client.post(f"/judge/rounds/{scene.round.id}/finalize", data={"confirm": "y"}).status_code == 403
    assert db.session.get(Round, scene.round.id).finalized_at is None


@pytest.mark.parametrize(("role", "status"), [(Role.PARTICIPANT, 403), (Role.ORGANIZER, 200), (Role.JUDGE, 200)])
def test_the_regrade_preview_is_for_judges_and_organizers_only(scene, make_user, login, role, status):
    path = f"/judge/questions/{scene.questions[0].id}/regrade?answer=B"
    assert login(make_user(role)).get(path).status_code == status


def test_pages_of_a_round_without_entries_render(app, judge_client):
    scene = _closed_scene()
    rid = scene.round.id
    for path in ("/judge", f"/judge/rounds/{rid}", f"/judge/rounds/{rid}/flags", "/judge/audit",
                 f"/judge/contests/{scene.contest.id}/announcement", f"/judge/rounds/{rid}/results.xlsx",
                 f"/judge/rounds/{rid}/results.csv", f"/judge/contests/{scene.contest.id}/collectives.xlsx"):
        assert judge_client.get(path).status_code == 200, path
    assert judge_client.get("/judge/rounds/999999").status_code == 404
    bad_user = judge_client.post(f"/judge/rounds/{rid}/disqualify", data={"user_id": "x", "reason": "r"})
    assert bad_user.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(scene, client):
    response = client.get(f"/judge/rounds/{scene.round.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_judges_and_admins_get_in(scene, judge_client, make_user, login):
    assert judge_client.get("/judge").status_code == 200
    assert "Giám khảo" in judge_client.get("/").get_data(as_text=True)  # the nav link
    admin_client = login(make_user(Role.ADMIN))
    assert admin_client.get(f"/judge/rounds/{scene.round.id}").status_code == 200


# --- the ranking ---------------------------------------------------------------------------------------------

def test_the_ranking_shows_full_personal_data_prizes_and_the_reason_for_each_place(scene, judge_client):
    html = judge_client.get(f"/judge/rounds/{scene.round.id}").get_data(as_text=True)

    assert _ranking_names(judge_client, scene.round.id) == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
                                                             "Phạm Văn Dũng"]
    assert scene.users["Nguyễn Văn An"].phone in html and "an@example.vn" in html
    assert "Tỉnh Thử › Huyện Một › Xã Một A" in html
    assert "Giải Nhất" in html and "Giải Nhì" in html
    assert "Đứng đầu" in html and "Ít câu đúng hơn" in html and "Thời gian làm bài dài hơn" in html
    assert "Kết quả tạm tính" in html


def test_the_ranking_filters_by_unit_at_any_level_and_by_category(scene, judge_client):
    rid = scene.round.id
    assert _ranking_names(judge_client, rid, unit="D1") == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert _ranking_names(judge_client, rid, unit="D1A") == ["Nguyễn Văn An"]
    assert _ranking_names(judge_client, rid, unit="P") == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
                                                            "Phạm Văn Dũng"]
    assert _ranking_names(judge_client, rid, category="Đảng viên") == ["Nguyễn Văn An", "Lê Văn Cường"]
    assert _ranking_names(judge_client, rid, q="cuong") == ["Lê Văn Cường"]
    unknown = judge_client.get(f"/judge/rounds/{rid}", query_string={"unit": "NOPE"})
    assert unknown.status_code == 200 and "Không có đơn vị nào có tên hoặc mã «NOPE»" in unknown.get_data(as_text=True)


def test_the_ranking_is_paginated(scene, judge_client, app):
    app.config["QUIZAPP_PAGE_SIZE"] = 2
    assert _ranking_names(judge_client, scene.round.id) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert _ranking_names(judge_client, scene.round.id, page=2) == ["Lê Văn Cường", "Phạm Văn Dũng"]


# --- decisions ---------------------------------------------------------------------------------------------

def _disqualify(client, scene, name, reason):
    return client.post(f"/judge/rounds/{scene.round.id}/disqualify",
                       data={"user_id": scene.users[name].id, "reason": reason}, follow_redirects=True)


def test_disqualifying_without_a_reason_is_refused(scene, judge_client):
    response = _disqualify(judge_client, scene, "Nguyễn Văn An", "   ")

    assert response.status_code == 200
    assert "Cần ghi lý do." in response.get_data(as_text=True)
    assert db.session.scalar(select(Disqualification.id)) is None
    assert _ranking_names(judge_client, scene.round.id)[0] == "Nguyễn Văn An"


def test_a_disqualified_entry_leaves_the_ranking_and_the_prizes_move_down(scene, judge_client, judge):
    response = _disqualify(judge_client, scene, "Nguyễn Văn An", "Dùng hai tài khoản trên một máy")
    html = response.get_data(as_text=True)

    assert "Đã loại Nguyễn Văn An" in html
    assert _ranking_names(judge_client, scene.round.id) == ["Trần Thị Bình", "Lê Văn Cường", "Phạm Văn Dũng"]
    ranking = html.split('class="ranking judge-ranking"')[1].split("</table>")[0]
    bình, cường = ranking.split("Trần Thị Bình")[1].split("</tr>")[0], ranking.split("Lê Văn Cường")[1].split(
        "</tr>")[0]
    assert "Giải Nhất" in bình and "Giải Nhì" in cường
    excluded = html.split('class="judge-excluded"')[1]
    assert "Nguyễn Văn An" in excluded and "Dùng hai tài khoản trên một máy" in excluded
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.disqualify"))
    assert entry.actor_id == judge.id and entry.reason == "Dùng hai tài khoản trên một máy"

    again = _disqualify(judge_client, scene, "Nguyễn Văn An", "Lần nữa")
    assert "Thí sinh này đã bị loại" in again.get_data(as_text=True) or "đã bị loại khỏi đợt thi" in \
        again.get_data(as_text=True)


def test_a_reinstated_entry_comes_back_with_its_prize(scene, judge_client):
    _disqualify(judge_client, scene, "Nguyễn Văn An", "Nghi vấn")
    response = judge_client.post(f"/judge/rounds/{scene.round.id}/reinstate",
                                 data={"user_id": scene.users["Nguyễn Văn An"].id, "reason": "Đã xác minh"},
                                 follow_redirects=True)

    assert "Đã khôi phục Nguyễn Văn An" in response.get_data(as_text=True)
    assert _ranking_names(judge_client, scene.round.id)[0] == "Nguyễn Văn An"


def test_finalize_needs_the_confirmation_then_reopen_needs_a_reason_recorded_in_the_audit_log(scene, judge_client):
    rid = scene.round.id
    unconfirmed = judge_client.post(f"/judge/rounds/{rid}/finalize", data={}, follow_redirects=True)
    assert "Hãy đánh dấu ô xác nhận" in unconfirmed.get_data(as_text=True)
    assert db.session.get(Round, rid).finalized_at is None

    finalized = judge_client.post(f"/judge/rounds/{rid}/finalize", data={"confirm": "y"}, follow_redirects=True)
    html = finalized.get_data(as_text=True)
    assert "Đã chốt kết quả" in html and "4 thí sinh được xếp hạng, 2 giải được trao." in html
    assert "Mở lại kết quả" in html and f'action="/judge/rounds/{rid}/disqualify"' not in html
    db.session.expire_all()
    assert db.session.get(Round, rid).finalized_at is not None

    refused = judge_client.post(f"/judge/rounds/{rid}/reopen", data={"reason": ""}, follow_redirects=True)
    assert "Cần ghi lý do." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Round, rid).finalized_at is not None

    judge_client.post(f"/judge/rounds/{rid}/reopen", data={"reason": "Sai đáp án câu 3"}, follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(Round, rid).finalized_at is None
    audit = judge_client.get("/judge/audit", query_string={"round": rid}).get_data(as_text=True)
    assert "Mở lại kết quả" in audit and "Sai đáp án câu 3" in audit and "Chốt kết quả" in audit
    assert "Giám Khảo Một" in audit


def test_a_service_refusal_is_a_message_not_an_error_page(app, judge_client):
    scene = build_scene()
    scene.round.opens_at, scene.round.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
    db.session.commit()
    add_entry(scene, "Nguyễn Văn An", correct=3)

    response = judge_client.post(f"/judge/rounds/{scene.round.id}/finalize", data={"confirm": "y"},
                                 follow_redirects=True)

    assert response.status_code == 200
    assert "Đợt thi chưa kết thúc" in response.get_data(as_text=True)
    assert db.session.get(Round, scene.round.id).finalized_at is None


def test_the_manual_prediction_answer_is_entered_on_the_page(app, judge_client):
    scene = _closed_scene(prediction_answer=PredictionAnswer.MANUAL)
    add_entry(scene, "Nguyễn Văn An", correct=3, prediction=10)
    page = judge_client.get(f"/judge/rounds/{scene.round.id}").get_data(as_text=True)
    assert "Đáp án câu hỏi dự đoán" in page

    refused = judge_client.post(f"/judge/rounds/{scene.round.id}/prediction", data={"value": "-3"},
                                follow_redirects=True)
    assert "Số phải từ 0 trở lên." in refused.get_data(as_text=True)
    saved = judge_client.post(f"/judge/rounds/{scene.round.id}/prediction", data={"value": "12"},
                              follow_redirects=True)
    assert "Đã lưu đáp án câu dự đoán: 12." in saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Round, scene.round.id).prediction_actual == 12


# --- downloads ---------------------------------------------------------------------------------------------

def test_the_results_download_as_csv_and_xlsx_winners_or_all(scene, judge_client):
    rid = scene.round.id
    every = judge_client.get(f"/judge/rounds/{rid}/results.csv", query_string={"scope": "all"})
    assert every.status_code == 200 and "attachment" in every.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(every.get_data(as_text=True))))
    assert ",".join(rows[0]) == ROUND_CSV_HEADER
    assert [r[1] for r in rows[1:]] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Văn Dũng"]
    winners = judge_client.get(f"/judge/rounds/{rid}/results.csv", query_string={"scope": "winners"})
    assert len(list(csv.reader(io.StringIO(winners.get_data(as_text=True))))) == 3

    sheet = judge_client.get(f"/judge/rounds/{rid}/results.xlsx", query_string={"scope": "winners"})
    assert sheet.status_code == 200 and sheet.headers["Content-Disposition"].endswith(".xlsx")
    values = [cell for row in openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True)
              for cell in row if cell]
    assert "Nguyễn Văn An" in values and "Phạm Văn Dũng" not in values
    assert judge_client.get(f"/judge/rounds/{rid}/results.pdf").status_code == 404


def test_the_collectives_download_at_the_contest_level(scene, judge_client):
    response = judge_client.get(f"/judge/contests/{scene.contest.id}/collectives.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["rank", "unit_code", "unit_name"]
    assert [r[1] for r in rows[1:]] == ["D1", "D2"]  # level 2: the districts
    sheet = judge_client.get(f"/judge/contests/{scene.contest.id}/collectives.xlsx",
                             query_string={"round": scene.round.id})
    assert sheet.status_code == 200
    assert judge_client.get(f"/judge/contests/{scene.contest.id}/collectives.csv",
                            query_string={"round": 999999}).status_code == 404


# --- flags and the audit log ----------------------------------------------------------------------------------

def test_the_flags_page_lists_a_fast_attempt_with_a_way_to_disqualify(scene, judge_client):
    add_entry(scene, "Trần Văn Nhanh", correct=4, duration_ms=3_000, device_id="dev-1")
    add_entry(scene, "Trần Văn Nhanh Hai", correct=4, duration_ms=300_000, device_id="dev-1")

    html = judge_client.get(f"/judge/rounds/{scene.round.id}/flags").get_data(as_text=True)

    fast = html.split('id="fast"')[1].split("</section>")[0]
    assert "Trần Văn Nhanh" in fast and "Nguyễn Văn An" not in fast
    assert f'value="{scene.users["Trần Văn Nhanh"].id}"' in fast
    assert f'action="/judge/rounds/{scene.round.id}/disqualify"' in fast
    devices = html.split('id="devices"')[1].split("</section>")[0]
    assert "dev-1" in devices and "Trần Văn Nhanh Hai" in devices

    judge_client.post(f"/judge/rounds/{scene.round.id}/disqualify",
                      data={"user_id": scene.users["Trần Văn Nhanh"].id, "reason": "1 giây mỗi câu",
                            "next": f"/judge/rounds/{scene.round.id}/flags"})
    after = judge_client.get(f"/judge/rounds/{scene.round.id}/flags").get_data(as_text=True)
    assert "đã loại" in after.split('id="fast"')[1].split("</section>")[0]


def test_the_audit_log_filters_by_contest_and_round(scene, judge_client):
    other = build_scene(units=scene.units, title="Cuộc thi khác")
    add_entry(other, "Người Khác", correct=2)
    _disqualify(judge_client, scene, "Phạm Văn Dũng", "Lý do vòng một")
    judge_client.post(f"/judge/rounds/{other.round.id}/disqualify",
                      data={"user_id": other.users["Người Khác"].id, "reason": "Lý do cuộc thi khác"})

    mine = judge_client.get("/judge/audit", query_string={"contest": scene.contest.id}).get_data(as_text=True)
    assert "Lý do vòng một" in mine and "Lý do cuộc thi khác" not in mine
    assert "Phạm Văn Dũng" in mine  # the participant named in the details
    everything = judge_client.get("/judge/audit").get_data(as_text=True)
    assert "Lý do vòng một" in everything and "Lý do cuộc thi khác" in everything


# --- regrade from the question editor -------------------------------------------------------------------------

def _question_form(question: Question, answer: str) -> dict[str, str]:
    form = {"text": question.text, "answer": answer, "topic": question.topic or "", "difficulty": "",
            "explanation": "", "source": ""}
    for letter, option in zip("abcdef", question.options, strict=False):
        form[f"option_{letter}"] = option.text
    return form


def test_changing_the_answer_of_a_used_question_goes_through_the_preview(scene, make_user, login):
    organizer = login(make_user(Role.ORGANIZER))
    question = db.session.get(Question, scene.questions[3].id)  # An and Bình got it right (A); Cường chose B
    form = _question_form(question, "B")
    form["source"] = "Văn kiện Đại hội XIII"

    response = organizer.post(f"/organizer/questions/{question.id}/edit", data=form)

    assert response.status_code == 302
    assert f"/judge/questions/{question.id}/regrade?answer=B" in response.headers["Location"]
    db.session.expire_all()
    assert correct_index(db.session.get(Question, question.id)) == 0  # the key has not moved yet
    assert db.session.get(Question, question.id).source == "Văn kiện Đại hội XIII"  # the other edits are saved

    preview = organizer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ảnh hưởng khi đổi đáp án từ A sang B" in preview
    assert "Thay đổi về giải" in preview and "Giải Nhì" in preview

    refused = organizer.post(f"/judge/questions/{question.id}/regrade", data={"answer": "B", "reason": ""})
    assert refused.status_code == 400
    db.session.expire_all()
    assert correct_index(db.session.get(Question, question.id)) == 0

    done = organizer.post(f"/judge/questions/{question.id}/regrade",
                          data={"answer": "B", "reason": "Đáp án đúng là B theo văn kiện"}, follow_redirects=True)
    assert "Đã đổi đáp án thành B và chấm lại" in done.get_data(as_text=True)
    db.session.expire_all()
    assert correct_index(db.session.get(Question, question.id)) == B_INDEX


def test_editing_other_fields_of_a_used_question_saves_directly(scene, organizer_client):
    question = db.session.get(Question, scene.questions[0].id)
    form = _question_form(question, "A")
    form["explanation"] = "Giải thích mới."

    response = organizer_client.post(f"/organizer/questions/{question.id}/edit", data=form)

    assert response.status_code == 302 and "/regrade" not in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Question, question.id).explanation == "Giải thích mới."


def test_the_regrade_of_a_finalized_round_names_it_and_offers_no_confirmation(scene, judge_client):
    judge_client.post(f"/judge/rounds/{scene.round.id}/finalize", data={"confirm": "y"})
    question_id = scene.questions[0].id

    html = judge_client.get(f"/judge/questions/{question_id}/regrade", query_string={"answer": "C"}).get_data(
        as_text=True)
    assert "đã chốt kết quả" in html and "Đổi đáp án và chấm lại" not in html

    refused = judge_client.post(f"/judge/questions/{question_id}/regrade", data={"answer": "C", "reason": "Sửa"})
    assert refused.status_code == 409
    assert "Tuần 1" in refused.get_data(as_text=True) and "mở lại" in refused.get_data(as_text=True)


B_INDEX = 1


@pytest.mark.parametrize("query", [{"page": "abc"}, {"page": "-3"}, {"page": str(10**30)}, {"unit": " '%_;--"},
                                   {"unit": "x" * 5000}, {"category": "không có"}, {"q": "%_\\[(*"}])
def test_odd_ranking_parameters_are_a_page_not_an_error(scene, judge_client, query):
    assert judge_client.get(f"/judge/rounds/{scene.round.id}", query_string=query).status_code == 200


@pytest.mark.parametrize("user_id", ["1e3", "-1", str(10**30), "", "٣"])
def test_disqualifying_an_odd_user_id_is_a_404_and_changes_nothing(scene, judge_client, user_id):
    response = judge_client.post(f"/judge/rounds/{scene.round.id}/disqualify",
                                 data={"user_id": user_id, "reason": "r"})
    assert response.status_code in (302, 404)
    assert db.session.scalar(select(Disqualification.id)) is None


def test_disqualifying_someone_without_an_entry_is_refused_with_a_message(scene, judge_client, make_user):
    outsider = make_user(Role.PARTICIPANT, phone="0900077777")
    response = judge_client.post(f"/judge/rounds/{scene.round.id}/disqualify",
                                 data={"user_id": outsider.id, "reason": "r"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Người này không có lượt thi nào trong đợt thi." in response.get_data(as_text=True)
    assert db.session.scalar(select(Disqualification.id)) is None


def test_huge_ids_are_404(scene, judge_client):
    huge = 10**20
    for path in (f"/judge/rounds/{huge}", f"/judge/rounds/{huge}/results.csv", f"/judge/rounds/{huge}/flags",
                 f"/judge/contests/{huge}/collectives.csv",
                 f"/judge/contests/{scene.contest.id}/collectives.csv?round={huge}"):
        assert judge_client.get(path).status_code == 404, path


@pytest.mark.parametrize("query", [{"contest": str(10**30)}, {"round": str(10**30)}, {"contest": "abc"},
                                   {"round": "9" * 5000}])
def test_odd_audit_filters_are_a_page_not_an_error(scene, judge_client, query):
    assert judge_client.get("/judge/audit", query_string=query).status_code == 200


def test_a_nul_byte_in_a_reason_is_a_clear_400_and_saves_nothing(scene, judge_client):
    response = judge_client.post(f"/judge/rounds/{scene.round.id}/disqualify",
                                 data={"user_id": scene.users["Nguyễn Văn An"].id, "reason": "gian\x00lận"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert db.session.scalar(select(Disqualification.reason)) is None


@pytest.mark.parametrize("query", [{"page": str(10**30)}, {"page": "abc"}])
def test_odd_audit_pages_are_a_page_not_an_error(scene, judge_client, query):
    assert judge_client.get("/judge/audit", query_string=query).status_code == 200
