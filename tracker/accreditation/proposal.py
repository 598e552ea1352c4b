"""Recording the §3.2 proposal prerequisites of an enrolment, and what is still unmet (D10)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session, contains_eager

from tracker.accreditation import prerequisites
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Enrolment, Prerequisite
from tracker.audit import services as audit
from tracker.auth.roles import Role
from tracker.errors import NotAllowedError, NotFoundError
from tracker.evidence.models import EvidenceFile, EvidencePurpose, EvidenceStatus
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
        _recorded(),
        {
            "cycle_id": enrolment.cycle_id,
            "agency_id": enrolment.agency_id,
            "unit_id": enrolment.unit_id,
        },
    )
    by_code: dict[str, Prerequisite] = {}
    for row in rows:
        if row.unit_id is None or row.unit_id == enrolment.unit_id:
            by_code[row.code] = row
    return by_code


@cache
def _recorded() -> Select[Prerequisite]:
    """Built once: the LKE page asks on every view (issue 18 §3)."""
    return select(Prerequisite).where(
        Prerequisite.cycle_id == bindparam("cycle_id"),
        Prerequisite.agency_id == bindparam("agency_id"),
        or_(Prerequisite.unit_id.is_(None), Prerequisite.unit_id == bindparam("unit_id")),
    )


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
    files: Sequence[EvidenceFile] = field(default=())  # its current files and links, oldest first


def document_key(code: str) -> str:
    """The evidence document key of a prerequisite (``rb.index`` -> ``rb-index``)."""
    return code.replace("_", "-").replace(".", "-")


def statuses(session: Session, enrolment: Enrolment) -> list[Status]:
    rows = recorded(session, enrolment)
    files = evidence_files(session, enrolment, rows)
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
            files.get(spec.code, ()),
        )
        for spec in specs(enrolment)
    ]


def evidence_files(
    session: Session, enrolment: Enrolment, rows: dict[str, Prerequisite] | None = None
) -> dict[str, list[EvidenceFile]]:
    """The current files and links of each prerequisite the enrolment's page shows, by code:
    the unit's own, and for an agency-level one those recorded from any enrolment of the
    agency in the cycle. One query (two when ``rows`` is not given)."""
    rows = recorded(session, enrolment) if rows is None else rows
    by_key = {document_key(s.code): s for s in specs(enrolment)}
    found = session.scalars(
        select(EvidenceFile)
        .join(Enrolment, EvidenceFile.enrolment_id == Enrolment.id)
        .where(
            Enrolment.cycle_id == enrolment.cycle_id,
            Enrolment.agency_id == enrolment.agency_id,
            EvidenceFile.purpose == EvidencePurpose.PREREQUISITE,
            or_(
                EvidenceFile.status == EvidenceStatus.ACTIVE,
                EvidenceFile.id.in_([r.evidence_id for r in rows.values() if r.evidence_id]),
            ),
        )
        .options(contains_eager(EvidenceFile.enrolment))
        .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)
    )
    out: dict[str, list[EvidenceFile]] = {}
    for file in found:
        spec = by_key.get((file.document_key or "").replace("_", "-"))
        if spec is None or file.enrolment is None:
            continue
        if spec.level == "unit" and file.enrolment.unit_id != enrolment.unit_id:
            continue
        out.setdefault(spec.code, []).append(file)
    return out


def evidence_file(session: Session, enrolment: Enrolment, public_id: str) -> EvidenceFile:
    """A stored file of a prerequisite the enrolment's page lists. Raises NotFoundError."""
    for files in evidence_files(session, enrolment).values():
        for file in files:
            if file.public_id == public_id and file.storage_key is not None:
                return file
    raise NotFoundError(_("Berkas bukti tidak ditemukan."))


def record(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    code: str,
    value: str,
    note: str | None,
    evidence: EvidenceFile | None,
) -> Prerequisite:
    """Record (or update) one prerequisite with its evidence, added to the files it has.
    ``note`` None keeps the recorded note (a form that did not send one); a text, even empty,
    replaces it. Raises ValidationError, NotAllowedError, NotFoundError."""
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
    row.value, row.recorded_by_id = prerequisites.normalise(spec, value), actor.id
    if note is not None:
        row.note = note.strip()
    elif row.note is None:  # a new row: the column default applies only at the insert
        row.note = ""
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
