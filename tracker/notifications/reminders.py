"""Reminders the calendar sends: cycle deadlines 14, 7, 3 and 1 days ahead (extensions
counted, per agency), the 2-yearly monitoring report of each designated unit on the same days,
and PortalRB tokens expiring within 7 days.

Run daily (``tracker.notifications.tasks``) and safe to run as often as one likes: each
reminder's ``dedupe_key`` names its subject, its date and its day offset, so it reaches each
person once; a day the task did not run is caught up the next day under the same offset
(``events.reminder_offset``). An extended deadline has a new date, so its reminders start again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accreditation import cycles, designations, tiers
from tracker.accreditation.models import Designation, Enrolment
from tracker.accreditation.workflow import DEADLINE_LABELS, Deadline, Stage
from tracker.agencies.models import Unit
from tracker.auth.roles import Role
from tracker.i18n import N_
from tracker.notifications import recipients, services
from tracker.notifications.events import DEADLINE_OFFSETS, TOKEN_OFFSETS, EventKind, reminder_offset
from tracker.notifications.models import Notification
from tracker.portalrb.models import PortalrbToken

# Which deadline bounds the next step of a unit in each stage.
DEADLINE_FOR_STAGE: Mapping[Stage, Deadline] = {
    Stage.DECLARED: Deadline.SELF_ASSESSMENT_END,
    Stage.BUILDING: Deadline.SELF_ASSESSMENT_END,
    Stage.PRELIMINARY: Deadline.TPI_EVALUATION_END,
    Stage.TPI_EVALUATION: Deadline.TPI_EVALUATION_END,
    Stage.TPI_RECOMMENDED: Deadline.PROPOSAL,
    Stage.ADMIN_REJECTED: Deadline.APPEAL,
}
UNIT_ROLES = frozenset({Role.KOORDINATOR, Role.ANGGOTA_POKJA})


def remind_deadlines(session: Session, *, today: date) -> list[Notification]:
    """Remind the people who act next of each open cycle's deadline that bounds them."""
    told: list[Notification] = []
    for cycle in cycles.open_cycles(session):
        by_agency: dict[int, dict[Deadline, date | None]] = {}
        enrolments = session.scalars(
            select(Enrolment).where(
                Enrolment.cycle_id == cycle.id,
                Enrolment.stage.in_(list(DEADLINE_FOR_STAGE)),
            )
        )
        for enrolment in enrolments:
            deadline = DEADLINE_FOR_STAGE[enrolment.stage]
            if enrolment.agency_id not in by_agency:
                by_agency[enrolment.agency_id] = cycles.effective_deadlines(
                    session, cycle, enrolment.agency_id
                )
            due = by_agency[enrolment.agency_id][deadline]
            if due is not None:
                told += _remind(session, enrolment, deadline, due, today)
    return told


def _remind(
    session: Session, enrolment: Enrolment, deadline: Deadline, due: date, today: date
) -> list[Notification]:
    days = (due - today).days
    offset = reminder_offset(days, DEADLINE_OFFSETS)
    if offset is None:
        return []
    people = recipients.reaching(session, enrolment.unit_id, _roles(enrolment))
    return services.notify(
        session,
        event=EventKind.DEADLINE_REMINDER,
        recipients=people,
        subject_params={
            "deadline": DEADLINE_LABELS[deadline],
            "unit": enrolment.unit.name,
            "date": due.isoformat(),
            "days": days,
        },
        link=f"/enrolments/{enrolment.id}",
        dedupe_key=f"deadline:{enrolment.id}:{deadline.value}:{due.isoformat()}:{offset}",
    )


def _roles(enrolment: Enrolment) -> frozenset[Role]:
    """Who acts before the deadline: the unit, its reviewers of the moment, or its leadership."""
    if enrolment.stage in (Stage.TPI_RECOMMENDED, Stage.ADMIN_REJECTED):
        return frozenset({Role.PIMPINAN})
    deciding = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if deciding is not None and deciding.reviews:
        return frozenset(deciding.roles) | {Role.KOORDINATOR}
    return UNIT_ROLES


MONITORING_LABEL = N_("Laporan pemantauan 2 tahunan")


def remind_monitoring(session: Session, *, today: date) -> list[Notification]:
    """Remind the agency's TPI (who reports) and the unit's coordinators of each active
    designation's next monitoring report (Lampiran II Bab IV.A: at least every two years)."""
    told: list[Notification] = []
    for designation in session.scalars(select(Designation).where(Designation.revoked_on.is_(None))):
        due = designations.monitoring_status(session, designation, today).due
        days = (due - today).days
        offset = reminder_offset(days, DEADLINE_OFFSETS)
        if offset is None:
            continue
        people = recipients.reaching(session, designation.unit_id, {Role.TPI, Role.KOORDINATOR})
        unit = session.get(Unit, designation.unit_id)
        told += services.notify(
            session,
            event=EventKind.DEADLINE_REMINDER,
            recipients=people,
            subject_params={
                "deadline": MONITORING_LABEL,
                "unit": unit.name if unit else "-",
                "date": due.isoformat(),
                "days": days,
            },
            link=_designation_link(designation),
            dedupe_key=f"monitoring:{designation.id}:{due.isoformat()}:{offset}",
        )
    return told


def _designation_link(designation: Designation) -> str:
    if designation.enrolment_id:
        return f"/enrolments/{designation.enrolment_id}"
    return f"/units/{designation.unit_id}"


def remind_tokens(session: Session, *, today: date) -> list[Notification]:
    """Tell the agency's leadership and the administrators of tokens about to expire."""
    tokens = session.scalars(
        select(PortalrbToken).where(
            PortalrbToken.revoked_at.is_(None),
            PortalrbToken.expires_on.is_not(None),
            PortalrbToken.expires_on >= today,
        )
    )
    told: list[Notification] = []
    for token in tokens:
        if token.expires_on is None:
            continue
        days = (token.expires_on - today).days
        offset = reminder_offset(days, TOKEN_OFFSETS)
        if offset is None:
            continue
        people = recipients.of_agency(session, token.agency_id, {Role.PIMPINAN})
        told += services.notify(
            session,
            event=EventKind.TOKEN_EXPIRING,
            recipients=people + recipients.admins(session),
            subject_params={
                "token": f"{token.name} ({token.prefix}…)",
                "agency": token.agency.name,
                "date": token.expires_on.isoformat(),
                "days": days,
            },
            link=f"/agencies/{token.agency_id}/portalrb",
            dedupe_key=f"token:{token.id}:{token.expires_on.isoformat()}:{offset}",
        )
    return told
