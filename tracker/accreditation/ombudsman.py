"""Issue 17 §4: the Ombudsman's service-compliance results of a unit, recorded by its agency.

Each result is one year's assessment: the zone (hijau, kuning, merah), the score 0–100 and
optionally the certificate the Ombudsman handed over, kept in the evidence store as a file of
no enrolment (like a recorded designation's scan). The unit's ZI page and the public
verification page show them beside the ZI predicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accreditation import clearance_rules as rules
from tracker.accreditation.clearance_rules import OmbudsmanZone
from tracker.accreditation.context import Actor
from tracker.accreditation.oversight_models import OmbudsmanResult
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.roles import Role
from tracker.errors import ConflictError, NotAllowedError, NotFoundError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.storage import BlobStore
from tracker.evidence.uploads import Upload
from tracker.i18n import _

# Who records a unit's Ombudsman result: the administrator, the agency's leadership, the unit's
# ZI coordinator.
RECORDERS = frozenset({Role.ADMIN, Role.PIMPINAN, Role.KOORDINATOR})
SHOWN_PUBLICLY = 3  # the latest results on the verification page
# How each zone is shown: green, amber, red.
ZONE_BADGES = {OmbudsmanZone.HIJAU: "ok", OmbudsmanZone.KUNING: "warn", OmbudsmanZone.MERAH: "bad"}


def may_record(actor: Actor) -> bool:
    return bool(actor.roles & RECORDERS)


def results_of(session: Session, unit_id: int) -> Sequence[OmbudsmanResult]:
    """The unit's results, newest year first (one query)."""
    return session.scalars(
        select(OmbudsmanResult)
        .where(OmbudsmanResult.unit_id == unit_id)
        .order_by(OmbudsmanResult.year.desc())
    ).all()


def latest_of(session: Session, unit_id: int) -> Sequence[OmbudsmanResult]:
    return results_of(session, unit_id)[:SHOWN_PUBLICLY]


def get(session: Session, unit: Unit, result_id: int) -> OmbudsmanResult:
    row = session.get(OmbudsmanResult, result_id)
    if row is None or row.unit_id != unit.id:
        raise NotFoundError(_("Hasil penilaian Ombudsman tidak ditemukan."))
    return row


def record(
    session: Session,
    store: BlobStore | None,
    policy: UploadPolicy | None,
    *,
    actor: Actor,
    unit: Unit,
    year: int | None,
    zone: OmbudsmanZone,
    score: str,
    certificate: Upload | None,
    today: date,
) -> tuple[OmbudsmanResult, EvidenceFile | None]:
    """Record one year's result with its optional certificate; returns it and the file stored
    now (the caller discards its blob if the commit fails). Raises NotAllowedError,
    ValidationError (year, score), ConflictError (that year is on file already) and what the
    upload raises for a refused file."""
    if not may_record(actor):
        raise NotAllowedError(
            _("Hasil penilaian Ombudsman dicatat oleh pimpinan instansi atau koordinator unit.")
        )
    problems = rules.ombudsman_problems(year, score, today)
    value = rules.parse_score(score)
    if problems or year is None or value is None:
        raise ValidationError(" ".join(problems), problems=problems)
    taken = session.scalar(
        select(OmbudsmanResult.id).where(
            OmbudsmanResult.unit_id == unit.id, OmbudsmanResult.year == year
        )
    )
    if taken is not None:
        raise ConflictError(
            _("Hasil penilaian Ombudsman %(year)s untuk unit ini sudah tercatat.", year=year)
        )
    stored = None
    if certificate is not None and certificate.filename:
        assert store is not None and policy is not None
        stored = evidence.store_unattached(
            session,
            store,
            user=actor.user,
            purpose=EvidencePurpose.OMBUDSMAN,
            stream=certificate.stream,
            filename=certificate.filename,
            policy=policy,
            unit_id=unit.id,
            agency_id=unit.agency_id,
        )
    row = OmbudsmanResult(
        unit_id=unit.id,
        agency_id=unit.agency_id,
        year=year,
        zone=zone,
        score=value,
        certificate_id=stored.id if stored is not None else None,
        recorded_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:ombudsman:record",
        subject=row,
        unit_id=unit.id,
        agency_id=unit.agency_id,
        data={
            "year": year,
            "zone": zone.value,
            "score": str(value),
            "certificate": stored.sha256 if stored is not None else None,
        },
    )
    return row, stored
