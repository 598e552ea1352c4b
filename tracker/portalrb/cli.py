"""``flask portalrb ...``: the agency's PortalRB tokens (``token create|list|revoke``) and
``pull``, a PortalRB-like client to try a deployment (``tracker/portalrb/client.py``)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from tracker import clock
from tracker.agencies import services as agencies
from tracker.agencies.models import Agency
from tracker.cli_support import cli_session, fail_on_domain_error
from tracker.portalrb import tokens
from tracker.portalrb.pull_cli import pull_command

portalrb_cli = AppGroup("portalrb", help="Pertukaran data dengan PortalRB (KemenPANRB).")
token_cli = AppGroup("token", help="Token PortalRB instansi.")
portalrb_cli.add_command(token_cli)
portalrb_cli.add_command(pull_command)  # what PortalRB would see, against any deployment


def _agency(session, key: str) -> Agency:
    agency = agencies.find_agency(session, key)
    if agency is None:
        raise click.ClickException(f"Instansi tidak ditemukan: {key}")
    return agency


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@token_cli.command("create")
@click.argument("agency_key", metavar="AGENCY")
@click.option("--name", required=True, help="Nama token, mis. PortalRB produksi.")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Berlaku sampai tanggal ini (YYYY-MM-DD); tanpa ini tidak kedaluwarsa.",
)
@fail_on_domain_error
def create_command(agency_key: str, name: str, expires) -> None:
    """Create a token for AGENCY (code, name or short name). The token is printed once, alone
    on the last line."""
    expires_on: date | None = expires.date() if expires else None
    with cli_session() as session:
        agency = _agency(session, agency_key)
        issued = tokens.create_token(
            session,
            user=None,
            agency=agency,
            name=name,
            expires_on=expires_on,
            today=clock.today(),
        )
        session.commit()
        click.echo(f"Token {issued.row.name} (id {issued.row.id}) dibuat untuk {agency.name}.")
        click.echo("Simpan sekarang: token ini tidak akan ditampilkan lagi.")
        click.echo(issued.token)


@token_cli.command("list")
@click.argument("agency_key", metavar="AGENCY")
@fail_on_domain_error
def list_command(agency_key: str) -> None:
    """List AGENCY's tokens: id, prefix, name, state, expiry, last use."""
    today = clock.today()
    with cli_session() as session:
        agency = _agency(session, agency_key)
        rows = tokens.tokens_of(session, agency.id)
        if not rows:
            click.echo(f"Belum ada token PortalRB untuk {agency.name}.")
        for row in rows:
            click.echo(
                f"{row.id}\t{row.prefix}…\t{row.name}\t{tokens.state_of(row, today).value}\t"
                f"berlaku s.d. {row.expires_on or '-'}\tterakhir dipakai {_when(row.last_used_at)}"
            )


@token_cli.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
@fail_on_domain_error
def revoke_command(token_id: int) -> None:
    """Revoke token TOKEN_ID (see ``token list``): PortalRB's next request with it gets 401."""
    with cli_session() as session:
        row = tokens.revoke_token(session, user=None, token=tokens.get_token(session, token_id))
        session.commit()
        click.echo(f"Token {row.name} ({row.prefix}…) dicabut.")
