"""``flask users ...``: create accounts and grant roles from scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from tracker.auth import services
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.cli_support import cli_session, fail_on_domain_error
from tracker.extensions import organisations

if TYPE_CHECKING:
    from tracker.agencies.models import Agency, Unit  # agencies depends on auth, not the reverse

users_cli = AppGroup("users", help="Akun pengguna dan peran.")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Nama lengkap.")
@click.option("--email", default=None)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Kata sandi (ditanyakan bila tidak diberikan; dari stdin bila bukan terminal).",
)
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=None,
    help="Peran awal (opsional).",
)
@click.option("--agency", "agency_key", default="", help="Instansi untuk peran/unit.")
@click.option("--unit", "unit_key", default="", help="Unit kerja untuk peran (dengan --agency).")
@click.option("--areas", default="", help="Area pokja, mis. 1,3 (khusus anggota_pokja).")
@fail_on_domain_error
def create_command(
    username: str,
    full_name: str,
    email: str | None,
    password: str,
    role: str | None,
    agency_key: str,
    unit_key: str,
    areas: str,
) -> None:
    """Create an account, optionally with its first role."""
    with cli_session() as session:
        user = services.create_user(
            session,
            by=None,
            username=username,
            full_name=full_name,
            password=password,
            email=email,
        )
        if role:
            _grant(session, user, Role(role), agency_key, unit_key, areas)
        session.commit()
        click.echo(f"Pengguna dibuat: {user.username} ({user.full_name})")
        for grant in user.grants:
            click.echo(f"  peran: {_describe(grant)}")


@users_cli.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_key", default="")
@click.option("--unit", "unit_key", default="")
@click.option("--areas", default="")
@fail_on_domain_error
def grant_command(username: str, role: str, agency_key: str, unit_key: str, areas: str) -> None:
    """Give an existing user a role, scoped to an agency or unit as the role requires."""
    with cli_session() as session:
        user = services.find_user(session, username)
        if user is None:
            raise click.ClickException(f"Pengguna tidak ditemukan: {username}")
        grant = _grant(session, user, Role(role), agency_key, unit_key, areas)
        session.commit()
        click.echo(f"Peran ditambahkan untuk {user.username}: {_describe(grant)}")
        for warning in services.duty_conflicts(user, grant):  # issue 13 §12
            click.echo(warning, err=True)


@users_cli.command("list")
def list_command() -> None:
    """List accounts and their roles."""
    with cli_session() as session:
        for user in services.all_users(session):
            roles = ", ".join(_describe(g) for g in user.grants) or "-"
            click.echo(f"{user.username:28} {'aktif' if user.active else 'nonaktif':9} {roles}")


def _grant(session: Session, user: User, role: Role, agency_key: str, unit_key: str, areas: str):
    orgs = organisations()
    agency = orgs.find_agency(session, agency_key) if agency_key else None
    if agency_key and agency is None:
        raise click.ClickException(f"Instansi tidak ditemukan: {agency_key}")
    unit: Unit | None = None
    if unit_key:
        if agency is None:
            raise click.ClickException("--unit memerlukan --agency")
        unit = orgs.find_unit(session, agency, unit_key)
        if unit is None:
            raise click.ClickException(f"Unit tidak ditemukan: {unit_key}")
    try:
        area_list = [int(a) for a in areas.split(",") if a.strip()]
    except ValueError as exc:
        raise click.ClickException("--areas berisi nomor area 1-6, dipisah koma") from exc
    scope_agency: Agency | None = None if unit is not None else agency
    return services.grant_role(
        session,
        by=None,
        user=user,
        role=role,
        agency=scope_agency,
        unit=unit,
        areas=area_list or None,
    )


def _describe(grant) -> str:
    where = (
        grant.unit.name if grant.unit else grant.agency.short_name if grant.agency else "nasional"
    )
    areas = f" area {','.join(map(str, grant.areas))}" if grant.areas else ""
    return f"{grant.role.value} @ {where}{areas}"
