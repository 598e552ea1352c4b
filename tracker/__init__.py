"""ZI Tracker: Zona Integritas (Menuju WBK / WBBM) accreditation under PermenPANRB 90/2021."""

from __future__ import annotations

from flask import Flask

from config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application. Without ``settings`` they are read from the environment."""
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="static",
        instance_path=str(settings.instance_dir),
    )
    _configure(app, settings)
    if settings.trusted_proxies:
        # Behind nginx (deploy/): the client's address, scheme and host come from the proxy's
        # X-Forwarded-* headers, trusting as many hops as there are proxies, and no more.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app

    import tracker.models  # noqa: F401 - every table known before the first query
    from tracker import (
        error_handlers,
        language,
        navigation,
        observability,
        request_guards,
        security,
        sessions,
        templating,
        wiring,
    )
    from tracker.auth import login, passwords
    from tracker.extensions import csrf

    sessions.init_app(app, settings.database_url)
    # Issue 18 §3: Argon2id's cost is a setting (OWASP's recommendation by default).
    passwords.configure(
        passwords.HashParameters(
            memory_kib=settings.password_hash_memory_kib,
            time_cost=settings.password_hash_time_cost,
            parallelism=settings.password_hash_parallelism,
        )
    )
    wiring.init_app(app, settings)
    # Request ids, structured logs and metrics (issue 18 §6): before the other request hooks.
    observability.init_app(app, settings)
    login.init_app(app)
    navigation.init_app(app)
    csrf.init_app(app)
    language.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    request_guards.bound_route_ids(app)  # before any route is added
    _register_blueprints(app)
    _register_cli(app)
    error_handlers.init_app(app)
    request_guards.init_app(app)
    return app


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TRACKER_SETTINGS=settings,  # read through tracker.extensions.settings()
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,  # room for form fields
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.production,
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead: long LKE forms must not expire
        PREFERRED_URL_SCHEME="https" if settings.production else "http",
    )


def _register_blueprints(app: Flask) -> None:
    from tracker.accreditation.web.routes import bp as accreditation_bp
    from tracker.agencies.views import bp as agencies_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.certificates.web.views import bp as certificates_bp
    from tracker.complaints.views import bp as complaints_bp
    from tracker.core.views import bp as core_bp
    from tracker.documents.views import bp as documents_bp
    from tracker.evidence.web.views import bp as evidence_bp
    from tracker.extensions import csrf
    from tracker.notifications.views import bp as notifications_bp
    from tracker.observability.views import bp as observability_bp
    from tracker.portalrb.api import bp as portalrb_api_bp
    from tracker.portalrb.views import bp as portalrb_bp
    from tracker.system.views import bp as system_bp

    csrf.exempt(portalrb_api_bp)  # bearer-token JSON API, GET only: no session, no form

    for blueprint in (
        core_bp,
        auth_bp,
        agencies_bp,
        accreditation_bp,
        evidence_bp,
        certificates_bp,
        documents_bp,
        portalrb_bp,
        portalrb_api_bp,
        system_bp,
        notifications_bp,
        complaints_bp,
        observability_bp,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from tracker.accreditation.cli import designations_cli
    from tracker.agencies.cli import agencies_cli
    from tracker.audit.cli import audit_cli
    from tracker.auth.cli import users_cli
    from tracker.backup.cli import backup_cli
    from tracker.certificates.cli import certificates_cli
    from tracker.core.cli import db_cli
    from tracker.demo.cli import demo_cli
    from tracker.evidence.cli import evidence_cli
    from tracker.jobs import jobs_cli
    from tracker.lke.cli import lke_cli
    from tracker.notifications.cli import notifications_cli
    from tracker.portalrb.cli import portalrb_cli

    for group in (
        db_cli,
        demo_cli,
        users_cli,
        agencies_cli,
        designations_cli,
        audit_cli,
        lke_cli,
        evidence_cli,
        certificates_cli,
        jobs_cli,
        portalrb_cli,
        notifications_cli,
        backup_cli,
    ):
        app.cli.add_command(group)
