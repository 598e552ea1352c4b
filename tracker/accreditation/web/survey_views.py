"""D14: the TPN records the survey run for it behind IPAK and IPKP, on the TPN tier's LKE page.

An inline action of the LKE page: an invalid form or a refusal is flashed and the page shown
again at the item (``accreditation.web``).
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker.accreditation import surveys, tiers
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.web import forms, invalid_form, load_enrolment, upload_policy
from tracker.accreditation.web.views import bp
from tracker.evidence import uploads
from tracker.extensions import evidence_store
from tracker.i18n import _
from tracker.sessions import get_session


@bp.post("/enrolments/<int:enrolment_id>/lke/tpn/<code>/survey")
@login_required
def record_survey(enrolment_id: int, code: str) -> ResponseReturnValue:
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    back = url_for(
        "accreditation.lke",
        enrolment_id=enrolment.id,
        tier=TierCode.TPN,
        area=tiers.area_of(code),
        _anchor=f"item-{code}",
    )
    form = forms.SurveyForm()
    if not form.validate_on_submit():
        return invalid_form(form, back)
    store = evidence_store()
    keys: list[str | None] = []
    with uploads.cleanup_on_failure(session, store, keys):
        _row, stored = surveys.record_survey(
            session,
            store,
            upload_policy(),
            actor=actor,
            enrolment=enrolment,
            item_code=code,
            given=surveys.SurveyInput(
                index=form.index.data or "",
                source=form.source.data or "",
                period=form.period.data or "",
                respondents=form.respondents.data or "",
                note=form.note.data or "",
                portalrb_reference=form.portalrb_reference.data or "",
            ),
            report=form.report.data,
            report_link=form.report_link.data or None,
            expected_version=form.version.data or 0,
        )
        keys.append(stored.storage_key if stored else None)
        session.commit()
    flash(_("Hasil survei TPN untuk butir %(code)s disimpan.", code=code), "success")
    return redirect(back, code=303)
