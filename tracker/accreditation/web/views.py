"""Enrolment pages: a unit's ZI history and its declaration, the overview and transitions.

The blueprint is created here; the other view modules add their routes to it (``routes``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker import clock
from tracker.accreditation import cycles, designations, transitions
from tracker.accreditation.context import Actor
from tracker.accreditation.deployment import Deployment, records_from_portalrb
from tracker.accreditation.enrolment import (
    SignedDocuments,
    declare,
    enrolments_of_unit,
    ensure_may_declare,
    leadership_of,
    may_declare,
    on_behalf_of_leadership,
)
from tracker.accreditation.models import Predicate
from tracker.accreditation.web import (
    charts,
    forms,
    invalid_form,
    load_enrolment,
    load_unit,
    oversight_pages,
    pages,
    upload_policy,
)
from tracker.accreditation.workflow import (
    ACTION_LABELS,
    DEADLINE_LABELS,
    NOTE_REQUIRED,
    STAGE_LABELS,
    TPN_STEPS,
    Action,
)
from tracker.agencies.models import Unit
from tracker.evidence import services as evidence_services
from tracker.evidence import uploads
from tracker.evidence.models import EvidencePurpose
from tracker.extensions import evidence_store
from tracker.forms import choices
from tracker.i18n import _
from tracker.sessions import get_session

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


@bp.post("/units/<int:unit_id>/enrol")
@login_required
def enrol(unit_id: int) -> ResponseReturnValue:
    session = get_session()
    unit, actor = load_unit(unit_id)
    ensure_may_declare(actor)  # before validating: refuse outsiders plainly
    form = declare_form()
    if not form.validate_on_submit():
        return _unit_page(unit, actor, form), 422
    cycle = cycles.get_cycle(session, form.cycle_id.data)
    store = evidence_store()
    keys: list[str | None] = []
    documents = SignedDocuments(
        decree_number=form.decree_number.data or "",
        decree_date=form.decree_date.data,
        decree=form.decree.data,
        decree_link=form.decree_link.data,
        pakta=form.pakta.data,
        pakta_link=form.pakta_link.data,
    )
    with uploads.cleanup_on_failure(session, store, keys):
        declared = declare(
            session,
            store,
            upload_policy(),
            actor=actor,
            cycle=cycle,
            unit=unit,
            target=Predicate(form.target.data),
            declared_on=form.declared_on.data,
            note=form.note.data or "",
            documents=documents,
            today=clock.today(),  # the module's, so a test's clock reaches it
            stored_keys=keys,
        )
        session.commit()
    flash(
        _(
            "Pencanangan ZI %(unit)s pada siklus %(year)s tercatat.",
            unit=unit.name,
            year=cycle.year,
        ),
        "success",
    )
    return redirect(
        url_for("accreditation.enrolment", enrolment_id=declared.enrolment.id), code=303
    )


def declare_form() -> forms.DeclareForm:
    form = forms.DeclareForm()
    form.cycle_id.choices = choices(
        (c.id, f"{c.year} — {c.name}") for c in cycles.open_cycles(get_session())
    )
    if not form.declared_on.data:
        form.declared_on.data = clock.today()  # the module's, so a test's clock reaches it
    return form


@bp.get("/enrolments/<int:enrolment_id>")
@login_required
def enrolment(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    page = pages.enrolment_page(session, actor, item)
    return render_template(
        "accreditation/enrolment.html",
        enrolment=item,
        results=page.results,
        tiers=page.tiers,
        stage_labels=STAGE_LABELS,
        action_labels=ACTION_LABELS,
        blockers=page.blockers,
        evidence_gaps=page.evidence_gaps,
        note_required=NOTE_REQUIRED,
        final_actions=FINAL_ACTIONS,
        form=forms.TransitionForm(version=item.version),
        deadlines=page.deadlines,
        deadline_labels=DEADLINE_LABELS,
        designation=page.designation,
        monitoring=page.monitoring,
        pakta=evidence_services.active_files(session, item.id, [EvidencePurpose.PAKTA]),
        from_portalrb=actor.deployment is Deployment.AGENCY,
        # The steps offered here that record PortalRB's result (and so ask for its reference).
        portalrb_steps={
            a for a in page.blockers if records_from_portalrb(actor.deployment, a in TPN_STEPS)
        },
        **oversight_pages.clearance_context(session, actor, item),  # issue 17 §1
        # Issue 16 §4: the furthest tier's area scores against the WBK and WBBM floors.
        floor_chart=charts.enrolment_floor_chart(page.results, page.tiers, item.target.value),
    )


@bp.post("/enrolments/<int:enrolment_id>/advance")
@login_required
def advance(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.TransitionForm()
    if not form.validate_on_submit():
        return invalid_form(form, url_for("accreditation.enrolment", enrolment_id=item.id))
    action = form.chosen_action()
    details = transitions.Details(
        note=form.note.data or "",
        decree_number=form.decree_number.data or "",
        decree_date=form.decree_date.data,
        on_date=form.on_date.data,
        evidence_confirmed=bool(form.confirm_evidence.data),
        portalrb_reference=form.portalrb_reference.data or "",
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


@bp.get("/units/<int:unit_id>/zi")
@login_required
def unit_overview(unit_id: int) -> ResponseReturnValue:
    """A unit's Zona Integritas history: its enrolments, designations, and a new declaration."""
    unit, actor = load_unit(unit_id)
    return _unit_page(unit, actor, declare_form())


def _unit_page(unit: Unit, actor: Actor, form: forms.DeclareForm) -> str:
    session = get_session()
    enrolled = enrolments_of_unit(session, unit.id)
    taken = {e.cycle_id for e in enrolled}
    form.cycle_id.choices = [c for c in form.cycle_id.choices if c.value not in taken]
    can_declare = may_declare(actor)
    return render_template(
        "accreditation/unit.html",
        unit=unit,
        enrolments=enrolled,
        stage_labels=STAGE_LABELS,
        designations=designations.designations_of_unit(session, unit.id),
        form=form,
        can_declare=can_declare and bool(form.cycle_id.choices),
        on_behalf=can_declare and on_behalf_of_leadership(actor),
        # Issue 15 §5: the others see whose act the declaration waits for.
        leadership=[] if can_declare else leadership_of(session, unit),
        open_to_declare=bool(form.cycle_id.choices),
        **oversight_pages.unit_context(session, actor, unit),  # issue 17 §4, §5
    )
