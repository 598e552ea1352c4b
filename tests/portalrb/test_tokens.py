"""Tokens: created by the agency's pimpinan or the administrator (the plain token once), stored
hashed, listed, revoked, audited; the CLI, and the agency's PortalRB page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.helpers import login_as, post_form
from tests.portalrb.conftest import PULL_DAY, YEAR, new_token
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.portalrb import rules, tokens
from tracker.portalrb.models import PortalrbToken

WBK = "/api/portalrb/pengusulan/unit-wbk"


def test_a_token_is_stored_as_its_digest_and_audited(world) -> None:
    issued = tokens.create_token(
        world.session,
        user=world.pimpinan,
        agency=world.agency,
        name="  PortalRB   produksi ",
        expires_on=date(YEAR, 12, 31),
        today=PULL_DAY,
    )
    world.session.commit()
    row = world.session.get(PortalrbToken, issued.row.id)
    assert row.name == "PortalRB produksi" and row.prefix == issued.token[:8]
    assert row.hash == rules.token_hash(issued.token) and issued.token not in row.hash
    event = world.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tag == "portalrb:token:create")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == world.pimpinan.id and issued.token not in str(event.data)
    assert tokens.find_by_secret(world.session, issued.token) == row


def test_only_the_agencys_pimpinan_or_the_administrator_manage_its_tokens(world, factory) -> None:
    outsider = factory.user((Role.PIMPINAN, factory.agency("Instansi Lain")))
    for user in (outsider, world.tpi, world.koordinator, world.tpn):
        with pytest.raises(NotAllowedError):
            tokens.create_token(
                world.session,
                user=user,
                agency=world.agency,
                name="x",
                expires_on=None,
                today=PULL_DAY,
            )
    issued = new_token(world.session, world)
    with pytest.raises(NotAllowedError):
        tokens.revoke_token(world.session, user=outsider, token=issued.row)


@pytest.mark.parametrize(
    ("name", "expires_on"), [("   ", None), ("x" * 201, None), ("Baik", date(YEAR, 5, 24))]
)
def test_bad_input_changes_nothing(world, name, expires_on) -> None:
    with pytest.raises(ValidationError):
        tokens.create_token(
            world.session,
            user=world.admin,
            agency=world.agency,
            name=name,
            expires_on=expires_on,
            today=PULL_DAY,
        )
    world.session.rollback()
    # Only the module's own token (tests/portalrb/conftest.py) is there.
    assert world.session.scalars(select(PortalrbToken.name)).all() == ["PortalRB"]


def test_a_revoked_token_is_revoked_once(world) -> None:
    issued = new_token(world.session, world)
    tokens.revoke_token(world.session, user=world.pimpinan, token=issued.row)
    assert issued.row.revoked_by_id == world.pimpinan.id
    with pytest.raises(ConflictError):
        tokens.revoke_token(world.session, user=world.admin, token=issued.row)


def test_the_cli_creates_a_token_on_the_last_line_that_works(app, client, pulling) -> None:
    runner = app.test_cli_runner()
    agency = pulling.world.agency
    result = runner.invoke(
        args=[
            "portalrb",
            "token",
            "create",
            agency.short_name,
            "--name",
            "Dari CLI",
            "--expires",
            f"{YEAR}-12-31",
        ]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"zit_[A-Za-z0-9_-]{43}", token)
    response = client.get(WBK, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    listed = runner.invoke(args=["portalrb", "token", "list", agency.code])
    assert "Dari CLI" in listed.output and token[:8] in listed.output and token not in listed.output
    row = pulling.world.session.scalars(
        select(PortalrbToken).where(PortalrbToken.name == "Dari CLI")
    ).one()
    revoked = runner.invoke(args=["portalrb", "token", "revoke", str(row.id)])
    assert revoked.exit_code == 0, revoked.output
    assert client.get(WBK, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = runner.invoke(args=["portalrb", "token", "revoke", str(row.id)])
    assert again.exit_code == 1 and "sudah dicabut" in again.output
    unknown = runner.invoke(args=["portalrb", "token", "create", "tidak-ada", "--name", "x"])
    assert unknown.exit_code == 1 and "Instansi tidak ditemukan" in unknown.output


def test_the_page_shows_the_addresses_the_tokens_and_the_last_pulls(client, pulling) -> None:
    w = pulling.world
    client.get(f"/api/portalrb/lke/jawaban-unit/{w.polres.id}", headers=pulling.headers)
    login_as(client, w.pimpinan)
    page = client.get(f"/agencies/{w.agency.id}/portalrb")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "http://127.0.0.1:5000/api/portalrb/pengusulan/unit-wbk" in html
    assert "http://127.0.0.1:5000/api/portalrb/lke/jawaban-unit/{unit_id}" in html
    assert pulling.token.prefix in html and pulling.secret not in html
    assert "Polres Uji" in html and "belum pernah" not in html
    agency_page = client.get(f"/agencies/{w.agency.id}").get_data(as_text=True)
    assert f"/agencies/{w.agency.id}/portalrb" in agency_page


def test_create_on_the_page_shows_the_token_once_and_revoke(client, pulling) -> None:
    w = pulling.world
    login_as(client, w.pimpinan)
    url = f"/agencies/{w.agency.id}/portalrb"
    response = post_form(
        client, f"{url}/tokens", {"name": "Dari halaman", "expires_on": ""}, page=url
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    token = re.search(r'value="(zit_[^"]+)"', html).group(1)
    assert "tidak akan ditampilkan lagi" in html
    assert token not in client.get(url).get_data(as_text=True)
    row = w.session.scalars(select(PortalrbToken).where(PortalrbToken.name == "Dari halaman")).one()
    assert row.hash == rules.token_hash(token)
    revoked = post_form(client, f"{url}/tokens/{row.id}/revoke", page=url)
    assert revoked.status_code == 303
    w.session.refresh(row)
    assert row.revoked_at is not None


def test_an_invalid_form_is_422_and_changes_nothing(client, pulling) -> None:
    w = pulling.world
    login_as(client, w.pimpinan)
    url = f"/agencies/{w.agency.id}/portalrb"
    for data in (
        {"name": ""},
        {"name": "x", "expires_on": "kemarin"},
        {"name": "x", "expires_on": f"{YEAR}-01-01"},
    ):
        response = post_form(client, f"{url}/tokens", data, page=url)
        assert response.status_code == 422
        assert "field-error" in response.get_data(as_text=True)
    assert w.session.scalars(select(PortalrbToken.name)).all() == ["PortalRB"]


def test_others_do_not_see_the_page(client, pulling, factory) -> None:
    w = pulling.world
    for user in (w.koordinator, w.tpi, factory.user((Role.PIMPINAN, factory.agency("Lain")))):
        login_as(client, user)
        assert client.get(f"/agencies/{w.agency.id}/portalrb").status_code == 404
        token_id = pulling.token.id
        response = post_form(
            client, f"/agencies/{w.agency.id}/portalrb/tokens/{token_id}/revoke", page="/"
        )
        assert response.status_code == 404
    w.session.refresh(pulling.token)
    assert pulling.token.revoked_at is None
