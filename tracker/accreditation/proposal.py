"""Recording the §3.2 proposal prerequisites of an enrolment, and what is still unmet (D10)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.accreditation import prerequisites
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Enrolment, Prerequisite
from tracker.audit import services as audit
from tracker.auth.roles import Role
from tracker.errors import NotAllowedError, NotFoundError
from tracker.evidence.models import EvidenceFile
from tracker.i18n import _

# Agency-level facts are the agency's to state; unit-level ones also the unit coordinator's.
RECORDERS = {
    "agency": frozenset({Role.PIMPINAN, Role.ADMIN}),
    "unit": frozenset({Role.PIMPINAN, Role.ADMIN, Role.KOORDINATOR}),
}


def specs(enrolment: Enrolment) -> tuple[prerequisites.Spec, ...]:
    return prerequisites.parse_catalogue(
        enrolment.cycle.framework.definition.get("prerequisites", [])
    )


def recorded(session: Session, enrolment: Enrolment) -> dict[str, Prerequisite]:
    rows = session.scalars(
        select(Prerequisite).where(
            Prerequisite.cycle_id == enrolment.cycle_id,
            Prerequisite.agency_id == enrolment.agency_id,
            or_(Prerequisite.unit_id.is_(None), Prerequisite.unit_id == enrolment.unit_id),
        )
    )
    by_code: dict[str, Prerequisite] = {}
    for row in rows:
        if row.unit_id is None or row.unit_id == enrolment.unit_id:
            by_code[row.code] = row
    return by_code


def unmet(session: Session, enrolment: Enrolment) -> list[str]:
    rows = recorded(session, enrolment)
    facts = {c: prerequisites.Recorded(r.value, r.evidence_id is not None) for c, r in rows.items()}
    return prerequisites.unmet(
        specs(enrolment), facts, enrolment.target.value, enrolment.agency.kind.value
    )


@dataclass(frozen=True)
class Status:
    spec: prerequisites.Spec
    row: Prerequisite | None
    met: bool
    minimum: object


def statuses(session: Session, enrolment: Enrolment) -> list[Status]:
    rows = recorded(session, enrolment)
    kind, target = enrolment.agency.kind.value, enrolment.target.value
    return [
        Status(
            spec,
            rows.get(spec.code),
            bool(
                rows.get(spec.code)
                and rows[spec.code].evidence_id
                and prerequisites.is_met(spec, rows[spec.code].value, target, kind)
            ),
            spec.minimum_for(target, kind),
        )
        for spec in specs(enrolment)
    ]


def record(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    code: str,
    value: str,
    note: str,
    evidence: EvidenceFile | None,
) -> Prerequisite:
    """Record (or update) one prerequisite with its evidence. Raises ValidationError,
    NotAllowedError, NotFoundError."""
    spec = next((s for s in specs(enrolment) if s.code == code), None)
    if spec is None:
        raise NotFoundError(_("Persyaratan tidak dikenal."))
    if not actor.roles & RECORDERS[spec.level]:
        raise NotAllowedError(_("Peran Anda tidak dapat mencatat persyaratan ini."))
    unit_id = enrolment.unit_id if spec.level == "unit" else None
    row = session.scalars(
        select(Prerequisite).where(
            Prerequisite.cycle_id == enrolment.cycle_id,
            Prerequisite.agency_id == enrolment.agency_id,
            Prerequisite.code == code,
            Prerequisite.unit_id.is_(None) if unit_id is None else Prerequisite.unit_id == unit_id,
        )
    ).first()
    old = row.value if row else None
    if row is None:
        row = Prerequisite(
            cycle_id=enrolment.cycle_id,
            agency_id=enrolment.agency_id,
            unit_id=unit_id,
            code=code,
            value="",
            recorded_by_id=actor.id,
        )
        session.add(row)
    row.value, row.note, row.recorded_by_id = (
        prerequisites.normalise(spec, value),
        note.strip(),
        actor.id,
    )
    if evidence is not None:
        row.evidence_id = evidence.id
    session.flush()
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:prerequisite:record",
        subject=row,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={
            "code": code,
            "label": spec.label,
            "old": old,
            "value": row.value,
            "evidence": evidence.public_id if evidence else None,
        },
    )
    return row
