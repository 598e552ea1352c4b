"""What the app holds: unbound extension singletons, bound in ``create_app``, and typed
accessors for what the composition root (``tracker.wiring``) builds once per app.

Views, CLI commands and tasks ask here for the settings, the evidence store, the print-result
store, the job queue and the hooks; services receive them as arguments (or, for the hooks,
through their session) and never reach for the app themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

if TYPE_CHECKING:
    from huey import Huey

    from config import Settings
    from tracker.auth.organisations import Organisations
    from tracker.evidence.storage import BlobStore, EvidenceStore
    from tracker.hooks import Hooks
    from tracker.memo import TimedMemo

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

# Keys in ``app.extensions``; only tracker.wiring writes them.
SETTINGS = "TRACKER_SETTINGS"  # in app.config, where tests may replace it for one case
EVIDENCE_STORE = "tracker.evidence_store"
RESULT_STORE = "tracker.result_store"
JOB_QUEUE = "tracker.job_queue"
JOB_TASKS = "tracker.job_tasks"
HOOKS = "tracker.hooks"
ORGANISATIONS = "tracker.organisations"
FIGURES = "tracker.figures"


def _app(app: Flask | None) -> Flask:
    return app or cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]  # werkzeug's LocalProxy hides the method from type checkers


def settings(app: Flask | None = None) -> Settings:
    """The settings the app runs with."""
    return cast("Settings", _app(app).config[SETTINGS])


def evidence_store(app: Flask | None = None) -> EvidenceStore:
    """Where evidence files are kept (a folder or an S3 bucket)."""
    return cast("EvidenceStore", _app(app).extensions[EVIDENCE_STORE])


def result_store(app: Flask | None = None) -> BlobStore:
    """Where finished certificate print jobs are kept, apart from evidence."""
    return cast("BlobStore", _app(app).extensions[RESULT_STORE])


def job_queue(app: Flask | None = None) -> Huey:
    """The background-job queue shared by every app server and worker."""
    return cast("Huey", _app(app).extensions[JOB_QUEUE])


def hooks(app: Flask | None = None) -> Hooks:
    """The cross-package hooks (also carried by every database session of the app)."""
    return cast("Hooks", _app(app).extensions[HOOKS])


def organisations(app: Flask | None = None) -> Organisations:
    """Agencies and units, for the pages and commands that grant roles (``auth`` may not
    import ``agencies``: see ``tracker.auth.organisations``)."""
    return cast("Organisations", _app(app).extensions[ORGANISATIONS])


def figures(app: Flask | None = None) -> TimedMemo:
    """National aggregates kept for ``Settings.figures_cache_seconds`` (``tracker.memo``)."""
    return cast("TimedMemo", _app(app).extensions[FIGURES])
