"""The organizer's contest console: create and edit a contest with its rounds in the browser's form (the same
rules as the TOML, each problem beside its field, nothing saved on a problem), rounds locked by attempts, a
round copied for next week, publishing, notices and the TOML download."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, AuditEntry, Contest, DrawRule, PrizeTier, Role, Round
from quizapp.models.notices import ContestNotice
from quizapp.models.types import utcnow
from quizapp.services.contests import contest_audience
from quizapp.services.demo import load_demo_contest
from tests.services.test_contests import add_questions, counted_queries
from tests.services.test_standings import make_units


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def round_fields(index: int, name: str, opens: str, closes: str, **extra: str) -> dict[str, str]:
    fields = {"name": name, "opens_at": opens, "closes_at": closes, "question_count": "5",
              "time_limit_seconds": "600", "grace_seconds": "10", "max_attempts": "2",
              "prediction_answer": "perfect_scores", "min_correct_for_prize": "0", "review": "after_close",
              "draw-0-topic": "Lịch sử", "draw-0-count": "3", "draw-1-topic": "Pháp luật", "draw-1-count": "2",
              "prizes-0-name": "Giải Nhất", "prizes-0-count": "1", "prizes-1-name": "Giải Nhì", "prizes-1-count": "2",
              "prediction_question": "Bao nhiêu người trả lời đúng cả 5 câu?"}
    fields.update(extra)
    return {f"rounds-{index}-{key}": value for key, value in fields.items()}


def contest_fields(**extra: str) -> dict[str, str]:
    data = {"title": "Tìm hiểu Hiến pháp 2026", "rules": "**Điều 1.** Mọi công dân.", "collective_level": "2",
            "collective_metric": "participation_rate", "collective_prizes-0-name": "Giải tập thể",
            "collective_prizes-0-count": "3"}
    data |= round_fields(0, "Tuần 1", "2030-11-23T00:00", "2030-11-30T00:00")
    data |= round_fields(1, "Tuần 2", "2030-11-30T00:00", "2030-12-07T00:00")
    data.update(extra)
    return data


@pytest.fixture
def banks(app):
    add_questions("Ngân hàng A", "Lịch sử", 10)
    add_questions("Ngân hàng A", "Pháp luật", 6, difficulty="easy")


def post_new(client, data: dict[str, str]):
    token = csrf(client.get("/organizer/contests/new").get_data(as_text=True))
    return client.post("/organizer/contests/new", data={"csrf_token": token, **data})


def test_a_valid_form_creates_the_contest_with_its_rounds_unpublished(organizer_client, banks):
    response = post_new(organizer_client, contest_fields())
    assert response.status_code == 302, response.get_data(as_text=True)
    contest = db.session.scalar(select(Contest))
    assert contest.title == "Tìm hiểu Hiến pháp 2026" and not contest.published
    assert [r.name for r in contest.rounds] == ["Tuần 1", "Tuần 2"]
    first = contest.rounds[0]
    assert first.opens_at == utcnow().replace(year=2030, month=11, day=22, hour=17, minute=0, second=0,
                                              microsecond=0)
    assert (first.question_count, first.time_limit_seconds, first.max_attempts) == (5, 600, 2)
    assert [(d.topic, d.count) for d in first.draw_rules] == [("Lịch sử", 3), ("Pháp luật", 2)]
    assert [(t.name, t.count) for t in first.prize_tiers] == [("Giải Nhất", 1), ("Giải Nhì", 2)]
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chưa công bố" in page or "chưa công bố" in page
    assert organizer_client.get(f"/contests/{contest.id}").status_code == 404


def test_every_problem_is_shown_beside_its_field_and_nothing_is_saved(organizer_client, banks):
    data = contest_fields(**{"title": "", "rounds-0-question_count": "abc", "rounds-1-draw-0-count": "9",
                             "rounds-1-closes_at": "2030-11-29T00:00", "collective_prizes-0-count": "0"})
    response = post_new(organizer_client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert count(Contest) == 0 and count(Round) == 0 and count(DrawRule) == 0 and count(PrizeTier) == 0

    def beside(field_id: str) -> str:
        match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-errors">(.*?)</ul>', html, re.S)
        assert match, f"no problem shown beside {field_id}"
        return match[1]

    assert "Không được để trống." in beside("title")
    assert "Phải là số nguyên" in beside("rounds-0-question_count")
    assert "phải sau thời điểm mở" in beside("rounds-1-closes_at")
    assert "Phải là số nguyên từ 1" in beside("collective_prizes-0-count")
    assert 'aria-invalid="true"' in html
    # the list at the top links to each field
    assert 'href="#title"' in html and 'href="#rounds-0-question_count"' in html


def test_a_draw_the_banks_cannot_satisfy_is_named_on_its_row(organizer_client, banks):
    data = contest_fields(**{"rounds-0-draw-1-count": "1", "rounds-0-draw-0-count": "4",
                             "rounds-0-draw-0-topic": "Lịch sử", "rounds-1-draw-1-topic": "Kinh tế"})
    response = post_new(organizer_client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert re.search(r'id="rounds-1-draw-1-topic-errors"><li>Cần 2 câu, ngân hàng chỉ có 0 câu', html) or \
        re.search(r'id="rounds-1-draw-1[^"]*-errors"><li>Cần 2 câu, ngân hàng chỉ có 0 câu', html), html
    assert count(Contest) == 0


def test_add_row_without_javascript_grows_the_list_and_saves_nothing(organizer_client, banks):
    data = contest_fields(add_row="rounds-0-draw")
    response = post_new(organizer_client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="rounds-0-draw-2-topic"' in html and 'name="rounds-2-name"' not in html
    assert count(Contest) == 0


def create(client) -> Contest:
    response = post_new(client, contest_fields())
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Contest))


class FormReader(HTMLParser):
    """What a browser posts for the contest form: each enabled control's name and value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = "contest-form" in (a.get("class") or "")
        if tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value") or ""
        if not self.inside or "disabled" in a or not a.get("name") or a["name"] == "add_row":
            return
        if tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self.data[a["name"]] = a.get("value") or ""
        elif tag in ("select", "textarea"):
            setattr(self, tag, a["name"])
            self.data[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag in ("select", "textarea"):
            setattr(self, tag, None)

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def edit_data(client, contest: Contest) -> dict[str, str]:
    """What the edit form posts when nothing is changed (disabled controls left out, as a browser does)."""
    reader = FormReader()
    reader.feed(client.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True))
    return {name: value.removeprefix("\r\n").removeprefix("\n") for name, value in reader.data.items()}


def add_attempt(round_: Round, user) -> None:
    now = utcnow()
    db.session.add(Attempt(round_id=round_.id, user_id=user.id, number=1, status=AttemptStatus.SUBMITTED,
                           started_at=now, deadline_at=now + timedelta(minutes=10), submitted_at=now,
                           duration_ms=1000, question_count=5, correct_count=4))
    db.session.commit()


def test_editing_without_changes_changes_nothing_and_a_title_change_is_audited(organizer_client, banks):
    contest = create(organizer_client)
    data = edit_data(organizer_client, contest)
    before = count(AuditEntry)
    response = organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(AuditEntry) == before
    data["title"] = "Tìm hiểu Hiến pháp năm 2026"
    data["rounds-1-max_attempts"] = "3"
    assert organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert contest.title == "Tìm hiểu Hiến pháp năm 2026" and contest.rounds[1].max_attempts == 3
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()[before:]
    assert actions == ["contest.edit", "round.edit"]


def test_a_round_with_attempts_locks_what_changes_results_even_when_posted(organizer_client, banks, make_user):
    contest = create(organizer_client)
    add_attempt(contest.rounds[0], make_user())
    html = organizer_client.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*disabled[^>]*id="rounds-0-question_count"|<input[^>]*id="rounds-0-question_count"'
                     r'[^>]*disabled', html)
    assert "Đã có 1 lượt thi: thay đổi trường này sẽ làm thay đổi kết quả." in html
    assert f"/judge/rounds/{contest.rounds[0].id}/questions" in html
    data = edit_data(organizer_client, contest)
    crafted = {**data, "rounds-0-question_count": "6", "rounds-0-draw-0-count": "4",
               "rounds-0-closes_at": "2030-11-29T00:00", "collective_level": "3"}
    response = organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=crafted)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert "Đã có 1 lượt thi: chỉ có thể lùi thời điểm đóng muộn hơn." in page
    assert page.count("Đã có 1 lượt thi: thay đổi trường này sẽ làm thay đổi kết quả.") >= 3
    db.session.expire_all()
    first = contest.rounds[0]
    assert (first.question_count, contest.collective_level) == (5, 2)
    assert first.closes_at.day == 29 and first.closes_at.hour == 17  # 30/11 00:00 in Vietnam, unchanged
    # what cannot change results still can: the name, the prediction's text, the close moved later
    allowed = {**data, "rounds-0-name": "Tuần thứ nhất", "rounds-0-closes_at": "2030-11-30T00:00"}
    assert organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=allowed).status_code == 302
    db.session.expire_all()
    assert contest.rounds[0].name == "Tuần thứ nhất"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round.edit")).one()
    assert entry.object_id == first.id and entry.details["changes"] == [
        {"field": "name", "old": "Tuần 1", "new": "Tuần thứ nhất"}]


def test_copying_a_round_adds_next_weeks_round(organizer_client, banks):
    contest = create(organizer_client)
    second = contest.rounds[1]
    token = csrf(organizer_client.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True))
    response = organizer_client.post(f"/organizer/contests/{contest.id}/rounds/{second.id}/copy",
                                     data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.name for r in contest.rounds] == ["Tuần 1", "Tuần 2", "Tuần 3"]
    third = contest.rounds[2]
    assert third.opens_at == second.closes_at and third.closes_at - third.opens_at == timedelta(days=7)
    assert [(d.topic, d.count) for d in third.draw_rules] == [("Lịch sử", 3), ("Pháp luật", 2)]
    assert [(t.name, t.count) for t in third.prize_tiers] == [("Giải Nhất", 1), ("Giải Nhì", 2)]
    assert "Tuần 3" in organizer_client.get(response.headers["Location"]).get_data(as_text=True)


def test_publishing_shows_the_contest_with_its_rules_and_notices(organizer_client, app, banks):
    visitor = app.test_client()
    contest = create(organizer_client)
    token = csrf(organizer_client.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True))
    assert organizer_client.post(f"/organizer/contests/{contest.id}/publish",
                                 data={"csrf_token": token}).status_code == 302
    assert organizer_client.post(f"/organizer/contests/{contest.id}/notices",
                                 data={"csrf_token": token, "text": "Đợt 2 lùi lịch sang 07/12."}).status_code == 302
    assert organizer_client.post(f"/organizer/contests/{contest.id}/notices",
                                 data={"csrf_token": token, "text": "   "}).status_code == 302
    assert count(ContestNotice) == 1
    db.session.expire_all()
    assert contest.published
    html = visitor.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Đợt 2 lùi lịch sang 07/12." in html and "<strong>Điều 1.</strong>" in html
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"contest.publish", "contest.notice_post"} <= actions


def test_the_toml_download_creates_the_same_contest(organizer_client, banks):
    contest = create(organizer_client)
    response = organizer_client.get(f"/organizer/contests/{contest.id}/contest.toml")
    assert response.status_code == 200 and 'name = "Tuần 2"' in response.get_data(as_text=True)


def test_question_counts_are_given_per_bank_topic_and_difficulty(organizer_client, banks):
    cells = organizer_client.get("/organizer/contests/question-counts").get_json()["cells"]
    assert {(c["bank"], c["topic"], c["difficulty"], c["count"]) for c in cells} == {
        ("Ngân hàng A", "Lịch sử", None, 10), ("Ngân hàng A", "Pháp luật", "easy", 6)}
    page = organizer_client.get("/organizer/contests/new").get_data(as_text=True)
    assert "Lịch sử</th><td class=\"num\">10" in page


def test_the_contest_list_shows_every_contest_with_its_rounds(organizer_client, banks):
    create(organizer_client)
    html = organizer_client.get("/organizer/contests").get_data(as_text=True)
    assert "Tìm hiểu Hiến pháp 2026" in html and "Tuần 2" in html and "Chưa công bố" in html


def test_judges_and_participants_cannot_use_the_console(client, make_user, login):
    login(make_user(Role.JUDGE))
    assert client.get("/organizer/contests").status_code == 403


def test_a_script_in_the_rules_does_not_reach_the_public_page(organizer_client, app, banks):
    visitor = app.test_client()
    rules = "**Điều 1.** Mọi công dân.\n\n<script>alert(1)</script>\n\n[bấm](javascript:alert(1))"
    assert post_new(organizer_client, contest_fields(rules=rules)).status_code == 302
    contest = db.session.scalar(select(Contest))
    token = csrf(organizer_client.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True))
    organizer_client.post(f"/organizer/contests/{contest.id}/publish", data={"csrf_token": token})
    html = visitor.get(f"/contests/{contest.id}").get_data(as_text=True)
    rules_html = html[html.index('id="rules-title"'):html.index("</section>", html.index('id="rules-title"'))]
    assert "<strong>Điều 1.</strong>" in rules_html
    assert "<script" not in rules_html and 'href="javascript' not in rules_html


def test_the_audience_is_set_in_the_form_and_an_unknown_unit_is_named_beside_it(organizer_client, banks):
    make_units()
    response = post_new(organizer_client, contest_fields(audience="HN-BD, HN-XX", audience_categories="đảng viên"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and count(Contest) == 0
    assert re.search(r'id="audience-errors"><li>Không có đơn vị nào mã «HN-XX» trong cây đơn vị', html), html
    assert post_new(organizer_client, contest_fields(audience="HN-BD", audience_categories="đảng viên")
                    ).status_code == 302
    contest = db.session.scalar(select(Contest))
    assert contest_audience(contest.id).categories == ("Đảng viên",)
    assert [unit.code for unit in contest_audience(contest.id).units] == ["HN-BD"]


def test_an_unpublished_contest_is_on_no_public_page(organizer_client, app, banks):
    visitor = app.test_client()
    contest = create(organizer_client)
    round_id = contest.rounds[0].id
    assert visitor.get(f"/contests/{contest.id}").status_code == 404
    assert contest.title not in visitor.get("/contests").get_data(as_text=True)
    assert visitor.get("/api/v1/contests").get_json()["contests"] == []
    assert visitor.get(f"/api/v1/rounds/{round_id}/leaderboard").status_code == 404


def test_a_notice_is_removed_and_an_unknown_one_is_404(organizer_client, banks):
    contest = create(organizer_client)
    token = csrf(organizer_client.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True))
    organizer_client.post(f"/organizer/contests/{contest.id}/notices", data={"csrf_token": token, "text": "Tạm hoãn."})
    notice = db.session.scalar(select(ContestNotice))
    assert organizer_client.post(f"/organizer/contests/{contest.id}/notices/{notice.id + 1}/delete",
                                 data={"csrf_token": token}).status_code == 404
    assert organizer_client.post(f"/organizer/contests/{contest.id}/notices/{notice.id}/delete",
                                 data={"csrf_token": token}).status_code == 302
    assert count(ContestNotice) == 0


@pytest.mark.parametrize("crafted", ["²", "99999999999", "-1", "abc"])
def test_a_crafted_round_id_is_no_500_and_leaves_a_round_with_attempts_alone(organizer_client, banks, make_user,
                                                                             crafted):
    contest = create(organizer_client)
    add_attempt(contest.rounds[0], make_user())
    data = {**edit_data(organizer_client, contest), "rounds-0-id": crafted}
    response = organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=data)
    assert response.status_code == 422
    assert "Không thể bỏ đợt «Tuần 1»: đã có 1 lượt thi." in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(contest.rounds) == 2


def test_a_close_at_23_59_59_survives_a_save_of_a_round_with_attempts(organizer_client, banks, make_user):
    response = post_new(organizer_client, contest_fields(**{"rounds-0-closes_at": "2030-11-29T23:59:59"}))
    assert response.status_code == 302, response.get_data(as_text=True)
    contest = db.session.scalar(select(Contest))
    add_attempt(contest.rounds[0], make_user())
    data = edit_data(organizer_client, contest)
    assert data["rounds-0-closes_at"] == "2030-11-29T23:59:59" and data["rounds-1-opens_at"] == "2030-11-30T00:00"
    data["title"] = "Tên mới"
    assert organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=data).status_code == 302


def test_the_demo_contest_saved_unchanged_from_the_form_changes_nothing(organizer_client):
    """A contest written in TOML (multi-line rules, a prediction question, draws by topic, four prize tiers)
    reads into the form and back to the same contest."""
    for topic in ("Tiểu sử Hồ Chí Minh", "Tác phẩm Hồ Chí Minh", "Chuyên đề năm 2025"):
        add_questions("Mẫu", topic, 4)
    for year in range(2021, 2025):
        add_questions("Mẫu", f"Chuyên đề năm {year}", 2)
    load_demo_contest(now=utcnow())
    db.session.commit()
    contest = db.session.scalar(select(Contest))
    before = count(AuditEntry)
    response = organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=edit_data(organizer_client,
                                                                                                 contest))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(AuditEntry) == before


def test_the_edit_page_and_a_save_take_as_many_queries_for_6_rounds_as_for_2(organizer_client, banks):
    counts = []
    for rounds in (2, 6):
        data = contest_fields()
        start = datetime(2030, 12, 7)
        for i in range(2, rounds):
            opens, closes = start + timedelta(days=7 * (i - 2)), start + timedelta(days=7 * (i - 1))
            data |= round_fields(i, f"Tuần {i + 1}", f"{opens:%Y-%m-%dT%H:%M}", f"{closes:%Y-%m-%dT%H:%M}")
        assert post_new(organizer_client, data).status_code == 302
        contest = db.session.scalars(select(Contest).order_by(Contest.id.desc())).first()
        with counted_queries() as page:
            organizer_client.get(f"/organizer/contests/{contest.id}/edit")
        data = {**edit_data(organizer_client, contest), "rounds-1-max_attempts": "5"}
        with counted_queries() as save:
            assert organizer_client.post(f"/organizer/contests/{contest.id}/edit", data=data).status_code == 302
        counts.append((len(page), len(save)))
    assert counts[0] == counts[1]


def test_unpublishing_takes_the_contest_off_the_public_pages_again(organizer_client, app, banks):
    visitor = app.test_client()
    contest = create(organizer_client)
    token = csrf(organizer_client.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True))
    organizer_client.post(f"/organizer/contests/{contest.id}/publish", data={"csrf_token": token})
    assert visitor.get(f"/contests/{contest.id}").status_code == 200
    response = organizer_client.post(f"/organizer/contests/{contest.id}/unpublish", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Cuộc thi đã được ẩn khỏi các trang công khai." in organizer_client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert visitor.get(f"/contests/{contest.id}").status_code == 404
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["contest.publish", "contest.unpublish"]
