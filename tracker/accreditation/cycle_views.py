"""Cycle administration: calendar, deadline extensions, quotas and KKN cases."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from sqlalchemy import func, select

from tracker.accreditation import cycles, forms, transitions
from tracker.accreditation.models import AgencyQuota, Cycle, DeadlineExtension, Enrolment, KknCase
from tracker.accreditation.views import bp
from tracker.accreditation.workflow import DEADLINE_LABELS, STAGE_LABELS, Deadline
from tracker.agencies import services as agency_services
from tracker.agencies.models import Agency
from tracker.auth.access import is_admin
from tracker.auth.login import actor_grants, current_actor, role_required
from tracker.auth.roles import Role
from tracker.db import get_or_404, get_session
from tracker.errors import ValidationError
from tracker.forms import choices
from tracker.i18n import _
from tracker.lke.models import LkeFramework


def _agency_choices(blank: bool) -> list:
    head = [(0, _("— semua instansi —"))] if blank else []
    return choices(head + agency_services.agency_choices(get_session()))


def _cycle_form() -> forms.CycleForm:
    session = get_session()
    form = forms.CycleForm()
    form.framework_id.choices = choices(
        (f.id, f"{f.code} v{f.version} ({f.sha256[:12]}…)")
        for f in session.scalars(
            select(LkeFramework).order_by(LkeFramework.code, LkeFramework.version.desc())
        )
    )
    if not form.is_submitted():
        year = date.today().year + 1
        form.year.data = year
        form.process(data={"year": year, **cycles.Calendar.default(year).__dict__})
    return form


@bp.get("/cycles")
@role_required(Role.ADMIN, Role.TPN)
def cycles_index():
    session = get_session()
    counts = dict(
        session.execute(select(Enrolment.cycle_id, func.count()).group_by(Enrolment.cycle_id)).all()
    )
    rows = session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    return render_template(
        "accreditation/cycles.html",
        cycles=rows,
        counts=counts,
        form=_cycle_form(),
        can_admin=is_admin(actor_grants()),
    )


@bp.post("/cycles")
@role_required(Role.ADMIN)
def create_cycle():
    session = get_session()
    form = _cycle_form()
    if not form.validate_on_submit():
        raise ValidationError(_("Periksa kembali isian siklus."))
    calendar = cycles.Calendar(
        **{k: getattr(form, k).data for k in cycles.Calendar.__dataclass_fields__}
    )
    cycle = cycles.create_cycle(
        session,
        actor=current_actor(),
        year=form.year.data,
        name=form.name.data or "",
        framework=get_or_404(session, LkeFramework, form.framework_id.data),
        calendar=calendar,
        area_floor_mode=form.area_floor_mode.data,
    )
    session.commit()
    flash(_("Siklus %(year)s dibuka.", year=cycle.year), "success")
    return redirect(url_for("accreditation.cycle", cycle_id=cycle.id), code=303)


@bp.get("/cycles/<int:cycle_id>")
@role_required(Role.ADMIN, Role.TPN)
def cycle(cycle_id: int):
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    extend, quota, kkn = forms.ExtendDeadlineForm(), forms.QuotaForm(), forms.KknForm()
    extend.agency_id.choices = _agency_choices(blank=True)
    quota.agency_id.choices = kkn.agency_id.choices = _agency_choices(blank=False)
    extend.deadline.choices = choices((d.value, _(DEADLINE_LABELS[d])) for d in Deadline)
    stages = dict(
        session.execute(
            select(Enrolment.stage, func.count())
            .where(Enrolment.cycle_id == item.id)
            .group_by(Enrolment.stage)
        ).all()
    )
    return render_template(
        "accreditation/cycle.html",
        cycle=item,
        stages=stages,
        stage_labels=STAGE_LABELS,
        deadlines=cycles.deadlines_by_label(cycles.effective_deadlines(session, item, None)),
        deadline_labels=DEADLINE_LABELS,
        extensions=session.scalars(
            select(DeadlineExtension)
            .where(DeadlineExtension.cycle_id == item.id)
            .order_by(DeadlineExtension.id)
        ).all(),
        quotas=session.execute(
            select(AgencyQuota, Agency)
            .join(Agency)
            .where(AgencyQuota.cycle_id == item.id)
            .order_by(Agency.name)
        ).all(),
        kkn_cases=session.execute(
            select(KknCase, Agency).join(Agency).order_by(KknCase.occurred_on.desc())
        ).all(),
        agency_names=dict(session.execute(select(Agency.id, Agency.name)).all()),
        extend_form=extend,
        quota_form=quota,
        kkn_form=kkn,
    )


@bp.post("/cycles/<int:cycle_id>/extensions")
@role_required(Role.ADMIN)
def extend_deadline(cycle_id: int):
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    form = forms.ExtendDeadlineForm()
    form.agency_id.choices = _agency_choices(blank=True)
    if not form.validate_on_submit():
        raise ValidationError(_("Periksa kembali isian perpanjangan."))
    cycles.extend_deadline(
        session,
        actor=current_actor(),
        cycle=item,
        deadline=Deadline(form.deadline.data),
        new_date=form.new_date.data,
        reason=form.reason.data,
        agency=session.get(Agency, form.agency_id.data) if form.agency_id.data else None,
    )
    session.commit()
    flash(_("Batas waktu diperpanjang."), "success")
    return redirect(url_for("accreditation.cycle", cycle_id=item.id), code=303)


@bp.post("/cycles/<int:cycle_id>/quotas")
@role_required(Role.ADMIN)
def set_quota(cycle_id: int):
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    form = forms.QuotaForm()
    form.agency_id.choices = _agency_choices(blank=False)
    if not form.validate_on_submit():
        raise ValidationError(_("Periksa kembali isian kuota."))
    cycles.set_quota(
        session,
        actor=current_actor(),
        cycle=item,
        agency=get_or_404(session, Agency, form.agency_id.data),
        max_proposals=form.max_proposals.data,
    )
    session.commit()
    flash(_("Kuota disimpan."), "success")
    return redirect(url_for("accreditation.cycle", cycle_id=item.id), code=303)


@bp.post("/cycles/<int:cycle_id>/kkn")
@role_required(Role.ADMIN, Role.TPN)
def record_kkn(cycle_id: int):
    session = get_session()
    item = get_or_404(session, Cycle, cycle_id)
    form = forms.KknForm()
    form.agency_id.choices = _agency_choices(blank=False)
    if not form.validate_on_submit():
        raise ValidationError(_("Periksa kembali isian kasus KKN."))
    voided = transitions.record_kkn_case(
        session,
        user=current_actor(),
        agency_id=form.agency_id.data,
        occurred_on=form.occurred_on.data,
        description=form.description.data,
    )
    session.commit()
    flash(_("Kasus KKN dicatat; %(n)s usulan digugurkan.", n=len(voided)), "warning")
    return redirect(url_for("accreditation.cycle", cycle_id=item.id), code=303)
