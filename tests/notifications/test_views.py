"""The bell, the list, opening and marking read, the settings page, and the administrator's
mail page, over HTTP (CSRF on)."""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.helpers import login_as, post_form
from tests.notifications.conftest import Inbox
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.notifications import services
from tracker.notifications.events import Channel, EventKind
from tracker.notifications.models import MailKind, MailStatus, OutboxMessage

BELL = re.compile(r'<span class="bell-count">(\d+)</span>')


def tell(session: Session, user: User, key: str, link: str = "/agencies") -> int:
    [row] = services.notify(
        session,
        event=EventKind.DESIGNATED,
        recipients=[user],
        subject_params={"unit": "Polres Uji", "predicate": "WBK", "decree": key},
        link=link,
        dedupe_key=key,
    )
    session.commit()
    return row.id


def bell(client: FlaskClient) -> int:
    match = BELL.search(client.get("/").get_data(as_text=True))
    return int(match.group(1)) if match else 0


def test_the_bell_counts_unread_and_opening_marks_read_and_follows_the_link(
    client: FlaskClient, session: Session, factory: Factory
) -> None:
    user = factory.user(Role.TPN)
    login_as(client, user)
    assert bell(client) == 0
    first = tell(session, user, "a", link="/agencies")
    tell(session, user, "b")
    assert bell(client) == 2
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('notification-subject">Polres Uji ditetapkan sebagai WBK<') == 2
    assert "2 belum dibaca." in page
    response = client.get(f"/notifications/{first}")
    assert response.status_code == 303 and response.headers["Location"] == "/agencies"
    assert bell(client) == 1
    client.get(f"/notifications/{first}")  # again: still read, nothing else changes
    assert bell(client) == 1
    response = post_form(client, "/notifications/read-all", page="/notifications")
    assert response.status_code == 303
    assert bell(client) == 0


def test_only_the_recipient_opens_a_notification(
    client: FlaskClient, session: Session, factory: Factory
) -> None:
    owner, other = factory.user(Role.TPN), factory.user(Role.TPN)
    note = tell(session, owner, "mine")
    login_as(client, other)
    assert client.get(f"/notifications/{note}").status_code == 404
    assert "Polres Uji" not in client.get("/notifications").get_data(as_text=True)
    login_as(client, owner)
    assert bell(client) == 1  # the other's attempt marked nothing


def test_the_list_is_newest_first_and_paged(
    client: FlaskClient, session: Session, factory: Factory
) -> None:
    user = factory.user(Role.TPN)
    for n in range(services.PAGE_SIZE + 2):
        tell(session, user, f"decree-{n:02d}")
    login_as(client, user)
    first = client.get("/notifications").get_data(as_text=True)
    assert first.index(f"decree-{services.PAGE_SIZE + 1:02d}") < first.index("decree-10")
    assert "decree-00" not in first and 'rel="next"' in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "decree-00" in second and 'rel="prev"' in second


def test_preferences_are_saved_per_event_kind(
    client: FlaskClient, session: Session, factory: Factory
) -> None:
    user = factory.user(Role.TPN)
    login_as(client, user)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Butir dikembalikan untuk perbaikan" in page and "Ringkasan harian" in page
    data = {kind.value: Channel.EMAIL.value for kind in EventKind}
    data[EventKind.ITEM_SENT_BACK.value] = Channel.DIGEST.value
    response = post_form(client, "/notifications/settings", data, page="/notifications/settings")
    assert response.status_code == 303
    assert services.preferences_of(session, user.id)[EventKind.ITEM_SENT_BACK] is Channel.DIGEST
    data[EventKind.REVOKED.value] = "pigeon"
    response = post_form(client, "/notifications/settings", data, page="/notifications/settings")
    assert response.status_code == 422
    assert services.preferences_of(session, user.id)[EventKind.REVOKED] is Channel.EMAIL


def test_the_settings_page_is_reached_from_the_list(client: FlaskClient, factory: Factory) -> None:
    login_as(client, factory.user(Role.TPN))
    assert 'href="/notifications/settings"' in client.get("/notifications").get_data(as_text=True)


def test_the_outbox_shows_queued_mail_to_administrators_without_smtp(
    client: FlaskClient, session: Session, factory: Factory
) -> None:
    admin, user = factory.user(Role.ADMIN), factory.user(Role.TPN)
    user.email = "budi@example.go.id"
    session.commit()
    tell(session, user, "queued-one")
    login_as(client, admin)
    page = client.get("/admin/notifications").get_data(as_text=True)
    assert "SMTP belum diatur" in page
    assert "budi@example.go.id" in page and "Polres Uji ditetapkan sebagai WBK" in page
    assert "Antre: 1" in page
    response = post_form(
        client,
        "/admin/notifications/test",
        {"to": "ops@example.go.id"},
        page="/admin/notifications",
    )
    assert response.status_code == 303
    test_mail = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MailKind.TEST)
    ).one()
    assert test_mail.status is MailStatus.QUEUED and test_mail.to_address == "ops@example.go.id"
    assert 'href="/admin/notifications"' in client.get("/admin/settings").get_data(as_text=True)
    login_as(client, user)
    assert client.get("/admin/notifications").status_code == 403


def test_the_admin_sends_a_test_mail_through_the_configured_server(
    mail_app: Flask, session: Session, factory: Factory, inbox: Inbox
) -> None:
    client = mail_app.test_client()
    admin = factory.user(Role.ADMIN)
    login_as(client, admin)
    page = client.get("/admin/notifications").get_data(as_text=True)
    assert f"{inbox.host}:{inbox.port}" in page and "zi@example.go.id" in page
    response = post_form(
        client,
        "/admin/notifications/test",
        {"to": "ops@example.go.id"},
        page="/admin/notifications",
    )
    assert response.status_code == 303
    [mail] = inbox.messages  # immediate mode: the queued task ran
    assert mail["To"] == "ops@example.go.id"
    assert mail["Subject"] == "[ZI Tracker] Uji pengiriman e-mail ZI Tracker"
    bad = post_form(
        client, "/admin/notifications/test", {"to": "bukan alamat"}, page="/admin/notifications"
    )
    assert bad.status_code == 422 and len(inbox.messages) == 1


def test_the_smtp_password_is_never_shown(
    mail_app: Flask, session: Session, factory: Factory
) -> None:
    from tracker.extensions import SETTINGS

    settings = mail_app.config[SETTINGS]
    mail_app.config[SETTINGS] = replace(
        settings, smtp_username="zi", smtp_password="s3cret-smtp-pw"
    )
    client = mail_app.test_client()
    login_as(client, factory.user(Role.ADMIN))
    page = client.get("/admin/notifications").get_data(as_text=True)
    assert "s3cret-smtp-pw" not in page and "diatur" in page
    assert "s3cret-smtp-pw" not in repr(mail_app.config[SETTINGS])


def test_the_paths_notifications_and_mails_link_to_are_routes_of_the_app(app: Flask) -> None:
    """Services build links without a request (hooks, jobs): each shape must exist."""
    from tracker.notifications import delivery

    adapter = app.url_map.bind("zi.example.go.id")
    for path, endpoint in [
        ("/enrolments/3/lke", "accreditation.lke"),
        ("/enrolments/3", "accreditation.enrolment"),
        ("/units/3", "agencies.unit"),
        ("/agencies/3/portalrb", "portalrb.agency_page"),
        (delivery.OPEN_PATH.format(id=3), "notifications.open"),
        (delivery.SETTINGS_PATH, "notifications.preferences"),
        ("/admin/notifications", "notifications.admin"),
    ]:
        assert adapter.match(path, method="GET")[0] == endpoint, path


def test_the_list_speaks_the_readers_language(
    client: FlaskClient, session: Session, factory: Factory, english
) -> None:
    user = factory.user(Role.TPN)
    user.locale = "en"
    session.commit()
    tell(session, user, "1/2026")
    login_as(client, user)
    page = client.get("/notifications").get_data(as_text=True)
    assert 'notification-subject">Polres Uji designated WBK<' in page
    assert "Notification settings" in page and "1 unread." in page
