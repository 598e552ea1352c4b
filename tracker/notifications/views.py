"""Notification pages: the bell's count (every page), the user's list, opening one (marks it
read, then follows its link), marking all read, the user's settings per event kind, and the
administrator's mail page (the SMTP settings in force, without the password; a test message;
the outbox)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from tracker import jobs
from tracker.auth.login import current_actor, role_required
from tracker.auth.roles import Role
from tracker.extensions import settings as tracker_settings
from tracker.i18n import N_, _, language
from tracker.notifications import delivery, events, services, tasks
from tracker.notifications.forms import PreferencesForm, TestMailForm
from tracker.notifications.models import MailStatus
from tracker.sessions import begin_write, get_session

bp = Blueprint("notifications", __name__)

STATUS_LABELS = {
    MailStatus.QUEUED: N_("Antre"),
    MailStatus.SENDING: N_("Sedang dikirim"),
    MailStatus.SENT: N_("Terkirim"),
    MailStatus.FAILED: N_("Gagal"),
}


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    """``unread_notifications()`` for the header: one COUNT, only when a signed-in page asks."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        session = get_session()
        try:
            return services.unread_count(session, current_user.id)
        except SQLAlchemyError:  # an error page after a database failure still renders
            session.rollback()
            return 0

    return {"unread_notifications": unread_notifications}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return min(int(raw), 10_000) if raw.isdigit() and int(raw) > 0 else 1


@bp.get("/notifications")
@login_required
def index() -> ResponseReturnValue:
    session, user = get_session(), current_actor()
    page = services.page_of(session, user.id, _page_number())
    texts = {row.id: delivery.rendered(row, language()) for row in page.rows}
    return render_template(
        "notifications/index.html",
        page=page,
        texts=texts,
        unread=services.unread_count(session, user.id),
    )


@bp.get("/notifications/<int:notification_id>")
@login_required
def open(notification_id: int) -> ResponseReturnValue:
    session = get_session()
    begin_write(session)  # a GET that writes: the read mark
    user = current_actor()
    row = services.open_notification(session, user=user, notification_id=notification_id)
    session.commit()
    # Links are paths inside the app; anything else (never written by the tracker) goes home.
    inside = row.link.startswith("/") and not row.link.startswith("//") and "\\" not in row.link
    return redirect(row.link if inside else "/", code=303)


@bp.post("/notifications/read-all")
@login_required
def read_all() -> ResponseReturnValue:
    session = get_session()
    count = services.mark_all_read(session, user=current_actor())
    session.commit()
    flash(_("%(n)s notifikasi ditandai sudah dibaca.", n=count), "success")
    return redirect(url_for("notifications.index"), code=303)


def _preferences_page(
    form: PreferencesForm | None = None, status: int = 200
) -> ResponseReturnValue:
    user = current_actor()
    if form is None:
        chosen = services.preferences_of(get_session(), user.id)
        form = PreferencesForm(
            data={k.value: chosen.get(k, events.EVENTS[k].default).value for k in events.EventKind}
        )
    html = render_template("notifications/preferences.html", form=form, has_email=bool(user.email))
    return html, status


@bp.get("/notifications/settings")
@login_required
def preferences() -> ResponseReturnValue:
    return _preferences_page()


@bp.post("/notifications/settings")
@login_required
def save_preferences() -> ResponseReturnValue:
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _preferences_page(form, 422)
    session = get_session()
    services.set_preferences(session, user=current_actor(), chosen=form.chosen())
    session.commit()
    flash(_("Pengaturan notifikasi disimpan."), "success")
    return redirect(url_for("notifications.preferences"), code=303)


def _admin_page(form: TestMailForm | None = None, status: int = 200) -> ResponseReturnValue:
    session = get_session()
    form = form or TestMailForm(data={"to": current_actor().email or ""})
    html = render_template(
        "notifications/admin.html",
        server=tasks.server(current_app._get_current_object()),  # type: ignore[attr-defined]  # LocalProxy
        outbox=delivery.outbox(session, _page_number()),
        form=form,
        status_labels={k: _(v) for k, v in STATUS_LABELS.items()},
    )
    return html, status


@bp.get("/admin/notifications")
@role_required(Role.ADMIN)
def admin() -> ResponseReturnValue:
    return _admin_page()


@bp.post("/admin/notifications/test")
@role_required(Role.ADMIN)
def send_test() -> ResponseReturnValue:
    form = TestMailForm()
    if not form.validate_on_submit():
        return _admin_page(form, 422)
    session = get_session()
    message = delivery.queue_test(session, to=form.to.data.strip(), by=current_actor())
    session.commit()
    if tracker_settings().smtp_host:
        jobs.enqueue(tasks.SEND, message.id)  # after commit: the worker reads the row
        flash(_("Pesan uji masuk antrean pengiriman; lihat statusnya di kotak keluar."), "success")
    else:
        flash(_("SMTP belum diatur: pesan uji disimpan di kotak keluar tanpa dikirim."), "warning")
    return redirect(url_for("notifications.admin"), code=303)
