"""`quizapp people export LOGIN -o FILE.json` and `quizapp people erase LOGIN --reason TEXT` (the real clock)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from quizapp.domain.personal_data import ANONYMOUS_NAME
from quizapp.extensions import db
from quizapp.models import AuditEntry, RoundResult, User
from quizapp.models.types import utcnow
from tests.services.test_standings import entry, make_contest, make_units, person


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def closed(app):
    """A round closed yesterday with two entries; not finalized yet."""
    units = make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1)).rounds[0]
    an = person("Nguyễn Văn An", units["HN-BD"], phone="0912345678", email="an@example.test",
                id_number="001099012345")
    entry(round_, an, 10, prediction=1)
    entry(round_, person("Trần Thị Bình", units["HN-HK"]), 9, prediction=1)
    return round_, an


def test_export_by_phone_in_any_form_writes_utf8_json_and_a_one_line_summary(cli, closed, tmp_path):
    round_, an = closed
    out = tmp_path / "an.json"
    result = cli.invoke(args=["people", "export", "+84 912 345 678", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1 and str(out) in result.output
    text = out.read_text(encoding="utf-8")
    assert "Nguyễn Văn An" in text  # UTF-8, not \\u escapes
    data = json.loads(text)
    assert data["account"]["phone"] == "0912345678" and data["account"]["id_number"] == "001099012345"
    assert data["unit"]["code"] == "HN-BD" and data["attempts"][0]["correct_count"] == 10
    by_email = cli.invoke(args=["people", "export", "AN@example.test", "-o", str(tmp_path / "b.json")])
    assert by_email.exit_code == 0 and json.loads((tmp_path / "b.json").read_text())["account"]["id"] == an.id


def test_an_unknown_login_exits_1_with_a_clear_message_and_writes_nothing(cli, closed, tmp_path):
    out = tmp_path / "x.json"
    for command in (["people", "export", "0999888777", "-o", str(out)],
                    ["people", "erase", "ai@example.test", "--reason", "Yêu cầu"]):
        result = cli.invoke(args=command)
        assert result.exit_code == 1 and "Không có người dự thi nào" in result.output
        assert "Traceback" not in result.output
    assert not out.exists()


def test_erase_before_the_round_is_finalized_exits_1_naming_it_and_changes_nothing(cli, closed):
    round_, an = closed
    result = cli.invoke(args=["people", "erase", "0912345678", "--reason", "Người dự thi yêu cầu"])
    assert result.exit_code == 1
    assert "Tuần 1" in result.output and round_.contest.title in result.output
    db.session.expire_all()
    again = db.session.get(User, an.id)
    assert (again.full_name, again.phone, again.erased_at) == ("Nguyễn Văn An", "0912345678", None)
    assert db.session.query(AuditEntry).filter_by(action="person.erase").count() == 0


def test_erase_after_finalizing_keeps_the_results_anonymously_and_is_audited(cli, closed):
    round_, an = closed
    assert cli.invoke(args=["rounds", "finalize", str(round_.id)]).exit_code == 0
    ranks = {r.user_id: (r.rank, r.correct_count) for r in db.session.query(RoundResult)}
    missing = cli.invoke(args=["people", "erase", "0912345678"])
    assert missing.exit_code == 2 and "--reason" in missing.output
    result = cli.invoke(args=["people", "erase", "0912 345 678", "--reason", "Người dự thi yêu cầu"])
    assert result.exit_code == 0, result.output
    assert f"{ANONYMOUS_NAME} #{an.id}" in result.output
    db.session.expire_all()
    erased = db.session.get(User, an.id)
    assert erased.full_name == f"{ANONYMOUS_NAME} #{an.id}"
    assert (erased.phone, erased.email, erased.id_number, erased.birth_date) == (None, None, None, None)
    assert {r.user_id: (r.rank, r.correct_count) for r in db.session.query(RoundResult)} == ranks
    logged = db.session.query(AuditEntry).filter_by(action="person.erase").one()
    assert (logged.actor_id, logged.object_id, logged.reason) == (None, an.id, "Người dự thi yêu cầu")
    # the login is gone: a second erase finds nobody
    again = cli.invoke(args=["people", "erase", "0912345678", "--reason", "Lần hai"])
    assert again.exit_code == 1 and "Không có người dự thi nào" in again.output
