"""``flask audit verify`` and ``flask audit head``: check the keyed hash chain of the audit trail,
and print its head to keep with each backup."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.audit import services
from tracker.audit.chain import Head
from tracker.cli_support import cli_session
from tracker.i18n import _

audit_cli = AppGroup("audit", help="Jejak audit.")


def _parse_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Head | None:
    if value is None:
        return None
    try:
        return Head.parse(value)
    except ValueError as exc:
        raise click.BadParameter(
            _("tulis NOMOR:HASH seperti yang dicetak `flask audit head`, mis. 42:3f9a…")
        ) from exc


@audit_cli.command("verify")
@click.option(
    "--expect-head",
    "expected",
    metavar="SEQ:HASH",
    callback=_parse_head,
    help="Kepala yang dicetak `flask audit head` sebelumnya (disimpan bersama cadangan).",
)
def verify_command(expected: Head | None) -> None:
    """Re-hash every audit record, check the head row (and the exported head when given); report
    the first problem and exit 1 if there is one."""
    with cli_session() as session:
        verdict = services.check(session, expected=expected)
    if verdict.broken is not None:
        seq, reason = verdict.broken.seq, verdict.broken.reason
        click.echo(_("RUSAK: catatan #%(seq)s: %(reason)s", seq=seq, reason=reason), err=True)
        raise SystemExit(1)
    click.echo(
        _("Utuh: %(count)s catatan audit, rantai hash cocok.", count=verdict.end.seq)
        + (" " + _("Kepala yang diekspor ada dan tidak berubah.") if expected else "")
    )


@audit_cli.command("head")
def head_command() -> None:
    """Verify the trail, then print its head as SEQ:HASH (keep it with the backup, away from the
    database, and pass it to ``verify --expect-head`` later). A broken trail prints no head."""
    with cli_session() as session:
        verdict = services.check(session)
    if verdict.broken is not None:
        seq, reason = verdict.broken.seq, verdict.broken.reason
        click.echo(_("RUSAK: catatan #%(seq)s: %(reason)s", seq=seq, reason=reason), err=True)
        raise SystemExit(1)
    click.echo(str(verdict.end))
