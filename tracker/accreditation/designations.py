"""Designations (penetapan) and what follows them: revocation, monitoring reports and when the
next one is due, and the active designation a WBBM proposal builds on (D9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import hooks
from tracker.accreditation import workflow
from tracker.accreditation.context import Actor
from tracker.accreditation.models import (
    Designation,
    Enrolment,
    MonitoringReport,
    MonitoringResult,
    Predicate,
    Snapshot,
)
from tracker.errors import ValidationError
from tracker.i18n import _


def active_designation(session: Session, unit_id: int, predicate: Predicate) -> Designation | None:
    """The unit's latest unrevoked designation as ``predicate``, if any."""
    return session.scalars(
        select(Designation)
        .where(
            Designation.unit_id == unit_id,
            Designation.predicate == predicate,
            Designation.revoked_on.is_(None),
        )
        .order_by(Designation.year.desc())
    ).first()


def designations_of_unit(session: Session, unit_id: int) -> Sequence[Designation]:
    return session.scalars(
        select(Designation).where(Designation.unit_id == unit_id).order_by(Designation.year.desc())
    ).all()


def designation_or_none(session: Session, enrolment: Enrolment) -> Designation | None:
    return session.scalars(
        select(Designation).where(Designation.enrolment_id == enrolment.id)
    ).first()


def designation_of(session: Session, enrolment: Enrolment) -> Designation:
    """The designation the enrolment ended in. Raises ValidationError when it has none."""
    row = designation_or_none(session, enrolment)
    if row is None:
        raise ValidationError(_("Unit ini belum ditetapkan."))
    return row


def revocations(session: Session, unit_id: int) -> list[date]:
    """The dates the unit's designations were revoked (D10, D15: they bar a new proposal)."""
    return list(
        session.scalars(
            select(Designation.revoked_on).where(
                Designation.unit_id == unit_id, Designation.revoked_on.is_not(None)
            )
        )
    )


def record_designation(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    decree_number: str,
    decree_date: date | None,
    snapshot: Snapshot,
) -> Designation:
    """Record the designation on the TPN snapshot; the ``designated`` hook issues its
    certificate (D11) in the same transaction.

    Raises what a hook raises (the certificate service: no signatory configured, a field that
    does not fit the page): the whole transition is then refused and nothing is saved.
    """
    designation = Designation(
        enrolment_id=enrolment.id,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        predicate=enrolment.target,
        year=enrolment.cycle.year,
        decree_number=decree_number.strip(),
        decree_date=decree_date,
        snapshot_id=snapshot.id,
        snapshot_sha256=snapshot.sha256,
        designated_by_id=actor.id,
    )
    session.add(designation)
    hooks.of(session).fire_designated(
        session, designation=designation, actor=actor.user, issued_on=designation.decree_date
    )
    return designation


def record_revocation(
    session: Session, *, actor: Actor, enrolment: Enrolment, on: date, reason: str
) -> Designation:
    """Revoke the enrolment's designation. Raises ValidationError when it has none."""
    designation = designation_of(session, enrolment)
    designation.revoked_on = on
    designation.revocation_reason, designation.revoked_by_id = reason.strip(), actor.id
    return designation


def record_monitoring_report(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    on: date,
    note: str,
    result: MonitoringResult,
) -> MonitoringReport:
    """TPI's post-designation report. Raises ValidationError when the unit is not designated."""
    report = MonitoringReport(
        designation_id=designation_of(session, enrolment).id,
        reported_on=on,
        note=note.strip(),
        result=result,
        reported_by_id=actor.id,
    )
    session.add(report)
    return report


@dataclass(frozen=True)
class MonitoringStatus:
    last_report: date | None
    due: date
    overdue: bool


def monitoring_status(session: Session, designation: Designation, today: date) -> MonitoringStatus:
    """When the next post-designation report is due, and whether it is late."""
    reports = list(
        session.scalars(
            select(MonitoringReport.reported_on).where(
                MonitoringReport.designation_id == designation.id
            )
        )
    )
    due = workflow.monitoring_due(designation.decree_date, reports)
    return MonitoringStatus(max(reports) if reports else None, due, today > due)
