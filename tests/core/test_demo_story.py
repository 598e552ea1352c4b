"""The demo story's work in flight (issue 15 §6) and its declarations by each agency's
leadership (issue 15 §5): seeded once, read as the accounts would find it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.complaints.demo_checks import assert_aftercare
from tracker import clock
from tracker.accreditation.models import Cycle, Enrolment
from tracker.accreditation.my_tasks import my_tasks
from tracker.accreditation.workflow import Stage
from tracker.accreditation.worklist import TaskKind
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.demo import seed
from tracker.demo.story import DEPOK_COMMENT, DEPOK_SENT_BACK, YEAR
from tracker.evidence.models import EvidenceFile, EvidencePurpose


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def test_depoks_coordinator_finds_the_sent_back_item_first(session) -> None:
    seed.seed(session, production=False)
    session.commit()
    found = my_tasks(session, _user(session, "koordinator.depok"), clock.today())
    first = found.tasks[0]
    assert first.kind is TaskKind.SENT_BACK
    assert DEPOK_SENT_BACK in first.title and "Penilaian pendahuluan" in first.title
    assert first.detail == DEPOK_COMMENT
    assert "Polres Metro Depok" in first.subject
    assert first.days_left is not None and 0 < first.days_left <= 12 * 7
    # The assessor's queue still holds Depok, the item waiting for the unit's fix.
    queue = my_tasks(session, _user(session, "penilai.poldametro"), clock.today())
    assert any("Polres Metro Depok" in t.subject for t in queue.tasks)


def test_the_open_cycles_deadlines_fall_in_the_coming_weeks(session) -> None:
    seed.seed(session, production=False)
    session.commit()
    cycle = session.scalars(select(Cycle).where(Cycle.year == YEAR)).one()
    today = clock.today()
    deadlines = [cycle.self_assessment_end, cycle.tpi_evaluation_end, cycle.proposal_deadline]
    assert deadlines == sorted(deadlines)
    for deadline in deadlines:
        assert today + timedelta(weeks=1) <= deadline <= today + timedelta(weeks=12)
    # What already happened lies before today, and the two Polri units stay proposed (their
    # hand-offs, dated in the past, passed the deadline guards).
    enrolments = session.scalars(select(Enrolment).where(Enrolment.cycle_id == cycle.id)).all()
    assert all(e.declared_on <= today for e in enrolments)
    assert sorted(e.unit.name for e in enrolments if e.stage is Stage.PROPOSED) == [
        "Polres Metro Jakarta Selatan",
        "Polres Metro Tangerang Kota",
    ]


def test_every_declaration_is_the_leaderships_with_its_decree(session) -> None:
    seed.seed(session, production=False)
    session.commit()
    leaders = {
        u.id: u.username
        for u in session.scalars(select(User).where(User.username.like("pimpinan.%")))
    }
    enrolments = session.scalars(select(Enrolment)).all()
    assert len(enrolments) == 6
    assert {leaders.get(e.created_by_id) for e in enrolments} == {
        "pimpinan.polri",
        "pimpinan.kemenkeu",
        "pimpinan.kotabekasi",
    }
    declared = session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "accreditation:enrolment:declare")
    ).all()
    assert len(declared) == 6
    for event in declared:
        assert event.data["decree_number"] and event.data["decree_date"]
        assert event.data["on_behalf_of_leadership"] is False
    # The proposed units carry the signed decree beside their Pakta Integritas.
    decrees = session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.purpose == EvidencePurpose.PAKTA,
            EvidenceFile.document_key == "sk-penetapan-unit",
        )
    ).all()
    assert len(decrees) == 2 and all(d.description.startswith("Nomor Kep/") for d in decrees)
    # Issue 17: what followed Polres Metro Bekasi Kota's designation (a complaint, a report).
    assert_aftercare(session)
