"""What the demo tells after a designation for Polres Metro Bekasi Kota (issue 17): a complaint
from SP4N-LAPOR! followed up to resolution, and a "still meets" monitoring report. Called by
tests/core/test_demo_story.py on the demo it seeds (seeding is costly: once for both)."""

from __future__ import annotations

from sqlalchemy import select

from tracker import clock
from tracker.agencies import services as agencies
from tracker.complaints import monitoring, services
from tracker.complaints.models import Complaint
from tracker.complaints.rules import Channel, Status


def assert_aftercare(session) -> None:
    agency = agencies.find_agency(session, "polri")
    assert agency is not None
    unit = agencies.find_unit(session, agency, "polres-metro-bekasi-kota")
    assert unit is not None
    [complaint] = session.scalars(select(Complaint).where(Complaint.unit_id == unit.id)).all()
    assert complaint.channel is Channel.LAPOR and complaint.status is Status.RESOLVED
    steps = [e.to_status for e in services.history(session, complaint)]
    assert steps == [Status.RECEIVED, Status.VERIFIED, Status.CLARIFIED, Status.RESOLVED]
    page = monitoring.page(session, unit, clock.today())
    [filed] = page.reports
    assert filed.filing is not None and filed.report.result.value == "still_meets"
    assert [d.designation.predicate.value for d in page.duties] == ["WBBM"]
    assert not page.duties[0].overdue and page.tasks == []
