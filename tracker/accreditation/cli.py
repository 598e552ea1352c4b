"""``flask designations ...``: designations made before the tracker (D15)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker import csvfiles
from tracker.accreditation import history
from tracker.cli_support import cli_session, fail_on_domain_error

designations_cli = AppGroup("designations", help="Penetapan predikat WBK/WBBM.")


@designations_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fail_on_domain_error
def import_command(path: Path) -> None:
    """Record designations made before the tracker from a CSV file (see README for the
    columns). All or nothing: any bad row aborts the import, and every one is listed."""
    with path.open("rb") as handle:
        data = handle.read(csvfiles.MAX_BYTES + 1)
    try:
        with cli_session() as session:
            result = history.import_rows(session, history.parse_csv(data), user=None)
            session.commit()
    except history.ImportFailedError as err:
        # One line per problem: a long file's errors are read, and fixed, line by line.
        click.echo("Impor dibatalkan, tidak ada yang disimpan:", err=True)
        for line in err.errors:
            click.echo(f"  {line}", err=True)
        raise SystemExit(1) from err
    click.echo(f"Penetapan baru tercatat: {len(result.recorded)}")
    for label in result.recorded:
        click.echo(f"  + {label}")
    click.echo(f"Sudah tercatat (dilewati): {len(result.unchanged)}")
