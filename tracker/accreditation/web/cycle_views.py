"""Cycle administration: calendar, deadline extensions, quotas and KKN cases."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from tracker.accreditation import cycles, queries, transitions
from tracker.accreditation.models import Cycle
from tracker.accreditation.web import forms, oversight_pages
from tracker.accreditation.web.oversight_forms import OverseersForm
from tracker.accreditation.web.views import bp
from tracker.accreditation.workflow import DEADLINE_LABELS, STAGE_LABELS, Deadline
from tracker.agencies import services as agency_services
from tracker.agencies.models import Agency
from tracker.auth.access import is_admin
from tracker.auth.login import actor_grants, current_actor, role_required
from tracker.auth.roles import Role
from tracker.clock import today
from tracker.forms import choices
from tracker.i18n import _
from tracker.lke.models import LkeFramework
from tracker.sessions import get_or_404, get_session


def _agency_choices(blank: bool) -> list:
    head = [(0, _("— semua instansi —"))] if blank else []
    return choices(head + agency_services.agency_choices(get_session()))


def _cycle_form() -> forms.CycleForm:
    form = forms.CycleForm()
    form.framework_id.choices = choices(
        (f.id, f"{f.code} v{f.version} ({f.sha256[:12]}…)")
        for f in queries.framework_versions(get_session())
    )
    if not form.is_submitted():
        # A new cycle is usually next year's: offer the regulation's calendar for it.
        year = today().year + 1
        form.process(data={"year": year, **cycles.Calendar.default(year).__dict__})
    return form


def _extend_form(*, posted: bool = True) -> forms.ExtendDeadlineForm:
    form = forms.ExtendDeadlineForm() if posted else forms.ExtendDeadlineForm(formdata=None)
    form.agency_id.choices = _agency_choices(blank=True)
    return form


def _quota_form(*, posted: bool = True) -> forms.QuotaForm:
    form = forms.QuotaForm() if posted else forms.QuotaForm(formdata=None)
    form.agency_id.choices = _agency_choices(blank=False)
    return form


def _kkn_form(*, posted: bool = True) -> forms.KknForm:
    form = forms.KknForm() if posted else forms.KknForm(formdata=None)
    form.agency_id.choices = _agency_choices(blank=False)
    return form


def _back_to(cycle: Cycle) -> str:
    return url_for("accreditation.cycle", cycle_id=cycle.id)


@bp.get("/cycles")
@role_required(Role.ADMIN, Role.TPN)
def cycles_index() -> ResponseReturnValue:
    return _cycles_page(_cycle_form())


def _cycles_page(form: forms.CycleForm) -> str:
    session = get_session()
    return render_template(
        "accreditation/cycles.html",
        cycles=queries.all_cycles(session),
        counts=queries.enrolment_counts(session),
        form=form,
        can_admin=is_admin(actor_grants()),
    )


@bp.post("/cycles")
@role_required(Role.ADMIN)
def create_cycle() -> ResponseReturnValue:
    session = get_session()
    form = _cycle_form()
    if not form.validate_on_submit():
        return _cycles_page(form), 422
    calendar = cycles.Calendar(
        **{k: getattr(form, k).data for k in cycles.Calendar.__dataclass_fields__}
    )
    cycle = cycles.create_cycle(
        session,
        user=current_actor(),
        year=form.year.data,
        name=form.name.data or "",
        framework=get_or_404(session, LkeFramework, form.framework_id.data),
        calendar=calendar,
        area_floor_mode=form.area_floor_mode.data,
    )
    session.commit()
    flash(_("Siklus %(year)s dibuka.", year=cycle.year), "success")
    return redirect(_back_to(cycle), code=303)


@bp.get("/cycles/<int:cycle_id>")
@role_required(Role.ADMIN, Role.TPN)
def cycle(cycle_id: int) -> ResponseReturnValue:
    return _cycle_page(get_or_404(get_session(), Cycle, cycle_id))


def _cycle_page(
    item: Cycle,
    *,
    extend: forms.ExtendDeadlineForm | None = None,
    quota: forms.QuotaForm | None = None,
    kkn: forms.KknForm | None = None,
    overseers: OverseersForm | None = None,
) -> str:
    """The cycle page; a form given (with its errors) replaces the blank one."""
    session = get_session()
    overview = queries.cycle_overview(session, item)
    return render_template(
        "accreditation/cycle.html",
        cycle=item,
        stages=overview.stages,
        stage_labels=STAGE_LABELS,
        deadlines=cycles.deadlines_by_label(cycles.effective_deadlines(session, item, None)),
        deadline_labels=DEADLINE_LABELS,
        extensions=overview.extensions,
        quotas=overview.quotas,
        kkn_cases=overview.kkn_cases,
        agency_names=overview.agency_names,
        # The page's other forms start blank: they must not pick up the posted fields.
        extend_form=extend or _extend_form(posted=False),
        quota_form=quota or _quota_form(posted=False),
        kkn_form=kkn or _kkn_form(posted=False),
        overseers_form=overseers or oversight_pages.overseers_form(item),  # issue 17 §1
    )


@bp.post("/cycles/<int:cycle_id>/extensions")
@role_required(Role.ADMIN)
def extend_deadline(cycle_id: int) -> ResponseReturnValue:
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    form = _extend_form()
    if not form.validate_on_submit():
        return _cycle_page(item, extend=form), 422
    cycles.extend_deadline(
        session,
        user=current_actor(),
        cycle=item,
        deadline=Deadline(form.deadline.data),
        new_date=form.new_date.data,
        reason=form.reason.data,
        agency=session.get(Agency, form.agency_id.data) if form.agency_id.data else None,
    )
    session.commit()
    flash(_("Batas waktu diperpanjang."), "success")
    return redirect(_back_to(item), code=303)


@bp.post("/cycles/<int:cycle_id>/quotas")
@role_required(Role.ADMIN)
def set_quota(cycle_id: int) -> ResponseReturnValue:
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    form = _quota_form()
    if not form.validate_on_submit():
        return _cycle_page(item, quota=form), 422
    cycles.set_quota(
        session,
        user=current_actor(),
        cycle=item,
        agency=get_or_404(session, Agency, form.agency_id.data),
        max_proposals=form.max_proposals.data,
    )
    session.commit()
    flash(_("Kuota disimpan."), "success")
    return redirect(_back_to(item), code=303)


@bp.post("/cycles/<int:cycle_id>/kkn")
@role_required(Role.ADMIN, Role.TPN)
def record_kkn(cycle_id: int) -> ResponseReturnValue:
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    form = _kkn_form()
    if not form.validate_on_submit():
        return _cycle_page(item, kkn=form), 422
    voided = transitions.record_kkn_case(
        session,
        user=current_actor(),
        agency_id=form.agency_id.data,
        occurred_on=form.occurred_on.data,
        description=form.description.data,
    )
    session.commit()
    flash(_("Kasus KKN dicatat; %(n)s usulan digugurkan.", n=len(voided)), "warning")
    return redirect(_back_to(item), code=303)
