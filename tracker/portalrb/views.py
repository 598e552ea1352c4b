"""The agency's PortalRB page: the addresses to register in PortalRB, the tokens (create, see
once, revoke), and when PortalRB last pulled each proposed unit. For the agency's pimpinan and
the system administrator; anyone else gets 404 (the page's existence is not confirmed)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker import clock
from tracker.agencies import services as agencies_services
from tracker.agencies.models import Agency
from tracker.auth.access import scope_of
from tracker.auth.login import actor_grants, current_actor
from tracker.errors import ValidationError
from tracker.i18n import _
from tracker.portalrb import exchange, rules, tokens
from tracker.portalrb.api import base_url
from tracker.portalrb.forms import TokenForm
from tracker.portalrb.models import PortalrbToken
from tracker.sessions import get_or_404, get_session

bp = Blueprint("portalrb", __name__)

ENDPOINTS = ("/pengusulan/unit-wbk", "/pengusulan/unit-wbbm", "/lke/jawaban-unit/{unit_id}")


@bp.app_context_processor
def _portalrb_link() -> dict[str, Any]:
    """``portalrb_url(agency_id)`` for other packages' pages: the PortalRB page of the agency
    when the signed-in user manages it, else None."""

    def portalrb_url(agency_id: int) -> str | None:
        if not current_user.is_authenticated:
            return None
        if not rules.may_manage_tokens(actor_grants(), agency_id):
            return None
        return url_for("portalrb.agency_page", agency_id=agency_id)

    return {"portalrb_url": portalrb_url}


def _managed_agency(agency_id: int) -> Agency:
    agency = get_or_404(get_session(), Agency, agency_id)
    if not rules.may_manage_tokens(actor_grants(), agency.id):
        abort(404)
    return agency


@bp.get("/portalrb")
@login_required
def index():
    """The agencies whose PortalRB tokens the user manages; one agency: straight to it."""
    session = get_session()
    grants = actor_grants()
    agencies = [
        a
        for a in agencies_services.visible_agencies(session, scope_of(grants))
        if rules.may_manage_tokens(grants, a.id)
    ]
    if not agencies:
        abort(404)
    if len(agencies) == 1:
        return redirect(url_for("portalrb.agency_page", agency_id=agencies[0].id))
    return render_template("portalrb/index.html", agencies=agencies)


def _page(agency: Agency, form: TokenForm | None = None, issued=None, status: int = 200):
    session = get_session()
    today = clock.today()
    rows = tokens.tokens_of(session, agency.id)
    base = base_url()
    html = render_template(
        "portalrb/agency.html",
        agency=agency,
        base=base,
        endpoints=[base + path for path in ENDPOINTS],
        openapi_url=base + "/openapi.json",
        tokens=[(row, tokens.state_of(row, today)) for row in rows],
        states=rules.TokenState,
        form=form or TokenForm(formdata=None),
        issued=issued,
        proposals=exchange.proposed_in_cycle(session, agency.id),
        last_pulls=exchange.last_pulls(session, agency.id),
        last_list_pull=exchange.last_list_pull(session, agency.id),
        period_open=exchange.proposal_cycle(session, agency.id, today) is not None,
    )
    return html, status


@bp.get("/agencies/<int:agency_id>/portalrb")
@login_required
def agency_page(agency_id: int):
    return _page(_managed_agency(agency_id))


@bp.post("/agencies/<int:agency_id>/portalrb/tokens")
@login_required
def create_token(agency_id: int):
    agency = _managed_agency(agency_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(agency, form=form, status=422)
    session = get_session()
    try:
        issued = tokens.create_token(
            session,
            user=current_actor(),
            agency=agency,
            name=form.name.data,
            expires_on=form.expires_on.data,
            today=clock.today(),
        )
    except ValidationError as err:  # a rule of the service: shown next to its field
        session.rollback()
        field = form.expires_on if err.details.get("field") == "expires_on" else form.name
        field.errors = [*field.errors, str(err)]
        return _page(agency, form=form, status=422)
    session.commit()
    # Shown on this response only (never redirected through the session cookie, never stored).
    return _page(agency, issued=issued)


@bp.post("/agencies/<int:agency_id>/portalrb/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(agency_id: int, token_id: int):
    agency = _managed_agency(agency_id)
    session = get_session()
    row = get_or_404(session, PortalrbToken, token_id)
    if row.agency_id != agency.id:
        abort(404)
    tokens.revoke_token(session, user=current_actor(), token=row)
    session.commit()
    flash(
        _("Token %(name)s dicabut: PortalRB tidak dapat lagi memakainya.", name=row.name), "success"
    )
    return redirect(url_for("portalrb.agency_page", agency_id=agency.id), code=303)
