"""Read-only queries behind the accreditation pages that no service needs: the cycle list and
its counts, what the cycle page shows, the framework versions a cycle may pin, and a unit's
audit trail page by page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.accreditation.models import AgencyQuota, Cycle, DeadlineExtension, Enrolment, KknCase
from tracker.accreditation.workflow import Stage
from tracker.agencies.models import Agency
from tracker.audit.models import AuditEvent
from tracker.lke.models import LkeFramework


def all_cycles(session: Session) -> Sequence[Cycle]:
    """Every cycle, the latest year first."""
    return session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()


def enrolment_counts(session: Session) -> dict[int, int]:
    """Units enrolled per cycle id."""
    rows = session.execute(select(Enrolment.cycle_id, func.count()).group_by(Enrolment.cycle_id))
    return dict(rows.all())


def framework_versions(session: Session) -> Sequence[LkeFramework]:
    """The stored framework versions a new cycle may pin, the newest of each code first."""
    return session.scalars(
        select(LkeFramework).order_by(LkeFramework.code, LkeFramework.version.desc())
    ).all()


@dataclass(frozen=True)
class CycleOverview:
    stages: dict[Stage, int]  # units per stage
    extensions: Sequence[DeadlineExtension]
    quotas: Sequence[Any]  # (AgencyQuota, Agency) rows
    kkn_cases: Sequence[Any]  # (KknCase, Agency) rows, every cycle's: a case is the agency's
    agency_names: dict[int, str]


def cycle_overview(session: Session, cycle: Cycle) -> CycleOverview:
    """What the cycle administration page lists, in five queries."""
    stages = session.execute(
        select(Enrolment.stage, func.count())
        .where(Enrolment.cycle_id == cycle.id)
        .group_by(Enrolment.stage)
    )
    return CycleOverview(
        stages=dict(stages.all()),
        extensions=session.scalars(
            select(DeadlineExtension)
            .where(DeadlineExtension.cycle_id == cycle.id)
            .order_by(DeadlineExtension.id)
        ).all(),
        quotas=session.execute(
            select(AgencyQuota, Agency)
            .join(Agency)
            .where(AgencyQuota.cycle_id == cycle.id)
            .order_by(Agency.name)
        ).all(),
        kkn_cases=session.execute(
            select(KknCase, Agency).join(Agency).order_by(KknCase.occurred_on.desc())
        ).all(),
        agency_names=dict(session.execute(select(Agency.id, Agency.name)).all()),
    )


def unit_audit_events(
    session: Session, unit_id: int, *, page: int, per_page: int
) -> tuple[Sequence[AuditEvent], bool]:
    """One page of the unit's audit trail, newest first, and whether an older page exists."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.unit_id == unit_id)
        .order_by(AuditEvent.seq.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return events[:per_page], len(events) > per_page
