"""quizapp units: the unit tree."""

from __future__ import annotations

from pathlib import Path

import click

from quizapp.cli.common import (
    export_target,
    fail_with_problems,
    in_transaction,
    read_file,
    write_atomically,
)
from quizapp.domain.banks import BankFileError
from quizapp.models.types import utcnow
from quizapp.uploads import import_limits

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
    click.echo(f"{result.added} đơn vị mới, {result.updated} đơn vị cập nhật, {result.unchanged} giữ nguyên, "
               f"tổng {result.total} đơn vị.")


@units_cli.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The file to write: .xlsx or .csv.")
@in_transaction
def units_export(output: str) -> None:
    """Export the unit tree in the import layout (code, name, parent_code, member_count): it imports again
    unchanged."""
    from quizapp.services.unit_tree import export_csv, export_xlsx, tree_rows

    suffix = export_target(output)
    rows = tree_rows()
    data = export_csv(rows) if suffix == ".csv" else export_xlsx(rows)
    write_atomically(output, lambda path: Path(path).write_bytes(data))
    click.echo(f"{len(rows)} đơn vị: đã xuất ra {output}")
