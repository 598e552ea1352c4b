"""The administrator's public address: seen and set in the app, validated, audited, and warned
about on the dashboards while the public could never open it (issue 14 §3)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.helpers import login_as, post_form
from tests.html import get_page
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.system import services
from tracker.system.models import SystemSetting

PAGE = "/admin/settings"
SAVE = "/admin/settings/public-url"
WARNING = "div.public-url-warning"


@pytest.fixture
def admin(session: Session, factory: Factory):
    user = factory.user(Role.ADMIN)
    session.commit()
    return user


def save(client: FlaskClient, value: str):
    return post_form(client, SAVE, {"public_base_url": value}, page=PAGE)


def test_the_administrator_sees_the_address_in_force_and_where_it_comes_from(
    client: FlaskClient, admin
) -> None:
    login_as(client, admin)
    page = get_page(client, PAGE)
    assert page.text_of("code.public-url-current") == "http://127.0.0.1:5000"
    assert "bawaan server" in page.text
    assert "loopback" in page.text_of("p.flash-warning")
    assert [a.attr("href") for a in page.select("nav a")].count(PAGE) == 1  # in the menu


def test_saving_a_public_address_stores_audits_and_ends_the_warning(
    client: FlaskClient, session: Session, admin
) -> None:
    login_as(client, admin)
    assert get_page(client, "/").select(WARNING)  # the dashboards warn while it is loopback
    response = save(client, " HTTPS://ZI.Menpan.go.id/ ")
    assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)
    assert services.public_base_url(session) == "https://zi.menpan.go.id"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "system:public_url:set")
    ).one()
    assert event.actor_id == admin.id
    assert event.data == {"old": "http://127.0.0.1:5000", "new": "https://zi.menpan.go.id"}
    page = get_page(client, PAGE)
    assert page.text_of("code.public-url-current") == "https://zi.menpan.go.id"
    assert not page.select("p.flash-warning")
    assert not get_page(client, "/").select(WARNING)
    assert not get_page(client, "/dashboard").select(WARNING)


def test_saving_the_same_address_again_records_nothing(
    client: FlaskClient, session: Session, admin
) -> None:
    login_as(client, admin)
    save(client, "https://zi.menpan.go.id")
    save(client, "https://zi.menpan.go.id/")
    tags = session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("system:%"))).all()
    assert tags == ["system:public_url:set"]


def test_an_empty_address_goes_back_to_the_servers(
    client: FlaskClient, session: Session, admin
) -> None:
    login_as(client, admin)
    save(client, "https://zi.menpan.go.id")
    assert save(client, "").status_code == 303
    assert services.public_base_url(session) == "http://127.0.0.1:5000"
    assert "bawaan server" in get_page(client, PAGE).text


@pytest.mark.parametrize(
    "typed, says",
    [
        ("zi.menpan.go.id", "harus diawali https://"),
        ("https://admin:rahasia@zi.menpan.go.id", "kata sandi"),
        ("https://zi.menpan.go.id/verify/", "tanpa path"),
        ("https://zi.menpan.go.id?x=1", "tanda tanya"),
    ],
)
def test_a_bad_address_is_refused_at_its_field_and_kept(
    client: FlaskClient, session: Session, admin, typed: str, says: str
) -> None:
    login_as(client, admin)
    response = save(client, typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert says in html
    assert f'value="{typed}"'.replace("&", "&amp;") in html  # what was typed is kept
    assert session.scalar(select(SystemSetting)) is None


def test_the_warning_shows_for_loopback_and_private_addresses_only(
    client: FlaskClient, session: Session, admin
) -> None:
    login_as(client, admin)
    for url, warned in [
        ("http://192.168.1.20:8000", True),
        ("https://zi.menpan.go.id", False),
        ("http://localhost:8123", True),
    ]:
        services.set_public_base_url(session, user=admin, value=url)
        session.commit()
        for dashboard in ("/", "/dashboard"):
            shown = get_page(client, dashboard).select(WARNING)
            assert bool(shown) is warned, (url, dashboard)
            if warned:
                assert url in shown[0].text


def test_other_roles_neither_see_the_warning_nor_open_the_page(
    client: FlaskClient, session: Session, factory: Factory
) -> None:
    tpn = factory.user(Role.TPN)
    session.commit()
    login_as(client, tpn)
    assert not get_page(client, "/").select(WARNING)
    assert not get_page(client, "/dashboard").select(WARNING)
    assert client.get(PAGE).status_code == 403
    assert post_form(client, SAVE, {"public_base_url": "https://x.example"}).status_code == 403
    assert session.scalar(select(SystemSetting)) is None


def test_the_environment_default_travels_with_the_session(session: Session, admin) -> None:
    """The app binds PUBLIC_BASE_URL to its sessions; the stored setting overrides it."""
    services.bind_env_default(session.info, "https://zi.instansi.go.id/")
    assert services.public_base_url(session) == "https://zi.instansi.go.id"
    services.set_public_base_url(session, user=admin, value="https://piagam.instansi.go.id")
    assert services.public_base_url(session) == "https://piagam.instansi.go.id"
    address = services.public_address(session)
    assert (address.stored, address.env_default) == (
        "https://piagam.instansi.go.id",
        "https://zi.instansi.go.id",
    )


def test_an_app_binds_its_public_base_url_to_its_sessions(settings) -> None:
    from dataclasses import replace

    from tracker import create_app

    app = create_app(replace(settings, public_base_url="https://zi.example.go.id"))
    made = app.extensions["sessionmaker"]()
    try:
        assert services.env_public_base_url(made) == "https://zi.example.go.id"
    finally:
        made.close()
        app.extensions["engine"].dispose()
