"""How a request's session ends (tracker.sessions): a transaction that only read is committed
on PostgreSQL, so psycopg keeps the statements it prepared (issue 18 §3); anything that
wrote, or would write, is rolled back as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, g
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tracker.agencies.models import Agency, AgencyKind
from tracker.sessions import _close_session

PREPARE_AFTER = 5  # psycopg's prepare_threshold: a query is prepared on its fifth run


@pytest.fixture
def ended(engine: Engine) -> Iterator[tuple[Flask, sessionmaker[Session]]]:
    """A bare app context and sessions on the real engine (not the shared test transaction)."""
    app = Flask(__name__)
    with app.app_context():
        yield app, sessionmaker(engine, expire_on_commit=False)


def _end(maker: sessionmaker[Session], work, exc: BaseException | None = None) -> None:
    g.db_session = maker()
    work(g.db_session)
    _close_session(exc)


def _agencies_named(maker: sessionmaker[Session], name: str) -> int:
    with maker() as check:
        return check.scalar(select(func.count(Agency.id)).where(Agency.name == name)) or 0


def _new_agency(name: str) -> Agency:
    return Agency(code=name[:40], name=name, short_name=name[:80], kind=AgencyKind.LEMBAGA)


def test_a_reading_request_keeps_the_statements_postgresql_prepared(ended, engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only (SQLite rolls back)")
    _app, maker = ended
    query = text("SELECT count(*) FROM agencies WHERE id > :n")

    used = []

    def read(session: Session) -> None:
        for n in range(PREPARE_AFTER + 1):
            session.execute(query, {"n": n}).scalar()
        used.append(session.connection().connection.dbapi_connection)

    _end(maker, read)
    # Asked on the very connection the request used (back in the pool, idle): the pool may
    # hold others, and prepared statements belong to one connection.
    raw = used[0]
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ("SELECT count(*) FROM agencies WHERE id >%",),
        )
        prepared = cursor.fetchone()[0]
    raw.rollback()
    assert prepared == 1


def test_a_write_left_uncommitted_is_rolled_back(ended) -> None:
    _app, maker = ended
    _end(maker, lambda s: (s.add(_new_agency("Instansi Sesi Tulis")), s.flush()))
    assert _agencies_named(maker, "Instansi Sesi Tulis") == 0


def test_a_change_never_flushed_is_not_written_by_the_ending(ended) -> None:
    _app, maker = ended
    _end(maker, lambda s: s.add(_new_agency("Instansi Sesi Tertunda")))
    assert _agencies_named(maker, "Instansi Sesi Tertunda") == 0


def test_a_failed_transaction_the_view_let_pass_is_rolled_back_quietly(ended, engine) -> None:
    """A statement failed and the view answered anyway: the probe cannot run in the failed
    transaction, and the request still ends (rolled back) instead of erring after its answer."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the probe runs on PostgreSQL only")
    _app, maker = ended

    def fail(session: Session) -> None:
        with pytest.raises(DBAPIError):
            session.execute(text("SELECT 1 / 0"))

    _end(maker, fail)
    with maker() as after:
        assert after.execute(text("SELECT 1")).scalar() == 1
