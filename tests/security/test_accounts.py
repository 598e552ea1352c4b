"""Issue 13 §10 and §11: password guessing, account enumeration, and sessions that outlive
logout.

What the outside test found, each reproduced here against the real database (SQLite, and
PostgreSQL under ``scripts/with-postgres.sh``):

- five wrong passwords for ``admin`` from anywhere refused the right one from everywhere;
- a wrong password took ~840 ms for a real account and ~25 ms for an unknown name;
- twelve parallel wrong attempts ran nine password checks on PostgreSQL (limit five);
- a session cookie copied before logout still worked after it;
- the password-change form took any number of wrong current passwords.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from tests.factories import PASSWORD
from tests.helpers import csrf_token, login_as, post_form
from tracker.auth import passwords, services, throttle
from tracker.auth.models import LoginAttempt, User
from tracker.auth.roles import Role

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.20"


def login(client, username: str, password: str, address: str = "127.0.0.1"):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def counted_checks(monkeypatch) -> list[str]:
    """Every Argon2 verification made, by the hash it was made against."""
    checked: list[str] = []
    lock = threading.Lock()
    real = passwords.verify_password

    def counting(stored_hash: str, password: str) -> bool:
        with lock:
            checked.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return checked


# --- §10: no lockout of the owner ----------------------------------------------------------------


def test_five_wrong_passwords_do_not_lock_the_owner_out(app, factory) -> None:
    factory.user(Role.ADMIN, username="admin")
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(5):
        assert login(attacker, "admin", "tebakan-salah", ATTACKER).status_code == 401
    refused = login(attacker, "admin", PASSWORD, ATTACKER)  # even the right one, from there
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "900"
    assert "Terlalu banyak percobaan kata sandi yang gagal" in refused.get_data(as_text=True)
    response = login(owner, "admin", PASSWORD, OWNER)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert owner.get("/").status_code == 200


def test_a_distributed_attack_gets_one_guess_per_address_and_the_owner_still_gets_in(
    app, factory
) -> None:
    factory.user(Role.ADMIN, username="admin")
    client = app.test_client()
    for n in range(10):  # ten addresses, one failure each: the account is under attack
        assert login(client, "admin", "tebakan-salah", f"192.0.2.{n}").status_code == 401
    assert login(client, "admin", "tebakan-lain", "192.0.2.0").status_code == 429
    assert login(client, "admin", PASSWORD, OWNER).status_code == 302


def test_an_address_that_tries_many_accounts_is_stopped(app, factory, counted_checks) -> None:
    factory.user(username="korban")
    client = app.test_client()
    for n in range(20):
        assert login(client, f"akun-{n}", "sandi-umum-2024", ATTACKER).status_code == 401
    assert login(client, "korban", "sandi-umum-2024", ATTACKER).status_code == 429
    assert len(counted_checks) == 20  # the refused attempt ran no check


# --- §10: refusal that does not tell which accounts exist ----------------------------------------


def test_an_unknown_name_costs_one_password_check_like_a_real_account(
    app, factory, session, counted_checks
) -> None:
    real = factory.user(username="nyata")
    inactive = factory.user(username="nonaktif")
    services.set_active(session, inactive, by=factory.user(Role.ADMIN), active=False)
    session.commit()
    client = app.test_client()
    for n, name in enumerate(("nyata", "tidak-ada", "nonaktif")):
        response = login(client, name, "bukan-sandinya", f"192.0.2.{n}")
        assert response.status_code == 401
        assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
    assert login(client, "nonaktif", PASSWORD, "192.0.2.9").status_code == 401
    assert counted_checks == [
        real.password_hash,
        passwords.dummy_hash(),
        inactive.password_hash,
        inactive.password_hash,
    ]
    assert not passwords.needs_rehash(passwords.dummy_hash())  # same cost parameters


def test_a_wrong_password_and_an_unknown_name_take_the_same_time(app, factory) -> None:
    factory.user(username="waktu")
    client = app.test_client()
    login(client, "pemanasan", "x", "192.0.2.200")  # first request of the app: not measured

    def refusal_time(name: str, address: str) -> float:
        started = time.perf_counter()
        assert login(client, name, "bukan-sandinya", address).status_code == 401
        return time.perf_counter() - started

    real, unknown = [], []
    for n in range(3):  # interleaved, so that load on the machine hits both alike
        real.append(refusal_time("waktu", f"192.0.2.{10 + n}"))
        unknown.append(refusal_time(f"tidak-ada-{n}", f"192.0.2.{20 + n}"))
    ratio = statistics.median(unknown) / statistics.median(real)
    print(  # the measurement is the point: `pytest -s` shows it
        f"refusal: real account {statistics.median(real) * 1000:.0f} ms, "
        f"unknown name {statistics.median(unknown) * 1000:.0f} ms"
    )
    assert 0.6 < ratio < 1.6, (real, unknown)


# --- §10: atomic counting ------------------------------------------------------------------------


@pytest.fixture
def committed_user(engine) -> Iterator[tuple[sessionmaker, str]]:
    """An account committed for real (parallel attempts need their own connections), removed
    afterwards with its attempts. No audit record: nothing is left in the shared trail."""
    maker = sessionmaker(engine, expire_on_commit=False)
    name = f"paralel-{uuid.uuid4().hex[:8]}"
    with maker() as db:
        db.add(
            User(
                username=name, full_name="Paralel", password_hash=passwords.hash_password(PASSWORD)
            )
        )
        db.commit()
    yield maker, name
    with maker() as db:
        db.execute(delete(LoginAttempt).where(LoginAttempt.username == name))
        db.execute(delete(User).where(User.username == name))
        db.commit()


def test_parallel_wrong_attempts_run_no_more_checks_than_the_limit(
    committed_user, counted_checks
) -> None:
    maker, name = committed_user
    policy = throttle.Policy()
    parallel = 12
    start = threading.Barrier(parallel)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with maker() as db:
                start.wait()
                try:
                    check = services.begin_login(db, name, ip=ATTACKER, policy=policy)
                    db.commit()
                    services.finish_login(db, check, "tebakan-paralel")
                except services.LoginThrottledError:
                    outcomes.append("throttled")
                except services.InvalidCredentialsError:
                    outcomes.append("wrong")
                db.commit()
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(counted_checks) == policy.per_pair
    assert (
        sorted(outcomes)
        == ["throttled"] * (parallel - policy.per_pair) + ["wrong"] * policy.per_pair
    )
    with maker() as db:
        refused = services.begin_login(db, name, ip=OWNER, policy=policy)  # clean address
        db.commit()
        assert services.finish_login(db, refused, PASSWORD).username == name
        db.commit()


# --- §11: sessions end at logout; password change is throttled ----------------------------------


def test_a_cookie_copied_before_logout_is_dead_after_it(app, client, factory) -> None:
    factory.user(username="salin")
    assert login(client, "salin", PASSWORD).status_code == 302
    copied = client.get_cookie("session")
    assert copied is not None
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert thief.get("/").status_code == 200  # the copy works while the session lasts
    assert post_form(client, "/logout").status_code == 302
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert login(client, "salin", PASSWORD).status_code == 302  # logging in again still works
    assert client.get("/").status_code == 200


def test_the_password_change_form_is_throttled(client, factory, session) -> None:
    user = factory.user(username="ganti")
    login_as(client, user)
    version = user.session_version

    def change(current: str):
        new = "sandi-baru-yang-kuat"
        return post_form(
            client, "/account/password", {"current": current, "new": new, "confirm": new}
        )

    for _ in range(5):
        response = change("tebakan-salah")
        assert response.status_code == 422
        assert "Kata sandi saat ini salah." in response.get_data(as_text=True)
    response = change(PASSWORD)
    assert response.status_code == 429 and response.headers["Retry-After"] == "900"
    assert "Terlalu banyak percobaan kata sandi yang gagal" in response.get_data(as_text=True)
    session.expire_all()
    assert passwords.verify_password(user.password_hash, PASSWORD)  # unchanged
    assert user.session_version == version  # and this session still open
    assert client.get("/").status_code == 200
    # The same guesses count against logging in from that address.
    assert login(client.application.test_client(), "ganti", PASSWORD).status_code == 429
