"""Turning errors into responses, in one place.

A DomainError becomes a rollback and either a flash + 303 back to where the user came from
(form posts) or a JSON body (requests that ask for JSON). HTTP errors get a generic page in the
user's language that never echoes internals. Under ``/api/`` every error is the JSON body of
PortalRB's guide, ``{"error": true, "code": ..., "message": ...}``, never a page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.errors import (
    ConflictError,
    DomainError,
    NotAllowedError,
    NotFoundError,
    ServiceUnavailableError,
)
from tracker.i18n import _

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The codes of PortalRB's guide; any other 4xx is an invalid request, any 5xx a server error.
API_CODES = {
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "DATA_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    422: "INVALID_REQUEST",
    429: "RATE_LIMIT_EXCEEDED",
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(status: int, message: str, headers: dict[str, str] | None = None):
    """The JSON error body of the API, with its code."""
    code = API_CODES.get(status) or ("SERVER_ERROR" if status >= 500 else "INVALID_REQUEST")
    response = jsonify(error=True, code=code, message=message)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def rollback() -> None:
    """Discard the request's unfinished transaction before answering with an error."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def wants_json() -> bool:
    """Only clients that ask for JSON and not HTML (our upload script) get JSON errors."""
    accept = request.accept_mimetypes
    return request.is_json or (accept.accept_json and not accept.accept_html)


def safe_referrer() -> str:
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if referrer and parts.netloc == request.host and parts.scheme in ("http", "https"):
        return referrer
    return url_for("core.index")


def handle_domain_error(err: DomainError):
    rollback()
    if is_api_request():
        return api_error(err.http_status, str(err))
    if isinstance(err, NotFoundError | NotAllowedError | ServiceUnavailableError):
        return error_page(err.http_status, str(err))
    if wants_json():
        return jsonify(error=str(err)), err.http_status
    flash(str(err), "error")
    return redirect(safe_referrer(), code=303)


def error_page(status: int, message: str | None = None):
    titles = {
        400: _("Permintaan tidak valid"),
        403: _("Akses ditolak"),
        404: _("Halaman tidak ditemukan"),
        405: _("Metode tidak diizinkan"),
        409: _("Terjadi konflik"),
        413: _("Berkas terlalu besar"),
        422: _("Data tidak valid"),
        429: _("Terlalu banyak permintaan"),
        500: _("Terjadi kesalahan pada server"),
        503: _("Server sedang sibuk"),
    }
    title = titles.get(status, _("Terjadi kesalahan"))
    if is_api_request():
        return api_error(status, message or title)
    if wants_json():
        return jsonify(error=message or title), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def too_many_requests(message: str, retry_after: int) -> Response:
    """A request refused by a rate limit: the 429 page saying ``message``, and how many
    seconds to wait in ``Retry-After``."""
    response = make_response(error_page(429, message))
    response.headers["Retry-After"] = str(retry_after)
    return response


def handle_http_error(err: HTTPException):
    rollback()
    status = err.code or 500
    messages = {
        403: _("Anda tidak memiliki akses ke halaman ini."),
        404: _("Alamat yang Anda buka tidak ada atau sudah dipindahkan."),
        413: _("Ukuran kiriman melebihi batas yang diizinkan."),
    }
    if is_api_request():
        allowed = getattr(err, "valid_methods", None)  # a 405 names the methods it would take
        headers = {"Allow": ", ".join(allowed)} if allowed else {}
        messages[405] = _("Alamat ini hanya menerima permintaan GET.")
        return api_error(status, messages.get(status) or err.name, headers)
    return error_page(status, messages.get(status))


def handle_csrf_error(err: CSRFError):
    rollback()
    return error_page(
        400, _("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.")
    )


def handle_concurrent_change(err: Exception):
    """A unique constraint or a version check caught two changes racing: the later one loses,
    nothing is overwritten, and the user is told to reload.

    Roll back first: the failed flush left the session unusable, and building the message reads
    the user's language through it (PostgreSQL, issue 13 §8: a PendingRollbackError, a 500)."""
    rollback()
    return handle_domain_error(
        ConflictError(
            _(
                "Data ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi; "
                "perubahan Anda belum disimpan."
            )
        )
    )


def handle_unexpected(err: Exception):
    rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_page(500, _("Kesalahan sudah dicatat. Silakan coba lagi nanti."))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(IntegrityError, handle_concurrent_change)
    app.register_error_handler(StaleDataError, handle_concurrent_change)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
