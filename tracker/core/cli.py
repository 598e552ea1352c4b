"""``flask db upgrade`` / ``flask db check``: migrations on the configured database."""

from __future__ import annotations

import click
from alembic.util.exc import CommandError
from flask import current_app
from flask.cli import AppGroup

from tracker.core import migrations

db_cli = AppGroup("db", help="Basis data dan migrasi.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration not yet applied."""
    engine = current_app.extensions["engine"]
    migrations.upgrade(engine)
    click.echo(f"Basis data mutakhir: {engine.url.render_as_string(hide_password=True)}")


@db_cli.command("check")
def check_command() -> None:
    """Fail when the models and the migrations disagree."""
    try:
        migrations.check(current_app.extensions["engine"])
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Model dan migrasi sesuai.")
