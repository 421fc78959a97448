"""quizapp users: staff accounts."""

from __future__ import annotations

import click

from quizapp.cli.common import in_transaction
from quizapp.models import Role
from quizapp.models.types import utcnow

users_cli = click.Group("users", help="Accounts.")


@users_cli.command("create")
@click.option("--role", type=click.Choice(["admin", "organizer", "judge"]), required=True)
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "full_name", default=None, help="Full name shown in the interface.")
@in_transaction
def users_create(role: str, email: str, password: str, full_name: str | None) -> None:
    """Create a staff account."""
    from quizapp.messages.participants import account_error_message
    from quizapp.services.accounts import AccountError, create_staff

    try:
        user = create_staff(role=Role(role), email=email, password=password, full_name=full_name, actor=None,
                            now=utcnow())
    except AccountError as error:
        raise click.ClickException(account_error_message(error)) from None
    click.echo(f"user {user.id} created: {user.email} ({user.role.value})")

