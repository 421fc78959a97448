"""The organizer's unit tree page totals registrations up the tree and shows each unit's participation rate in a
contest (rule 8's rate: distinct participants under the unit / its member count), in a few set-based queries."""

from __future__ import annotations

import re
from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import AttemptStatus, Disqualification, Role, Unit
from quizapp.models.types import utcnow
from quizapp.services.units import rebuild_tree
from tests.services.test_attempts import statements
from tests.services.test_standings import entry, make_contest, make_units, person


def rows(html: str) -> dict[str, list[str]]:
    """unit code → the texts of its line's cells in the tree."""
    found = {}
    for chunk in html.split('<span class="unit-line">')[1:]:
        chunk = chunk.split('class="unit-manage"')[0]
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
                 for cell in re.findall(r'<span class="cell[^"]*">(.*?)</span>', chunk, flags=re.S)]
        found[cells[0]] = [re.sub(r"\( ", "(", cell) for cell in cells[1:]]
    return found


def test_registrations_and_participation_are_totalled_up_the_tree(organizer_client, make_user):
    """HN (1000) › HN-BD (100) › HN-BD-CB1 (10); HN › HN-HK (50); DN (200)."""
    units = make_units()
    contest = make_contest(closes_at=utcnow() + timedelta(days=2))
    round_ = contest.rounds[0]
    took_part = [person(f"Người {n}", units["HN-BD-CB1"]) for n in range(4)]
    for n, someone in enumerate(took_part):
        entry(round_, someone, 5)
        if n == 0:
            entry(round_, someone, 6)  # two attempts, one participant
    person("Chưa thi", units["HN-BD-CB1"])
    entry(round_, person("Ở phường", units["HN-BD"]), 3)
    person("Ở thành phố", units["HN"])
    entry(round_, person("Đang thi", units["HN-HK"]), 0, status=AttemptStatus.IN_PROGRESS)  # not finished
    entry(round_, person("Tài khoản thử", units["HN-HK"], hidden=True), 9)  # hidden: counts nowhere
    judged = person("Bị loại", units["DN"])
    entry(round_, judged, 9)
    db.session.add(Disqualification(round_id=round_.id, user_id=judged.id, reason="gian lận", decided_at=utcnow()))
    make_user(Role.ORGANIZER, unit_id=units["DN"].id)  # staff are not registrations
    db.session.commit()

    figures = rows(organizer_client.get("/organizer/units").get_data(as_text=True))
    # code: name, members, registered (and those registered in the unit itself), took part, rate
    assert figures["HN"] == ["Thành phố Hà Nội", "Thành viên: 1.000", "Đã đăng ký: 8 (trực tiếp: 1)",
                             "Đã dự thi: 5", "Tỷ lệ: 0,5%"]
    assert figures["HN-BD"] == ["Phường Ba Đình", "Thành viên: 100", "Đã đăng ký: 6 (trực tiếp: 1)",
                                "Đã dự thi: 5", "Tỷ lệ: 5,0%"]
    assert figures["HN-BD-CB1"] == ["Chi bộ Khu dân cư số 1", "Thành viên: 10", "Đã đăng ký: 5", "Đã dự thi: 4",
                                    "Tỷ lệ: 40,0%"]
    assert figures["HN-HK"] == ["Phường Hoàn Kiếm", "Thành viên: 50", "Đã đăng ký: 1", "Đã dự thi: 0", "Tỷ lệ: 0,0%"]
    assert figures["DN"] == ["Thành phố Đà Nẵng", "Thành viên: 200", "Đã đăng ký: 1", "Đã dự thi: 0", "Tỷ lệ: 0,0%"]


def test_another_contest_can_be_chosen_and_a_unit_without_members_shows_no_rate(organizer_client):
    units = make_units()
    units["HN-HK"].member_count = 0
    older = make_contest(closes_at=utcnow() - timedelta(days=30), title="Cuộc thi năm trước")
    newer = make_contest(closes_at=utcnow() + timedelta(days=2), title="Cuộc thi năm nay")
    entry(older.rounds[0], person("An", units["HN-HK"]), 5)
    entry(older.rounds[0], person("Bình", units["HN-BD"]), 5)

    html = organizer_client.get("/organizer/units").get_data(as_text=True)
    assert re.search(rf'<option selected value="{newer.id}">', html)  # the contest open now
    assert rows(html)["HN-BD"][3:] == ["Đã dự thi: 0", "Tỷ lệ: 0,0%"]
    html = organizer_client.get(f"/organizer/units?contest={older.id}").get_data(as_text=True)
    assert rows(html)["HN-BD"][3:] == ["Đã dự thi: 1", "Tỷ lệ: 1,0%"]
    assert rows(html)["HN-HK"][3:] == ["Đã dự thi: 1", "Tỷ lệ: chưa có số thành viên"]
    for bad in ("abc", "999999", ""):  # not a contest: the default one, no error
        response = organizer_client.get(f"/organizer/units?contest={bad}")
        assert response.status_code == 200
        assert rows(response.get_data(as_text=True))["HN-BD"][3:] == ["Đã dự thi: 0", "Tỷ lệ: 0,0%"]


def test_without_any_contest_the_page_shows_registrations_only(organizer_client):
    units = make_units()
    person("An", units["HN-HK"])
    html = organizer_client.get("/organizer/units").get_data(as_text=True)
    assert rows(html)["HN"] == ["Thành phố Hà Nội", "Thành viên: 1.000", "Đã đăng ký: 1 (trực tiếp: 0)"]
    assert "Đã dự thi:" not in html and "Tỷ lệ:" not in html


def test_the_page_costs_the_same_queries_for_a_small_tree_or_a_large_one(organizer_client):
    def queries() -> int:
        with statements() as seen:
            assert organizer_client.get("/organizer/units").status_code == 200
        return len(seen)

    units = make_units()
    contest = make_contest(closes_at=utcnow() + timedelta(days=2))
    entry(contest.rounds[0], person("An", units["HN-HK"]), 5)
    small = queries()
    added = [Unit(code=f"X{n:02d}", name=f"Đơn vị {n}", name_key=f"don vi {n}", member_count=10,
                  parent_id=units["DN"].id) for n in range(30)]
    db.session.add_all(added)
    db.session.flush()
    rebuild_tree()
    db.session.commit()
    for unit in added[:10]:
        entry(contest.rounds[0], person("Người", unit), 4)
    assert queries() == small
