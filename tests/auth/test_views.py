"""Login, logout, password change, admin pages, and scope checks through HTTP."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.helpers import csrf_token, login_as, post_form
from tests.html import get_page
from tracker.auth import passwords
from tracker.auth.models import User
from tracker.auth.roles import Role


def _login(client, username: str, password: str, next_url: str = ""):
    token = csrf_token(client, "/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def test_login_and_logout(client, factory) -> None:
    rina = factory.user(username="rina")
    response = _login(client, "rina", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert get_page(client, "/").text_of("h1") == f"Selamat datang, {rina.full_name}"
    response = post_form(client, "/logout")
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_wrong_password_shows_one_message_for_all_failures(client, factory) -> None:
    factory.user(username="rina")
    for username, password in (("rina", "bukan-sandinya"), ("tidak-ada", PASSWORD)):
        response = _login(client, username, password)
        assert response.status_code == 401
        assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
        assert client.get("/").status_code == 302  # still signed out


def test_login_is_throttled_with_a_clear_message(client, factory) -> None:
    factory.user(username="agus")
    for _ in range(5):
        _login(client, "agus", "bukan-sandinya")
    response = _login(client, "agus", PASSWORD)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan kata sandi yang gagal" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # the right password did not log in


def test_next_must_stay_on_this_site(client, factory) -> None:
    factory.user(username="rina")
    response = _login(client, "rina", PASSWORD, next_url="https://evil.example/x")
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = _login(client, "rina", PASSWORD, next_url="/agencies")
    assert response.headers["Location"] == "/agencies"


def test_anonymous_users_are_sent_to_login(client) -> None:
    response = client.get("/agencies")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions(app, client, factory, session) -> None:
    user = factory.user(username="rina")
    other = app.test_client()
    login_as(client, user)
    login_as(other, user)
    response = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "sandi-baru-yang-kuat", "confirm": "sandi-baru-yang-kuat"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session was renewed
    assert other.get("/").status_code == 302  # the other one was logged out


def test_password_change_with_mismatch_rerenders_with_errors(client, factory, session) -> None:
    user = factory.user()
    version = user.session_version
    login_as(client, user)
    response = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "sandi-baru-yang-kuat", "confirm": "lain"},
    )
    assert response.status_code == 422
    assert "Kedua kata sandi baru tidak sama." in response.get_data(as_text=True)
    session.refresh(user)
    assert passwords.verify_password(user.password_hash, PASSWORD)  # unchanged
    assert user.session_version == version


def test_admin_pages_are_for_admins_only(client, factory, session) -> None:
    agency = factory.agency()
    tpi = factory.user((Role.TPI, agency))
    login_as(client, tpi)
    assert client.get("/admin/users").status_code == 403
    form = {
        "username": "penyusup",
        "full_name": "Penyusup",
        "email": "",
        "password": "sandi-awal-yang-kuat",
    }
    assert post_form(client, "/admin/users", form).status_code == 403
    grant = {"role": "admin", "agency_id": 0, "unit_id": 0}
    assert post_form(client, f"/admin/users/{tpi.id}/grants", grant).status_code == 403
    session.expire_all()
    assert session.query(User).filter_by(username="penyusup").count() == 0
    assert [g.role for g in session.get(User, tpi.id).grants] == [Role.TPI]  # no self-promotion


def test_admin_creates_a_user_and_grants_a_scoped_role(client, factory, session) -> None:
    unit = factory.unit(name="Polres Uji")
    login_as(client, factory.user(Role.ADMIN))
    response = post_form(
        client,
        "/admin/users",
        {
            "username": "koordinator.uji",
            "full_name": "Koordinator Uji",
            "email": "",
            "password": "sandi-awal-yang-kuat",
        },
        page="/admin/users",
    )
    assert response.status_code == 303
    user = session.query(User).filter_by(username="koordinator.uji").one()
    response = post_form(
        client,
        f"/admin/users/{user.id}/grants",
        {"role": "koordinator", "agency_id": 0, "unit_id": unit.id},
        page=f"/admin/users/{user.id}",
    )
    assert response.status_code == 303
    session.expire_all()
    assert [(g.role, g.unit_id) for g in session.get(User, user.id).grants] == [
        (Role.KOORDINATOR, unit.id)
    ]
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Polres Uji" in page and "Koordinator unit" in page


def test_admin_grant_with_wrong_scope_is_refused_with_a_message(client, factory, session) -> None:
    agency = factory.agency()
    target = factory.user()
    login_as(client, factory.user(Role.ADMIN))
    response = post_form(
        client,
        f"/admin/users/{target.id}/grants",
        {"role": "koordinator", "agency_id": agency.id, "unit_id": 0},
        page=f"/admin/users/{target.id}",
        headers={"Referer": f"http://localhost/admin/users/{target.id}"},
    )
    assert response.status_code == 303
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert "harus dikaitkan dengan satu unit kerja" in page
    assert session.get(User, target.id).grants == []


def test_coordinator_of_one_unit_cannot_open_another(client, factory) -> None:
    agency = factory.agency()
    mine, theirs = factory.unit(agency), factory.unit(agency)
    login_as(client, factory.user((Role.KOORDINATOR, mine)))
    assert client.get(f"/units/{mine.id}").status_code == 200
    assert client.get(f"/units/{theirs.id}").status_code == 404
    assert client.get(f"/agencies/{agency.id}").status_code == 404


def test_passwords_never_reach_the_logs(client, factory, caplog) -> None:
    import logging

    factory.user(username="rina")
    caplog.set_level(logging.DEBUG)
    _login(client, "rina", "rahasia-yang-salah-123")
    _login(client, "rina", PASSWORD)
    assert "rahasia-yang-salah-123" not in caplog.text and PASSWORD not in caplog.text


def test_the_user_list_pages_by_50_and_finds_by_name(client, factory, session) -> None:
    """Issue 18 §3: the national dataset's 6,000 accounts made one 2.4 MB page (1.2 s)."""
    for n in range(55):
        factory.user(username=f"halaman.{n:02d}")
    login_as(client, factory.user(Role.ADMIN))

    first = get_page(client, "/admin/users")
    assert len(first.select("table tbody tr")) == 50
    assert first.one('.pager a[rel="next"]').attr("href") == "/admin/users?page=2"

    second = get_page(client, "/admin/users?q=halaman&page=2")
    assert [row[0] for row in second.table_rows()] == [f"halaman.{n}" for n in range(50, 55)]
    found = get_page(client, "/admin/users?q=HALAMAN.07").table_rows()  # any case
    assert [row[0] for row in found] == ["halaman.07"]
    assert get_page(client, "/admin/users?q=tidak-ada").table_rows() == [
        ["Tidak ada pengguna yang cocok."]
    ]
