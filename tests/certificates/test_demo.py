"""The demo story (``flask demo seed``): its past designations and certificates, and the Polri
units it proposes in the open cycle for PortalRB to pull (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.html import get_page
from tracker import clock
from tracker.accreditation import assessments, proposal
from tracker.accreditation.context import actor_for
from tracker.accreditation.models import (
    AreaSignOff,
    Enrolment,
    ItemDecision,
    Predicate,
    StageTransition,
)
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import HAND_OFFS, Stage
from tracker.agencies import services as agencies
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.certificates import queries
from tracker.certificates.models import Certificate
from tracker.certificates.status import CertificateStatus
from tracker.demo import seed
from tracker.demo.history import HISTORY, seed_history
from tracker.demo.story import YEAR
from tracker.portalrb import tokens


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


def test_polri_proposes_a_wbk_and_a_wbbm_unit_that_portalrb_pulls(
    session, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed.seed(session, production=False)
    session.commit()
    polri = agencies.find_agency(session, "polri")
    proposed = session.scalars(
        select(Enrolment).where(Enrolment.agency_id == polri.id, Enrolment.stage == Stage.PROPOSED)
    ).all()
    assert {(e.unit.name, e.target) for e in proposed} == {
        ("Polres Metro Tangerang Kota", Predicate.WBK),
        ("Polres Metro Jakarta Selatan", Predicate.WBBM),
    }
    for enrolment in proposed:
        assert enrolment.cycle.year == YEAR and enrolment.cycle.open
        items = {item.code for item in assessments.framework_for(enrolment).items()}
        for tier in (TierCode.UNIT, TierCode.TPI):
            assert assessments.answered_codes(session, enrolment, tier) == items
            assert not assessments.report_of(session, enrolment, tier).errors()
        tpi = assessments.result_of(session, enrolment, TierCode.TPI)
        assert tpi.verdicts[enrolment.target.value].eligible
        assert (
            tpi.report.total.score
            < assessments.result_of(session, enrolment, TierCode.UNIT).report.total.score
        )  # the TPI scored some items itself, lower than the unit did
        assert proposal.unmet(session, enrolment) == []
        # D16: every hand-off went on with nothing left without evidence, none confirmed away.
        handed_on = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.tag == "accreditation:stage:advance",
                AuditEvent.subject_id == str(enrolment.id),
            )
            .order_by(AuditEvent.id)
        ).all()
        hand_offs = [e.data for e in handed_on if e.data["action"] in HAND_OFFS]
        assert [h["action"] for h in hand_offs] == [
            "submit_preliminary",
            "preliminary_pass",
            "tpi_meets",
            "propose",
        ]
        assert all(h["without_evidence"] == h["missing_documents"] == 0 for h in hand_offs)
        # Issue 13: whoever reviewed, signed off or judged the unit does not belong to it.
        judges = {
            *session.scalars(
                select(ItemDecision.actor_id).where(ItemDecision.enrolment_id == enrolment.id)
            ),
            *session.scalars(
                select(AreaSignOff.signed_by_id).where(AreaSignOff.enrolment_id == enrolment.id)
            ),
            *session.scalars(
                select(StageTransition.actor_id).where(
                    StageTransition.enrolment_id == enrolment.id,
                    StageTransition.action.in_(("preliminary_pass", "tpi_meets", "propose")),
                )
            ),
        }
        usernames = set()
        for user in session.scalars(select(User).where(User.id.in_(judges))):
            assert not actor_for(user, enrolment.unit).memberships
            usernames.add(user.username)
        assert usernames == {"penilai.poldametro", "tpi.polri", "pimpinan.polri"}

    # What PortalRB sees with a Polri token during the proposal period.
    day = proposed[0].cycle.proposal_deadline - timedelta(days=3)
    monkeypatch.setattr(clock, "today", lambda: day)
    admin = session.scalars(select(User).where(User.username == "admin")).one()
    issued = tokens.create_token(
        session, user=admin, agency=polri, name="PortalRB", expires_on=None, today=day
    )
    session.commit()
    headers = {"Authorization": f"Bearer {issued.token}"}
    pulled = {}
    for kind in ("wbk", "wbbm"):
        response = client.get(f"/api/portalrb/pengusulan/unit-{kind}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        for unit in response.get_json()["units"]:
            pulled[unit["nama"]] = unit["kategori"]
            answers = client.get(f"/api/portalrb/lke/jawaban-unit/{unit['id']}", headers=headers)
            assert answers.status_code == 200
            rows = answers.get_json()["answers"]
            assert rows and all(r["jawaban_unit"] and r["jawaban_tpi"] for r in rows)
            assert any(r["jawaban_tpi"] != r["jawaban_unit"] for r in rows)
    assert pulled == {
        "Polres Metro Tangerang Kota": "WBK",
        "Polres Metro Jakarta Selatan": "WBBM",
    }
