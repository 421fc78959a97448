"""quizapp users: staff accounts."""

from __future__ import annotations

import click

from quizapp.cli.common import in_transaction
from quizapp.models import Role
from quizapp.models.types import utcnow

users_cli = click.Group("users", help="Accounts.")


@users_cli.command("create")
@click.option("--role", type=click.Choice(["admin", "organizer", "judge", "unit_officer"]), required=True)
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "full_name", default=None, help="Full name shown in the interface.")
@click.option("--unit", "unit_code", default=None,
              help="Unit code a unit_officer is responsible for (required for that role only).")
@in_transaction
def users_create(role: str, email: str, password: str, full_name: str | None, unit_code: str | None) -> None:
    """Create a staff account (a unit officer with --unit CODE: they see their unit's subtree only)."""
    from quizapp.messages.officers import officer_account_message
    from quizapp.messages.participants import account_error_message
    from quizapp.services.accounts import AccountError, create_staff
    from quizapp.services.unit_officers import create_unit_officer

    if (role == Role.UNIT_OFFICER.value) != (unit_code is not None):
        raise click.UsageError(officer_account_message("unit_option"))
    try:
        if role == Role.UNIT_OFFICER.value:
            user = create_unit_officer(unit_code=unit_code or "", email=email, password=password,
                                       full_name=full_name, actor=None, now=utcnow())
        else:
            user = create_staff(role=Role(role), email=email, password=password, full_name=full_name, actor=None,
                                now=utcnow())
    except AccountError as error:
        message = officer_account_message(error.code) if error.field == "unit" else account_error_message(error)
        raise click.ClickException(message) from None
    suffix = f", unit {unit_code}" if unit_code is not None else ""
    click.echo(f"user {user.id} created: {user.email} ({user.role.value}{suffix})")
