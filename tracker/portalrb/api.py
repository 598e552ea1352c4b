"""The endpoints PortalRB pulls, under ``/api/portalrb`` (the guide's paths and JSON shapes).

Read-only (GET only; anything else is a 405 JSON body), JSON only, no session cookie and no
CSRF form: PortalRB sends ``Authorization: Bearer <token>``, and the token names the agency.
Every request with a known token is recorded (``exchange.record_pull``), refused ones too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, send_file
from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation.models import Predicate
from tracker.error_handlers import api_error
from tracker.errors import DomainError
from tracker.evidence.naming import storage_safe_name
from tracker.extensions import evidence_store, settings
from tracker.i18n import _
from tracker.portalrb import exchange, rules, tokens
from tracker.portalrb.models import PortalrbToken
from tracker.ratelimit import rate_limits
from tracker.sessions import begin_write, get_session
from tracker.system import services as system

API_PREFIX = "/api/portalrb"
bp = Blueprint("portalrb_api", __name__, url_prefix=API_PREFIX)

# What the handler of one endpoint returns: the response and the unit it was about.
Served = tuple[Response, int | None]


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of these endpoints (``openapi.json`` in this package)."""
    text = resources.files("tracker.portalrb").joinpath("openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def base_url() -> str:
    """The API's address as PortalRB reaches it (the public host the administrator set)."""
    return system.public_base_url(get_session()) + API_PREFIX


@bp.after_request
def _no_cookies(response: Response) -> Response:
    """An API answer carries no session cookie and is never cached by a proxy."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Set-Cookie", None)
    response.vary.discard("Cookie")
    return response


def _unauthorized(message: str) -> Response:
    return api_error(401, message, {"WWW-Authenticate": 'Bearer realm="portalrb"'})


def _serve(endpoint: str, handler: Callable[[Session, PortalrbToken], Served]) -> Response:
    """Authenticate, rate-limit, answer, and record the pull (whatever its outcome)."""
    session = get_session()
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _unauthorized(_("Token tidak ada. Kirim header Authorization: Bearer <token>."))
    token = tokens.find_by_secret(session, secret.strip())
    if token is None:
        return _unauthorized(_("Token tidak dikenal."))
    state = tokens.state_of(token, clock.today())
    unit_id: int | None = None
    if state is rules.TokenState.REVOKED:
        response = _unauthorized(_("Token sudah dicabut."))
    elif state is rules.TokenState.EXPIRED:
        response = _unauthorized(_("Token sudah kedaluwarsa."))
    else:
        verdict = rate_limits().hit(
            f"portalrb:{token.id}", per_minute=settings().portalrb_rate_per_minute
        )
        if not verdict.allowed:
            response = api_error(
                429,
                _(
                    "Terlalu banyak permintaan. Coba lagi dalam %(n)s detik.",
                    n=verdict.retry_after,
                ),
                {"Retry-After": str(verdict.retry_after)},
            )
        else:
            try:
                response, unit_id = handler(session, token)
            except DomainError as err:
                session.rollback()
                response = api_error(err.http_status, str(err))
                unit_id = getattr(g, "portalrb_unit_id", None)
    begin_write(session)
    token = session.get(PortalrbToken, token.id) or token
    exchange.record_pull(
        session, token=token, endpoint=endpoint, status=response.status_code, unit_id=unit_id
    )
    session.commit()
    return response


@bp.get("/pengusulan/unit-wbk")
def units_wbk() -> Response:
    return _serve("/pengusulan/unit-wbk", lambda s, t: _units(s, t, Predicate.WBK))


@bp.get("/pengusulan/unit-wbbm")
def units_wbbm() -> Response:
    return _serve("/pengusulan/unit-wbbm", lambda s, t: _units(s, t, Predicate.WBBM))


def _units(session: Session, token: PortalrbToken, target: Predicate) -> Served:
    body = exchange.proposed_units(
        session, agency_id=token.agency_id, target=target, today=clock.today()
    )
    return jsonify(body), None


@bp.get("/lke/jawaban-unit/<unit_id>")
def unit_answers(unit_id: str) -> Response:
    return _serve(f"/lke/jawaban-unit/{unit_id[:40]}", lambda s, t: _answers(s, t, unit_id))


def _answers(session: Session, token: PortalrbToken, raw_id: str) -> Served:
    unit_id = rules.parse_unit_id(raw_id)
    if unit_id is None:
        return api_error(404, _("Unit tidak ditemukan: id unit harus berupa angka.")), None
    g.portalrb_unit_id = unit_id
    body = exchange.unit_answers(
        session,
        agency_id=token.agency_id,
        unit_id=unit_id,
        today=clock.today(),
        download_url=lambda public_id: f"{base_url()}/bukti/{public_id}",
    )
    return jsonify(body), unit_id


@bp.get("/bukti/<public_id>")
def evidence(public_id: str) -> Response:
    return _serve(f"/bukti/{public_id[:40]}", lambda s, t: _evidence(s, t, public_id))


def _evidence(session: Session, token: PortalrbToken, public_id: str) -> Served:
    row = exchange.evidence_file(
        session, agency_id=token.agency_id, public_id=public_id, today=clock.today()
    )
    assert row.storage_key is not None and row.enrolment is not None  # checked by the service
    # Always an attachment, typed as detected on upload: never rendered inline.
    response = send_file(
        evidence_store().open(row.storage_key),
        mimetype=row.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=row.original_name or storage_safe_name(row.original_name),
        max_age=0,
        conditional=False,
        etag=row.sha256 or True,
    )
    return response, row.enrolment.unit_id


@bp.get("/openapi.json")
def openapi() -> Response:
    """The description of this API (public: it holds no data)."""
    document = dict(openapi_document())
    document["servers"] = [{"url": base_url()}]
    return jsonify(document)
