"""Client helpers for view tests: log in, and post forms with their CSRF token."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tracker.auth.models import User

_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def login_as(client: FlaskClient, user: User) -> None:
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    html = client.get(page).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1) or match.group(2)


def post_form(
    client: FlaskClient,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    page: str = "/",
    **kwargs: Any,
) -> TestResponse:
    """POST ``data`` to ``url`` with a valid CSRF token taken from ``page``."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, page)
    return client.post(url, data=payload, **kwargs)
