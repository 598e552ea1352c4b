"""One database session per web request, and whether a request's transaction may write.

The Flask side of ``tracker.db``: views get their session here; services receive it as an
argument and never import this module.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, has_request_context, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tracker.audit import keys as audit_keys
from tracker.db import build_engine
from tracker.extensions import settings as tracker_settings

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Asked as a request ends (``_read_only``): NULL while the transaction has written nothing.
READ_ONLY_PROBE = "SELECT txid_current_if_assigned()"
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


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if exc is None and _read_only(session):
            session.commit()  # ends the reading transaction; psycopg keeps its prepared plans
    except SQLAlchemyError as err:  # a failed transaction the view let pass: rolled back below
        log.info("request transaction ended by rollback: %s", type(err).__name__)
    finally:
        session.close()  # rolls back whatever is left


def _read_only(session: Session) -> bool:
    """Whether the session's PostgreSQL transaction wrote nothing (no transaction id was ever
    assigned to it: the server's own word, whatever path a write took).

    Issue 18 §3: psycopg forgets every prepared statement on ROLLBACK (it sends DEALLOCATE
    ALL), and every page ended its reading transaction with one, so no query was ever
    prepared and each page paid for planning each of its ~20 queries again. A transaction
    that wrote is still rolled back here: only its view commits what it means to keep."""
    if session.get_bind().dialect.name != "postgresql" or not session.in_transaction():
        return False
    if session.new or session.dirty or session.deleted:  # a commit would flush them
        return False
    return session.execute(text(READ_ONLY_PROBE)).scalar() is None


def get_or_404(session: Session, model: type[ModelT], ident: Any) -> ModelT:
    obj = session.get(model, ident)
    if obj is None:
        abort(404)
    return obj
