"""Login, logout, password change, and the administration of users and role grants."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from tracker.agencies import services as agency_services
from tracker.agencies.models import Agency, Unit
from tracker.auth import forms, services
from tracker.auth.login import current_actor, role_required
from tracker.auth.models import RoleGrant, User
from tracker.auth.roles import ROLE_LABELS, Role
from tracker.db import get_or_404, get_session
from tracker.extensions import settings as tracker_settings
from tracker.forms import choices
from tracker.i18n import _

bp = Blueprint("auth", __name__)


def _throttle_policy() -> services.ThrottlePolicy:
    settings = tracker_settings()
    return services.ThrottlePolicy(
        max_failures=settings.login_max_failures,
        max_failures_per_ip=settings.login_max_failures_per_ip,
        window=timedelta(minutes=settings.login_window_minutes),
    )


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or scheme-relative URL would be an open redirect."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
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
        user = services.authenticate(
            session,
            form.username.data,
            form.password.data,
            ip=request.remote_addr or "-",
            policy=_throttle_policy(),
        )
    except (services.InvalidCredentialsError, services.LoginThrottledError) as err:
        session.commit()  # keep the failed attempt: throttling counts it
        flash(str(err), "error")
        return render_template("auth/login.html", form=form), err.http_status
    session.commit()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
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
    services.change_password(session, user, current=form.current.data, new=form.new.data)
    session.commit()
    login_user(user)  # the session version changed: renew this session, end the others
    flash(_("Kata sandi berhasil diganti. Sesi lain pada akun ini telah diakhiri."), "success")
    return redirect(url_for("core.index"))


@bp.get("/admin/users")
@role_required(Role.ADMIN)
def users():
    rows = get_session().scalars(select(User).order_by(User.username)).all()
    return render_template(
        "auth/users.html", users=rows, role_labels=ROLE_LABELS, form=forms.CreateUserForm()
    )


@bp.post("/admin/users")
@role_required(Role.ADMIN)
def create_user():
    form = forms.CreateUserForm()
    session = get_session()
    if not form.validate_on_submit():
        rows = session.scalars(select(User).order_by(User.username)).all()
        return render_template(
            "auth/users.html", users=rows, role_labels=ROLE_LABELS, form=form
        ), 422
    user = services.create_user(
        session,
        actor=current_actor(),
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


def _grant_form() -> forms.GrantRoleForm:
    session = get_session()
    form = forms.GrantRoleForm()
    none = [(0, "—")]
    form.agency_id.choices = choices(none + agency_services.agency_choices(session))
    units = session.scalars(
        select(Unit)
        .join(Agency)
        .order_by(Agency.name, Unit.path)
        .options(contains_eager(Unit.agency))
    )
    form.unit_id.choices = choices(
        none + [(u.id, f"{u.agency.short_name} — {'· ' * u.depth}{u.name}") for u in units]
    )
    return form


@bp.get("/admin/users/<int:user_id>")
@role_required(Role.ADMIN)
def user(user_id: int):
    target = get_or_404(get_session(), User, user_id)
    return _render_user(target, _grant_form())


def _render_user(target: User, grant_form: forms.GrantRoleForm, status: int = 200):
    return render_template(
        "auth/user.html",
        target=target,
        role_labels=ROLE_LABELS,
        grant_form=grant_form,
        reset_form=forms.ResetPasswordForm(),
        active_form=forms.SetActiveForm(active=target.active),
        revoke_form=forms.EmptyForm(),
    ), status


@bp.post("/admin/users/<int:user_id>/grants")
@role_required(Role.ADMIN)
def add_grant(user_id: int):
    session = get_session()
    target = get_or_404(session, User, user_id)
    form = _grant_form()
    if not form.validate_on_submit():
        return _render_user(target, form, 422)
    services.grant_role(
        session,
        actor=current_actor(),
        user=target,
        role=Role(form.role.data),
        agency=session.get(Agency, form.agency_id.data) if form.agency_id.data else None,
        unit=session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
        areas=form.areas.data or None,
    )
    session.commit()
    flash(_("Peran ditambahkan."), "success")
    return redirect(url_for("auth.user", user_id=target.id), code=303)


@bp.post("/admin/users/<int:user_id>/grants/<int:grant_id>/revoke")
@role_required(Role.ADMIN)
def revoke_grant(user_id: int, grant_id: int):
    session = get_session()
    grant = get_or_404(session, RoleGrant, grant_id)
    if grant.user_id != user_id or not forms.EmptyForm().validate_on_submit():
        return redirect(url_for("auth.user", user_id=user_id), code=303)
    services.revoke_grant(session, actor=current_actor(), grant=grant)
    session.commit()
    flash(_("Peran dicabut."), "success")
    return redirect(url_for("auth.user", user_id=user_id), code=303)


@bp.post("/admin/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    session = get_session()
    target = get_or_404(session, User, user_id)
    form = forms.ResetPasswordForm()
    if not form.validate_on_submit():
        return _render_user(target, _grant_form(), 422)
    services.reset_password(session, target, actor=current_actor(), new=form.password.data)
    session.commit()
    flash(_("Kata sandi %(username)s diganti.", username=target.username), "success")
    return redirect(url_for("auth.user", user_id=target.id), code=303)


@bp.post("/admin/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def set_active(user_id: int):
    session = get_session()
    target = get_or_404(session, User, user_id)
    form = forms.SetActiveForm()
    if form.validate_on_submit():
        services.set_active(session, target, actor=current_actor(), active=form.active.data)
        session.commit()
        flash(_("Status akun diperbarui."), "success")
    return redirect(url_for("auth.user", user_id=target.id), code=303)
