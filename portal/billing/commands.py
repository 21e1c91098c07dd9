"""``portal import-charges FILE --period 2026-11``: the staff upload, from the command line, with a progress bar."""

from __future__ import annotations

from pathlib import Path

import click

from portal.core.parse import parse_month
from portal.core.security import Principal

# The command line works for the company as a whole: every house, recorded in the audit log under this name.
COMMAND_LINE = Principal(name="import-charges", house_ids=None)


@click.command("import-charges")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", required=True, help="Billing month, e.g. 2026-11.")
@click.option("--dry-run", is_flag=True, help="Check the file and show the totals without writing anything.")
def import_charges(file: Path, period: str, dry_run: bool) -> None:
    """Import the charges of a billing month from a CSV or XLSX file (the format is in README.md)."""
    from portal.billing import actions
    from portal.billing import importer
    from portal.cli import run_async

    month = parse_month(period)
    if month is None:
        raise click.BadParameter("use the form 2026-11", param_hint="--period")
    content = file.read_bytes()
    lines = max(1, content.count(b"\n"))

    async def work() -> None:
        with click.progressbar(length=lines, label="checking") as bar:
            parsed = importer.read_file(content, file.name, progress=bar.update)
            parsed = await importer.check_against_db(parsed, month, COMMAND_LINE)
            bar.update(lines)
        if parsed.problems:
            for problem in parsed.problems[:50]:
                click.echo(f"line {problem.line}: {problem.message()}", err=True)
            if len(parsed.problems) > 50:
                click.echo(f"… and {len(parsed.problems) - 50} more problems", err=True)
            raise click.ClickException(f"{len(parsed.problems)} problems; nothing was written")
        click.echo(
            f"{len(parsed.rows)} rows, {parsed.accounts} accounts, total {parsed.total} RUB"
            f" ({parsed.unchanged} rows charged before with the same numbers)"
        )
        if dry_run:
            return
        with click.progressbar(length=len(parsed.rows), label="writing") as bar:
            result = await actions.import_charges(COMMAND_LINE, parsed, month, progress=bar.update)
        if result.created:
            click.echo(f"imported: {result.charges} charges of {result.accounts} accounts (batch {result.batch_id})")
        else:
            click.echo("nothing to do: this file was applied before")

    run_async(work)


COMMANDS = [import_charges]
