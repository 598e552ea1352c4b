"""Reviewer assignment (issue 15 §4): a lead assigns a unit to a reviewer; the workload page.

The queue itself (``report_views.queue``) shows the assigned units first and, to a lead, a
form per unit with the reviewers who may take it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from wtforms import IntegerField
from wtforms.validators import DataRequired

from tracker.accreditation import assignments, dashboards
from tracker.accreditation.web import invalid_form, load_enrolment
from tracker.accreditation.web.views import bp
from tracker.auth.access import scope_of
from tracker.auth.login import current_actor, role_required
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.forms import L, TrackerForm
from tracker.i18n import _
from tracker.sessions import get_session


class AssignForm(TrackerForm):
    reviewer_id = IntegerField(L("Penilai"), validators=[DataRequired()])


@bp.post("/enrolments/<int:enrolment_id>/assign")
@login_required
def assign_reviewer(enrolment_id: int) -> ResponseReturnValue:
    session = get_session()
    enrolment, _actor = load_enrolment(enrolment_id)
    if not assignments.may_assign(current_actor(), enrolment):
        abort(403)  # only a lead of the deciding tier in scope (the service says it too)
    back = url_for("accreditation.queue")
    form = AssignForm()
    if not form.validate_on_submit():
        return invalid_form(form, back)
    reviewer = session.get(User, form.reviewer_id.data)
    if reviewer is None or not reviewer.active:
        abort(404)
    assignments.assign(session, actor=current_actor(), enrolment=enrolment, reviewer=reviewer)
    session.commit()
    flash(
        _(
            "%(unit)s ditugaskan kepada %(name)s.",
            unit=enrolment.unit.name,
            name=reviewer.full_name,
        ),
        "success",
    )
    return redirect(back, code=303)


@bp.get("/review/workload")
@role_required(Role.PENILAI_PENDAHULUAN, Role.TPI, Role.TPN)
def workload() -> ResponseReturnValue:
    user = current_actor()
    if not assignments.is_any_lead(user):
        abort(403)
    session = get_session()
    grants = user.access_grants()
    entries = dashboards.review_queue(session, scope_of(grants), frozenset(g.role for g in grants))
    return render_template(
        "accreditation/workload.html", workload=assignments.workload(session, user, entries)
    )
