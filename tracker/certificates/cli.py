"""``flask certificates ...``: issue missing certificates, render one, purge old print jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker import certificates as renderer
from tracker.certificates import numbers, printing, queries, services
from tracker.cli_support import cli_session, fail_on_domain_error
from tracker.db import utcnow
from tracker.extensions import result_store
from tracker.extensions import settings as tracker_settings

certificates_cli = AppGroup("certificates", help="Piagam penghargaan Zona Integritas.")


@certificates_cli.command("issue-missing")
@fail_on_domain_error
def issue_missing_command() -> None:
    """Issue a certificate for every designation that has none yet."""
    with cli_session() as session:
        issued = [
            services.issue_for_designation(session, designation=designation, user=None)
            for designation in queries.designations_without_certificate(session)
        ]
        session.commit()
    for certificate in issued:
        click.echo(f"  + {certificate.number}  {certificate.unit_name} ({certificate.year})")
    click.echo(f"Piagam diterbitkan: {len(issued)}")


@certificates_cli.command("render")
@click.argument("number")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def render_command(number: str, output: Path | None) -> None:
    """Write the PDF of certificate NUMBER (default: piagam-NUMBER.pdf)."""
    with cli_session() as session:
        certificate = queries.find_by_number(session, numbers.normalize(number) or number)
        if certificate is None:
            raise click.ClickException(f"Piagam {number} tidak ditemukan.")
        images = services.load_images(session, [certificate])
        data = services.certificate_data(certificate, images)
    target = output or Path(f"piagam-{certificate.number}.pdf")
    target.write_bytes(renderer.render_pdf(data))
    click.echo(f"{target} ({target.stat().st_size // 1024} KB)")


@certificates_cli.command("purge-jobs")
@click.option("--days", type=click.IntRange(min=0), default=14, show_default=True)
def purge_jobs_command(days: int) -> None:
    """Delete print jobs older than DAYS days that are over (finished, failed, or abandoned:
    no worker heartbeat for JOB_STALE_SECONDS), and their files."""
    stale = timedelta(seconds=tracker_settings().job_stale_seconds)
    with cli_session() as session:
        now = utcnow()
        keys = printing.purge(
            session, older_than=now - timedelta(days=days), stale_before=now - stale
        )
        session.commit()
    store = result_store()
    for key in keys:
        store.delete(key)
    click.echo(f"Berkas hasil cetak dihapus: {len(keys)}")
