"""The judges' ranking filter finds a unit by its name as registration does (accent-insensitive), offers the
candidates when a name matches several units, and a flag leads to the flagged person's place in the ranking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.models.types import utcnow
from tests.services.test_flags import add_entry, build_scene

NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Dũng")


@pytest.fixture
def scene(app):
    scene = build_scene()
    now = utcnow()
    scene.round.opens_at, scene.round.closes_at = now - timedelta(days=7), now - timedelta(hours=1)
    add_entry(scene, "Nguyễn Văn An", correct=4, duration_ms=200_000, unit="D1A")
    add_entry(scene, "Trần Thị Bình", correct=3, duration_ms=100_000, unit="D1")
    add_entry(scene, "Phạm Văn Dũng", correct=1, duration_ms=1_000, unit="D2")
    db.session.commit()
    return scene


@pytest.fixture
def judge_client(make_user, login):
    return login(make_user(Role.JUDGE, full_name="Giám Khảo Ba"))


def _shown(client, round_id, **params) -> tuple[set[str], str]:
    html = client.get(f"/judge/rounds/{round_id}", query_string=params).get_data(as_text=True)
    table = html.split('class="ranking judge-ranking"')[1].split("</table>")[0]
    return {name for name in NAMES if name in table}, html


def test_a_unit_is_found_by_its_name_without_accents(scene, judge_client):
    shown, html = _shown(judge_client, scene.round.id, unit="huyen mot")
    assert shown == {"Nguyễn Văn An", "Trần Thị Bình"}  # Huyện Một and Xã Một A below it
    assert "Đơn vị: Huyện Một và mọi đơn vị trực thuộc." in html
    assert _shown(judge_client, scene.round.id, unit="D2")[0] == {"Phạm Văn Dũng"}  # the code still works


def test_a_name_matching_several_units_offers_them_and_filters_nothing(scene, judge_client):
    shown, html = _shown(judge_client, scene.round.id, unit="huyen")
    assert shown == set()
    assert "Có nhiều đơn vị khớp «huyen»: hãy chọn một đơn vị bên dưới." in html
    assert "unit=D1" in html and "unit=D2" in html  # a link for each candidate
    shown, html = _shown(judge_client, scene.round.id, unit="không có đơn vị này")
    assert shown == set() and "Không có đơn vị nào có tên hoặc mã «không có đơn vị này»." in html


def test_a_flag_links_to_the_person_in_the_ranking(scene, judge_client):
    flags = judge_client.get(f"/judge/rounds/{scene.round.id}/flags").get_data(as_text=True)
    fast = flags.split('id="fast"')[1].split("</section>")[0]
    dung = scene.users["Phạm Văn Dũng"].id
    link = f"/judge/rounds/{scene.round.id}?user={dung}#ranking"
    assert f'href="{link}"' in fast
    shown, html = _shown(judge_client, scene.round.id, user=dung)
    assert shown == {"Phạm Văn Dũng"} and "Xem tất cả" in html
