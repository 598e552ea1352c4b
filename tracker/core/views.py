"""Home page, health check and language switch."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session
from flask_login import current_user, login_required
from sqlalchemy import text

from tracker import clock
from tracker.accreditation import dashboards, my_tasks
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.workflow import STAGE_LABELS
from tracker.agencies import services as agency_services
from tracker.auth.access import scope_of
from tracker.auth.login import actor_grants, current_actor
from tracker.auth.roles import ROLE_LABELS
from tracker.error_handlers import safe_referrer
from tracker.extensions import settings
from tracker.forms import EmptyForm
from tracker.language import LANGUAGES
from tracker.sessions import get_session

bp = Blueprint("core", __name__)
# Issue 18 §3: the home page shows the most urgent tasks, gathered from the units whose
# deadlines come first; the rest are counted and the review queue (paged) lists them all. TPN
# can act on ~560 units nationally.
HOME_TASKS = 20
HOME_UNITS = 25


@bp.get("/")
@login_required
def index():
    db = get_session()
    grants = current_user.grants
    scope = scope_of(actor_grants())
    work = dashboards.active_work(db, scope)
    dues = my_tasks.Dues(db)  # the ranking, the tasks and the running units share their dates
    mine = my_tasks.my_tasks(
        db,
        current_actor(),
        clock.today(),
        deployment=Deployment(settings().deployment),
        urgent=HOME_UNITS,
        dues=dues,
    )
    return render_template(
        "core/home.html",
        tasks=mine.tasks[:HOME_TASKS],
        task_total=len(mine.tasks),
        more_units=mine.more_units,
        more_reviews=mine.reviews_beyond(HOME_TASKS),
        upcoming=mine.upcoming,
        grants=grants,
        role_labels=ROLE_LABELS,
        units=agency_services.visible_units(db, scope, limit=50),
        work=work,
        # Issue 15 §3: each running stage with its deadline and days left.
        dues=my_tasks.stage_dues(db, [e for e, _unit in work], clock.today(), dues),
        stage_labels=STAGE_LABELS,
    )


@bp.get("/healthz")
def healthz():
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.post("/language/<code>")
def set_language(code: str):
    form = EmptyForm()
    if code in LANGUAGES and form.validate_on_submit():
        session["lang"] = code
    return redirect(safe_referrer(), code=303)
