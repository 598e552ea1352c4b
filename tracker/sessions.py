"""One database session per web request, and whether a request's transaction may write.

The Flask side of ``tracker.db``: views get their session here; services receive it as an
argument and never import this module.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, has_request_context, request
from sqlalchemy.orm import Session, sessionmaker

from tracker.audit import keys as audit_keys
from tracker.db import build_engine
from tracker.extensions import settings as tracker_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ModelT = TypeVar("ModelT")


def writes_expected() -> bool:
    """Whether the transaction about to begin on SQLite should take the write lock now: every
    request that is not a safe method, every CLI command and job, and a GET that called
    ``begin_write``. Safe requests stay deferred so that readers never wait for writers (WAL).
    """
    if not has_request_context():
        return True
    return request.method not in SAFE_METHODS or bool(g.get("db_write", False))


def begin_write(session: Session) -> None:
    """In a GET request that must write (an audit record of a download): end the read
    transaction; the next one begins with the write lock."""
    session.commit()
    g.db_write = True


def init_app(app: Flask, database_url: str) -> None:
    engine = build_engine(database_url, writes_expected=writes_expected, pool_pre_ping=True)
    app.extensions["engine"] = engine
    maker = sessionmaker(engine, expire_on_commit=False)
    # The audit key travels with every session, as the hooks do: services never read the app.
    audit_keys.bind(maker.kw.setdefault("info", {}), tracker_settings(app).audit_key)
    app.extensions["sessionmaker"] = maker
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, created on first use and closed (rolled back) at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_or_404(session: Session, model: type[ModelT], ident: Any) -> ModelT:
    obj = session.get(model, ident)
    if obj is None:
        abort(404)
    return obj
