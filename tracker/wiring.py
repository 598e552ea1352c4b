"""The composition root: what one app is made of, built once by ``create_app``.

Packages do not reach into each other's views or build their own infrastructure: the evidence
store, the store for certificate print results, the job queue, the cross-package hooks and the
organisation directory that ``auth`` grants roles in are built here from ``Settings`` and kept
in ``app.extensions`` (read them through the typed accessors in ``tracker.extensions``). This
is the one module that knows every package; nothing imports it but ``create_app`` (and tests
that build a session outside an app).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from config import Settings
from tracker import hooks as hooks_module
from tracker import jobs
from tracker.extensions import EVIDENCE_STORE, FIGURES, HOOKS, ORGANISATIONS, RESULT_STORE
from tracker.hooks import Hooks
from tracker.memo import TimedMemo

# Modules that define background tasks (``register(huey)``, optional ``warm_up()``).
TASK_MODULES = ("tracker.certificates.tasks", "tracker.notifications.tasks")


def init_app(app: Flask, settings: Settings) -> None:
    """Build the app's stores, queue and hooks; bind the hooks to every session it makes."""
    from tracker.agencies import services as agencies
    from tracker.certificates.storage import build_result_store
    from tracker.evidence.storage import build_store_from_settings
    from tracker.system import services as system

    app.extensions[EVIDENCE_STORE] = build_store_from_settings(settings)
    app.extensions[RESULT_STORE] = build_result_store(settings)
    app.extensions[FIGURES] = TimedMemo(settings.figures_cache_seconds)
    # auth grants roles in agencies and units but may not import them (agencies depends on it).
    app.extensions[ORGANISATIONS] = agencies
    jobs.install(app, settings, TASK_MODULES)
    hooks = build_hooks()
    app.extensions[HOOKS] = hooks
    session_info = app.extensions["sessionmaker"].kw.setdefault("info", {})
    hooks_module.bind(session_info, hooks)
    # The environment's public address, under the administrator's setting (tracker.system).
    system.bind_env_default(session_info, settings.public_base_url)


def build_hooks() -> Hooks:
    """Who reacts to which cross-package event."""
    from tracker.documents import services as documents
    from tracker.notifications import reactions

    hooks = Hooks()
    hooks.on_designated(_issue_certificate)
    # Issue 16 §5: a step that froze a snapshot records its documents in the step's transaction.
    hooks.on_happened(documents.freeze_step)
    # Issue 15 §2: notifications hear of reviews, hand-offs, designations and revocations
    # (after the certificate: a designation whose certificate fails is told to nobody).
    reactions.subscribe(hooks)
    return hooks


def bind_session(session: Session, hooks: Hooks | None = None) -> Session:
    """Give a session made outside an app (tests, scripts) the app's hooks."""
    hooks_module.bind(session.info, hooks or build_hooks())
    return session


def _issue_certificate(session: Session, *, designation: Any, user: Any, issued_on: date) -> None:
    # D11: a designation is issued its certificate in the same transaction, or not at all.
    from tracker.certificates.services import issue_for_designation

    issue_for_designation(session, designation=designation, user=user, issued_on=issued_on)
