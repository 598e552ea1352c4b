"""Issue 13 §8 and §2: text PostgreSQL cannot store is refused before anything runs, and a write
that waited its whole turn for the database gets "busy, try again" (503), never a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.factories import PASSWORD
from tests.helpers import csrf_token
from tracker.auth.models import User
from tracker.request_guards import has_nul, is_lock_wait


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], False), (["budi", "catatan"], False), (["bu\x00di"], True), (["", "\x00"], True)],
)
def test_has_nul(values: list[str], expected: bool) -> None:
    assert has_nul(values) is expected


def test_a_nul_byte_in_a_query_is_refused_with_a_message(client: FlaskClient) -> None:
    response = client.get("/registry", query_string={"q": "Polres\x00"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_form_is_refused_and_changes_nothing(client: FlaskClient, session) -> None:
    users = session.scalar(select(func.count()).select_from(User))
    token = csrf_token(client)
    response = client.post(
        "/login", data={"csrf_token": token, "username": "ad\x00min", "password": "x"}
    )
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == users


def _failing_app(app: Flask, error: OperationalError) -> FlaskClient:
    @app.get("/_test/busy")
    def busy():
        raise error

    return app.test_client()


class DriverError(Exception):
    """What the drivers raise: psycopg's errors carry the SQLSTATE, sqlite3's only a message."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _operational(message: str, sqlstate: str | None = None) -> OperationalError:
    return OperationalError("UPDATE answers ...", {}, DriverError(message, sqlstate))


@pytest.mark.parametrize(
    "error",
    [
        _operational("database is locked"),
        _operational("canceling statement due to lock timeout", "55P03"),
        _operational("could not serialize access", "40001"),
        _operational("deadlock detected", "40P01"),
    ],
)
def test_a_write_that_waited_for_the_lock_is_told_to_retry(app: Flask, error) -> None:
    response = _failing_app(app, error).get("/_test/busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Coba lagi" in response.get_data(as_text=True)


def test_other_database_failures_stay_server_errors(app: Flask) -> None:
    error = _operational("no such table: answers")
    assert not is_lock_wait(error)
    response = _failing_app(app, error).get("/_test/busy")
    assert response.status_code == 500


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_an_id_no_row_can_have_is_not_found(client: FlaskClient, number: int) -> None:
    """Issue 13 §13: ids past the INTEGER columns' range answer 404, not an overflow 500."""
    assert client.get(f"/enrolments/{number}").status_code == 404
    assert client.get(f"/enrolments/{number}/lke").status_code == 404


def test_huge_numbers_in_public_filters_are_ignored(client: FlaskClient) -> None:
    huge = str(2**64)
    response = client.get("/registry", query_string={"page": huge, "year": huge, "agency": huge})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "target",
    ["/lke\r\nSet-Cookie: x=1", "/\\evil.example", "//evil.example/", "https://evil.example/"],
)
def test_login_never_redirects_off_site_or_splits_headers(
    client: FlaskClient, session, factory, target: str
) -> None:
    user = factory.user(username="budi.next")
    token = csrf_token(client)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"csrf_token": token, "username": user.username, "password": PASSWORD},
    )
    assert response.status_code in (302, 303)
    assert response.headers["Location"] in ("/", "http://localhost/")
