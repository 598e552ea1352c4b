"""D15 for administrators: designations made before the tracker (recorded one by one or from a
CSV file, with an optional scanned certificate) and the revocation of a recorded one.

Administrators only (403 for everyone else). The forms sit on pages of their own: an invalid
form is answered by the same page again with status 422, each error next to its field; a CSV
file the import refuses is answered the same way, with every line-numbered error listed.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from tracker import csvfiles
from tracker.accreditation import history
from tracker.accreditation.models import Designation
from tracker.accreditation.standing import check_past
from tracker.accreditation.web import forms, upload_policy
from tracker.accreditation.web.views import bp
from tracker.agencies import services as agency_services
from tracker.auth.login import current_actor, role_required
from tracker.auth.roles import Role
from tracker.clock import today
from tracker.errors import ConflictError, DomainError, ValidationError
from tracker.evidence import uploads
from tracker.extensions import evidence_store
from tracker.forms import choices
from tracker.i18n import _
from tracker.request_guards import query_int
from tracker.sessions import get_session


def _record_form(*, bound: bool = True) -> forms.PastDesignationForm:
    form = forms.PastDesignationForm() if bound else forms.PastDesignationForm(formdata=None)
    # No unit chosen until the admin picks one: a default first unit would be recorded silently.
    form.unit_id.choices = choices(
        [(0, _("— pilih unit kerja —")), *agency_services.unit_choices(get_session())]
    )
    return form


def _page(
    record_form: forms.PastDesignationForm | None = None,
    import_form: forms.DesignationImportForm | None = None,
    import_errors: list[str] | None = None,
    record_errors: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    session = get_session()
    recorded_only = request.args.get("all") != "1"
    page = history.designations_page(
        session, query_int("page", 1) or 1, recorded_only=recorded_only
    )
    html = render_template(
        "accreditation/designations.html",
        page=page,
        recorded_only=recorded_only,
        record_form=record_form or _record_form(bound=False),
        import_form=import_form or forms.DesignationImportForm(formdata=None),
        import_errors=import_errors or [],
        record_errors=record_errors or [],
        columns=history.COLUMNS,
    )
    return html, status


@bp.get("/designations")
@role_required(Role.ADMIN)
def designations_admin() -> ResponseReturnValue:
    return _page()


@bp.post("/designations")
@role_required(Role.ADMIN)
def record_designation() -> ResponseReturnValue:
    session = get_session()
    form = _record_form()
    if not form.validate_on_submit():
        return _page(record_form=form, status=422)
    past, problems = check_past(
        predicate=form.predicate.data or "",
        year=form.year.data or "",
        decree_number=form.decree_number.data or "",
        decree_date=form.decree_date.data.isoformat(),
        today=today(),
    )
    if past is None:
        return _page(record_form=form, record_errors=problems, status=422)
    unit = agency_services.get_unit(session, form.unit_id.data)
    store = evidence_store()
    keys: list[str | None] = []
    try:
        with uploads.cleanup_on_failure(session, store, keys):
            designation, scan = history.record_one(
                session,
                store,
                upload_policy(),
                user=current_actor(),
                unit=unit,
                past=past,
                scan=form.scan.data,
            )
            keys.append(scan.storage_key if scan else None)
            session.commit()
    except (ValidationError, ConflictError) as err:  # rolled back, any new scan removed
        return _page(record_form=form, record_errors=_problems(err), status=422)
    flash(
        _(
            "Penetapan %(unit)s Menuju %(p)s %(year)s tercatat.",
            unit=unit.name,
            p=designation.predicate.value,
            year=designation.year,
        ),
        "success",
    )
    return redirect(url_for("accreditation.designations_admin"), code=303)


@bp.post("/designations/import")
@role_required(Role.ADMIN)
def import_designations() -> ResponseReturnValue:
    session = get_session()
    form = forms.DesignationImportForm()
    if not form.validate_on_submit():
        return _page(import_form=form, status=422)
    try:
        rows = history.parse_csv(form.file.data.read(csvfiles.MAX_BYTES + 1))
        result = history.import_rows(session, rows, user=current_actor())
    except history.ImportFailedError as err:
        session.rollback()
        return _page(import_form=form, import_errors=err.errors, status=422)
    session.commit()
    flash(
        _(
            "Impor selesai: %(n)s penetapan baru tercatat, %(same)s sudah tercatat sebelumnya.",
            n=len(result.recorded),
            same=len(result.unchanged),
        ),
        "success",
    )
    return redirect(url_for("accreditation.designations_admin"), code=303)


def _designation(designation_id: int) -> Designation:
    return history.get(get_session(), designation_id)


def _revoke_page(
    designation: Designation,
    form: forms.RevocationForm,
    status: int = 200,
    errors: list[str] | None = None,
) -> ResponseReturnValue:
    html = render_template(
        "accreditation/revoke.html", designation=designation, form=form, errors=errors or []
    )
    return html, status


@bp.get("/designations/<int:designation_id>/revoke")
@role_required(Role.ADMIN)
def revoke_form(designation_id: int) -> ResponseReturnValue:
    designation = _designation(designation_id)
    # Issue 17 §3: a verification that proposes revocation links here with its reasons.
    reason = (request.args.get("reason") or "")[:4000]
    return _revoke_page(designation, forms.RevocationForm(formdata=None, reason=reason))


@bp.post("/designations/<int:designation_id>/revoke")
@role_required(Role.ADMIN)
def revoke_designation(designation_id: int) -> ResponseReturnValue:
    session = get_session()
    designation = _designation(designation_id)
    form = forms.RevocationForm()
    if not form.validate_on_submit():
        return _revoke_page(designation, form, 422)
    try:
        ended = history.revoke_recorded(
            session,
            user=current_actor(),
            designation=designation,
            decree_number=form.decree_number.data or "",
            decree_date=form.decree_date.data,
            on=form.on_date.data,
            reason=form.reason.data or "",
        )
    except ValidationError as err:
        session.rollback()
        return _revoke_page(_designation(designation_id), form, 422, _problems(err))
    session.commit()
    flash(
        _(
            "Predikat dicabut: %(list)s.",
            list=", ".join(f"Menuju {d.predicate.value} {d.year}" for d in ended),
        ),
        "success",
    )
    return redirect(url_for("accreditation.designations_admin"), code=303)


def _problems(err: DomainError) -> list[str]:
    found: Any = err.details.get("problems")
    return [str(p) for p in found] if isinstance(found, list) else [err.message]


@bp.get("/designations/<int:designation_id>/scan")
@role_required(Role.ADMIN)
def designation_scan(designation_id: int) -> ResponseReturnValue:
    designation = _designation(designation_id)
    scan = designation.scan
    if scan is None or scan.storage_key is None:
        flash(_("Penetapan ini tidak memiliki pindaian piagam."), "warning")
        return redirect(url_for("accreditation.designations_admin"), code=303)
    # Always an attachment with the type detected on upload, like every evidence download.
    return send_file(
        evidence_store().open(scan.storage_key),
        mimetype=scan.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=scan.original_name,
        max_age=0,
    )
