"""Dashboards, the review queue, the tier comparison, the audit trail and prerequisites."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker.accreditation import (
    assessments,
    assignments,
    dashboards,
    planning,
    proposal,
    queries,
    tiers,
    years,
)
from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.models import Cycle, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.web import (
    charts,
    forms,
    invalid_form,
    load_enrolment,
    pages,
    upload_policy,
)
from tracker.accreditation.web.insight import item_links
from tracker.accreditation.web.views import bp
from tracker.accreditation.workflow import ACTION_LABELS, STAGE_LABELS, Action, Stage
from tracker.agencies.services import AgencyName, visible_agency_names
from tracker.audit.describe import describe
from tracker.auth.access import Scope, scope_of
from tracker.auth.login import actor_grants, current_actor, role_required
from tracker.auth.roles import ROLE_LABELS, Role
from tracker.evidence import uploads
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.services import Target
from tracker.extensions import evidence_store, figures
from tracker.forms import choices
from tracker.i18n import _, in_english
from tracker.request_guards import query_int
from tracker.sessions import get_session

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


@dataclass(frozen=True)
class DashboardQuery:
    cycles: Sequence[Cycle]
    cycle: Cycle | None
    scope: Scope
    form: forms.FilterForm
    years_agency: AgencyName | None  # whose units' scores by year the page links to


def dashboard_query() -> DashboardQuery:
    """The dashboard's cycles, chosen cycle, the viewer's scope and its filter form, read from
    the query string: shared by the page and its downloads (they list the same units)."""
    session = get_session()
    all_cycles = queries.all_cycles(session)
    chosen = query_int("cycle")
    cycle = next((c for c in all_cycles if c.id == chosen), all_cycles[0] if all_cycles else None)
    scope = scope_of(actor_grants())
    form = forms.FilterForm(request.args)
    # Issue 18 §3: a national viewer's ~600 agencies, read once a minute per server (figures):
    # an agency added meanwhile joins the filter within the minute.
    agencies = figures().get(
        ("agency_names", scope), lambda: tuple(visible_agency_names(session, scope))
    )
    form.agency.choices = choices(
        [(0, _("Semua instansi"))] + [(a.id, a.short_name) for a in agencies]
    )
    form.stage.choices = choices(
        [("", _("Semua tahap"))] + [(s.value, _(label)) for s, label in STAGE_LABELS.items()]
    )
    if not form.validate():  # filters, not a submission: drop them (see web/__init__)
        form = forms.FilterForm(formdata=None)
        form.agency.choices, form.stage.choices = [], []
    link = years.agency_for_link(agencies, query_int("agency"))
    return DashboardQuery(all_cycles, cycle, scope, form, link)


def dashboard_filters(form: forms.FilterForm) -> dashboards.Filters:
    return _filters(form)


# Who reads the dashboard, its downloads and its calibration page (each within their scope).
DASHBOARD_READERS = (Role.PIMPINAN, Role.TPI, Role.TPN, Role.ADMIN)


@bp.get("/dashboard")
@role_required(*DASHBOARD_READERS)
def dashboard() -> ResponseReturnValue:
    session = get_session()
    query = dashboard_query()
    cycle, scope, form = query.cycle, query.scope, query.form
    board = dashboards.board(session, scope, cycle, _filters(form)) if cycle else None
    return render_template(
        "accreditation/dashboard.html",
        cycle=cycle,
        cycles=query.cycles,
        board=board,
        form=form,
        stage_labels=STAGE_LABELS,
        args=request.args,
        # Issue 16 §4: units by stage and the spread of area scores, drawn on the server.
        charts=charts.dashboard_charts(session, scope, cycle, _filters(form), board),
        by_year=query.years_agency,
    )


@bp.get("/review/queue")
@role_required(Role.PENILAI_PENDAHULUAN, Role.TPI, Role.TPN)
def queue() -> ResponseReturnValue:
    grants = actor_grants()
    session = get_session()
    # Issue 18 §3: a page at a time, oldest first, however many units wait nationally.
    pager = dashboards.review_queue_page(
        session,
        scope_of(grants),
        frozenset(g.role for g in grants),
        query_int("page", 1) or 1,
    )
    entries = pager.entries
    # Issue 15 §4: the units assigned to the viewer first; a lead assigns the others.
    arranged = assignments.arrange(session, current_actor(), entries)
    return render_template(
        "accreditation/queue.html",
        entries=entries,
        queue=arranged,
        pager=pager,
        stage_labels=STAGE_LABELS,
    )


@bp.get("/enrolments/<int:enrolment_id>/compare")
@login_required
def compare(enrolment_id: int) -> ResponseReturnValue:
    item, _actor = load_enrolment(enrolment_id)
    area = request.args.get("area", "")
    filters = pages.CompareFilters(  # query-string filters: unknown values are dropped
        differs=request.args.get("differs") == "1",
        sent_back=request.args.get("sent_back") == "1",
        area=area if area in tiers.AREA_KEYS else "",
    )
    page = pages.compare_page(get_session(), item, filters)
    return render_template(
        "accreditation/compare.html",
        enrolment=item,
        page=page,
        tiers=page.tiers,
        results=page.results,
        answers=page.answers,
        area=filters.area,
        stage_labels=STAGE_LABELS,
    )


def _label(labels: Mapping[Any, str], kind: type[StrEnum]) -> Callable[[Any], str]:
    """Print a stored stage or action by its label; an unknown value (from an older version)
    prints as stored."""

    def label(value: Any) -> str:
        return _(labels[kind(value)]) if value in set(kind) else str(value)

    return label


# How the trail prints the stages and actions that accreditation's records carry.
AUDIT_FORMATTERS = {
    "from": _label(STAGE_LABELS, Stage),
    "to": _label(STAGE_LABELS, Stage),
    "action": _label(ACTION_LABELS, Action),
    "role": _label(ROLE_LABELS, Role),
}


def may_read_audit(actor: Actor) -> bool:
    """Who may open a unit's audit trail: the trail answers 403 to anyone else, and the unit's
    "Jejak audit" tab is shown to nobody else (``_header.html``, through ``_unit_tabs``)."""
    return bool(actor.roles & AUDIT_READERS)


@bp.context_processor
def _unit_tabs() -> dict[str, Any]:
    """For the header of every enrolment page: whether the signed-in user may open the tab."""

    def shows_audit_tab(enrolment: Enrolment) -> bool:
        return may_read_audit(actor_for(current_actor(), enrolment.unit))

    return {"shows_audit_tab": shows_audit_tab}


@bp.get("/enrolments/<int:enrolment_id>/audit")
@login_required
def audit_trail(enrolment_id: int) -> ResponseReturnValue:
    item, actor = load_enrolment(enrolment_id)
    if not may_read_audit(actor):
        abort(403)
    page = query_int("page", 1) or 1
    events, has_more = queries.unit_audit_events(
        get_session(), item.unit_id, page=page, per_page=AUDIT_PAGE
    )
    # Tiers by their names ("Penilaian pendahuluan"), never their codes ("preliminary").
    english = in_english()
    cycle_tiers = tiers.parse_tiers(item.cycle.tiers)
    names = {t.code: t.label_en if english else t.label for t in cycle_tiers}
    formatters = {**AUDIT_FORMATTERS, "tier": lambda code: names.get(str(code), str(code))}
    return render_template(
        "accreditation/audit.html",
        enrolment=item,
        events=[(e, describe(e.tag, e.data, formatters)) for e in events],
        page=page,
        has_more=has_more,
        stage_labels=STAGE_LABELS,
    )


@bp.route("/enrolments/<int:enrolment_id>/prerequisites", methods=["GET", "POST"])
@login_required
def prerequisites(enrolment_id: int) -> ResponseReturnValue:
    """The §3.2 prerequisites of the proposal: listed (GET), one recorded with its evidence
    (POST, the page's own forms post back to it)."""
    session = get_session()
    item, actor = load_enrolment(enrolment_id)
    here = url_for("accreditation.prerequisites", enrolment_id=item.id)
    if request.method == "POST":
        form = forms.PrerequisiteForm()
        if not form.validate_on_submit():
            return invalid_form(form, here)
        keys: list[str | None] = []
        with uploads.cleanup_on_failure(session, evidence_store(), keys):
            evidence = uploads.attach(
                session,
                store=evidence_store(),
                policy=upload_policy(),
                user=actor.user,
                enrolment=item,
                target=Target(
                    EvidencePurpose.PREREQUISITE, document_key=proposal.document_key(form.code.data)
                ),
                upload=form.file.data,
                link=form.link.data,
                title="",  # a link is named by its address's host, not by the code
                required=False,
            )
            keys.append(evidence.storage_key if evidence else None)
            proposal.record(
                session,
                actor=actor,
                enrolment=item,
                code=form.code.data,
                value=form.value.data,
                # A form without the field keeps the recorded note; the page sends it prefilled.
                note=(form.note.data or "") if "note" in request.form else None,
                evidence=evidence,
            )
            session.commit()
        flash(_("Persyaratan disimpan."), "success")
        return redirect(here, code=303)
    return render_template(
        "accreditation/prerequisites.html",
        enrolment=item,
        statuses=proposal.statuses(session, item),
        unmet=proposal.unmet(session, item),
        # Issue 16 §2: where the unit's LKE disagrees with a recorded prerequisite.
        findings=[f for f in planning.unit_findings(session, item) if f.prerequisite],
        links=item_links(assessments.framework_for(item), item, TierCode.UNIT),
        stage_labels=STAGE_LABELS,
        can_record={lvl: bool(actor.roles & roles) for lvl, roles in proposal.RECORDERS.items()},
    )
