"""Year over year (issue 16 §3): carrying last cycle's answers into a new enrolment and
confirming them, a unit's LKE across its cycles, and an agency's units' scores by year.

The carry and confirm forms are small inline actions: an invalid one (or a service's refusal)
is flashed and answered 303 back to its page (``web/__init__``). The year pages are read-only.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from wtforms import HiddenField
from wtforms.validators import AnyOf, Length, Optional

from tracker import clock
from tracker.accreditation import carry, tiers, years
from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.models import Enrolment
from tracker.accreditation.web import deployment, invalid_form, load_enrolment, load_unit
from tracker.accreditation.web.views import bp
from tracker.accreditation.workflow import STAGE_LABELS
from tracker.agencies.models import Agency
from tracker.auth.access import can_view_agency
from tracker.auth.login import actor_grants, current_actor
from tracker.forms import L, TrackerForm
from tracker.i18n import _, in_english
from tracker.sessions import get_session


class CarryForm(TrackerForm):
    """Carry last cycle's answers: nothing to fill in besides the form's token."""


class ConfirmCarriedForm(TrackerForm):
    item = HiddenField(L("Butir"), validators=[Optional(), Length(max=40)])
    area = HiddenField(
        L("Area"),
        validators=[Optional(), AnyOf(list(tiers.AREA_KEYS), L("Pilihan tidak valid."))],
    )


@bp.post("/enrolments/<int:enrolment_id>/carry")
@login_required
def carry_answers(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    back = url_for("accreditation.enrolment", enrolment_id=item.id)
    form = CarryForm()
    if not form.validate_on_submit():
        return invalid_form(form, back)
    result = carry.carry(session, actor=actor, enrolment=item, today=clock.today())
    session.commit()
    flash(
        _(
            "%(n)s jawaban siklus %(year)s dibawa; %(files)s berkas ikut, %(stale)s berkas "
            "kedaluwarsa tidak dibawa. Konfirmasi setiap butir sebelum dikirim.",
            n=result.items,
            year=result.source.cycle.year,
            files=result.files,
            stale=result.stale,
        ),
        "success",
    )
    return redirect(url_for("accreditation.carried", enrolment_id=item.id), code=303)


@bp.get("/enrolments/<int:enrolment_id>/carried")
@login_required
def carried(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    page = carry.carried_page(session, item, in_english())
    return render_template(
        "accreditation/carried.html",
        enrolment=item,
        page=page,
        may_confirm=carry.may_carry(actor, item),
        form=ConfirmCarriedForm(formdata=None),
        stage_labels=STAGE_LABELS,
    )


@bp.post("/enrolments/<int:enrolment_id>/carried/confirm")
@login_required
def confirm_carried(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    back = url_for("accreditation.carried", enrolment_id=item.id)
    form = ConfirmCarriedForm()
    if not form.validate_on_submit():
        return invalid_form(form, back)
    codes = carry.confirm(
        session,
        actor=actor,
        enrolment=item,
        item_code=form.item.data or None,
        area=form.area.data or None,
    )
    session.commit()
    if codes:
        flash(_("%(n)s butir dikonfirmasi.", n=len(codes)), "success")
    else:
        flash(_("Tidak ada butir yang menunggu konfirmasi."), "info")
    anchor = f"#carried-{codes[0]}" if len(codes) == 1 else ""
    return redirect(back + anchor, code=303)


@bp.get("/units/<int:unit_id>/years")
@login_required
def unit_years(unit_id: int) -> ResponseReturnValue:
    unit, _actor = load_unit(unit_id)
    page = years.unit_years(get_session(), unit)
    return render_template("accreditation/unit_years.html", unit=unit, page=page)


@bp.get("/agencies/<int:agency_id>/years")
@login_required
def agency_years(agency_id: int) -> ResponseReturnValue:
    session = get_session()
    agency = session.get(Agency, agency_id)
    if agency is None or not can_view_agency(actor_grants(), agency_id):
        abort(404)
    page = years.agency_years(session, agency_id)
    return render_template("accreditation/agency_years.html", agency=agency, page=page)


@bp.context_processor
def _carry_context() -> dict[str, Any]:
    def carry_card(enrolment: Enrolment) -> carry.CarryCard | None:
        """For the enrolment page's aside: the offer or the carried items waiting."""
        return carry.carry_card(get_session(), current_actor_on(enrolment), enrolment)

    def carried_waiting(enrolment: Enrolment) -> frozenset[str]:
        """For the LKE items: the carried ones still waiting, read once per request."""
        memo: dict[int, frozenset[str]] = g.setdefault("carried_waiting", {})
        if enrolment.id not in memo:
            memo[enrolment.id] = carry.waiting_codes(get_session(), enrolment)
        return memo[enrolment.id]

    return {
        "carry_card": carry_card,
        "carry_form": CarryForm,
        "carried_waiting": carried_waiting,
    }


def current_actor_on(enrolment: Enrolment) -> Actor:
    return actor_for(current_actor(), enrolment.unit, deployment())
