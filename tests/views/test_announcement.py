"""The results announcement: public only once every round shown is finalized, with names masked; the judges'
version with full names and phones, available as a draft before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.services.test_flags import add_entry, build_scene
from tests.views.test_judge_pages import _closed_scene


@pytest.fixture
def scene(app):
    """Nhất 1, Nhì 1; the collective prize (one) goes to the district with the best participation rate."""
    scene = _closed_scene(prizes=(("Giải Nhất", 1), ("Giải Nhì", 1)))
    add_entry(scene, "Nguyễn Văn An", correct=4, duration_ms=200_000, unit="D1A")
    add_entry(scene, "Nguyễn Văn An", correct=2, duration_ms=100_000, unit="D1A")
    add_entry(scene, "Trần Thị Bình", correct=3, duration_ms=100_000, unit="D1")
    add_entry(scene, "Lê Văn Cường", correct=3, duration_ms=150_000, unit="D1")
    add_entry(scene, "Phạm Văn Dũng", correct=1, duration_ms=90_000, unit="D2")
    return scene


def _finalize(round_) -> None:
    finalize_round(round_, actor=None, now=utcnow())
    db.session.commit()


def test_the_public_announcement_is_404_before_finalization(scene, client):
    assert client.get(f"/contests/{scene.contest.id}/announcement").status_code == 404
    assert client.get(f"/contests/{scene.contest.id}/announcement",
                      query_string={"round": scene.round.id}).status_code == 404


def test_the_public_announcement_masks_names_after_finalization(scene, client):
    _finalize(scene.round)

    response = client.get(f"/contests/{scene.contest.id}/announcement")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "THÔNG BÁO KẾT QUẢ" in html and scene.contest.title in html
    assert "Nguyễn V. A." in html and "Trần T. B." in html
    for name in ("Nguyễn Văn An", "Trần Thị Bình"):
        assert name not in html
    for user in scene.users.values():
        assert user.phone not in html
    round_part = html.split("Tuần 1")[1].split("Xếp hạng tập thể")[0]
    assert round_part.index("Giải Nhất") < round_part.index("Nguyễn V. A.") < round_part.index("Giải Nhì") \
        < round_part.index("Trần T. B.")
    assert "Lê V. C." not in round_part  # no prize, not announced
    collectives = html.split("Xếp hạng tập thể")[1]
    assert "Huyện Một" in collectives and "Giải tập thể" in collectives
    figures = html.split('class="announcement-figures"')[1].split("</section>")[0]
    assert ">5</strong>" in figures and ">4</strong>" in figures and ">2</strong>" in figures


def test_the_judges_announcement_shows_full_names_and_phones(scene, make_user, login):
    judge = login(make_user(Role.JUDGE))

    draft = judge.get(f"/judge/contests/{scene.contest.id}/announcement").get_data(as_text=True)
    assert "Bản nháp" in draft and "BẢN NHÁP" in draft  # the notice, and the watermark printed on the page
    assert f"Các đợt chưa chốt không có trong văn bản: {scene.round.name}." in draft
    assert "Nguyễn Văn An" not in draft  # a round not finalized takes no place in the document

    _finalize(scene.round)
    html = judge.get(f"/judge/contests/{scene.contest.id}/announcement").get_data(as_text=True)
    assert "Bản nháp" not in html and "BẢN NHÁP" not in html
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" in html
    assert scene.users["Nguyễn Văn An"].phone in html
    assert f"/contests/{scene.contest.id}/announcement" in html  # link to the public version


def test_every_round_shown_must_be_finalized(scene, client):
    second = build_scene(units=scene.units, contest=scene.contest, round_name="Tuần 2")
    second.round.opens_at = utcnow() - timedelta(days=3)
    second.round.closes_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    add_entry(second, "Võ Thị Em", correct=4)
    _finalize(scene.round)

    assert client.get(f"/contests/{scene.contest.id}/announcement").status_code == 404
    only_first = client.get(f"/contests/{scene.contest.id}/announcement", query_string={"round": scene.round.id})
    assert only_first.status_code == 200 and "Võ T. E." not in only_first.get_data(as_text=True)

    _finalize(second.round)
    both = client.get(f"/contests/{scene.contest.id}/announcement").get_data(as_text=True)
    assert "Tuần 1" in both and "Tuần 2" in both and "Võ T. E." in both


def test_an_unpublished_contest_has_no_public_announcement(scene, client):
    _finalize(scene.round)
    scene.contest.published = False
    db.session.commit()

    assert client.get(f"/contests/{scene.contest.id}/announcement").status_code == 404
    assert client.get("/contests/999999/announcement").status_code == 404
