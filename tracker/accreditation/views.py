"""Enrolment pages: declaration, overview and transitions, the LKE worksheet, reviews."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from tracker.accreditation import assessments, cycles, forms, pages, reviews, transitions, workflow
from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.models import DecisionKind, Enrolment, MonitoringResult, Predicate
from tracker.accreditation.web import load_enrolment
from tracker.accreditation.workflow import ACTION_LABELS, STAGE_LABELS, Action
from tracker.agencies.models import Unit
from tracker.auth.login import current_actor, ensure_can_view_unit
from tracker.clock import today
from tracker.db import get_or_404, get_session
from tracker.error_handlers import wants_json
from tracker.errors import ValidationError
from tracker.evidence import views as evidence_views
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.services import Target
from tracker.forms import choices
from tracker.i18n import _
from tracker.lke import AnswerType, Item, read_worksheet, write_worksheet

bp = Blueprint("accreditation", __name__)

# Actions that end or undo something for good: shown in red and confirmed before posting.
FINAL_ACTIONS = frozenset(
    {
        Action.REVOKE,
        Action.VOID,
        Action.ADMIN_FAIL,
        Action.APPEAL_REJECT,
        Action.CLOSE_SELECTION,
        Action.DESK_STOP,
        Action.COACH,
        Action.REJECT_CORRECTIONS,
    }
)


def _lke_url(
    enrolment: Enrolment,
    tier: str | None = None,
    area: str | None = None,
    anchor: str | None = None,
) -> str:
    url = url_for("accreditation.lke", enrolment_id=enrolment.id, tier=tier, area=area)
    return f"{url}#{anchor}" if anchor else url


@bp.post("/units/<int:unit_id>/enrol")
@login_required
def enrol(unit_id: int):
    session = get_session()
    unit = get_or_404(session, Unit, unit_id)
    ensure_can_view_unit(unit)
    actor = actor_for(current_actor(), unit)
    cycles.ensure_may_declare(actor)  # before validating: refuse outsiders plainly
    form = declare_form()
    if not form.validate_on_submit():
        flash(
            _("Periksa kembali isian pencanangan: %(errors)s", errors=_form_errors(form)), "error"
        )
        return redirect(url_for("accreditation.unit_overview", unit_id=unit.id), code=303)
    cycle = cycles.get_cycle(session, form.cycle_id.data)
    keys: list[str | None] = []
    with evidence_views.cleanup_on_failure(session, keys):
        enrolment = cycles.enrol(
            session,
            actor=actor,
            cycle=cycle,
            unit=unit,
            target=Predicate(form.target.data),
            declared_on=form.declared_on.data,
            note=form.note.data or "",
        )
        pakta = evidence_views.attach(
            session,
            actor=current_actor(),
            enrolment=enrolment,
            target=Target(EvidencePurpose.PAKTA, document_key="pakta-integritas"),
            upload=form.pakta.data,
            link=form.pakta_link.data,
            title=_("Pakta Integritas"),
            required=True,
        )
        keys.append(pakta.storage_key if pakta else None)
        session.commit()
    flash(
        _(
            "Pencanangan ZI %(unit)s pada siklus %(year)s tercatat.",
            unit=unit.name,
            year=cycle.year,
        ),
        "success",
    )
    return redirect(url_for("accreditation.enrolment", enrolment_id=enrolment.id), code=303)


def declare_form() -> forms.DeclareForm:
    form = forms.DeclareForm()
    form.cycle_id.choices = choices(
        (c.id, f"{c.year} — {c.name}") for c in cycles.open_cycles(get_session())
    )
    if not form.declared_on.data:
        form.declared_on.data = today()
    return form


def _form_errors(form: Any) -> str:
    return "; ".join(
        f"{getattr(form, name).label.text}: {' '.join(errs)}" for name, errs in form.errors.items()
    )


@bp.get("/enrolments/<int:enrolment_id>")
@login_required
def enrolment(enrolment_id: int):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    results = {
        t: assessments.result_of(session, item, t)
        for t in assessments.assessments_of(session, item.id)
    }
    return render_template(
        "accreditation/enrolment.html",
        enrolment=item,
        results=results,
        tiers=cycles.cycle_tiers(item.cycle),
        stage_labels=STAGE_LABELS,
        action_labels=ACTION_LABELS,
        blockers=pages.next_step_blockers(session, actor, item),
        note_required=workflow.NOTE_REQUIRED,
        final_actions=FINAL_ACTIONS,
        form=forms.TransitionForm(version=item.version),
        deadlines=cycles.effective_deadlines(session, item.cycle, item.agency_id),
        deadline_labels=workflow.DEADLINE_LABELS,
        designation=(designation := _designation_or_none(session, item)),
        monitoring=cycles.monitoring_status(session, designation, today())
        if designation
        else None,
        pakta=evidence_views.files_for(session, item, EvidencePurpose.PAKTA),
    )


def _designation_or_none(session, item: Enrolment):
    try:
        return transitions.designation_of(session, item)
    except ValidationError:
        return None


@bp.post("/enrolments/<int:enrolment_id>/advance")
@login_required
def advance(enrolment_id: int):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.TransitionForm()
    action = form.chosen_action()
    if not form.validate_on_submit() or action is None:
        raise ValidationError(
            _("Permintaan tindakan tidak valid: %(errors)s", errors=_form_errors(form) or "-")
        )
    details = transitions.Details(
        note=form.note.data or "",
        decree_number=form.decree_number.data or "",
        decree_date=form.decree_date.data,
        on_date=form.on_date.data,
        monitoring_result=_monitoring(form.monitoring_result.data),
    )
    transitions.advance(
        session,
        actor=actor,
        enrolment=item,
        action=action,
        details=details,
        expected_version=form.version.data,
    )
    session.commit()
    flash(
        _(
            "%(action)s: tahap sekarang %(stage)s.",
            action=_(ACTION_LABELS[action]),
            stage=_(STAGE_LABELS[item.stage]),
        ),
        "success",
    )
    return redirect(url_for("accreditation.enrolment", enrolment_id=item.id), code=303)


def _monitoring(value: str | None):
    return MonitoringResult(value) if value else None


@bp.get("/enrolments/<int:enrolment_id>/lke")
@login_required
def lke(enrolment_id: int):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    tier = request.args.get("tier") or _default_tier(item, actor)
    if tier not in assessments.assessments_of(session, item.id):
        tier = "unit"
    page = pages.lke_page(
        session,
        actor=actor,
        enrolment=item,
        tier_code=tier,
        area=request.args.get("area", ""),
        todo_only=request.args.get("todo") == "1",
    )
    return render_template(
        "accreditation/lke.html",
        page=page,
        enrolment=item,
        stage_labels=STAGE_LABELS,
        action_labels=ACTION_LABELS,
        decision_form=forms.DecisionForm,
        resubmit_form=forms.ResubmitForm,
        worksheet_form=forms.WorksheetForm(),
        upload_limit=evidence_views.upload_limit_text(),
        accept_types=evidence_views.policy().allowed.accept_attribute(),
    )


def _default_tier(enrolment: Enrolment, actor: Actor) -> str:
    deciding = pages.tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if deciding is not None and actor.roles & deciding.roles:
        return deciding.code
    return "unit"


def raw_answer(item: Item, data: MultiDict) -> Any:
    """The posted fields of one item as the engine's raw answer (it validates them)."""
    if item.answer_type is AnswerType.PERCENT:
        counts = [data.get(f"count_{i}", "").strip() for i in range(len(item.inputs))]
        return None if not any(counts) else counts
    if item.answer_type is AnswerType.SURVEY_INDEX:
        index = data.get("index", "").strip()
        if not index:
            return None
        extra = {f.key: data.get(f"prov_{f.key}", "").strip()[:200] for f in item.provenance}
        return {"index": index, **{k: v for k, v in extra.items() if v}}
    return data.get("value", "").strip() or None


@bp.post("/enrolments/<int:enrolment_id>/lke/<tier>/<code>")
@login_required
def save_answer(enrolment_id: int, tier: str, code: str):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    framework = assessments.framework_for(item)
    if not framework.has_item(code) or tier not in {t.code for t in cycles.cycle_tiers(item.cycle)}:
        abort(404)
    version = request.form.get("version", "0")
    if not version.isdigit():
        raise ValidationError(_("Versi isian tidak valid; muat ulang halaman."))
    row = assessments.save_answer(
        session,
        actor=actor,
        enrolment=item,
        tier=tier,
        item_code=code,
        raw=raw_answer(framework.item(code), request.form),
        note=request.form.get("note", ""),
        expected_version=int(version),
    )
    session.commit()
    if wants_json():
        return jsonify(version=row.version if row else 0, saved=True)
    flash(_("Jawaban butir %(code)s disimpan.", code=code), "success")
    return redirect(_lke_url(item, tier, pages.tiers.area_of(code), f"item-{code}"), code=303)


@bp.post("/enrolments/<int:enrolment_id>/items/<code>/decision")
@login_required
def decide(enrolment_id: int, code: str):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.DecisionForm()
    if not form.validate_on_submit():
        raise ValidationError(_("Pilih keputusan untuk butir %(code)s.", code=code))
    reviews.decide(
        session,
        actor=actor,
        enrolment=item,
        item_code=_known(item, code),
        kind=DecisionKind(form.kind.data),
        comment=form.comment.data or "",
        expected_seq=form.seq.data or 0,
    )
    session.commit()
    flash(_("Keputusan untuk butir %(code)s disimpan.", code=code), "success")
    return redirect(_lke_url(item, None, pages.tiers.area_of(code), f"item-{code}"), code=303)


@bp.post("/enrolments/<int:enrolment_id>/items/<code>/resubmit")
@login_required
def resubmit(enrolment_id: int, code: str):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.ResubmitForm()
    if not form.validate_on_submit():
        raise ValidationError(_("Permintaan tidak valid."))
    reviews.mark_revised(
        session,
        actor=actor,
        enrolment=item,
        item_code=_known(item, code),
        comment=form.comment.data or "",
        expected_seq=form.seq.data or 0,
    )
    session.commit()
    flash(_("Butir %(code)s dikirim ulang ke penilai.", code=code), "success")
    return redirect(_lke_url(item, "unit", pages.tiers.area_of(code), f"item-{code}"), code=303)


@bp.post("/enrolments/<int:enrolment_id>/areas/<area>/sign-off")
@login_required
def sign_off(enrolment_id: int, area: str):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    reviews.sign_off_area(
        session, actor=actor, enrolment=item, area=area, item_codes=_area_codes(item, area)
    )
    session.commit()
    flash(_("Area %(area)s ditandatangani.", area=area), "success")
    return redirect(_lke_url(item, None, area), code=303)


@bp.post("/enrolments/<int:enrolment_id>/areas/<area>/approve-pending")
@login_required
def approve_pending(enrolment_id: int, area: str):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    codes = _area_codes(item, area)
    approved = reviews.approve_pending(session, actor=actor, enrolment=item, item_codes=codes)
    session.commit()
    flash(_("%(n)s butir di area %(area)s disetujui.", n=len(approved), area=area), "success")
    return redirect(_lke_url(item, None, area), code=303)


def _area_codes(enrolment: Enrolment, area: str) -> list[str]:
    framework = assessments.framework_for(enrolment)
    codes = [i.code for i in framework.items() if pages.tiers.area_of(i.code) == area]
    if not codes:
        abort(404)
    return codes


def _known(enrolment: Enrolment, code: str) -> str:
    if not assessments.framework_for(enrolment).has_item(code):
        abort(404)
    return code


@bp.post("/enrolments/<int:enrolment_id>/lke/import")
@login_required
def import_worksheet(enrolment_id: int):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.WorksheetForm()
    tier = request.form.get("tier", "unit")
    if not form.validate_on_submit() or not form.file.data:
        raise ValidationError(_("Pilih berkas LKE (.xlsx) untuk diimpor."))
    data = form.file.data.read(20 * 1024 * 1024 + 1)
    if len(data) > 20 * 1024 * 1024:
        raise ValidationError(_("Berkas LKE lebih dari 20 MB."))
    result = read_worksheet(
        data, assessments.framework_for(item), column_group="tpi" if tier == "tpi" else "unit"
    )
    changed = assessments.import_answers(
        session,
        actor=actor,
        enrolment=item,
        tier=tier,
        raw_answers=result.answers,
        source=form.file.data.filename or "worksheet.xlsx",
    )
    session.commit()
    flash(_("LKE diimpor: %(n)s jawaban berubah.", n=len(changed)), "success")
    for issue in result.issues[:20]:
        flash(issue.message, "warning")
    return redirect(_lke_url(item, tier), code=303)


@bp.get("/enrolments/<int:enrolment_id>/lke.xlsx")
@login_required
def export_worksheet(enrolment_id: int):
    session = get_session()
    item, _actor = load_enrolment(enrolment_id)
    tier = request.args.get("tier", "unit")
    assessment = assessments.get_assessment(session, item.id, tier)
    rows = assessments.answer_rows(session, [assessment.id])[assessment.id] if assessment else {}
    data = write_worksheet(
        assessments.framework_for(item),
        {c: r.value for c, r in rows.items() if r.value is not None},
        {c: r.note for c, r in rows.items() if r.note},
    )
    name = f"LKE-{item.unit.code}-{item.cycle.year}-{tier}.xlsx"
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/units/<int:unit_id>/zi")
@login_required
def unit_overview(unit_id: int):
    """A unit's Zona Integritas history: its enrolments, designations, and a new declaration."""
    session = get_session()
    unit = get_or_404(session, Unit, unit_id)
    ensure_can_view_unit(unit)
    actor = actor_for(current_actor(), unit)
    enrolled = cycles.enrolments_of_unit(session, unit.id)
    taken = {e.cycle_id for e in enrolled}
    form = declare_form()
    form.cycle_id.choices = [c for c in form.cycle_id.choices if c.value not in taken]

    return render_template(
        "accreditation/unit.html",
        unit=unit,
        enrolments=enrolled,
        stage_labels=STAGE_LABELS,
        designations=cycles.designations_of_unit(session, unit.id),
        form=form,
        can_declare=cycles.may_declare(actor) and bool(form.cycle_id.choices),
    )
