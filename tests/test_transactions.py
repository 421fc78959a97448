"""One transaction per request or command (quizapp.transactions): kept when it succeeds, undone when it fails."""

from __future__ import annotations

import click
import pytest
from flask import abort
from sqlalchemy import func, select

from quizapp.cli import in_transaction
from quizapp.extensions import db
from quizapp.models import Unit
from quizapp.transactions import keep_changes


def add_unit(code: str) -> None:
    db.session.add(Unit(code=code, name=f"Đơn vị {code}", name_key=code.lower(), member_count=1))
    db.session.flush()


def units() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(Unit.code)).all())


@pytest.fixture
def routes(app):
    """Routes that write a unit, then answer in each way a view can."""

    @app.get("/_t/ok")
    def ok():
        add_unit("OK")
        return "ok"

    @app.get("/_t/refused")
    def refused():
        add_unit("REFUSED")
        return "refused", 422

    @app.get("/_t/kept")
    def kept():
        add_unit("KEPT")
        keep_changes()
        return "kept", 409

    @app.get("/_t/aborted")
    def aborted():
        add_unit("ABORTED")
        abort(404)

    @app.get("/_t/crashed")
    def crashed():
        add_unit("CRASHED")
        raise RuntimeError("boom")

    return app


def test_a_request_keeps_its_writes_only_when_it_succeeds_or_keeps_them(routes, client):
    routes.config["PROPAGATE_EXCEPTIONS"] = False
    assert [client.get(f"/_t/{name}").status_code for name in ("ok", "refused", "kept", "aborted", "crashed")] == [
        200, 422, 409, 404, 500]
    assert units() == {"OK", "KEPT"}


def test_a_command_keeps_its_writes_only_when_it_succeeds(app):
    @click.command()
    @click.argument("outcome")
    @in_transaction
    def write(outcome: str) -> None:
        add_unit(outcome.upper())
        if outcome == "fails":
            raise click.ClickException("refused")
        if outcome == "exits":
            raise SystemExit(1)

    runner = app.test_cli_runner()
    assert [runner.invoke(write, [outcome]).exit_code for outcome in ("works", "fails", "exits")] == [0, 1, 1]
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 1 and units() == {"WORKS"}


def test_a_command_before_the_schema_exists_says_to_run_db_upgrade(tmp_path, monkeypatch):
    """No traceback: the one sentence that helps (SQLite here; PostgreSQL's undefined table is read the same way)."""
    from quizapp import create_app

    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    empty = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}", "SECRET_KEY": "x"})
    result = empty.test_cli_runner().invoke(args=["rounds", "close", "1"])
    assert result.exit_code == 1 and "quizapp db upgrade" in result.output and "Traceback" not in result.output
