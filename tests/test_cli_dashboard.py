"""quizapp dashboard refresh: moves the counters forward, rebuilds them with --full, refuses unknown rounds."""

from __future__ import annotations

from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import RoundSummary
from quizapp.models.types import utcnow
from tests.services.test_dashboard_service import LAYOUT
from tests.services.test_standings import add_units, entry, make_contest, person


def test_refresh_counts_the_open_rounds_and_rebuilds_on_demand(app):
    units = add_units(LAYOUT)
    round_ = make_contest(closes_at=utcnow() + timedelta(days=1)).rounds[0]
    old = make_contest(closes_at=utcnow() - timedelta(days=3), title="Cuộc thi cũ").rounds[0]
    first, second = entry(round_, person(unit=units["A1"]), 7), entry(round_, person(unit=units["B"]), 5)
    cli = app.test_cli_runner()
    result = cli.invoke(args=["dashboard", "refresh"])
    assert result.exit_code == 0, result.output
    assert f"Đợt thi {round_.id} (Tuần 1): đã đếm đến lượt thi mã số {second.id}." in result.output
    assert f"Đợt thi {old.id} " not in result.output  # closed days ago: left alone
    db.session.expire_all()
    assert db.session.get(RoundSummary, round_.id).counted_through == second.id > first.id
    rebuilt = cli.invoke(args=["dashboard", "refresh", "--full", str(old.id)])
    assert rebuilt.exit_code == 0 and "(đếm lại từ đầu)" in rebuilt.output


def test_an_unknown_round_is_refused_and_nothing_is_counted(app):
    round_ = make_contest(closes_at=utcnow() + timedelta(days=1)).rounds[0]
    entry(round_, person(), 7)
    result = app.test_cli_runner().invoke(args=["dashboard", "refresh", str(round_.id), "4242"])
    assert result.exit_code == 1 and "không có đợt thi mã số 4242; chưa làm gì" in result.output
    db.session.expire_all()
    assert db.session.get(RoundSummary, round_.id) is None
