"""quizapp people: a participant's data rights (export, erase)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from quizapp.cli.common import in_transaction, write_atomically
from quizapp.models.types import utcnow

people_cli = click.Group("people", help="Participants' data rights: export, erase.")


def _participant_or_exit(login: str):
    from quizapp.messages.personal_data import unknown_login_message
    from quizapp.services.personal_data import find_participant

    found = find_participant(login)
    if found is None:
        raise click.ClickException(unknown_login_message(login))
    return found


@people_cli.command("export")
@click.argument("login")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.json")
@in_transaction
def people_export(login: str, output: str) -> None:
    """Everything held about one participant (LOGIN: phone in any usual form, or e-mail) as UTF-8 JSON."""
    from quizapp.services.personal_data import export_data

    person = _participant_or_exit(login)
    data = export_data(person, actor=None, now=utcnow())
    write_atomically(output, lambda path: Path(path).write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"))
    click.echo(f"Đã xuất dữ liệu của người dự thi {person.id} ({len(data['attempts'])} lượt thi, "
               f"{len(data['results'])} kết quả đã chốt, {len(data['audit'])} mục nhật ký) vào {output}.")


@people_cli.command("erase")
@click.argument("login")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@in_transaction
def people_erase(login: str, reason: str) -> None:
    """Erase one participant's personal data once their contests' results are final; results stay, anonymous."""
    from quizapp.domain.personal_data import ErasureError
    from quizapp.messages.personal_data import erasure_error_message
    from quizapp.services.personal_data import erase

    person = _participant_or_exit(login)
    try:
        erased = erase(person, reason=reason, actor=None, now=utcnow())
    except ErasureError as error:
        raise click.ClickException(erasure_error_message(error)) from None
    click.echo(f"Đã xóa dữ liệu cá nhân của người dự thi {erased.user_id}: kết quả trong {erased.rounds} đợt thi "
               f"được giữ dưới tên «{erased.label}».")
