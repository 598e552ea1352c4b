"""One expensive set-up per test module, each test still rolled back on its own.

The usual ``session`` fixture opens a transaction per test and rolls it back. Some modules need
the same costly world before every test (a unit taken through its whole evaluation to the
proposal: ~2 s of services per test). ``module_session`` opens one connection and transaction
for the module and builds that world once inside it; ``test_savepoint`` then wraps each test in
a SAVEPOINT on the same connection and rolls back to it, so a test sees the built world and
nothing a previous test did. Everything is rolled back when the module ends, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from tracker import wiring


class _SharedSession(Session):
    """As ``tests.conftest.SharedTestSession``: a request's ``close`` only rolls back."""

    def close(self) -> None:
        self.rollback()


@dataclass
class ModuleDb:
    session: Session
    connection: Connection


@contextmanager
def module_session(engine: Engine) -> Iterator[ModuleDb]:
    with engine.connect() as conn:
        outer = conn.begin()
        db = _SharedSession(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        wiring.bind_session(db)
        try:
            yield ModuleDb(db, conn)
        finally:
            Session.close(db)
            outer.rollback()


@contextmanager
def test_savepoint(db: ModuleDb) -> Iterator[Session]:
    """The module's session for one test; what the test wrote is undone afterwards."""
    db.session.commit()  # the built world is in the module's transaction, outside the savepoint
    point = db.connection.begin_nested()
    wiring.bind_session(db.session)
    try:
        yield db.session
    finally:
        db.session.rollback()
        if point.is_active:
            point.rollback()
        db.session.expire_all()
