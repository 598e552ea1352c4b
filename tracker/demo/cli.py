"""``flask demo seed``: load the demo story (refused in production)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.cli_support import cli_session, fail_on_domain_error
from tracker.demo import seed as demo
from tracker.extensions import settings as tracker_settings

demo_cli = AppGroup("demo", help="Data demo.")


@demo_cli.command("seed")
@fail_on_domain_error
def seed_command() -> None:
    """Add the demo agencies, units and accounts that are missing (safe to run again)."""
    settings = tracker_settings()
    with cli_session() as session:
        report = demo.seed(session, production=settings.production)
        session.commit()
    if report.created:
        click.echo(f"Data demo ditambahkan: {len(report.created)} butir.")
    else:
        click.echo("Data demo sudah lengkap; tidak ada yang ditambahkan.")
    click.echo(f"\nAkun demo (kata sandi semua: {demo.DEMO_PASSWORD}):")
    for account in demo.ACCOUNTS:
        click.echo(f"  {account.username:28} {account.describe()}")
