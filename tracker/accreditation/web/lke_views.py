"""The LKE pages of an enrolment: the worksheet by area, answers, the reviewers' decisions
and sign-offs (the official worksheet file in and out: ``worksheet_views``)."""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker.accreditation import assessments, cycles, reviews, tiers
from tracker.accreditation.context import Actor
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.models import DecisionKind, Enrolment
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.web import (
    charts,
    forms,
    invalid_form,
    load_enrolment,
    pages,
    upload_policy,
)
from tracker.accreditation.web.views import bp
from tracker.accreditation.workflow import ACTION_LABELS, STAGE_LABELS
from tracker.error_handlers import wants_json
from tracker.i18n import _
from tracker.sessions import get_session


def _lke_url(
    enrolment: Enrolment,
    tier: str | None = None,
    area: str | None = None,
    anchor: str | None = None,
    *,
    without_evidence: bool = False,
) -> str:
    url = url_for(
        "accreditation.lke",
        enrolment_id=enrolment.id,
        tier=tier,
        area=area,
        no_evidence=1 if without_evidence else None,
    )
    return f"{url}#{anchor}" if anchor else url


def _item_url(enrolment: Enrolment, code: str, tier: str | None = None) -> str:
    return _lke_url(enrolment, tier, tiers.area_of(code), f"item-{code}")


@bp.get("/enrolments/<int:enrolment_id>/lke")
@login_required
def lke(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    tier = request.args.get("tier") or pages.default_tier(item, actor)
    assessed = assessments.assessments_of(session, item.id)
    if tier not in assessed:
        tier = TierCode.UNIT
    page = pages.lke_page(
        session,
        actor=actor,
        enrolment=item,
        tier_code=tier,
        assessed=assessed,
        # A working-group member opens on their own first area, not on area 1.
        area=request.args.get("area") or "".join(map(str, pages.working_group_areas(actor)[:1])),
        todo_only=request.args.get("todo") == "1",
        without_evidence_only=request.args.get("no_evidence") == "1",
    )
    return render_template("accreditation/lke.html", **_page_context(page, item, actor))


def _page_context(page: pages.LkePage, enrolment: Enrolment, actor: Actor) -> dict[str, object]:
    """What the LKE page's templates (and the fragments re-rendered from them) are given."""
    return {
        "page": page,
        "enrolment": enrolment,
        "stage_labels": STAGE_LABELS,
        "action_labels": ACTION_LABELS,
        "decision_form": forms.DecisionForm,
        "resubmit_form": forms.ResubmitForm,
        "worksheet_form": forms.WorksheetForm(),
        "soal_form": forms.SoalImportForm(),
        "from_portalrb": actor.deployment is Deployment.AGENCY,
        # TPN's per-item scores are imported from PortalRB's results on the TPN tier's page.
        "portalrb_import": actor.deployment is Deployment.AGENCY and page.tier.code == TierCode.TPN,
        "upload_limit": upload_policy().describe(),
        "accept_types": upload_policy().allowed.accept_attribute(),
        # Issue 14 §1: the area's one answer form (answer_views re-renders typed values).
        "answer_forms": area_answer_forms(page),
        "answer_problems": {},
        "working_areas": pages.working_group_areas(actor),
        # Issue 16 §4: this tier's area scores against the WBK and WBBM floors.
        "floor_chart": charts.lke_floor_chart(
            assessments.framework_for(enrolment),
            page.report,
            enrolment.cycle,
            page.tier,
            enrolment.target.value,
        ),
    }


def area_answer_forms(
    page: pages.LkePage, *, posted: bool = False, stale: frozenset[str] = frozenset()
) -> dict[str, forms.AnswerForm]:
    """The area form's fields of each item the actor may edit here: the stored answer, or
    (``posted``) what was typed. A ``stale`` item keeps what was typed over the version now
    stored, so saving it again replaces the other person's answer knowingly."""
    out: dict[str, forms.AnswerForm] = {}
    for row in page.items:
        code, a = row.item.code, row.answer
        if not row.can_edit or code in page.surveys:
            continue
        stored = forms.answer_form(
            row.item,
            prefix=code,
            stored=a.value if a else None,
            note=a.note if a else "",
            version=a.version if a else 0,
            bound=False,
        )
        typed = forms.answer_form(row.item, prefix=code) if posted else None
        if typed is not None and typed.was_posted():
            if code in stale:
                typed.version.data, typed.shown.data = stored.version.data, stored.shown.data
            stored = typed
        out[code] = stored
    return out


@bp.get("/enrolments/<int:enrolment_id>/lke/<tier>/items/<code>")
@login_required
def item_fragment(enrolment_id: int, tier: str, code: str) -> ResponseReturnValue:
    """One item of the LKE page re-rendered, with the area tabs, the score summary, the plan,
    the chart and the blockers, as JSON of HTML fragments: the page's scripts swap them in
    after an upload, a save or a decision, so badges, counts and the plan follow at once
    without reloading the page."""
    item, actor = load_enrolment(enrolment_id)
    if tier not in assessments.assessments_of(get_session(), item.id):
        abort(404)
    return item_fragments(item, actor, tier, code)


def item_fragments(
    enrolment: Enrolment, actor: Actor, tier: str, code: str, message: str = ""
) -> Response:
    """The JSON of ``item_fragment`` (the item, the reviewer's sign-off card and the
    ``summary_fragments``), also the answer of an inline action posted by the page's scripts,
    with ``message`` (what a form post would flash)."""
    page = pages.lke_page(
        get_session(),
        actor=actor,
        enrolment=enrolment,
        tier_code=tier,
        area=tiers.area_of(_known(enrolment, code)),
    )
    row = next((r for r in page.items if r.item.code == code), None)
    if row is None:
        abort(404)
    context = _page_context(page, enrolment, actor)
    return jsonify(
        code=code,
        item=render_template("accreditation/_item_fragment.html", row=row, **context),
        signoff=render_template("accreditation/_signoff.html", **context),
        message=message,
        **summary_fragments(context),
    )


def summary_fragments(context: dict[str, object]) -> dict[str, str]:
    """The parts of the LKE page that follow every answer, rendered from the page's own data
    (no query of their own): the area tabs, the score summary, the verdict's shortfalls with
    the gap plan and consistency findings, the area chart, and what blocks the next step."""
    return {
        "areas": render_template("accreditation/_area_tabs_fragment.html", **context),
        "stats": render_template("accreditation/_lke_stats_fragment.html", **context),
        "plan": render_template("accreditation/_lke_plan.html", **context),
        "chart": render_template("accreditation/_lke_chart.html", **context),
        "blockers": render_template("accreditation/_lke_blockers.html", **context),
    }


def posted_tier(enrolment: Enrolment, actor: Actor) -> str:
    """The tier whose LKE page an inline form was posted from (its hidden ``tier``), else the
    one the page opens on: what a script's JSON answer re-renders the item for."""
    tier = request.form.get("tier") or pages.default_tier(enrolment, actor)
    present = assessments.assessments_of(get_session(), enrolment.id)
    return tier if tier in present else TierCode.UNIT


@bp.post("/enrolments/<int:enrolment_id>/lke/<tier>/<code>")
@login_required
def save_answer(enrolment_id: int, tier: str, code: str) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    framework = assessments.framework_for(item)
    if not framework.has_item(code) or tier not in {t.code for t in cycles.cycle_tiers(item.cycle)}:
        abort(404)
    form = forms.answer_form(framework.item(code))
    if not form.validate_on_submit():
        return invalid_form(form, _item_url(item, code, tier))
    row = assessments.save_answer(
        session,
        actor=actor,
        enrolment=item,
        tier=tier,
        item_code=code,
        raw=form.raw_answer(framework.item(code)),
        note=form.note_text(),
        expected_version=form.version.data,
    )
    session.commit()
    # No option chosen and nothing stored, or the same answer again: nothing was saved.
    saved = row is not None and row.version != form.version.data
    if wants_json():
        return jsonify(version=row.version if row else 0, saved=saved)
    if saved:
        flash(_("Jawaban butir %(code)s disimpan.", code=code), "success")
    else:
        flash(_("Tidak ada perubahan untuk disimpan."), "info")
    return redirect(_item_url(item, code, tier), code=303)


@bp.post("/enrolments/<int:enrolment_id>/items/<code>/decision")
@login_required
def decide(enrolment_id: int, code: str) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.DecisionForm()
    if not form.validate_on_submit():
        return invalid_form(form, _item_url(item, _known(item, code)))
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
    message = _("Keputusan untuk butir %(code)s disimpan.", code=code)
    if wants_json():  # lke-review.js: the item re-rendered, no reload
        return item_fragments(item, actor, posted_tier(item, actor), code, message)
    flash(message, "success")
    return redirect(_item_url(item, code, request.form.get("tier") or None), code=303)


@bp.post("/enrolments/<int:enrolment_id>/items/<code>/resubmit")
@login_required
def resubmit(enrolment_id: int, code: str) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.ResubmitForm()
    back = _item_url(item, _known(item, code), TierCode.UNIT)
    if not form.validate_on_submit():
        return invalid_form(form, back)
    reviews.mark_revised(
        session,
        actor=actor,
        enrolment=item,
        item_code=code,
        comment=form.comment.data or "",
        expected_seq=form.seq.data or 0,
    )
    session.commit()
    message = _("Butir %(code)s dikirim ulang ke penilai.", code=code)
    if wants_json():
        return item_fragments(item, actor, posted_tier(item, actor), code, message)
    flash(message, "success")
    return redirect(back, code=303)


@bp.post("/enrolments/<int:enrolment_id>/areas/<area>/sign-off")
@login_required
def sign_off(enrolment_id: int, area: str) -> ResponseReturnValue:
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
def approve_pending(enrolment_id: int, area: str) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    codes = _area_codes(item, area)
    done = reviews.approve_pending(session, actor=actor, enrolment=item, item_codes=codes)
    session.commit()
    flash(_("%(n)s butir di area %(area)s disetujui.", n=len(done.approved), area=area), "success")
    if done.skipped_without_evidence:
        flash(
            _(
                "%(n)s butir tanpa bukti dilewati: %(items)s. Periksa dan putuskan satu per satu.",
                n=len(done.skipped_without_evidence),
                items=", ".join(done.skipped_without_evidence),
            ),
            "warning",
        )
        return redirect(_lke_url(item, None, area, without_evidence=True), code=303)
    return redirect(_lke_url(item, None, area), code=303)


def _area_codes(enrolment: Enrolment, area: str) -> list[str]:
    framework = assessments.framework_for(enrolment)
    codes = [i.code for i in framework.items() if tiers.area_of(i.code) == area]
    if not codes:
        abort(404)
    return codes


def _known(enrolment: Enrolment, code: str) -> str:
    if not assessments.framework_for(enrolment).has_item(code):
        abort(404)
    return code


# The official worksheet's import (preview, then confirmation) and export are in
# ``worksheet_views``.
