"""Alembic environment: the same migrations run on SQLite and PostgreSQL (batch mode)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection, Engine

import tracker.models  # noqa: F401 - registers every model on Base.metadata
from config import Settings
from tracker.certificates.search import is_index_table
from tracker.db import Base, build_engine

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    # The app and the tests hand over their engine; the bare `alembic` command reads settings.
    engine = config.attributes.get("engine")
    return engine if engine is not None else build_engine(Settings.from_env().database_url)


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    """What ``alembic check`` compares: not what migration 0020 adds outside the models. The
    registry's search index is SQLite's FTS5 table (with the shadow tables FTS5 makes beside it)
    and PostgreSQL's trigram indexes (``*_trgm``), which no model declares."""
    if name is None:
        return True
    if type_ == "table":
        return not is_index_table(name)
    return not (type_ == "index" and name.endswith("_trgm"))


def run_migrations_offline() -> None:
    context.configure(
        url=Settings.from_env().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite: batch mode alters a table by copying it, dropping the original and renaming the
    copy. While foreign keys are enforced, dropping a table that other rows refer to fails, and
    deferring the keys does not help (the drop leaves violations counted until the commit). The
    pragma is ignored inside a transaction, so it is set on the raw connection before Alembic
    begins one (``_check_foreign_keys`` then checks every key before the commit) and set back
    before the connection returns to the pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None  # a live DBAPI connection of an open Connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    """With the keys switched off, a migration could leave a dangling reference: refuse it."""
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration leaves broken foreign keys: {broken[:5]}")


def run_migrations_online() -> None:
    with _engine().connect() as connection, _sqlite_foreign_keys_off(connection):
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=_include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
            _check_foreign_keys(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
