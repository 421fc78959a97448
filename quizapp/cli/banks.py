"""quizapp banks: import and export question banks."""

from __future__ import annotations

from pathlib import Path

import click

from quizapp.cli.common import fail_with_problems, in_transaction, read_file, record, write_atomically
from quizapp.domain.banks import BankFileError
from quizapp.models.types import utcnow
from quizapp.uploads import import_limits

banks_cli = click.Group("banks", help="Question banks.")


@banks_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--bank", "bank_name", default=None, help="Bank name (default: the file name without extension).")
@click.option("--topic", default=None, help="Topic for questions whose file gives none.")
@click.option("--skip-other-types", is_flag=True,
              help="Import the multiple-choice questions and skip those of other types (true/false, matching...), "
                   "each listed with its line; any other problem still refuses the whole file.")
@click.option("--unit", "unit_code", default=None, metavar="CODE",
              help="Import as the organizers of the unit CODE would: a new bank belongs to that unit (its "
                   "organizers and those above change it, others do not see it); an existing bank must belong to "
                   "it or to a unit below it. Without it a new bank is shared by every unit.")
@in_transaction
def banks_import(file: str, bank_name: str | None, topic: str | None, skip_other_types: bool,
                 unit_code: str | None) -> None:
    """Import a question bank file (.xlsx, .csv, Aiken or GIFT .txt/.gift): all of it or nothing.

    Questions it adds that repeat the other banks (identical texts, near-duplicates) are warned about on stderr;
    they are imported all the same and the exit status does not change."""
    from quizapp.messages.banks import bank_not_writable_message
    from quizapp.messages.files import describe_skipped, upload_repeat_lines
    from quizapp.services.banks import BankNotWritable, import_bank
    from quizapp.services.scopes import EVERYTHING, Scope

    unit = _unit_or_exit(unit_code) if unit_code is not None else None
    data = read_file(file)
    name = bank_name or Path(file).stem
    try:
        result = import_bank(bank_name=name, filename=Path(file).name, data=data, actor=None, now=utcnow(),
                             limits=import_limits(), default_topic=topic, skip_other_types=skip_other_types,
                             check_repeats=True, scope=Scope(unit.id) if unit else EVERYTHING)
    except BankFileError as error:
        fail_with_problems(error, file)
    except BankNotWritable as error:
        raise click.ClickException(f"{bank_not_writable_message(error)} (--unit {unit_code})") from None
    skipped = f"; bỏ qua {len(result.skipped)} câu hỏi dạng khác" if result.skipped else ""
    owner = f", thuộc đơn vị {unit.code}" if unit and result.bank.scope_unit_id == unit.id else ""
    click.echo(f'{result.bank.name}: {result.added} câu hỏi mới, {result.unchanged} câu đã có '
               f'(ngân hàng {result.bank.id}{owner}){skipped}.')
    # The summary stays one line on stdout (the command's contract); the skipped questions and the warnings about
    # repeated questions go to stderr, with the problems.
    for problem in result.skipped:
        click.echo(f"  - bỏ qua: {describe_skipped(problem)}", err=True)
    for line in upload_repeat_lines(result.repeats) if result.repeats else []:
        click.echo(line, err=True)


def _unit_or_exit(code: str):
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Unit

    unit = db.session.scalar(select(Unit).where(Unit.code == code.strip()))
    if unit is None:
        raise click.ClickException(f"không có đơn vị nào mã {code!r}")
    return unit


@banks_cli.command("export")
@click.argument("bank")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@in_transaction
def banks_export(bank: str, output: str) -> None:
    """Export a bank (by name or id) to .xlsx in the import layout."""
    from quizapp.models import Bank
    from quizapp.services.bank_export import export_bank_xlsx
    from quizapp.services.banks import find_bank

    found = record(Bank, bank) or find_bank(bank)
    if found is None:
        raise click.ClickException(f"không có ngân hàng câu hỏi nào tên là {bank!r}")
    if not output.lower().endswith(".xlsx"):
        raise click.ClickException("tệp xuất phải có đuôi .xlsx")
    data = export_bank_xlsx(found)
    write_atomically(output, lambda path: Path(path).write_bytes(data))
    click.echo(f"{found.name}: đã xuất ra {output}")
