"""The ``quizapp`` command: a Flask CLI group over the app factory, one module per command group. Each command
calls services inside one transaction (``common.in_transaction``): committed when it succeeds, rolled back when it
fails."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from quizapp.cli.common import in_transaction

__all__ = ["in_transaction", "init_app", "main"]


def main() -> None:
    from quizapp import create_app

    group = FlaskGroup(create_app=lambda: create_app(), help="quizapp: online multiple-choice contests.")
    group.main(prog_name="quizapp")


def init_app(app: Flask) -> None:
    from quizapp.cli.attempts import attempts_cli
    from quizapp.cli.banks import banks_cli
    from quizapp.cli.contests import contests_cli
    from quizapp.cli.dashboard import dashboard_cli
    from quizapp.cli.demo import demo
    from quizapp.cli.people import people_cli
    from quizapp.cli.results import results_cli
    from quizapp.cli.rounds import rounds_cli
    from quizapp.cli.units import units_cli
    from quizapp.cli.users import users_cli

    for command in (users_cli, banks_cli, units_cli, contests_cli, rounds_cli, attempts_cli, results_cli, people_cli,
                    demo, dashboard_cli):
        app.cli.add_command(command)
    from flask_migrate.cli import db as db_cli

    from quizapp.cli.backup import backup

    db_cli.add_command(backup)  # `quizapp db backup`, beside Flask-Migrate's `db upgrade`
