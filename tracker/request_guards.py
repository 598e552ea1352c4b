"""What every request passes before a view runs, and how a busy database is answered.

- A form's body is read whole before the view's first query. On SQLite a request that may write
  begins its transaction IMMEDIATE, holding the write lock; a view that read its form only after
  loading its objects would hold that lock for as long as a slow client takes to send the body,
  and every save elsewhere would wait behind it (issue 13 §2).
- Text with a NUL byte is refused up front: PostgreSQL cannot store it, and no person types it.
- A write that waited its whole turn for a lock (SQLite's busy timeout, PostgreSQL's lock
  timeout, a deadlock or serialization failure) is answered 503 with Retry-After, never 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import OperationalError
from werkzeug.routing import IntegerConverter

from tracker.db import MAX_ID
from tracker.error_handlers import error_page, handle_unexpected, rollback
from tracker.i18n import _

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
RETRY_AFTER_SECONDS = 5
# SQLSTATEs of PostgreSQL's "wait and try again" failures: lock_not_available,
# serialization_failure, deadlock_detected, query_canceled (statement/lock timeout).
PG_BUSY = frozenset({"55P03", "40001", "40P01", "57014"})


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a number no row can have is a 404, not a 500."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def query_int(name: str, default: int | None = None, *, low: int = 1) -> int | None:
    """A whole number from the query string, or ``default`` when it is missing, malformed or
    outside [low, MAX_ID]: search links are shared, so a bad value is ignored, not refused."""
    value = request.args.get(name, type=int)
    if value is None or not low <= value <= MAX_ID:
        return default
    return value


def has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def _check_request() -> ResponseReturnValue | None:
    texts = [*request.args.keys(), *request.args.values()]
    if request.mimetype in FORM_TYPES:
        form = request.form  # reads (and spools) the whole body now, before any query
        texts += [*form.keys(), *form.values()]
    if has_nul(texts):
        return error_page(400, _("Isian memuat karakter yang tidak dapat disimpan (NUL)."))
    return None


def is_lock_wait(err: OperationalError) -> bool:
    """Whether ``err`` means "the database was busy", not a broken query or a lost server."""
    if "database is locked" in str(err.orig):
        return True
    return getattr(err.orig, "sqlstate", None) in PG_BUSY


def handle_operational_error(err: OperationalError) -> ResponseReturnValue:
    if not is_lock_wait(err):
        return handle_unexpected(err)
    rollback()
    body, status = error_page(
        503,
        _(
            "Server sedang sibuk menyimpan perubahan lain. Coba lagi sebentar lagi; "
            "perubahan Anda belum disimpan."
        ),
    )
    response = body if isinstance(body, Response) else Response(body)
    response.status_code = status
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bound_route_ids(app: Flask) -> None:
    """Every ``<int:...>`` route accepts only numbers a row can have (register before routes)."""
    app.url_map.converters["int"] = BoundedIntConverter


def init_app(app: Flask) -> None:
    app.before_request(_check_request)
    app.register_error_handler(OperationalError, handle_operational_error)
