"""Issue 16 §1: the gap plan of one tier's LKE, and "what if" (answers tried, never saved)."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker.accreditation import assessments, cycles, planning, tiers
from tracker.accreditation.models import Enrolment
from tracker.accreditation.web import forms, load_enrolment
from tracker.accreditation.web.insight import insight, item_links
from tracker.accreditation.web.views import bp
from tracker.accreditation.workflow import STAGE_LABELS
from tracker.error_handlers import wants_json
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidencePurpose
from tracker.lke import Framework, Item, ScoreReport, score
from tracker.lke.report import PREDICATES
from tracker.sessions import get_session


def _tier_of(enrolment: Enrolment, tier: str) -> tiers.Tier:
    """The cycle's tier ``tier`` if it has an LKE for this enrolment (404 otherwise)."""
    if tier not in assessments.assessments_of(get_session(), enrolment.id):
        abort(404)
    return tiers.by_code(cycles.cycle_tiers(enrolment.cycle), tier)


def _predicate(enrolment: Enrolment) -> str:
    predicate = request.values.get("predicate") or enrolment.target.value
    if predicate not in PREDICATES:
        abort(404)
    return predicate


@bp.get("/enrolments/<int:enrolment_id>/lke/<tier>/plan")
@login_required
def lke_plan(enrolment_id: int, tier: str) -> ResponseReturnValue:
    """Every rule the tier's answers fail for the chosen predicate, and the upgrades that close
    them, checked with the engine (for the unit and for reviewers alike)."""
    session = get_session()
    enrolment, _actor = load_enrolment(enrolment_id)
    shown = _tier_of(enrolment, tier)
    predicate = _predicate(enrolment)
    framework = assessments.framework_for(enrolment)
    answers = planning.tier_answers(session, enrolment, tier)
    documents: dict[str, set[str]] = {}
    for file in evidence.active_files(session, enrolment.id, [EvidencePurpose.ITEM]):
        documents.setdefault(file.item_code or "", set()).add(file.document_key or "")
    view = insight(
        session,
        enrolment,
        framework,
        tier,
        answers,
        score(framework, answers),
        has_active_wbk=assessments.has_wbk(session, enrolment),
        documents=documents,
        predicate=predicate,
    )
    return render_template(
        "accreditation/plan.html",
        enrolment=enrolment,
        tier=shown,
        predicate=predicate,
        predicates=PREDICATES,
        insight=view,
        framework=framework,
        stage_labels=STAGE_LABELS,
    )


@bp.route("/enrolments/<int:enrolment_id>/lke/<tier>/what-if", methods=["GET", "POST"])
@login_required
def what_if(enrolment_id: int, tier: str) -> ResponseReturnValue:
    """The tier's answers as inputs; posting them scores what was tried and stores nothing (a
    script posts on every change and swaps the result in; without it the page comes back)."""
    session = get_session()
    enrolment, _actor = load_enrolment(enrolment_id)
    shown = _tier_of(enrolment, tier)
    predicate = _predicate(enrolment)
    framework = assessments.framework_for(enrolment)
    stored = assessments.tier_values(session, enrolment.id, tier) or {}
    posted = request.method == "POST"
    fields: dict[str, forms.AnswerForm] = {}
    tried: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for item in framework.items():
        code = item.code
        sent = posted and any(name.startswith(f"{code}-") for name in request.form)
        if sent:
            form = forms.answer_form(item, prefix=code)
            form.validate()  # only the answer's own fields are posted here: read their errors
            errors = [
                f"{f.label.text}: {e}"
                for f in form
                if f.short_name in form._answer
                for e in f.errors
            ]
            if errors:
                problems[code] = errors
            else:
                tried[code] = form.raw_answer(item)
        else:
            form = forms.answer_form(item, prefix=code, stored=stored.get(code), bound=False)
        fields[code] = form
    trial = planning.try_answers(session, enrolment, tier, predicate, tried)
    for code, messages in trial.problems.items():
        problems.setdefault(code, []).extend(messages)
    session.rollback()  # nothing was written; say so plainly
    status = 422 if problems else 200
    context = {
        "enrolment": enrolment,
        "tier": shown,
        "predicate": predicate,
        "predicates": PREDICATES,
        "trial": trial,
        "problems": problems,
        "stage_labels": STAGE_LABELS,
    }
    if posted and wants_json():
        result = render_template("accreditation/_what_if_result.html", **context)
        return jsonify(html=result, eligible=trial.eligible, problems=problems), status
    return render_template(
        "accreditation/what_if.html",
        framework=framework,
        fields=fields,
        links=item_links(framework, enrolment, tier),
        titles=_area_titles(trial.report),
        groups=_groups(framework),
        **context,
    ), status


def _area_titles(report: ScoreReport) -> dict[str, tuple[str, str]]:
    """Area key -> (name, English name), as the LKE page's tabs name them."""
    named = {key: (area.name, area.name_en) for key, area in report.areas.items()}
    return {**named, "B": ("Hasil", "Results")}


def _groups(framework: Framework) -> list[tuple[str, list[Item]]]:
    """The items by area, in the LKE page's tab order (pemenuhan and reform together)."""
    grouped: dict[str, list[Item]] = {}
    for item in framework.items():
        grouped.setdefault(tiers.area_of(item.code), []).append(item)
    return sorted(grouped.items(), key=lambda pair: (pair[0] == "B", pair[0]))
