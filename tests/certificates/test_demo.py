"""The demo story's past designations and certificates (``flask demo seed``)."""

from __future__ import annotations

from sqlalchemy import select

from tests.html import get_page
from tracker.certificates import queries
from tracker.certificates.models import Certificate
from tracker.certificates.status import CertificateStatus
from tracker.demo import seed
from tracker.demo.history import HISTORY, seed_history


def run(session) -> seed.SeedReport:
    report = seed.SeedReport([])
    for step in (seed.seed_organisations, seed.seed_accounts, seed_history):
        step(session, report)
    session.commit()
    return report


def test_the_story_is_issued_with_one_revocation(session, client) -> None:
    run(session)
    certificates = session.scalars(select(Certificate)).all()
    assert len(certificates) == len(HISTORY)
    bekasi = {
        (c.predicate.value, c.year)
        for c in certificates
        if c.unit_name == "Polres Metro Bekasi Kota"
    }
    assert bekasi == {("WBK", 2018), ("WBBM", 2019)}
    statuses = [queries.status(c) for c in certificates]
    assert statuses.count(CertificateStatus.REVOKED) == 1
    assert len({c.agency_name for c in certificates}) == 3
    rows = get_page(client, "/registry").table_rows()
    assert len(rows) == len(HISTORY)
    statuses = [row[5].split()[0] for row in rows]
    assert statuses.count("Dicabut") == 1 and statuses.count("Berlaku") == len(HISTORY) - 1
    bekasi = [row[2:4] for row in rows if row[0] == "Polres Metro Bekasi Kota"]
    assert sorted(bekasi) == [["Menuju WBBM", "2019"], ["Menuju WBK", "2018"]]


def test_seeding_twice_adds_nothing(session) -> None:
    run(session)
    assert run(session).created == []
