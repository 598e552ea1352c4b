"""Issue 18 §1 and §3: the national dataset is valid (its audit trail verifies, its cached scores
are what the scoring engine says), and the pages TPN reads at national scale run the same
number of SQL statements for 10 units as for 40 (no query per unit, no list of every unit)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from config import Settings
from tests.helpers import login_as
from tracker.accreditation import assessments
from tracker.accreditation.models import Assessment, Designation, Enrolment
from tracker.accreditation.workflow import Stage
from tracker.audit import services as audit
from tracker.audit.chain import GENESIS
from tracker.audit.models import AuditHead
from tracker.auth import passwords
from tracker.auth import services as auth
from tracker.auth.passwords import verify_password
from tracker.certificates.models import Certificate
from tracker.db import Base, utcnow
from tracker.demo import national
from tracker.demo.seed import DEMO_PASSWORD
from tracker.evidence.models import EvidenceFile
from tracker.sessions import READ_ONLY_PROBE

# Who reads which page: TPN nationally, the largest agency's TPI and its leadership.
PAGES = {
    "tpn": ("/", "/review/queue", "/dashboard", "/registry", "/agencies"),
    "tpi.001": ("/", "/review/queue", "/dashboard"),
    "pimpinan.001": ("/", "/dashboard"),
}


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    found: list[str] = []
    connection = session.connection()

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        savepoint = statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))
        # The probe ends every request on PostgreSQL (tracker.sessions): not the page's query.
        if not savepoint and statement != READ_ONLY_PROBE:
            found.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(connection, "before_cursor_execute", count)


def statements(client: FlaskClient, session: Session, username: str) -> dict[str, int]:
    user = auth.find_user(session, username)
    assert user is not None
    login_as(client, user)
    out = {}
    for url in PAGES[username]:
        client.get(url)  # warm: what the first request caches
        with counted(session) as found:
            response = client.get(url)
        assert response.status_code == 200, url
        out[url] = len(found)
    return out


def test_national_dataset_is_valid(session: Session) -> None:
    wipe(session)
    report = national.build(session, units=24, production=False)
    assert report.counts["units"] == 24
    assert audit.verify(session) is None  # the bulk records chain like the others
    stages = set(session.scalars(select(Enrolment.stage).distinct()))
    assert {Stage.BUILDING, Stage.TPI_EVALUATION, Stage.DESIGNATED} <= stages
    # Each cached score is what the engine computes from the stored answers.
    for row in session.scalars(select(Assessment)):
        enrolment = session.get(Enrolment, row.enrolment_id)
        assert enrolment is not None
        result = assessments.evaluate_rows(
            session,
            enrolment,
            row.tier,
            assessments.answer_rows(session, [row.id])[row.id],
            has_active_wbk=False,
        )
        assert row.score_total == str(
            result.report.total.score.quantize(assessments.CACHE_PRECISION)
        )
        assert row.eligible_wbk == result.verdicts["WBK"].eligible
    designated = session.scalar(select(func.count()).where(Enrolment.stage == Stage.DESIGNATED))
    assert session.scalar(select(func.count()).select_from(Certificate)) == designated
    # The registry's search index covers the bulk-inserted designations as well.
    unsearchable = select(func.count()).where(Designation.search_text == "")
    assert session.scalar(select(func.count()).select_from(Designation)) > designated
    assert session.scalar(unsearchable) == 0
    # Each evidence link is named as evidence.add_link names a link given no title.
    names = set(session.scalars(select(EvidenceFile.original_name).distinct()))
    assert names == {"dokumen.example.go.id"}
    tpn = auth.find_user(session, "tpn")
    assert tpn is not None and verify_password(tpn.password_hash, DEMO_PASSWORD)


def test_national_refuses_a_database_with_data(session: Session) -> None:
    wipe(session)
    national.build(session, units=8, production=False)
    with pytest.raises(national.NotEmptyError):
        national.build(session, units=8, production=False)
    with pytest.raises(national.DemoRefusedError):
        national.build(session, units=8, production=True, force=True)


def wipe(session: Session) -> None:
    """Every row gone, the audit head back at the start (as the migrations leave it)."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS, seal=None))
    session.commit()


def test_page_statements_do_not_grow_with_units(client: FlaskClient, session: Session) -> None:
    found = {}
    for units in (10, 40):
        wipe(session)
        national.build(session, units=units, production=False)
        # The home page's running units (the 12 most recently moved) read the designations
        # of those designated: one designated unit moved last, at both sizes, so that the
        # page has the same parts whichever units the build happened to move last.
        designated = session.scalars(
            select(Enrolment).where(Enrolment.stage == Stage.DESIGNATED).order_by(Enrolment.id)
        ).first()
        assert designated is not None
        designated.stage_since = utcnow()
        session.commit()  # (releases the test's savepoint: requests roll back to it)
        found[units] = {who: statements(client, session, who) for who in PAGES}
    assert found[40] == found[10]


def test_password_hashing_cost_is_a_setting() -> None:
    """Issue 18 §3: Argon2id's parameters come from the settings, one of OWASP's by default."""
    assert Settings(database_url="sqlite://", secret_key="k").password_hash_memory_kib == 12288
    read = Settings.from_env(
        {
            "SECRET_KEY": "k",
            "AUDIT_KEY": "a" * 40,
            "PASSWORD_HASH_MEMORY_KIB": "8192",
            "PASSWORD_HASH_TIME_COST": "1",
            "PASSWORD_HASH_PARALLELISM": "1",
        }
    )
    assert (read.password_hash_memory_kib, read.password_hash_time_cost) == (8192, 1)
    assert passwords.HashParameters(12288, 3, 1) == passwords.OWASP
    saved = passwords._hasher, passwords._configured  # the session's cheap hasher (conftest)
    try:
        passwords.configure(passwords.HashParameters(1024, 1, 1))
        stored = passwords.hash_password("kata-sandi-uji")
        assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
        assert passwords.verify_password(stored, "kata-sandi-uji")
        passwords.configure(passwords.HashParameters(2048, 1, 1))
        assert passwords.needs_rehash(stored)  # rehashed at the next login
        with pytest.raises(ValueError):
            passwords.configure(passwords.HashParameters(4, 1, 1))
    finally:
        passwords._hasher, passwords._configured = saved
        passwords.dummy_hash.cache_clear()
