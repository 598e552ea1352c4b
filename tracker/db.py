"""Database plumbing: the declarative Base, the engine, and one session per request."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from flask import Flask, abort, g, has_request_context, request
from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    MetaData,
    Numeric,
    String,
    create_engine,
    event,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops tzinfo on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use tracker.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Enums are stored by value in plain VARCHAR columns, so a new stage needs no ALTER TYPE.
    type_annotation_map = {
        datetime: UTCDateTime(),
        enum.Enum: SAEnum(enum.Enum, native_enum=False, values_callable=_enum_values, length=40),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        Decimal: Numeric(12, 6),
        str: String(),
    }


intpk = Annotated[int, mapped_column(primary_key=True)]
str40 = Annotated[str, mapped_column(String(40))]
str200 = Annotated[str, mapped_column(String(200))]


def utcnow() -> datetime:
    return datetime.now(UTC)


def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, a busy timeout and real transactions."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes_expected() else "BEGIN")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _writes_expected() -> bool:
    """Whether the transaction about to begin on SQLite should take the write lock now.

    A deferred SQLite transaction that reads and then writes fails at once ("database is
    locked", no busy wait) if another connection committed in between. So transactions that
    may write begin IMMEDIATE and queue for the lock (busy_timeout) instead: every request that
    is not a safe method, every CLI command and job, and a GET that called ``begin_write``.
    Safe requests stay deferred so that readers never wait for writers (WAL).
    """
    if not has_request_context():
        return True
    return request.method not in SAFE_METHODS or g.get("db_write", False)


def begin_write(session: Session) -> None:
    """In a GET request that must write (an audit record of a download): end the read
    transaction; the next one begins with the write lock."""
    session.commit()
    g.db_write = True


def init_app(app: Flask, database_url: str) -> None:
    engine = build_engine(database_url, pool_pre_ping=True)
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, created on first use and closed (rolled back) at teardown."""
    if "db_session" not in g:
        from flask import current_app

        g.db_session = current_app.extensions["sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


ModelT = TypeVar("ModelT")


def get_or_404(session: Session, model: type[ModelT], ident: Any) -> ModelT:
    obj = session.get(model, ident)
    if obj is None:
        abort(404)
    return obj
