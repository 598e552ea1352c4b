"""The rule for an invalid form on the agency pages: the same page again with status 422, each
error next to its field, what was typed kept, and nothing changed (``tracker.forms``)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import login_as, post_form
from tests.html import page_of
from tracker.agencies.models import Agency
from tracker.auth.roles import Role


def test_a_new_agency_without_short_name_is_shown_again_and_not_created(
    client, factory, session
) -> None:
    login_as(client, factory.user(Role.ADMIN))
    agencies = session.scalar(select(func.count()).select_from(Agency))
    typed = {"name": "Badan Uji Coba", "short_name": "", "kind": "lembaga"}
    response = post_form(client, "/agencies", typed, page="/agencies")

    page = page_of(response, 422)
    form = page.one('form[method="post"][action="/agencies"]')
    assert form.texts(".field-error") == ["Kolom ini wajib diisi."]
    assert form.one(".has-error input").attr("name") == "short_name"  # next to its field
    assert form.one('input[name="name"]').attr("value") == "Badan Uji Coba"
    assert session.scalar(select(func.count()).select_from(Agency)) == agencies


def test_an_emptied_unit_name_is_shown_again_and_the_unit_keeps_its_name(
    client, factory, session
) -> None:
    unit = factory.unit(name="Polres Uji", kind="Polres")
    login_as(client, factory.user(Role.ADMIN))
    url = f"/units/{unit.id}"
    response = post_form(client, url, {"name": "", "kind": "Polsek", "parent_id": 0}, page=url)

    page = page_of(response, 422)
    form = page.one(f'form[action="{url}"]')
    assert form.texts(".field-error") == ["Kolom ini wajib diisi."]
    assert form.one('input[name="kind"]').attr("value") == "Polsek"  # as typed, not as saved
    session.refresh(unit)
    assert (unit.name, unit.kind) == ("Polres Uji", "Polres")
