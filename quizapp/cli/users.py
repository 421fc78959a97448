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
              help="Unit code the account is scoped to: it then sees and acts within that unit's subtree only. "
                   "Required for unit_officer, optional for organizer and judge, refused for admin.")
@in_transaction
def users_create(role: str, email: str, password: str, full_name: str | None, unit_code: str | None) -> None:
    """Create a staff account; with --unit CODE a scoped one (an organizer, a judge or a unit officer who sees
    their unit's subtree only)."""
    from quizapp.messages.officers import officer_account_message
    from quizapp.messages.participants import account_error_message
    from quizapp.services.accounts import AccountError, create_scoped_staff

    try:
        user = create_scoped_staff(role=Role(role), unit_code=unit_code, email=email, password=password,
                                   full_name=full_name, actor=None, now=utcnow())
    except AccountError as error:
        if error.code in ("unit_required", "unit_not_for_role"):
            raise click.UsageError(officer_account_message(error.code)) from None
        message = officer_account_message(error.code) if error.field == "unit" else account_error_message(error)
        raise click.ClickException(message) from None
    suffix = f", unit {unit_code.strip()}" if user.scope_unit_id is not None and unit_code else ""
    click.echo(f"user {user.id} created: {user.email} ({user.role.value}{suffix})")
