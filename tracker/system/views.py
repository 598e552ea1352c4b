"""The administrator's system settings page (``/admin/settings``), and the dashboard warning
while the public address is one the public could never open.

An invalid form re-renders the page with status 422, the error next to its field and what was
typed kept (the rule in ``tracker.forms``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tracker.auth.access import is_admin
from tracker.auth.login import actor_grants, current_actor, role_required
from tracker.auth.roles import Role
from tracker.i18n import _
from tracker.sessions import get_session
from tracker.system import services
from tracker.system.forms import PublicUrlForm
from tracker.system.public_url import EXAMPLE

bp = Blueprint("system", __name__)


@bp.app_context_processor
def _public_url_warning() -> dict[str, Any]:
    """``public_url_warning()`` for the dashboards: the address in force when an administrator
    is signed in and the public could not open it, else None (one query, only when asked)."""

    def public_url_warning() -> services.PublicAddress | None:
        if not current_user.is_authenticated or not is_admin(actor_grants()):
            return None
        address = services.public_address(get_session())
        return None if address.reachable else address

    return {"public_url_warning": public_url_warning}


def _page(form: PublicUrlForm | None = None, status: int = 200) -> ResponseReturnValue:
    address = services.public_address(get_session())
    if form is None:
        form = PublicUrlForm(data={"public_base_url": address.stored or ""})
    html = render_template("system/settings.html", form=form, address=address, example=EXAMPLE)
    return html, status


@bp.get("/admin/settings")
@role_required(Role.ADMIN)
def settings() -> ResponseReturnValue:
    return _page()


@bp.post("/admin/settings/public-url")
@role_required(Role.ADMIN)
def save_public_url() -> ResponseReturnValue:
    form = PublicUrlForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    session = get_session()
    url = services.set_public_base_url(
        session, user=current_actor(), value=form.public_base_url.data or ""
    )
    session.commit()
    flash(
        _(
            "Alamat publik disimpan: %(url)s. Berlaku untuk piagam yang terbit berikutnya; "
            "piagam yang sudah terbit tetap memakai alamat saat terbit.",
            url=url,
        ),
        "success",
    )
    return redirect(url_for("system.settings"), code=303)
