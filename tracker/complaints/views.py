"""Complaints and monitoring pages (issue 17 §2, §3).

Public, no account: ``/complain/<unit>`` (the form of a designated unit; counted per client
address through the named limits, a honeypot field and a signed form time refuse scripts) and
the counts by status on the certificate's verification page (``complaint_counts``: never the
text or the contact).

Signed in: the unit's register and each complaint (the unit's people, its agency's TPI and
leadership, TPN, admins; 404 outside that scope), the unit's monitoring page and its
verification tasks. An invalid form re-renders its page with status 422 (``tracker.forms``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tracker import clock
from tracker.accreditation.models import MonitoringResult
from tracker.agencies import services as agency_services
from tracker.agencies.models import Unit
from tracker.auth.access import UnitRef, roles_for_unit
from tracker.auth.login import actor_grants, current_actor, role_required
from tracker.auth.roles import Role
from tracker.complaints import forms, formstamp, monitoring, rules, services
from tracker.complaints.models import Complaint, VerificationTask
from tracker.complaints.rules import Category, Status
from tracker.error_handlers import too_many_requests
from tracker.errors import DomainError, InvalidTransitionError, ValidationError
from tracker.evidence import uploads
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile
from tracker.extensions import evidence_store
from tracker.extensions import settings as tracker_settings
from tracker.forms import choices
from tracker.i18n import _
from tracker.ratelimit import rate_limits
from tracker.sessions import get_session

bp = Blueprint("complaints", __name__)
SIGNED_IN = tuple(Role)


@bp.app_context_processor
def _public_counts() -> dict[str, Any]:
    """``complaint_counts(unit_id)`` for the verification page: counts by status only."""

    def complaint_counts(unit_id: int) -> dict[str, Any]:
        session = get_session()
        counts = services.public_counts(session, unit_id)
        unit = session.get(Unit, unit_id)
        accepts = unit is not None and services.accepts_complaints(session, unit)
        return {"counts": counts, "total": sum(counts.values()), "accepts": accepts}

    def verification_desk() -> Sequence[VerificationTask]:
        """Open verification tasks for "Tugas saya" (TPI of the agency, TPN, admins)."""
        if not current_user.is_authenticated:
            return []
        everything, agency_ids = rules.verification_desk(actor_grants())
        return monitoring.open_tasks_on_desk(
            get_session(), everything=everything, agency_ids=agency_ids
        )

    return {
        "complaint_counts": complaint_counts,
        "complaint_status_labels": rules.STATUS_LABELS,
        "verification_desk": verification_desk,
        "verification_reason_labels": rules.REASON_LABELS,
    }


def _policy() -> UploadPolicy:
    return UploadPolicy.from_settings(tracker_settings())


def _problems(err: DomainError) -> list[str]:
    problems = err.details.get("problems")
    return [str(p) for p in problems] if isinstance(problems, list) else [str(err)]


# --- public ------------------------------------------------------------------------------------


def _public_unit(unit_id: int) -> Unit:
    session = get_session()
    unit = session.get(Unit, unit_id)
    if unit is None or not services.accepts_complaints(session, unit):
        abort(404)
    return unit


def _public_page(
    unit: Unit, form: forms.PublicComplaintForm, status: int = 200, refusal: str | None = None
) -> ResponseReturnValue:
    form.shown.data = formstamp.stamp(tracker_settings().secret_key, unit.id, time.time())
    form.website.data = ""
    html = render_template("complaints/public_form.html", unit=unit, form=form, refusal=refusal)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"  # the time stamp is per showing
    return response


@bp.get("/complain/<int:unit_id>")
def public_form(unit_id: int) -> ResponseReturnValue:
    return _public_page(_public_unit(unit_id), forms.PublicComplaintForm(formdata=None))


@bp.post("/complain/<int:unit_id>")
def public_submit(unit_id: int) -> ResponseReturnValue:
    unit = _public_unit(unit_id)
    verdict = rate_limits().hit(
        f"complaint:{request.remote_addr or '-'}", per_minute=rules.PUBLIC_FORM_PER_MINUTE
    )
    if not verdict.allowed:
        message = _(
            "Terlalu banyak pengaduan dari alamat Anda. Coba lagi dalam %(seconds)s detik.",
            seconds=verdict.retry_after,
        )
        return too_many_requests(message, verdict.retry_after)
    form = forms.PublicComplaintForm()
    if not form.validate_on_submit():
        # An expired or missing form token is not next to any field: say it at the top.
        expired = form.csrf_token.errors if hasattr(form, "csrf_token") else []
        return _public_page(unit, form, 422, str(expired[0]) if expired else None)
    if (form.website.data or "").strip():
        # A person never sees this field; only a script fills it.
        return _public_page(unit, form, 422, _("Pengaduan tidak dapat diterima."))
    shown = formstamp.shown_at(tracker_settings().secret_key, form.shown.data or "", unit.id)
    problem = (
        rules.form_time_problem(shown, time.time())
        if shown is not None
        else _("Formulir tidak sah. Muat ulang halaman, lalu kirim lagi.")
    )
    if problem:
        return _public_page(unit, form, 422, _(problem))
    session = get_session()
    try:
        services.submit_public(
            session,
            unit=unit,
            category=Category(form.category.data),
            description=form.description.data or "",
            contact=form.contact.data or "",
            today=clock.today(),
        )
    except ValidationError as err:
        session.rollback()
        return _public_page(unit, form, 422, " ".join(_problems(err)))
    session.commit()
    return redirect(url_for("complaints.public_sent", unit_id=unit.id), code=303)


@bp.get("/complain/<int:unit_id>/sent")
def public_sent(unit_id: int) -> ResponseReturnValue:
    return render_template("complaints/public_sent.html", unit=_public_unit(unit_id))


# --- the register ------------------------------------------------------------------------------


def _roles(unit: Unit) -> frozenset[Role]:
    return roles_for_unit(actor_grants(), UnitRef(unit.id, unit.agency_id, unit.path))


def _readable_unit(unit_id: int) -> tuple[Unit, frozenset[Role]]:
    unit = agency_services.get_unit(get_session(), unit_id)
    roles = _roles(unit)
    if not rules.may_read(roles):
        abort(404)
    return unit, roles


def _readable_complaint(complaint_id: int) -> tuple[Complaint, frozenset[Role]]:
    complaint = services.get(get_session(), complaint_id)
    roles = _roles(complaint.unit)
    if not rules.may_read(roles):
        abort(404)
    return complaint, roles


def _register_page(
    unit: Unit, roles: frozenset[Role], form: forms.RecordComplaintForm | None = None, status=200
) -> ResponseReturnValue:
    session = get_session()
    return render_template(
        "complaints/register.html",
        unit=unit,
        complaints=services.of_unit(session, unit.id),
        form=form or forms.RecordComplaintForm(formdata=None, received_on=clock.today()),
        can_handle=rules.may_handle(roles),
        accepts_public=services.accepts_complaints(session, unit),
        today=clock.today(),
        rules=rules,
    ), status


@bp.get("/units/<int:unit_id>/complaints")
@role_required(*SIGNED_IN)
def register(unit_id: int) -> ResponseReturnValue:
    unit, roles = _readable_unit(unit_id)
    return _register_page(unit, roles)


@bp.post("/units/<int:unit_id>/complaints")
@role_required(*SIGNED_IN)
def record(unit_id: int) -> ResponseReturnValue:
    unit, roles = _readable_unit(unit_id)
    if not rules.may_handle(roles):
        abort(403)
    form = forms.RecordComplaintForm()
    if not form.validate_on_submit():
        return _register_page(unit, roles, form, 422)
    session = get_session()
    try:
        complaint = services.record(
            session,
            user=current_actor(),
            unit=unit,
            category=form.chosen_category(),
            channel=form.chosen_channel(),
            reference=form.reference.data or "",
            description=form.description.data or "",
            contact=form.contact.data or "",
            received_on=form.received_on.data,
            today=clock.today(),
        )
    except ValidationError as err:
        session.rollback()
        form.form_errors.extend(_problems(err))
        return _register_page(agency_services.get_unit(session, unit_id), roles, form, 422)
    session.commit()
    flash(_("Pengaduan dicatat."), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)


def _detail_page(
    complaint: Complaint,
    roles: frozenset[Role],
    move_form: forms.MoveForm | None = None,
    file_form: forms.FileForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    session = get_session()
    if move_form is None:
        move_form = forms.MoveForm(formdata=None)
    move_form.offer(complaint.status)
    return render_template(
        "complaints/detail.html",
        complaint=complaint,
        events=services.history(session, complaint),
        files=services.files(session, complaint),
        move_form=move_form,
        file_form=file_form or forms.FileForm(formdata=None),
        can_handle=rules.may_handle(roles),
        due=rules.due_on(complaint.status, complaint.status_since),
        late=rules.is_late(complaint.status, complaint.status_since, clock.today()),
        rules=rules,
    ), status


@bp.get("/complaints/<int:complaint_id>")
@role_required(*SIGNED_IN)
def detail(complaint_id: int) -> ResponseReturnValue:
    complaint, roles = _readable_complaint(complaint_id)
    return _detail_page(complaint, roles)


def _handled_complaint(complaint_id: int) -> tuple[Complaint, frozenset[Role]]:
    complaint, roles = _readable_complaint(complaint_id)
    if not rules.may_handle(roles):
        abort(403)
    return complaint, roles


@bp.post("/complaints/<int:complaint_id>/status")
@role_required(*SIGNED_IN)
def move(complaint_id: int) -> ResponseReturnValue:
    complaint, roles = _handled_complaint(complaint_id)
    form = forms.MoveForm()
    form.offer(complaint.status)
    if not form.validate_on_submit():
        return _detail_page(complaint, roles, move_form=form, status=422)
    session = get_session()
    try:
        task = services.move(
            session,
            user=current_actor(),
            complaint=complaint,
            to=Status(form.to.data),
            note=form.note.data or "",
            today=clock.today(),
        )
    except (ValidationError, InvalidTransitionError) as err:
        session.rollback()
        form.form_errors.extend(_problems(err))
        return _detail_page(services.get(session, complaint_id), roles, move_form=form, status=422)
    session.commit()
    flash(_("Status pengaduan diperbarui."), "success")
    if task is not None:
        flash(
            _("Pengaduan pungli atau gratifikasi terverifikasi: tugas verifikasi dibuka."), "info"
        )
    return redirect(url_for("complaints.detail", complaint_id=complaint_id), code=303)


@bp.post("/complaints/<int:complaint_id>/take")
@role_required(*SIGNED_IN)
def take(complaint_id: int) -> ResponseReturnValue:
    complaint, _roles_held = _handled_complaint(complaint_id)
    session = get_session()
    services.take(session, user=current_actor(), complaint=complaint)
    session.commit()
    flash(_("Anda sekarang menangani pengaduan ini."), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint_id), code=303)


@bp.post("/complaints/<int:complaint_id>/files")
@role_required(*SIGNED_IN)
def attach(complaint_id: int) -> ResponseReturnValue:
    complaint, roles = _handled_complaint(complaint_id)
    form = forms.FileForm()
    if not form.validate_on_submit():
        return _detail_page(complaint, roles, file_form=form, status=422)
    session, store = get_session(), evidence_store()
    keys: list[str | None] = []
    try:
        with uploads.cleanup_on_failure(session, store, keys):
            row = services.attach(
                session,
                store,
                _policy(),
                user=current_actor(),
                complaint=complaint,
                stream=form.file.data.stream,
                filename=form.file.data.filename or "",
            )
            keys.append(row.storage_key)
            session.commit()
    except ValidationError as err:  # rolled back, the blob removed
        form.file.errors = [*_problems(err)]
        return _detail_page(services.get(session, complaint_id), roles, file_form=form, status=422)
    flash(_("Berkas ditambahkan."), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint_id), code=303)


def _send(row: EvidenceFile) -> ResponseReturnValue:
    if row.storage_key is None:
        abort(404)
    return send_file(
        evidence_store().open(row.storage_key),
        mimetype=row.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=row.original_name,
        max_age=0,
    )


@bp.get("/complaints/<int:complaint_id>/files/<file_key>")
@role_required(*SIGNED_IN)
def download(complaint_id: int, file_key: str) -> ResponseReturnValue:
    complaint, _roles_held = _readable_complaint(complaint_id)
    return _send(services.file_of(get_session(), complaint, file_key))


# --- monitoring --------------------------------------------------------------------------------


def _monitoring_form(unit: Unit, page: monitoring.MonitoringPage, *, bound: bool):
    form = forms.MonitoringForm() if bound else forms.MonitoringForm(formdata=None)
    form.designation_id.choices = choices(
        (d.designation.id, f"Menuju {d.designation.predicate.value} {d.designation.year}")
        for d in page.duties
    )
    if not bound:
        form.reported_on.data = clock.today()
    return form


def _monitoring_page(
    unit: Unit,
    roles: frozenset[Role],
    form: forms.MonitoringForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = monitoring.page(get_session(), unit, clock.today())
    return render_template(
        "complaints/monitoring.html",
        unit=unit,
        page=page,
        form=form or _monitoring_form(unit, page, bound=False),
        can_report=rules.may_report_monitoring(roles) and bool(page.duties),
        rules=rules,
        monitoring_labels=forms.MONITORING_LABELS,
    ), status


@bp.get("/units/<int:unit_id>/monitoring")
@role_required(*SIGNED_IN)
def monitoring_page(unit_id: int) -> ResponseReturnValue:
    unit, roles = _readable_unit(unit_id)
    return _monitoring_page(unit, roles)


@bp.post("/units/<int:unit_id>/monitoring")
@role_required(*SIGNED_IN)
def file_report(unit_id: int) -> ResponseReturnValue:
    unit, roles = _readable_unit(unit_id)
    if not rules.may_report_monitoring(roles):
        abort(403)
    session = get_session()
    page = monitoring.page(session, unit, clock.today())
    form = _monitoring_form(unit, page, bound=True)
    if not form.validate_on_submit():
        return _monitoring_page(unit, roles, form, 422)
    designation = next(
        d.designation for d in page.duties if d.designation.id == form.designation_id.data
    )
    store = evidence_store()
    keys: list[str | None] = []
    try:
        with uploads.cleanup_on_failure(session, store, keys):
            _report, letter_row, task = monitoring.file_report(
                session,
                store,
                _policy(),
                user=current_actor(),
                designation=designation,
                on=form.reported_on.data,
                result=MonitoringResult(form.result.data),
                lke_score=form.lke_score.data,
                letter=form.letter.data.stream,
                letter_name=form.letter.data.filename or "",
                note=form.note.data or "",
                today=clock.today(),
            )
            keys.append(letter_row.storage_key)
            session.commit()
    except (ValidationError, InvalidTransitionError) as err:  # rolled back, the letter removed
        form.form_errors.extend(_problems(err))
        unit = agency_services.get_unit(session, unit_id)
        return _monitoring_page(unit, roles, form, 422)
    flash(_("Laporan pemantauan dicatat."), "success")
    if task is not None:
        flash(_('Hasil "tidak lagi memenuhi": tugas verifikasi dibuka untuk TPI/TPN.'), "info")
        return redirect(url_for("complaints.verification", task_id=task.id), code=303)
    return redirect(url_for("complaints.monitoring_page", unit_id=unit_id), code=303)


@bp.get("/units/<int:unit_id>/monitoring/letters/<letter_key>")
@role_required(*SIGNED_IN)
def letter(unit_id: int, letter_key: str) -> ResponseReturnValue:
    unit, _roles_held = _readable_unit(unit_id)
    return _send(monitoring.letter_of(get_session(), unit, letter_key))


def _task(task_id: int):
    session = get_session()
    task = monitoring.get_task(session, task_id)
    roles = _roles(task.unit)
    if not rules.may_read(roles):
        abort(404)
    return task, roles


def _verification_page(task, roles, form: forms.DecideForm | None = None, status: int = 200):
    session = get_session()
    designation = monitoring.designation_of_task(session, task)
    return render_template(
        "complaints/verification.html",
        task=task,
        designation=designation,
        form=form or forms.DecideForm(formdata=None),
        can_decide=rules.may_verify(roles) and task.open,
        can_revoke=Role.ADMIN in roles,
        rules=rules,
        today=clock.today(),
    ), status


@bp.get("/verifications/<int:task_id>")
@role_required(*SIGNED_IN)
def verification(task_id: int) -> ResponseReturnValue:
    task, roles = _task(task_id)
    return _verification_page(task, roles)


@bp.post("/verifications/<int:task_id>")
@role_required(*SIGNED_IN)
def decide(task_id: int) -> ResponseReturnValue:
    task, roles = _task(task_id)
    if not rules.may_verify(roles):
        abort(403)
    form = forms.DecideForm()
    if not form.validate_on_submit():
        return _verification_page(task, roles, form, 422)
    session = get_session()
    try:
        monitoring.decide(
            session,
            user=current_actor(),
            task=task,
            outcome=form.chosen_outcome(),
            coaching_until=form.coaching_until.data,
            note=form.note.data or "",
            today=clock.today(),
        )
    except (ValidationError, InvalidTransitionError) as err:
        session.rollback()
        form.form_errors.extend(_problems(err))
        return _verification_page(monitoring.get_task(session, task_id), roles, form, 422)
    session.commit()
    flash(_("Hasil verifikasi dicatat."), "success")
    return redirect(url_for("complaints.verification", task_id=task_id), code=303)
