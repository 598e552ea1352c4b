"""Database plumbing: the declarative Base, its column types, and the engine.

No Flask here: models and services import this module, and they run in CLI commands and job
workers too. The web's one-session-per-request lives in ``tracker.sessions``."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

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
from sqlalchemy.orm import DeclarativeBase, mapped_column
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
# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number can name no row, and handed to
# the database it fails with an overflow rather than finding nothing.
MAX_ID = 2**31 - 1
str40 = Annotated[str, mapped_column(String(40))]
str200 = Annotated[str, mapped_column(String(200))]


def utcnow() -> datetime:
    return datetime.now(UTC)


def always(*_args: Any) -> bool:
    return True


def build_engine(
    url: str, *, writes_expected: Callable[[], bool] = always, **kwargs: Any
) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, a busy timeout and real transactions.

    ``writes_expected`` tells, as a transaction begins on SQLite, whether it may write (see
    ``_configure_sqlite``); by default every transaction may (CLI commands, jobs, tests).
    """
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, writes_expected)
    return engine


def _configure_sqlite(engine: Engine, writes_expected: Callable[[], bool]) -> None:
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
        # A deferred SQLite transaction that reads and then writes fails at once ("database is
        # locked", no busy wait) if another connection committed in between; transactions that
        # may write begin IMMEDIATE and queue for the lock (busy_timeout) instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes_expected() else "BEGIN")
