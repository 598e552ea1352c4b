"""Issue 17 for people signed in: TPN's clearance round on the enrolment page (§1), the
cycle's overseers (administrator), a unit's Ombudsman results (§4) and its lineage (§5) on the
unit's ZI page.

Each form is one small inline action among several on its page: an invalid form or a refusal
is flashed and answered 303 back to the page (``accreditation.web``), except the cycle's
overseers, whose page renders its forms field by field (422 with the errors there).
"""

from __future__ import annotations

from flask import flash, redirect, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker import clock
from tracker.accreditation import clearance, ombudsman
from tracker.accreditation.models import Cycle, Enrolment
from tracker.accreditation.web import (
    cycle_views,
    invalid_form,
    load_enrolment,
    load_unit,
    oversight_pages,
    upload_policy,
)
from tracker.accreditation.web.oversight_forms import (
    OmbudsmanForm,
    OverrideForm,
    OverseersForm,
)
from tracker.accreditation.web.views import bp
from tracker.agencies import lineage
from tracker.agencies import services as agency_services
from tracker.agencies.models import Unit
from tracker.auth.login import current_actor, role_required
from tracker.auth.roles import Role
from tracker.errors import ValidationError
from tracker.evidence import uploads
from tracker.extensions import evidence_store
from tracker.i18n import _
from tracker.sessions import get_or_404, get_session

# --- §1: the clearance card on the enrolment page --------------------------------------------


def _back(enrolment: Enrolment) -> str:
    return url_for("accreditation.enrolment", enrolment_id=enrolment.id, _anchor="clearance")


@bp.post("/enrolments/<int:enrolment_id>/clearance")
@login_required
def clearance_ask(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    form = oversight_pages.ask_form(enrolment)
    if not form.validate_on_submit():
        return invalid_form(form, _back(enrolment))
    row = clearance.ask(
        session,
        actor=actor,
        enrolment=enrolment,
        overseer=form.overseer.data or "",
        asked_on=form.asked_on.data,
        note=form.note.data or "",
        today=clock.today(),
    )
    session.commit()
    flash(_("Permintaan klirens kepada %(who)s tercatat.", who=row.overseer), "success")
    return redirect(_back(enrolment), code=303)


@bp.post("/enrolments/<int:enrolment_id>/clearance/<int:request_id>/answer")
@login_required
def clearance_answer(enrolment_id: int, request_id: int) -> ResponseReturnValue:
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    request = clearance.get_request(session, enrolment, request_id)
    form = oversight_pages.answer_form(request.id)
    if not form.validate_on_submit():
        return invalid_form(form, _back(enrolment))
    store = evidence_store()
    keys: list[str | None] = []
    with uploads.cleanup_on_failure(session, store, keys):
        stored = clearance.answer(
            session,
            store,
            upload_policy(),
            actor=actor,
            enrolment=enrolment,
            request=request,
            given=clearance.AnswerInput(
                answered_on=form.answered_on.data,
                result=form.chosen(),
                summary=form.summary.data or "",
                document=form.document.data,
                link=form.link.data or None,
            ),
            today=clock.today(),
        )
        keys.append(stored.storage_key if stored else None)
        session.commit()
    flash(_("Jawaban %(who)s tercatat.", who=request.overseer), "success")
    return redirect(_back(enrolment), code=303)


@bp.post("/enrolments/<int:enrolment_id>/clearance/<int:request_id>/resolve")
@login_required
def clearance_resolve(enrolment_id: int, request_id: int) -> ResponseReturnValue:
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    request = clearance.get_request(session, enrolment, request_id)
    form = oversight_pages.resolve_form(request.id)
    if not form.validate_on_submit():
        return invalid_form(form, _back(enrolment))
    clearance.resolve(
        session,
        actor=actor,
        enrolment=enrolment,
        request=request,
        resolved_on=form.resolved_on.data,
        note=form.note.data or "",
        today=clock.today(),
    )
    session.commit()
    flash(_("Penyelesaian temuan %(who)s tercatat.", who=request.overseer), "success")
    return redirect(_back(enrolment), code=303)


@bp.post("/enrolments/<int:enrolment_id>/clearance/override")
@login_required
def clearance_override(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        return invalid_form(form, _back(enrolment))
    clearance.override(session, actor=actor, enrolment=enrolment, reason=form.reason.data or "")
    session.commit()
    flash(_("Keputusan TPN untuk tetap menetapkan tercatat beserta alasannya."), "success")
    return redirect(_back(enrolment), code=303)


# --- the cycle's overseers (administrator) ----------------------------------------------------


@bp.post("/cycles/<int:cycle_id>/overseers")
@role_required(Role.ADMIN)
def cycle_overseers(cycle_id: int) -> ResponseReturnValue:
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    form = OverseersForm()
    if not form.validate_on_submit():
        return cycle_views._cycle_page(item, overseers=form), 422
    try:
        clearance.set_overseers(session, user=current_actor(), cycle=item, text=form.names.data)
    except ValidationError as err:
        session.rollback()
        form.names.errors = [err.message]
        return cycle_views._cycle_page(get_or_404(session, Cycle, cycle_id), overseers=form), 422
    session.commit()
    flash(_("Daftar pengawas siklus %(year)s disimpan.", year=item.year), "success")
    return redirect(url_for("accreditation.cycle", cycle_id=item.id), code=303)


# --- §4 and §5 on the unit's ZI page ----------------------------------------------------------


def _unit_back(unit: Unit, anchor: str) -> str:
    return url_for("accreditation.unit_overview", unit_id=unit.id, _anchor=anchor)


@bp.post("/units/<int:unit_id>/zi/ombudsman")
@login_required
def ombudsman_record(unit_id: int) -> ResponseReturnValue:
    session = get_session()
    unit, actor = load_unit(unit_id)
    form = OmbudsmanForm()
    if not form.validate_on_submit():
        return invalid_form(form, _unit_back(unit, "ombudsman"))
    store = evidence_store()
    keys: list[str | None] = []
    with uploads.cleanup_on_failure(session, store, keys):
        row, stored = ombudsman.record(
            session,
            store,
            upload_policy(),
            actor=actor,
            unit=unit,
            year=form.year.data,
            zone=form.chosen_zone(),
            score=form.score.data or "",
            certificate=form.certificate.data,
            today=clock.today(),
        )
        keys.append(stored.storage_key if stored else None)
        session.commit()
    flash(_("Hasil penilaian Ombudsman %(year)s tercatat.", year=row.year), "success")
    return redirect(_unit_back(unit, "ombudsman"), code=303)


@bp.get("/units/<int:unit_id>/zi/ombudsman/<int:result_id>/certificate")
@login_required
def ombudsman_certificate(unit_id: int, result_id: int) -> ResponseReturnValue:
    unit, _actor = load_unit(unit_id)
    row = ombudsman.get(get_session(), unit, result_id)
    file = row.certificate
    if file is None or file.storage_key is None:
        flash(_("Hasil ini tidak memiliki piagam yang diunggah."), "warning")
        return redirect(_unit_back(unit, "ombudsman"), code=303)
    # Always an attachment with the type detected on upload, like every evidence download.
    return send_file(
        evidence_store().open(file.storage_key),
        mimetype=file.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=file.original_name,
        max_age=0,
    )


@bp.post("/units/<int:unit_id>/zi/lineage")
@login_required
def lineage_record(unit_id: int) -> ResponseReturnValue:
    session = get_session()
    unit, actor = load_unit(unit_id)
    form = oversight_pages.successor_form(unit, actor)
    if not form.validate_on_submit():
        return invalid_form(form, _unit_back(unit, "lineage"))
    successor = agency_services.get_unit(session, form.successor_id.data)
    lineage.record(
        session,
        user=actor.user,
        predecessor=unit,
        successor=successor,
        kind=form.chosen_kind(),
        on=form.on.data,
        decree_ref=form.decree_ref.data or "",
        today=clock.today(),
    )
    session.commit()
    flash(
        _("%(old)s kini tercatat berlanjut sebagai %(new)s.", old=unit.name, new=successor.name),
        "success",
    )
    return redirect(_unit_back(unit, "lineage"), code=303)
