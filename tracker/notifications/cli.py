"""``flask notifications ...``: what the worker's periodic tasks do, on demand (operators,
cron without a worker, or a look after changing the SMTP settings)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from tracker import clock
from tracker.cli_support import cli_session
from tracker.notifications import tasks

notifications_cli = AppGroup("notifications", help="Notifikasi dan e-mail.")


def _day(value: object) -> date:
    return value.date() if value is not None else clock.today()  # type: ignore[attr-defined]  # click's DateTime


@notifications_cli.command("deliver")
def deliver_command() -> None:
    """Send every queued e-mail that is due (nothing without SMTP_HOST)."""
    server = tasks.server(current_app._get_current_object())  # type: ignore[attr-defined]  # LocalProxy
    if not server.configured:
        click.echo("SMTP_HOST is not set: messages stay in the outbox.")
        return
    with cli_session() as session:
        click.echo(f"sent: {tasks.deliver_due(session, server)}")


@notifications_cli.command("remind")
@click.option("--on", type=click.DateTime(formats=["%Y-%m-%d"]), help="As if today were this date.")
def remind_command(on: object) -> None:
    """Record the deadline and token reminders due today (each reaches a person once)."""
    with cli_session() as session:
        click.echo(f"reminders recorded: {tasks.remind_now(session, _day(on))}")


@notifications_cli.command("digest")
@click.option("--on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The digest's date.")
def digest_command(on: object) -> None:
    """Queue today's digests (one per user and day)."""
    with cli_session() as session:
        click.echo(f"digests queued: {tasks.digest_now(session, _day(on))}")
