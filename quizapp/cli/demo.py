"""quizapp demo: the sample banks, unit tree, contest and accounts."""

from __future__ import annotations

from pathlib import Path

import click

from quizapp.cli.common import fail_with_problems, in_transaction
from quizapp.domain.banks import BankFileError
from quizapp.models.types import utcnow
from quizapp.uploads import import_limits


@click.command("demo")
@click.option("--banks-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of sample banks (default: question_banks/ beside the package).")
@in_transaction
def demo(banks_dir: str | None) -> None:
    """Load the sample banks, the demo unit tree and demo accounts; running it again changes nothing."""
    from quizapp.services.demo import load_demo

    folder = Path(banks_dir) if banks_dir else Path(__file__).resolve().parents[2] / "question_banks"
    try:
        report = load_demo(folder, now=utcnow(), limits=import_limits())
    except BankFileError as error:
        fail_with_problems(error, str(folder))
    except FileNotFoundError as error:
        raise click.ClickException(f"thiếu tệp mẫu: {error.filename}") from None
    for line in report:
        click.echo(line)


