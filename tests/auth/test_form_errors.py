"""The rule for an invalid form on auth's own pages: the same page again with status 422, each
error next to its field, what was typed kept, and nothing changed (``tracker.forms``)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import PASSWORD
from tests.helpers import login_as, post_form
from tests.html import page_of
from tracker.audit.models import AuditEvent
from tracker.auth import passwords
from tracker.auth.models import User
from tracker.auth.roles import Role


def _events(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


def test_an_empty_reset_password_shows_its_error_and_changes_nothing(
    client, factory, session
) -> None:
    target = factory.user()
    login_as(client, factory.user(Role.ADMIN))
    version, events = target.session_version, _events(session)
    page_url = f"/admin/users/{target.id}"
    response = post_form(client, f"{page_url}/password", {"password": ""}, page=page_url)

    page = page_of(response, 422)
    reset = page.one(f'form[action="{page_url}/password"]')
    assert reset.texts(".field-error") == ["Kolom ini wajib diisi."]
    assert page.select(f'form[action="{page_url}/grants"] .field-error') == []
    session.refresh(target)
    assert passwords.verify_password(target.password_hash, PASSWORD)
    assert target.session_version == version
    assert _events(session) == events


def test_a_too_short_user_name_keeps_what_was_typed_and_creates_nobody(
    client, factory, session
) -> None:
    login_as(client, factory.user(Role.ADMIN))
    users = session.scalar(select(func.count()).select_from(User))
    typed = {"username": "ab", "full_name": "Budi Santoso", "email": "", "password": "rahasia"}
    response = post_form(client, "/admin/users", typed, page="/admin/users")

    page = page_of(response, 422)
    form = page.one('form[method="post"][action="/admin/users"]')
    assert form.texts(".field-error") == ["Panjang harus antara 3 dan 80 karakter."]
    assert form.one('input[name="username"]').attr("value") == "ab"
    assert form.one('input[name="full_name"]').attr("value") == "Budi Santoso"
    assert session.scalar(select(func.count()).select_from(User)) == users
