"""Login, logout, password change, and the administration of users and role grants.

Every form here lives on a page of this package: an invalid one re-renders its page with status
422 and the errors next to the fields (the rule in ``tracker.forms``).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth import forms, services, throttle
from tracker.auth.login import current_actor, role_required
from tracker.auth.models import RoleGrant, User
from tracker.auth.roles import ROLE_LABELS, Role
from tracker.errors import DomainError, ValidationError
from tracker.extensions import organisations
from tracker.extensions import settings as tracker_settings
from tracker.forms import EmptyForm, TrackerForm, choices
from tracker.i18n import _
from tracker.request_guards import query_int
from tracker.sessions import get_or_404, get_session

bp = Blueprint("auth", __name__)


def _throttle_policy() -> throttle.Policy:
    settings = tracker_settings()
    return throttle.Policy(
        per_pair=settings.login_max_failures,
        per_address=settings.login_max_failures_per_ip,
        per_account=settings.login_max_failures_per_account,
        window=timedelta(minutes=settings.login_window_minutes),
    )


def _address() -> str:
    return request.remote_addr or "-"


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or scheme-relative URL would be an open redirect,
    a backslash turns into one in browsers ("/\\evil.example"), and a line break would split
    the Location header."""
    parts = urlsplit(target or "")
    if (
        target
        and target.startswith("/")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return url_for("core.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = forms.LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.errors else 200
    session = get_session()
    try:
        check = services.begin_login(
            session, form.username.data, ip=_address(), policy=_throttle_policy()
        )
        session.commit()  # counted, and the lock released, before the slow password check
        user = services.finish_login(session, check, form.password.data)
    except (services.InvalidCredentialsError, services.LoginThrottledError) as err:
        session.commit()  # keep the failed attempt: throttling counts it
        return _refused("auth/login.html", form, err)
    session.commit()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


def _refused(template: str, form: TrackerForm, err: DomainError):
    flash(str(err), "error")
    response = make_response(render_template(template, form=form), err.http_status)
    if isinstance(err, services.LoginThrottledError):
        response.headers["Retry-After"] = str(err.retry_after)
    return response


@bp.post("/logout")
@login_required
def logout():
    session = get_session()
    services.logout(session, current_actor())  # every copy of this session's cookie dies too
    session.commit()
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 422 if form.errors else 200
    session = get_session()
    user = current_actor()
    try:
        check = services.begin_password_change(
            session, user, ip=_address(), policy=_throttle_policy()
        )
        session.commit()  # counted, and the lock released, before the slow password check
        services.change_password(session, user, check, current=form.current.data, new=form.new.data)
    except services.LoginThrottledError as err:
        return _refused("auth/password.html", form, err)
    except ValidationError as err:
        session.commit()  # only the attempt's outcome was written: keep it, throttling counts it
        wrong = isinstance(err, services.WrongPasswordError)
        (form.current if wrong else form.new).errors.append(str(err))
        return render_template("auth/password.html", form=form), 422
    session.commit()
    login_user(user)  # the session version changed: renew this session, end the others
    flash(_("Kata sandi berhasil diganti. Sesi lain pada akun ini telah diakhiri."), "success")
    return redirect(url_for("core.index"))


# --- administration ------------------------------------------------------------------------------


def _users_page(form: forms.CreateUserForm, status: int = 200):
    q = request.args.get("q", "")
    page = services.user_page(get_session(), q, query_int("page") or 1)
    html = render_template("auth/users.html", page=page, q=q, role_labels=ROLE_LABELS, form=form)
    return html, status


@bp.get("/admin/users")
@role_required(Role.ADMIN)
def users():
    return _users_page(forms.CreateUserForm())


@bp.post("/admin/users")
@role_required(Role.ADMIN)
def create_user():
    form = forms.CreateUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 422)
    session = get_session()
    user = services.create_user(
        session,
        by=current_actor(),
        username=form.username.data,
        full_name=form.full_name.data,
        password=form.password.data,
        email=form.email.data,
    )
    session.commit()
    flash(
        _("Pengguna %(username)s dibuat. Tambahkan perannya di bawah.", username=user.username),
        "success",
    )
    return redirect(url_for("auth.user", user_id=user.id), code=303)


def _grant_form(*, bound: bool = True) -> forms.GrantRoleForm:
    """The add-a-role form with its choices; ``bound`` to what was posted, or empty."""
    session = get_session()
    form = forms.GrantRoleForm() if bound else forms.GrantRoleForm(formdata=None)
    none = [(0, "—")]
    form.agency_id.choices = choices(none + organisations().agency_choices(session))
    form.unit_id.choices = choices(none + organisations().unit_choices(session))
    return form


def _user_page(
    target: User,
    *,
    grant_form: forms.GrantRoleForm | None = None,
    reset_form: forms.ResetPasswordForm | None = None,
    active_form: forms.SetActiveForm | None = None,
    revoke_form: EmptyForm | None = None,
    status: int = 200,
):
    """One account's page; the form that failed (if any) is passed in, with its errors."""
    html = render_template(
        "auth/user.html",
        target=target,
        role_labels=ROLE_LABELS,
        grant_form=grant_form or _grant_form(bound=False),
        reset_form=reset_form or forms.ResetPasswordForm(formdata=None),
        active_form=active_form or forms.SetActiveForm(formdata=None, active=target.active),
        revoke_form=revoke_form or EmptyForm(formdata=None),
    )
    return html, status


@bp.get("/admin/users/<int:user_id>")
@role_required(Role.ADMIN)
def user(user_id: int):
    return _user_page(get_or_404(get_session(), User, user_id))


@bp.post("/admin/users/<int:user_id>/grants")
@role_required(Role.ADMIN)
def add_grant(user_id: int):
    session = get_session()
    target = get_or_404(session, User, user_id)
    form = _grant_form()
    if not form.validate_on_submit():
        return _user_page(target, grant_form=form, status=422)
    orgs = organisations()
    grant = services.grant_role(
        session,
        by=current_actor(),
        user=target,
        role=Role(form.role.data),
        agency=orgs.get_agency(session, form.agency_id.data) if form.agency_id.data else None,
        unit=orgs.get_unit(session, form.unit_id.data) if form.unit_id.data else None,
        areas=form.areas.data or None,
    )
    session.commit()
    flash(_("Peran ditambahkan."), "success")
    for warning in services.duty_conflicts(target, grant):  # issue 13 §12: warn, do not refuse
        flash(warning, "warning")
    return redirect(url_for("auth.user", user_id=target.id), code=303)


@bp.post("/admin/users/<int:user_id>/grants/<int:grant_id>/revoke")
@role_required(Role.ADMIN)
def revoke_grant(user_id: int, grant_id: int):
    session = get_session()
    grant = get_or_404(session, RoleGrant, grant_id)
    if grant.user_id != user_id:
        abort(404)  # another user's grant under this user's address
    form = EmptyForm()
    if not form.validate_on_submit():
        return _user_page(grant.user, revoke_form=form, status=422)
    services.revoke_grant(session, by=current_actor(), grant=grant)
    session.commit()
    flash(_("Peran dicabut."), "success")
    return redirect(url_for("auth.user", user_id=user_id), code=303)


@bp.post("/admin/users/<int:user_id>/grants/<int:grant_id>/lead")
@role_required(Role.ADMIN)
def set_lead(user_id: int, grant_id: int):
    """Issue 15 §4: mark a reviewer's grant as the lead of their tier, or unmark it."""
    session = get_session()
    grant = get_or_404(session, RoleGrant, grant_id)
    if grant.user_id != user_id:
        abort(404)  # another user's grant under this user's address
    form = EmptyForm()
    if not form.validate_on_submit():
        return _user_page(grant.user, revoke_form=form, status=422)
    lead = not grant.lead
    services.set_lead(session, by=current_actor(), grant=grant, lead=lead)
    session.commit()
    flash(
        _("Ditetapkan sebagai ketua penilai.") if lead else _("Tidak lagi ketua penilai."),
        "success",
    )
    return redirect(url_for("auth.user", user_id=user_id), code=303)


@bp.post("/admin/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    session = get_session()
    target = get_or_404(session, User, user_id)
    form = forms.ResetPasswordForm()
    if not form.validate_on_submit():
        return _user_page(target, reset_form=form, status=422)
    services.reset_password(session, target, by=current_actor(), new=form.password.data)
    session.commit()
    flash(_("Kata sandi %(username)s diganti.", username=target.username), "success")
    return redirect(url_for("auth.user", user_id=target.id), code=303)


@bp.post("/admin/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def set_active(user_id: int):
    session = get_session()
    target = get_or_404(session, User, user_id)
    form = forms.SetActiveForm()
    if not form.validate_on_submit():
        return _user_page(target, active_form=form, status=422)
    services.set_active(session, target, by=current_actor(), active=form.active.data)
    session.commit()
    flash(_("Status akun diperbarui."), "success")
    return redirect(url_for("auth.user", user_id=target.id), code=303)
