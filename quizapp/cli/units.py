"""quizapp units: the unit tree."""

from __future__ import annotations

from pathlib import Path

import click

from quizapp.cli.common import fail_with_problems, import_limits, in_transaction, read_file
from quizapp.domain.banks import BankFileError
from quizapp.models.types import utcnow

units_cli = click.Group("units", help="The unit tree.")


@units_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@in_transaction
def units_import(file: str) -> None:
    """Import the unit tree (.xlsx or .csv: code, name, parent_code, member_count)."""
    from quizapp.services.units import import_units

    data = read_file(file)
    try:
        result = import_units(filename=Path(file).name, data=data, actor=None, now=utcnow(),
                              limits=import_limits())
    except BankFileError as error:
        fail_with_problems(error, file)
    click.echo(f"{result.added} đơn vị mới, {result.updated} đơn vị cập nhật, tổng {result.total} đơn vị.")
