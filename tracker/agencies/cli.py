"""``flask agencies ...``: create and import agencies and units."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.agencies import importer, services
from tracker.agencies.models import AgencyKind
from tracker.cli_support import cli_session, fail_on_domain_error

agencies_cli = AppGroup("agencies", help="Instansi dan unit kerja.")


@agencies_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fail_on_domain_error
def import_command(path: Path) -> None:
    """Import agencies and units from a CSV file (see README for the columns)."""
    with cli_session() as session:
        result = importer.import_rows(session, importer.parse_csv(path.read_bytes()), user=None)
        session.commit()
    click.echo(f"Instansi baru: {len(result.agencies_created)}")
    for name in result.agencies_created:
        click.echo(f"  + {name}")
    click.echo(f"Unit baru: {len(result.units_created)}")
    for name in result.units_created:
        click.echo(f"  + {name}")
    click.echo(f"Sudah ada (dilewati): {len(result.skipped)}")


@agencies_cli.command("create")
@click.option("--name", required=True, help="Nama instansi.")
@click.option("--short-name", required=True, help="Nama singkat, mis. Polri.")
@click.option("--kind", required=True, type=click.Choice([k.value for k in AgencyKind]))
@fail_on_domain_error
def create_command(name: str, short_name: str, kind: str) -> None:
    """Create one agency."""
    with cli_session() as session:
        agency = services.create_agency(
            session, user=None, name=name, short_name=short_name, kind=AgencyKind(kind)
        )
        session.commit()
        click.echo(f"Instansi dibuat: {agency.name} (kode {agency.code})")


@agencies_cli.command("add-unit")
@click.option(
    "--agency", "agency_key", required=True, help="Kode, nama atau nama singkat instansi."
)
@click.option("--name", required=True)
@click.option("--kind", required=True, help="Jenis unit, mis. Polres.")
@click.option("--parent", default="", help="Nama atau kode unit induk.")
@fail_on_domain_error
def add_unit_command(agency_key: str, name: str, kind: str, parent: str) -> None:
    """Create one unit in an agency."""
    with cli_session() as session:
        agency = services.find_agency(session, agency_key)
        if agency is None:
            raise click.ClickException(f"Instansi tidak ditemukan: {agency_key}")
        parent_unit = services.find_unit(session, agency, parent) if parent else None
        if parent and parent_unit is None:
            raise click.ClickException(f"Unit induk tidak ditemukan: {parent}")
        unit = services.create_unit(
            session, user=None, agency=agency, name=name, kind=kind, parent=parent_unit
        )
        session.commit()
        click.echo(f"Unit dibuat: {unit.name} (kode {unit.code}) di {agency.name}")
