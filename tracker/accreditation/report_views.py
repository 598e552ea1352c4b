"""Dashboards, the review queue, the tier comparison, the audit trail and prerequisites."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from tracker.accreditation import assessments, cycles, dashboards, forms, proposal, reviews, tiers
from tracker.accreditation.models import Cycle, Predicate
from tracker.accreditation.views import bp
from tracker.accreditation.web import load_enrolment
from tracker.accreditation.workflow import STAGE_LABELS, Stage
from tracker.agencies.services import visible_agencies
from tracker.audit.describe import describe
from tracker.audit.models import AuditEvent
from tracker.auth.access import scope_of
from tracker.auth.login import actor_grants, role_required
from tracker.auth.roles import Role
from tracker.db import get_session
from tracker.errors import ValidationError
from tracker.evidence import views as evidence_views
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.services import Target
from tracker.forms import choices
from tracker.i18n import _

AUDIT_READERS = frozenset({Role.ADMIN, Role.TPN, Role.TPI, Role.PENILAI_PENDAHULUAN})
AUDIT_PAGE = 50


def _filters(form: forms.FilterForm) -> dashboards.Filters:
    try:
        stage = Stage(form.stage.data) if form.stage.data else None
        predicate = Predicate(form.predicate.data) if form.predicate.data else None
    except ValueError:
        stage = predicate = None
    return dashboards.Filters(
        agency_id=form.agency.data or None,
        stage=stage,
        predicate=predicate,
        q=(form.q.data or "").strip(),
        page=form.page.data or 1,
    )


@bp.get("/dashboard")
@role_required(Role.PIMPINAN, Role.TPI, Role.TPN, Role.ADMIN)
def dashboard():
    session = get_session()
    all_cycles = session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    chosen = request.args.get("cycle", type=int)
    cycle = next((c for c in all_cycles if c.id == chosen), all_cycles[0] if all_cycles else None)
    scope = scope_of(actor_grants())
    form = forms.FilterForm(request.args)
    form.agency.choices = choices(
        [(0, _("Semua instansi"))]
        + [(a.id, a.short_name) for a in visible_agencies(session, scope)]
    )
    form.stage.choices = choices(
        [("", _("Semua tahap"))] + [(s.value, _(label)) for s, label in STAGE_LABELS.items()]
    )
    if not form.validate():
        form = forms.FilterForm(formdata=None)
        form.agency.choices, form.stage.choices = [], []
    board = dashboards.board(session, scope, cycle, _filters(form)) if cycle else None
    return render_template(
        "accreditation/dashboard.html",
        cycle=cycle,
        cycles=all_cycles,
        board=board,
        form=form,
        stage_labels=STAGE_LABELS,
        args=request.args,
    )


@bp.get("/review/queue")
@role_required(Role.PENILAI_PENDAHULUAN, Role.TPI, Role.TPN)
def queue():
    grants = actor_grants()
    entries = dashboards.review_queue(
        get_session(), scope_of(grants), frozenset(g.role for g in grants)
    )
    return render_template("accreditation/queue.html", entries=entries, stage_labels=STAGE_LABELS)


@bp.get("/enrolments/<int:enrolment_id>/compare")
@login_required
def compare(enrolment_id: int):
    session = get_session()
    item, _actor = load_enrolment(enrolment_id)
    framework = assessments.framework_for(item)
    tier_list = [
        t
        for t in cycles.cycle_tiers(item.cycle)
        if t.code in assessments.assessments_of(session, item.id)
    ]
    results = {t.code: assessments.result_of(session, item, t.code) for t in tier_list}
    by_tier = assessments.assessments_of(session, item.id)
    rows = assessments.answer_rows(session, [a.id for a in by_tier.values()])
    answers = {code: rows[a.id] for code, a in by_tier.items()}
    area = request.args.get("area", "")
    return render_template(
        "accreditation/compare.html",
        enrolment=item,
        tiers=tier_list,
        results=results,
        answers=answers,
        framework=framework,
        decisions=reviews.latest_decisions(session, item.id),
        area=area,
        area_of=tiers.area_of,
        stage_labels=STAGE_LABELS,
    )


@bp.get("/enrolments/<int:enrolment_id>/audit")
@login_required
def audit_trail(enrolment_id: int):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    if not actor.roles & AUDIT_READERS:
        abort(403)
    page = max(1, request.args.get("page", 1, type=int))
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.unit_id == item.unit_id)
        .order_by(AuditEvent.seq.desc())
        .offset((page - 1) * AUDIT_PAGE)
        .limit(AUDIT_PAGE + 1)
    ).all()
    return render_template(
        "accreditation/audit.html",
        enrolment=item,
        events=[(e, describe(e.tag, e.data)) for e in events[:AUDIT_PAGE]],
        page=page,
        has_more=len(events) > AUDIT_PAGE,
        stage_labels=STAGE_LABELS,
    )


@bp.route("/enrolments/<int:enrolment_id>/prerequisites", methods=["GET", "POST"])
@login_required
def prerequisites(enrolment_id: int):
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    form = forms.PrerequisiteForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise ValidationError(_("Periksa kembali isian persyaratan."))
        keys: list[str | None] = []
        with evidence_views.cleanup_on_failure(session, keys):
            evidence = evidence_views.attach(
                session,
                actor=actor.user,
                enrolment=item,
                target=Target(
                    EvidencePurpose.PREREQUISITE,
                    document_key=form.code.data.replace("_", "-").replace(".", "-"),
                ),
                upload=form.file.data,
                link=form.link.data,
                title=form.code.data,
                required=False,
            )
            keys.append(evidence.storage_key if evidence else None)
            proposal.record(
                session,
                actor=actor,
                enrolment=item,
                code=form.code.data,
                value=form.value.data,
                note=form.note.data or "",
                evidence=evidence,
            )
            session.commit()
        flash(_("Persyaratan disimpan."), "success")
        return redirect(url_for("accreditation.prerequisites", enrolment_id=item.id), code=303)
    return render_template(
        "accreditation/prerequisites.html",
        enrolment=item,
        statuses=proposal.statuses(session, item),
        unmet=proposal.unmet(session, item),
        stage_labels=STAGE_LABELS,
        can_record={lvl: bool(actor.roles & roles) for lvl, roles in proposal.RECORDERS.items()},
    )
