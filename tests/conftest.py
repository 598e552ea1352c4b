"""Shared fixtures: a real database (SQLite by default, PostgreSQL when TEST_DATABASE_URL says so),
one rolled-back transaction per test, the app wired to that transaction, and data factories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from config import Settings
from tests import catalogues
from tests.compiled import share_compiled_templates, shared_url_builders
from tests.factories import Factory
from tracker import create_app, wiring
from tracker.auth import passwords
from tracker.core import migrations
from tracker.db import build_engine

# Session-scoped servers (moto S3, redis-server) for every package's tests; each starts on demand.
pytest_plugins = ["tests.servers"]


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its lowest cost in this process: the app's cost (about 0.14 s a hash) made
    every test world pay about a second for its seven accounts. Same algorithm and code paths;
    servers the tests start as processes (gunicorn, the CLI) keep the real cost."""
    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords.dummy_hash.cache_clear()
    yield
    passwords._hasher = real
    passwords.dummy_hash.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def compiled_url_builders() -> Iterator[None]:
    """Each route's URL builder compiled once per process, not once per test app."""
    with shared_url_builders():
        yield


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> str | None:
    """The English message catalogues compiled when missing or stale (`make test` compiles them
    first; a bare `pytest` may find none). None when they are usable, else why not."""
    return catalogues.ensure_compiled()


@pytest.fixture
def english(compiled_catalogues: str | None) -> None:
    """For tests that read pages in English: skipped, with the reason, when the catalogues
    could not be compiled (instead of failing on an untranslated page)."""
    if compiled_catalogues is not None:
        pytest.skip(compiled_catalogues)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    if engine.dialect.name == "postgresql":
        # The throwaway cluster is new per `make test`, but a rerun by hand must start clean.
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


class SharedTestSession(Session):
    """The test's session, also used by every request the test makes.

    A request's teardown closes its session, which discards uncommitted work. Here that must
    not detach the test's objects, so ``close`` only rolls back (objects stay attached and
    reload on access); the fixture closes the session for real at the end.
    """

    def close(self) -> None:
        self.rollback()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits only release savepoints; everything is rolled back afterwards."""
    with engine.connect() as conn:
        outer = conn.begin()
        db = SharedTestSession(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        wiring.bind_session(db)
        yield db
        Session.close(db)
        outer.rollback()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        env="test",
        instance_dir=tmp_path / "instance",
        evidence_dir=tmp_path / "evidence",
        jobs_immediate=True,
        figures_cache_seconds=0,  # tests change data and look at it at once
    )


@pytest.fixture
def app(settings: Settings, session: Session) -> Iterator[Flask]:
    app = share_compiled_templates(create_app(settings))
    app.config.update(TESTING=True)
    # Views share the test's transaction (see SharedTestSession).
    # No app context is pushed here: each request gets its own, as in production, so `g`
    # (request session, cached locale) never leaks from one request to the next.
    app.extensions["sessionmaker"] = lambda: session
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def factory(session: Session) -> Factory:
    return Factory(session)
