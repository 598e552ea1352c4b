"""Designations (penetapan) and what follows them: revocation (D15), monitoring reports and
when the next one is due, and the active designation a WBBM proposal builds on (D9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import BindParameter, ColumnElement, Integer, Select, bindparam, select
from sqlalchemy.orm import Session

from tracker import hooks
from tracker.accreditation import standing, workflow
from tracker.accreditation.context import Actor
from tracker.accreditation.models import (
    Designation,
    Enrolment,
    MonitoringReport,
    Predicate,
    Snapshot,
)
from tracker.agencies import lineage
from tracker.agencies.lineage_models import UnitSuccession
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.errors import InvalidTransitionError, ValidationError
from tracker.hooks import Happened, Happening
from tracker.i18n import _


@dataclass(frozen=True)
class Carried:
    """A predicate the unit holds through its lineage: earned under ``link.predecessor``."""

    designation: Designation
    link: UnitSuccession


def carried_designations(session: Session, unit_id: int) -> list[Carried]:
    """The unrevoked predicates the unit carries from its predecessors (its unit page shows
    them), newest first, each with the link it came through."""
    links = lineage.carried_from(session, unit_id)
    if not links:
        return []
    by_unit = {link.predecessor_id: link for link in links}
    rows = session.scalars(
        select(Designation)
        .where(Designation.unit_id.in_(by_unit), Designation.revoked_on.is_(None))
        .order_by(Designation.year.desc(), Designation.id.desc())
    )
    return [Carried(row, by_unit[row.unit_id]) for row in rows]


def active_designation(session: Session, unit_id: int, predicate: Predicate) -> Designation | None:
    """The unit's latest unrevoked designation as ``predicate``, if any, its own or one it
    carries from a predecessor (D9: a renamed unit builds toward WBBM on the WBK it held)."""
    return session.scalars(
        select(Designation).where(*_standing(unit_id, predicate)).order_by(Designation.year.desc())
    ).first()


def holds(session: Session, unit_id: int, predicate: Predicate) -> bool:
    """Whether ``active_designation`` finds one: an existence test, no row loaded, by a
    statement built once per predicate (the LKE page asks it on every view, issue 18 §3)."""
    return bool(session.scalar(_holding(predicate), {"unit_id": unit_id}))


@lru_cache(maxsize=8)
def _holding(predicate: Predicate) -> Select[bool]:
    unit_id = bindparam("unit_id", type_=Integer)
    return select(select(Designation.id).where(*_standing(unit_id, predicate)).exists())


def _standing(
    unit_id: int | BindParameter[int], predicate: Predicate
) -> tuple[ColumnElement[bool], ...]:
    return (
        Designation.unit_id.in_(lineage.carrying_ids(unit_id)),
        Designation.predicate == predicate,
        Designation.revoked_on.is_(None),
    )


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


def active_designations(session: Session, unit_id: int) -> Sequence[Designation]:
    """Every unrevoked designation of the unit, newest first, those it carries from its
    predecessors included (so a revocation ends them too, D15)."""
    ids = lineage.carrying_ids(unit_id)
    return session.scalars(
        select(Designation)
        .where(Designation.unit_id.in_(ids), Designation.revoked_on.is_(None))
        .order_by(Designation.year.desc(), Designation.id.desc())
    ).all()


def revocations(session: Session, unit_id: int) -> list[date]:
    """Where the unit's revocations bar a new WBK proposal from (D10, D15): the dates of the
    revocation decrees (``Designation.bar_from``), the predecessors' it carries on included:
    a renamed unit does not shed its bar."""
    rows = session.execute(
        select(Designation.revocation_decree_date, Designation.revoked_on).where(
            Designation.unit_id.in_(lineage.carrying_ids(unit_id)),
            Designation.revoked_on.is_not(None),
        )
    )
    return [day for decree_date, revoked_on in rows if (day := decree_date or revoked_on)]


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
        session, designation=designation, user=actor.user, issued_on=designation.decree_date
    )
    return designation


def record_revocation(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    decree_number: str,
    decree_date: date | None,
    on: date | None,
    reason: str,
    today: date,
) -> list[Designation]:
    """Revoke the enrolment's designation and every other active predicate of its unit (D15);
    returns those ended, or nothing when the designation already ended with another
    revocation (its enrolment follows it: ``transitions.end_enrolments``). Raises
    ValidationError when the enrolment has no designation or the decree is not valid."""
    designation = designation_of(session, enrolment)
    if not designation.active:
        return []
    return revoke(
        session,
        user=actor.user,
        designation=designation,
        decree_number=decree_number,
        decree_date=decree_date,
        on=on,
        reason=reason,
        today=today,
    )


def revoke(
    session: Session,
    *,
    user: User | None,
    designation: Designation,
    decree_number: str,
    decree_date: date | None,
    on: date | None,
    reason: str,
    today: date,
) -> list[Designation]:
    """D15: the Minister's decree revokes ``designation``; it ends every active predicate of
    the unit with it (a revoked WBBM also ends the WBK it rested on, and the other way round a
    unit with no WBK holds no WBBM). ``on`` is the date the predicates end (by default the
    decree's). Returns the designations ended, ``designation`` first. Raises ValidationError
    (already revoked, decree number or date missing or impossible, no reason)."""
    if not designation.active:
        raise ValidationError(_("Predikat ini sudah dicabut."))
    problems = standing.revocation_problems(
        decree_number=decree_number,
        decree_date=decree_date,
        designated_on=designation.decree_date,
        today=today,
    )
    if not reason.strip():
        problems.append(_("Alasan pencabutan wajib diisi."))
    if problems or decree_date is None:
        raise ValidationError(" ".join(problems), problems=problems)
    others = [d for d in active_designations(session, designation.unit_id) if d is not designation]
    ended = [designation, *others]
    for row in ended:
        row.revoked_on = on or decree_date
        row.revocation_reason = reason.strip()
        row.revocation_decree_number = " ".join(decree_number.split())
        row.revocation_decree_date = decree_date
        row.revoked_by_id = user.id if user is not None else None
        row.revoked_with_id = None if row is designation else designation.id
    session.flush()
    for row in ended:
        audit.record(
            session,
            actor=user,
            tag="accreditation:designation:revoke",
            subject=row,
            unit_id=row.unit_id,
            agency_id=row.agency_id,
            data={
                "predicate": row.predicate.value,
                "year": row.year,
                "decree_number": row.revocation_decree_number,
                "decree_date": decree_date,
                "ended_on": row.revoked_on,
                "reason": row.revocation_reason,
                "with": None if row is designation else designation.id,
            },
        )
    hooks.of(session).fire_happened(session, _revoked(designation, user, ended))
    return ended


def _revoked(designation: Designation, user: User | None, ended: list[Designation]) -> Happened:
    """What the notifications hear of a revocation: once, with every predicate it ended."""
    predicates = ", ".join(f"{row.predicate.value} {row.year}" for row in ended)
    details = {"designation": str(designation.id), "predicates": predicates}
    unit, agency, enrolment = designation.unit_id, designation.agency_id, designation.enrolment_id
    return Happened(Happening.REVOKED, unit, agency, enrolment, user, details)


def filed_monitoring_report(
    session: Session, *, enrolment: Enrolment, on: date | None
) -> MonitoringReport:
    """The report a "report monitoring" step rests on. There is one way to report: the unit's
    monitoring page files it with its LKE score and signed letter and takes this step in the
    same transaction (``complaints.monitoring.record_report``), so the stage, the task list and
    the report agree. Raises ValidationError when the unit is not designated,
    InvalidTransitionError when no report (of ``on``, when given) is on file."""
    query = select(MonitoringReport).where(
        MonitoringReport.designation_id == designation_of(session, enrolment).id
    )
    if on is not None:
        query = query.where(MonitoringReport.reported_on == on)
    report = session.scalars(query.order_by(MonitoringReport.id.desc())).first()
    if report is None:
        raise InvalidTransitionError(
            _("Laporan pemantauan diisi di halaman pemantauan unit, dengan nilai LKE dan suratnya.")
        )
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
