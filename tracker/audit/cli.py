"""``flask audit verify``: check the hash chain of the audit trail."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from tracker.audit import services
from tracker.audit.models import AuditEvent
from tracker.cli_support import cli_session

audit_cli = AppGroup("audit", help="Jejak audit.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Re-hash every audit record; report the first broken link and exit 1 if there is one."""
    with cli_session() as session:
        count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        broken = services.verify(session)
    if broken is not None:
        click.echo(f"RUSAK: catatan #{broken.seq}: {broken.reason}", err=True)
        raise SystemExit(1)
    click.echo(f"Utuh: {count} catatan audit, rantai hash cocok.")
