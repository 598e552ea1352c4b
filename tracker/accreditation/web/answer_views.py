"""One answer form per LKE area (issue 14 §1): "Simpan semua", and each item's autosave.

The page holds one ``<form id="area-answers">``; every item's fields belong to it through the
``form`` attribute (the items hold other forms too, and forms cannot nest). A post saves every
item whose fields differ from what the page showed, in one transaction: an untouched item is
left alone. If any item is refused (an invalid value, or a version someone else saved
meanwhile) nothing is saved and the page comes back with status 422, each error at its item
and everything typed kept; this is the area's rule for an invalid form (``accreditation.web``).
``lke-answers.js`` posts one item at a time (``only``) asking for JSON, and swaps in the
badges, area tabs and score summary it gets back without touching the fields being typed in.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_time, get_timezone
from flask import abort, flash, jsonify, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker.accreditation import area_answers, assessments, cycles
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Answer, Enrolment
from tracker.accreditation.web import forms, invalid_form, load_enrolment, pages
from tracker.accreditation.web.lke_views import (
    _area_codes,
    _lke_url,
    _page_context,
    area_answer_forms,
    summary_fragments,
)
from tracker.accreditation.web.views import bp
from tracker.error_handlers import wants_json
from tracker.forms import error_messages
from tracker.i18n import _, language
from tracker.sessions import get_session

Problems = dict[str, list[str]]


@bp.post("/enrolments/<int:enrolment_id>/lke/<tier>/areas/<area>/answers")
@login_required
def save_area_answers(enrolment_id: int, tier: str, area: str) -> ResponseReturnValue:
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    if tier not in {t.code for t in cycles.cycle_tiers(enrolment.cycle)}:
        abort(404)
    codes = _area_codes(enrolment, area)
    area_form = forms.AreaAnswersForm()
    if not area_form.validate_on_submit():
        return invalid_form(area_form, _lke_url(enrolment, tier, area))
    if area_form.only.data and area_form.only.data not in codes:
        abort(404)
    changed = _changed_forms(enrolment, [c for c in codes if area_form.only.data in ("", None, c)])
    problems: Problems = {c: error_messages(f) for c, f in changed.items() if not f.validate()}
    if problems:
        return _refused(enrolment, actor, tier, area, problems)
    framework = assessments.framework_for(enrolment)
    changes = [
        area_answers.AnswerChange(c, f.raw_answer(framework.item(c)), f.note_text(), f.version.data)
        for c, f in changed.items()
    ]
    try:
        saved = area_answers.save_answers(
            session, actor=actor, enrolment=enrolment, tier=tier, changes=changes
        )
    except area_answers.AnswersRefusedError as refused:
        session.rollback()  # the items saved before the refusal go too
        problems = {c: [m] for c, m in refused.problems.items()}
        return _refused(enrolment, actor, tier, area, problems, refused.stale)
    session.commit()
    return _saved(enrolment, actor, tier, area, saved, at=area_form.at.data or "")


def _changed_forms(enrolment: Enrolment, codes: list[str]) -> dict[str, forms.AnswerForm]:
    """The posted items whose fields differ from what the page showed them with."""
    framework = assessments.framework_for(enrolment)
    posted = {c: forms.answer_form(framework.item(c), prefix=c) for c in codes}
    return {c: f for c, f in posted.items() if f.was_posted() and f.changed()}


def _clock(at: datetime) -> str:
    """A time of day the user's way: "14.05" (id), "2:05 PM" (en), in Jakarta time."""
    return format_time(at, "short", tzinfo=get_timezone("Asia/Jakarta"), locale=language())


def _saved_message(saved: dict[str, Answer]) -> str:
    if not saved:
        return _("Tidak ada perubahan untuk disimpan.")
    if len(saved) == 1:
        return _("Jawaban butir %(code)s disimpan.", code=next(iter(saved)))
    return _("%(n)s butir disimpan.", n=len(saved))


def _saved(
    enrolment: Enrolment,
    actor: Actor,
    tier: str,
    area: str,
    saved: dict[str, Answer],
    *,
    at: str,
) -> ResponseReturnValue:
    message = _saved_message(saved)
    if wants_json():
        return jsonify(_fragments(enrolment, actor, tier, area, saved, message))
    flash(message, "success" if saved else "info")
    return redirect(_lke_url(enrolment, tier, area, f"item-{at}" if at else None), code=303)


def _fragments(
    enrolment: Enrolment,
    actor: Actor,
    tier: str,
    area: str,
    saved: dict[str, Answer],
    message: str,
) -> dict[str, object]:
    """What the script swaps in after a save: per saved item its new version and digest,
    "tersimpan 14.05" and the re-rendered item (the script takes its badges from it); the
    area tabs, the score summary, the plan, the chart and the blockers."""
    page = pages.lke_page(
        get_session(), actor=actor, enrolment=enrolment, tier_code=tier, area=area
    )
    context = _page_context(page, enrolment, actor)
    answer_forms: dict[str, forms.AnswerForm] = context["answer_forms"]  # type: ignore[assignment]
    rows = {r.item.code: r for r in page.items}
    items = {}
    for code, answer in saved.items():
        form = answer_forms.get(code)
        items[code] = {
            "version": answer.version,
            "shown": form.shown.data if form else "",
            "status": _("tersimpan %(time)s", time=_clock(answer.updated_at)),
            "item": render_template("accreditation/_item_fragment.html", row=rows[code], **context)
            if code in rows
            else "",
        }
    return {
        "message": message,
        "saved": list(saved),
        "items": items,
        **summary_fragments(context),
    }


def _refused(
    enrolment: Enrolment,
    actor: Actor,
    tier: str,
    area: str,
    problems: Problems,
    stale: frozenset[str] = frozenset(),
) -> ResponseReturnValue:
    """Nothing saved: JSON for the script (409 when the only trouble is someone else's save),
    or the area page again with each error at its item and what was typed kept (422)."""
    if wants_json():
        status = 409 if stale and set(problems) <= stale else 422
        return jsonify(
            error=_refused_message(problems), errors=problems, stale=sorted(stale)
        ), status
    page = pages.lke_page(
        get_session(), actor=actor, enrolment=enrolment, tier_code=tier, area=area
    )
    context = _page_context(page, enrolment, actor)
    context["answer_forms"] = area_answer_forms(page, posted=True, stale=stale)
    context["answer_problems"] = problems
    context["answer_focus"] = next((r.item.code for r in page.items if r.item.code in problems), "")
    flash(_refused_message(problems), "error")
    return render_template("accreditation/lke.html", **context), 422


def _refused_message(problems: Problems) -> str:
    return _(
        "%(n)s butir belum dapat disimpan: %(items)s. Tidak ada yang disimpan; perbaiki "
        "isian yang ditandai lalu simpan lagi.",
        n=len(problems),
        items=", ".join(problems),
    )
