"""``python -m portal import-registry FILE``: the registry import from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from portal.housing import registry


@click.command("import-registry")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, writing nothing.")
def import_registry(path: Path, dry_run: bool) -> None:
    """Import complexes, houses, premises, owners and accounts from a CSV or XLSX file (format: README.md)."""
    from portal.cli import run_async
    from portal.housing import actions

    click.echo(f"reading {path.name} …")
    with path.open("rb") as stream:  # read as a stream, the limits checked while reading
        parsed = registry.parse_file(path.name, stream)
    if not parsed.ok:
        for problem in parsed.problems:
            click.echo(problem, err=True)
        raise click.ClickException("nothing was imported")
    total = len(parsed.rows)
    click.echo(f"{total} rows checked")

    def progress(step: str) -> None:
        click.echo(f"\r{total} rows: {step:<12}", nl=False)

    report = run_async(lambda: actions.import_registry(parsed.rows, dry_run=dry_run, progress=progress))
    click.echo("")
    if report.problems:
        for problem in report.problems:
            click.echo(problem, err=True)
        raise click.ClickException("nothing was imported")
    for entity in actions.IMPORT_ENTITIES:
        click.echo(f"  {entity:<11} new {report.created[entity]:>6}  changed {report.updated[entity]:>6}")
    click.echo("dry run: nothing written" if dry_run else f"imported: {report.changes} records created or changed")


COMMANDS = [import_registry]
