"""The official LKE worksheet in and out of the LKE page: the export in either layout, and the
import in two steps (upload -> preview, then "Simpan perubahan" -> save).

Each import step checks the actor's rights before it reads a byte of the workbook, then ends
its transaction (on SQLite a POST's transaction holds the write lock from its first query) so
that the workbook is read with no transaction open; see ``worksheet_import``. The preview hands
the confirmation a signed token naming the staged file and the preview's fingerprint, nothing
else.
"""

from __future__ import annotations

import io
import re

from flask import flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from tracker.accreditation import (
    assessments,
    cycles,
    import_rules,
    soal_import,
    worksheet_import,
)
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Enrolment
from tracker.accreditation.tiers import Tier, TierCode
from tracker.accreditation.web import forms, invalid_form, load_enrolment
from tracker.accreditation.web.views import bp
from tracker.accreditation.workflow import STAGE_LABELS
from tracker.error_handlers import error_page
from tracker.errors import ConflictError
from tracker.evidence.naming import display_name
from tracker.evidence.storage import EvidenceStore, build_store_from_settings
from tracker.extensions import settings
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import _
from tracker.lke import Framework
from tracker.lke.worksheet import WorksheetLayout
from tracker.sessions import get_session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Separates these signatures from any other the secret key makes (itsdangerous "salt").
SIGNED_FOR = "lke-import-preview"


class ConfirmImportForm(TrackerForm):
    # The preview's signed token: the staged file's SHA-256, the tier and the fingerprint.
    token = HiddenField(L("Pratinjau impor"), validators=[DataRequired(), Length(max=1000)])


def _staging_store() -> EvidenceStore:
    """The store of files waiting for confirmation: the evidence backend, in a folder (prefix)
    of its own. Built per request: an import is rare, and a store is a path or an S3 client."""
    return build_store_from_settings(settings(), area=worksheet_import.STAGED_AREA)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings().secret_key, salt=SIGNED_FOR)


def _lke_url(enrolment: Enrolment, tier: str | None = None) -> str:
    return url_for("accreditation.lke", enrolment_id=enrolment.id, tier=tier)


def _authorize(session: Session, actor: Actor, enrolment: Enrolment, tier: str) -> Tier:
    """The tier, checked before the file is touched, and the transaction ended: the workbook
    is then read with no transaction (and so no SQLite write lock) open."""
    checked = worksheet_import.tier_to_import(session, actor, enrolment, tier)
    session.commit()
    return checked


@bp.post("/enrolments/<int:enrolment_id>/lke/import")
@login_required
def import_worksheet(enrolment_id: int) -> ResponseReturnValue:
    """Step 1: read the uploaded worksheet and show what saving it would change."""
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    framework = assessments.framework_for(item)
    form = forms.WorksheetForm()
    form.tier.choices = choices((t.code, t.label) for t in cycles.cycle_tiers(item.cycle))
    try:
        tier = _authorize(session, actor, item, form.tier.data or TierCode.UNIT)
    except worksheet_import.UnknownTierError as err:
        return error_page(400, str(err))
    if not form.validate_on_submit():
        return invalid_form(form, _lke_url(item))
    data = form.file_bytes()
    read = import_rules.read_for_tier(data, framework, tier.code)
    source = display_name(form.file.data.filename or "lke.xlsx")
    return _preview(session, actor, item, tier, read, data, source, "xlsx")


@bp.post("/enrolments/<int:enrolment_id>/lke/import-soal")
@login_required
def import_soal(enrolment_id: int) -> ResponseReturnValue:
    """Step 1 for answers keyed by PortalRB's ``soal_id`` (a CSV or JSON file, issue 12): read
    them and show what saving them would change, on the same preview as a worksheet's."""
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    framework = assessments.framework_for(item)
    form = forms.SoalImportForm()
    form.tier.choices = choices((t.code, t.label) for t in cycles.cycle_tiers(item.cycle))
    try:
        tier = _authorize(session, actor, item, form.tier.data or TierCode.TPN)
    except worksheet_import.UnknownTierError as err:
        return error_page(400, str(err))
    if not form.validate_on_submit():
        return invalid_form(form, _lke_url(item, tier.code))
    source = display_name(form.file.data.filename or "")
    fmt = soal_import.format_of(source)
    if fmt is None:
        flash(_("Berkas jawaban per soal_id harus berupa .csv atau .json."), "error")
        return redirect(_lke_url(item, tier.code), code=303)
    data = form.file_bytes()
    read = soal_import.read_for_tier(data, fmt, framework)
    return _preview(session, actor, item, tier, read, data, source, fmt.value)


def _read_staged(data: bytes, kind: str, framework: Framework, tier: Tier) -> import_rules.FileRead:
    """The staged file read again as step 1 read it: a worksheet, or a soal file."""
    fmt = soal_import.format_of(f"lke.{kind}")
    if fmt is not None:
        return soal_import.read_for_tier(data, fmt, framework)
    return import_rules.read_for_tier(data, framework, tier.code)


def _preview(
    session: Session,
    actor: Actor,
    item: Enrolment,
    tier: Tier,
    read: import_rules.FileRead,
    data: bytes,
    source: str,
    kind: str,
) -> ResponseReturnValue:
    """Stage the file, compare it with the tier and show the plan with its signed token."""
    framework = assessments.framework_for(item)
    store = _staging_store()
    sha256 = worksheet_import.stage_file(store, data, kind=kind)
    planned = worksheet_import.plan_import(
        session, actor=actor, enrolment=item, tier=tier, read=read, sha256=sha256
    )
    session.commit()  # nothing was written: end the (write-locking) transaction before rendering
    token = _serializer().dumps(
        {
            "enrolment": item.id,
            "user": actor.id,
            "tier": tier.code,
            "sha256": sha256,
            "fingerprint": planned.fingerprint,
            "source": source,
            "kind": kind,
        }
    )
    return render_template(
        "accreditation/import_preview.html",
        enrolment=item,
        framework=framework,
        plan=planned,
        tier=tier,
        source=source,
        confirm_form=ConfirmImportForm(formdata=None, token=token),
        stage_labels=STAGE_LABELS,
        area_names_en=_area_names_en(framework),
    )


@bp.post("/enrolments/<int:enrolment_id>/lke/import/confirm")
@login_required
def confirm_import(enrolment_id: int) -> ResponseReturnValue:
    """Step 2: save exactly what the preview showed, or nothing."""
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return invalid_form(form, _lke_url(item))
    try:
        token = _serializer().loads(
            form.token.data, max_age=int(worksheet_import.STAGED_TTL.total_seconds())
        )
    except SignatureExpired:
        flash(_("Pratinjau impor sudah kedaluwarsa; unggah ulang berkas LKE."), "error")
        return redirect(_lke_url(item), code=303)
    except BadSignature:
        return error_page(400, _("Pratinjau impor tidak sah; unggah ulang berkas LKE."))
    if token.get("enrolment") != item.id or token.get("user") != actor.id:
        return error_page(400, _("Pratinjau impor tidak sah; unggah ulang berkas LKE."))
    try:
        tier = _authorize(session, actor, item, str(token["tier"]))
    except worksheet_import.UnknownTierError as err:
        return error_page(400, str(err))
    store = _staging_store()
    try:
        data = worksheet_import.staged_file(store, token["sha256"])
        kind = str(token.get("kind", "xlsx"))
        read = _read_staged(data, kind, assessments.framework_for(item), tier)
        # The write transaction starts here, and the rights are checked again inside it.
        done = worksheet_import.confirm_import(
            session,
            actor=actor,
            enrolment=item,
            tier_code=tier.code,
            read=read,
            sha256=token["sha256"],
            fingerprint=token["fingerprint"],
            source=token["source"],
        )
    except ConflictError as err:  # the preview no longer stands: say so on the LKE page
        session.rollback()
        flash(str(err), "error")
        return redirect(_lke_url(item, tier.code), code=303)
    session.commit()
    worksheet_import.discard_staged(store, token["sha256"])
    flash(
        _(
            "LKE diimpor dari %(source)s: %(answers)s jawaban, %(notes)s catatan dan %(links)s "
            "tautan bukti disimpan.",
            source=token["source"],
            answers=done.answers,
            notes=done.notes,
            links=done.links,
        ),
        "success",
    )
    if done.skipped:
        flash(
            _("%(n)s butir di luar hak Anda tidak diubah.", n=done.skipped),
            "warning",
        )
    return redirect(_lke_url(item, tier.code), code=303)


def _area_names_en(framework: Framework) -> dict[str, str]:
    names = {area.number: area.name_en for _part, area in framework.areas()}
    results = [c.name_en for c in framework.components if not any(p.areas for p in c.parts)]
    names["B"] = results[0] if results else "B"
    return names


# --- export ------------------------------------------------------------------------------------

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


@bp.get("/enrolments/<int:enrolment_id>/lke.xlsx")
@login_required
def export_worksheet(enrolment_id: int) -> ResponseReturnValue:
    """One tier's LKE as an official worksheet, ``layout`` "lampiran3" (default) or
    "portalrb", with its notes and the items' evidence links."""
    session = get_session()
    item, _actor = load_enrolment(enrolment_id)
    try:
        tier = worksheet_import.tier_of(item, request.args.get("tier", TierCode.UNIT))
    except worksheet_import.UnknownTierError as err:
        return error_page(400, str(err))
    try:
        layout = WorksheetLayout(request.args.get("layout", WorksheetLayout.LAMPIRAN3))
    except ValueError:
        return error_page(
            400,
            _(
                "Format LKE tidak dikenal. Pilih %(lampiran)s (Lampiran III) atau %(portalrb)s "
                "(templat PortalRB).",
                lampiran=WorksheetLayout.LAMPIRAN3.value,
                portalrb=WorksheetLayout.PORTALRB.value,
            ),
        )
    data = worksheet_import.worksheet_of(session, item, tier, layout)
    # Built from checked parts only (issue 13 §13): nothing typed into the URL is copied here.
    unit_code = _SAFE.sub("", item.unit.code or "") or str(item.unit_id)
    name = f"LKE-{unit_code}-{item.cycle.year}-{_SAFE.sub('', tier.code)}-{layout.value}.xlsx"
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, mimetype=XLSX)
