"""``flask demo seed``: load the demo story (refused in production)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import text

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


@demo_cli.command("national")
@click.option("--units", type=click.IntRange(min=8), default=5000, show_default=True)
@click.option("--force", is_flag=True, help="Add to a database that already holds data.")
@fail_on_domain_error
def national_command(units: int, force: bool) -> None:
    """Build a national-sized dataset (issue 18 §1) through the bulk paths."""
    from tracker.demo import national

    settings = tracker_settings()
    with cli_session() as session:
        report = national.build(
            session,
            units=units,
            production=settings.production,
            force=force,
            progress=lambda step: click.echo(f"  {step}", err=True),
        )
        session.commit()
        # After a bulk load the planner's statistics describe empty tables until autovacuum
        # gets round to them; refresh them now, as an administrator would after an import.
        click.echo("  analyze ...", err=True)
        session.execute(text("ANALYZE"))
        session.commit()
    click.echo("Data nasional dibuat:")
    for line in report.lines():
        click.echo(line)
    click.echo(f"Kata sandi semua akun demo: {demo.DEMO_PASSWORD}")
