"""``flask db upgrade`` / ``flask db check``: migrations on the configured database."""

from __future__ import annotations

import click
from alembic.util.exc import CommandError
from flask import current_app
from flask.cli import AppGroup

from tracker.cli_support import cli_session
from tracker.core import migrations
from tracker.extensions import settings
from tracker.lke.services import sync_framework

db_cli = AppGroup("db", help="Basis data dan migrasi.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration not yet applied."""
    engine = current_app.extensions["engine"]
    migrations.upgrade(engine, public_base_url=settings().public_base_url)
    click.echo(f"Basis data mutakhir: {engine.url.render_as_string(hide_password=True)}")
    # The bundled LKE framework files are data the schema serves: load new versions too.
    with cli_session() as session:
        row, created = sync_framework(session)
        session.commit()
        state = "versi baru dimuat" if created else "sudah ada"
        click.echo(f"Kerangka {row.code} v{row.version} ({row.sha256[:12]}…): {state}")


@db_cli.command("check")
def check_command() -> None:
    """Fail when the models and the migrations disagree."""
    try:
        migrations.check(current_app.extensions["engine"])
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Model dan migrasi sesuai.")
