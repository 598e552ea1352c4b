"""Alembic environment: the same migrations run on SQLite and PostgreSQL (batch mode)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import tracker.models  # noqa: F401 - registers every model on Base.metadata
from config import Settings
from tracker.db import Base, build_engine

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    # The app and the tests hand over their engine; the bare `alembic` command reads settings.
    engine = config.attributes.get("engine")
    return engine if engine is not None else build_engine(Settings.from_env().database_url)


def run_migrations_offline() -> None:
    context.configure(
        url=Settings.from_env().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
