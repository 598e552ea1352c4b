"""Monitoring that leads somewhere (issue 17 §3, Lampiran II Bab IV): the 2-yearly report of a
designated unit filed with its LKE score and signed letter; the verification task a "no longer
meets" report (or a verified serious complaint) opens for TPI/TPN; its outcome; and when the
next report is due, paused while a WBK unit is proposed for WBBM.

"Propose revocation" records the proposal and its reasons; the revocation itself is the
Minister's decree, recorded on the designation's revocation page (D15), which the task links to
with the reasons filled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import IO

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from tracker.accreditation import transitions, workflow
from tracker.accreditation.context import actor_for
from tracker.accreditation.designations import active_designations
from tracker.accreditation.models import (
    Designation,
    Enrolment,
    MonitoringReport,
    MonitoringResult,
    Predicate,
)
from tracker.agencies import lineage
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.complaints import rules
from tracker.complaints.models import MonitoringFiling, VerificationTask
from tracker.complaints.rules import VerificationOutcome, VerificationReason
from tracker.errors import InvalidTransitionError, NotFoundError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.storage import BlobStore
from tracker.i18n import _


def open_task(
    session: Session,
    *,
    user: User | None,
    designation: Designation,
    reason: VerificationReason,
    today: date,
    report_id: int | None = None,
    complaint_id: int | None = None,
) -> VerificationTask:
    """Open a verification task of ``designation``, due ``rules.verification_due``; an open
    task of the same designation is reused (one verification at a time)."""
    existing = session.scalars(
        select(VerificationTask).where(
            VerificationTask.designation_id == designation.id,
            VerificationTask.outcome.is_(None),
        )
    ).first()
    if existing is not None:
        return existing
    task = VerificationTask(
        designation_id=designation.id,
        unit_id=designation.unit_id,
        agency_id=designation.agency_id,
        reason=reason,
        report_id=report_id,
        complaint_id=complaint_id,
        opened_on=today,
        due_on=rules.verification_due(today),
    )
    session.add(task)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="complaints:verification:open",
        subject=task,
        unit_id=task.unit_id,
        agency_id=task.agency_id,
        data={"reason": reason.value, "designation": designation.id, "due_on": task.due_on},
    )
    return task


def file_report(
    session: Session,
    store: BlobStore,
    policy: UploadPolicy,
    *,
    user: User,
    designation: Designation,
    on: date,
    result: MonitoringResult,
    lke_score: Decimal,
    letter: IO[bytes],
    letter_name: str,
    note: str,
    today: date,
) -> tuple[MonitoringReport, EvidenceFile, VerificationTask | None]:
    """File TPI's 2-yearly report with its LKE score and signed letter (stored as evidence).
    "No longer meets" opens a verification task. Returns the report, the stored letter and the
    task opened (None for "still meets"); a tracker-made enrolment moves to "monitoring" in the
    same transaction. Raises ValidationError (revoked predicate, date in the future or before
    the designation, score outside 0–100), RejectedFileError, and what the workflow step
    raises (``_advance_enrolment``)."""
    _check_report(designation, on, lke_score, today)
    stored = evidence.store_unattached(
        session,
        store,
        user=user,
        purpose=EvidencePurpose.MONITORING,
        stream=letter,
        filename=letter_name,
        policy=policy,
        unit_id=designation.unit_id,
        agency_id=designation.agency_id,
    )
    report, task = record_report(
        session,
        user=user,
        designation=designation,
        on=on,
        result=result,
        lke_score=lke_score,
        letter=stored,
        note=note,
        today=today,
    )
    return report, stored, task


def _check_report(designation: Designation, on: date, lke_score: Decimal, today: date) -> None:
    problems = []
    if not designation.active:
        problems.append(_("Predikat ini sudah dicabut."))
    if on > today:
        problems.append(_("Tanggal laporan tidak boleh sesudah hari ini."))
    if on < designation.decree_date:
        problems.append(_("Tanggal laporan tidak boleh sebelum penetapan."))
    if not Decimal(0) <= lke_score <= Decimal(100):
        problems.append(_("Nilai LKE harus antara 0 dan 100."))
    if problems:
        raise ValidationError(" ".join(problems), problems=problems)


def record_report(
    session: Session,
    *,
    user: User,
    designation: Designation,
    on: date,
    result: MonitoringResult,
    lke_score: Decimal,
    letter: EvidenceFile,
    note: str,
    today: date,
) -> tuple[MonitoringReport, VerificationTask | None]:
    """Record the report on a letter already kept as evidence (``file_report`` stores it; the
    demo names a link). Raises ValidationError like ``file_report``."""
    _check_report(designation, on, lke_score, today)
    report = MonitoringReport(
        designation_id=designation.id,
        reported_on=on,
        result=result,
        note=note.strip(),
        reported_by_id=user.id,
    )
    session.add(report)
    session.flush()
    session.add(MonitoringFiling(report_id=report.id, lke_score=lke_score, letter_id=letter.id))
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="complaints:monitoring:file",
        subject=report,
        unit_id=designation.unit_id,
        agency_id=designation.agency_id,
        data={
            "designation": designation.id,
            "on": on,
            "result": result.value,
            "lke_score": str(lke_score),
            "letter": letter.public_id,
        },
    )
    _advance_enrolment(session, user, designation, report, today)
    task = None
    if rules.opens_verification(no_longer_meets=result is MonitoringResult.NO_LONGER_MEETS):
        task = open_task(
            session,
            user=user,
            designation=designation,
            reason=VerificationReason.NO_LONGER_MEETS,
            report_id=report.id,
            today=today,
        )
    return report, task


# The stages of a tracker-made enrolment whose designation is in force.
_DESIGNATED = frozenset({workflow.Stage.DESIGNATED, workflow.Stage.MONITORING})


def _advance_enrolment(
    session: Session, user: User, designation: Designation, report: MonitoringReport, today: date
) -> None:
    """One path for the 2-yearly report: a designation made in the tracker moves its enrolment
    from "designated" to "monitoring" through the workflow (``Action.REPORT_MONITORING``) in
    the same transaction, so its stage, "Tugas saya" and the report agree. A designation
    recorded from before the tracker has no enrolment to move. Raises what
    ``transitions.advance`` raises (the whole filing is then refused)."""
    if designation.enrolment_id is None:
        return
    enrolment = session.get(Enrolment, designation.enrolment_id)
    if enrolment is None or enrolment.stage not in _DESIGNATED:
        return
    transitions.advance(
        session,
        actor=actor_for(user, enrolment.unit),
        enrolment=enrolment,
        action=workflow.Action.REPORT_MONITORING,
        details=transitions.Details(
            note=report.note, on_date=report.reported_on, monitoring_result=report.result
        ),
        on=today,
    )


def decide(
    session: Session,
    *,
    user: User,
    task: VerificationTask,
    outcome: VerificationOutcome,
    coaching_until: date | None,
    note: str,
    today: date,
) -> VerificationTask:
    """Close the verification with its outcome. Raises InvalidTransitionError when it is
    closed already, ValidationError when coaching has no later deadline or no reasons."""
    if not task.open:
        raise InvalidTransitionError(_("Verifikasi ini sudah diputuskan."))
    problems = [
        _(p)
        for p in rules.outcome_problems(
            outcome, coaching_until=coaching_until, note=note, today=today
        )
    ]
    if problems:
        raise ValidationError(" ".join(problems), problems=problems)
    task.outcome = outcome
    task.coaching_until = coaching_until if outcome is VerificationOutcome.COACHING else None
    task.note = note.strip()
    task.decided_by_id = user.id
    task.decided_on = today
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="complaints:verification:decide",
        subject=task,
        unit_id=task.unit_id,
        agency_id=task.agency_id,
        data={
            "outcome": outcome.value,
            "coaching_until": task.coaching_until,
            "note": task.note,
        },
    )
    return task


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duty:
    """When the next report of ``designation`` is due, whether it is late, or paused."""

    designation: Designation
    last_report: date | None
    due: date
    overdue: bool
    paused: bool


@dataclass(frozen=True)
class Filed:
    report: MonitoringReport
    filing: MonitoringFiling | None


@dataclass(frozen=True)
class MonitoringPage:
    duties: list[Duty]
    reports: list[Filed]
    tasks: Sequence[VerificationTask]


def _proposed_for_wbbm(session: Session, unit_id: int) -> bool:
    found = session.scalar(
        select(Enrolment.id).where(
            Enrolment.unit_id == unit_id,
            Enrolment.target == Predicate.WBBM,
            Enrolment.stage.in_(list(workflow.PROPOSED_STAGES)),
        )
    )
    return found is not None


def page(session: Session, unit: Unit, today: date) -> MonitoringPage:
    """The unit's active predicates with their duty, its reports (with their filings) and its
    verification tasks, in a fixed number of queries."""
    designations = list(active_designations(session, unit.id))
    all_reports = list(
        session.scalars(
            select(MonitoringReport)
            .join(Designation, Designation.id == MonitoringReport.designation_id)
            .where(  # its own, and those of the predicates it carries (issue 17 §5)
                or_(
                    Designation.unit_id == unit.id,
                    Designation.id.in_([d.id for d in designations]),
                )
            )
            .order_by(MonitoringReport.reported_on.desc(), MonitoringReport.id.desc())
        )
    )
    filings = {
        f.report_id: f
        for f in session.scalars(
            select(MonitoringFiling).where(
                MonitoringFiling.report_id.in_([r.id for r in all_reports])
            )
        )
    }
    holds_wbbm = any(d.predicate is Predicate.WBBM for d in designations)
    proposed = _proposed_for_wbbm(session, unit.id) if designations and not holds_wbbm else False
    duties = []
    for d in designations:
        dates = [r.reported_on for r in all_reports if r.designation_id == d.id]
        due = workflow.monitoring_due(d.decree_date, dates)
        paused = workflow.monitoring_paused(
            holds_wbk_only=not holds_wbbm and d.predicate is Predicate.WBK,
            proposed_for_wbbm=proposed,
        )
        duties.append(
            Duty(d, max(dates) if dates else None, due, not paused and today > due, paused)
        )
    # A WBBM predicate rests on the WBK: report on the highest one only.
    duties = [d for d in duties if not holds_wbbm or d.designation.predicate is Predicate.WBBM]
    tasks = session.scalars(
        select(VerificationTask)
        .where(VerificationTask.unit_id == unit.id)
        .order_by(VerificationTask.outcome.is_not(None), VerificationTask.id.desc())
    ).all()
    return MonitoringPage(
        duties=duties,
        reports=[Filed(r, filings.get(r.id)) for r in all_reports],
        tasks=tasks,
    )


def get_task(session: Session, task_id: int) -> VerificationTask:
    task = session.get(VerificationTask, task_id)
    if task is None:
        raise NotFoundError(_("Tugas verifikasi tidak ditemukan."))
    return task


def designation_of_task(session: Session, task: VerificationTask) -> Designation:
    designation = session.get(Designation, task.designation_id)
    assert designation is not None  # a foreign key
    return designation


def letter_of(session: Session, unit: Unit, public_id: str) -> EvidenceFile:
    """A monitoring letter of ``unit`` by its public id. Raises NotFoundError."""
    row = session.scalars(
        select(EvidenceFile)
        .join(MonitoringFiling, MonitoringFiling.letter_id == EvidenceFile.id)
        .join(MonitoringReport, MonitoringReport.id == MonitoringFiling.report_id)
        .join(Designation, Designation.id == MonitoringReport.designation_id)
        .where(
            Designation.unit_id.in_(lineage.carrying_ids(unit.id)),
            EvidenceFile.public_id == public_id,
        )
    ).first()
    if row is None:
        raise NotFoundError(_("Berkas tidak ditemukan."))
    return row


def open_tasks_on_desk(
    session: Session, *, everything: bool, agency_ids: frozenset[int], limit: int = 20
) -> Sequence[VerificationTask]:
    """The open verification tasks of ``rules.verification_desk``'s scope, earliest due first."""
    if not everything and not agency_ids:
        return []
    params = {} if everything else {"agency_ids": sorted(agency_ids)}
    return session.scalars(_open_tasks(everything, limit), params).all()


@cache
def _open_tasks(everything: bool, limit: int) -> Select[VerificationTask]:
    """``open_tasks_on_desk``' statement, built once (the home page asks on every view)."""
    query = select(VerificationTask).where(VerificationTask.outcome.is_(None))
    if not everything:
        query = query.where(VerificationTask.agency_id.in_(bindparam("agency_ids", expanding=True)))
    return query.order_by(VerificationTask.due_on, VerificationTask.id).limit(limit)
