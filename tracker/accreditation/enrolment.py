"""Units joining a cycle: who may declare ZI (pencanangan), the declaration with its Pakta
Integritas, and a unit's enrolments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.accreditation.context import Actor
from tracker.accreditation.designations import active_designation
from tracker.accreditation.models import Assessment, Cycle, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.models import RoleGrant
from tracker.auth.roles import Role
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence import uploads
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.services import Target
from tracker.evidence.storage import BlobStore
from tracker.evidence.uploads import Upload
from tracker.i18n import _

# Declaring ZI for a unit: its coordinator, its agency's leadership, or an administrator.
DECLARE_ROLES = frozenset({Role.KOORDINATOR, Role.PIMPINAN, Role.ADMIN})


def may_declare(actor: Actor) -> bool:
    return bool(actor.roles & DECLARE_ROLES)


def ensure_may_declare(actor: Actor) -> None:
    """Raises NotAllowedError unless the actor may declare ZI for the unit."""
    if not may_declare(actor):
        raise NotAllowedError(
            _(
                "Hanya koordinator unit, pimpinan instansi atau administrator "
                "yang dapat mencatat pencanangan."
            )
        )


def has_parent_assessor(session: Session, unit: Unit) -> bool:
    """Whether a preliminary assessor is assigned to a unit above this one (90/2021 Lamp. II)."""
    if not unit.ancestor_ids:
        return False
    return bool(
        session.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(
                RoleGrant.role == Role.PENILAI_PENDAHULUAN, RoleGrant.unit_id.in_(unit.ancestor_ids)
            )
        )
    )


def enrol(
    session: Session,
    *,
    actor: Actor,
    cycle: Cycle,
    unit: Unit,
    target: Predicate,
    declared_on: date,
    note: str = "",
) -> Enrolment:
    """Declare ZI (pencanangan) for ``unit`` in ``cycle``. Raises NotAllowedError,
    ConflictError, ValidationError.

    The unit's self-assessment tier starts empty. ``declare`` adds the Pakta Integritas in the
    same transaction; this alone serves imports and the demo, which bring none.
    """
    ensure_may_declare(actor)
    if not cycle.open:
        raise ValidationError(_("Siklus %(year)s sudah ditutup.", year=cycle.year))
    if session.scalar(
        select(Enrolment.id).where(Enrolment.cycle_id == cycle.id, Enrolment.unit_id == unit.id)
    ):
        raise ConflictError(
            _("%(unit)s sudah terdaftar pada siklus %(year)s.", unit=unit.name, year=cycle.year)
        )
    # D9, D15: WBBM builds on an active WBK (one recorded from before the tracker counts), and
    # a unit that holds one is not built toward WBK again.
    active_wbk = active_designation(session, unit.id, Predicate.WBK)
    if target is Predicate.WBBM and active_wbk is None:
        raise ValidationError(
            _(
                "Pembangunan menuju WBBM hanya dapat dimulai dari predikat "
                "Menuju WBK yang masih berlaku."
            )
        )
    if target is Predicate.WBK and active_wbk is not None:
        raise ValidationError(
            _(
                "%(unit)s masih berpredikat Menuju WBK (%(year)s) yang berlaku; pilih target "
                "menuju WBBM.",
                unit=unit.name,
                year=active_wbk.year,
            )
        )
    enrolment = Enrolment(
        cycle=cycle,
        unit=unit,
        agency_id=unit.agency_id,
        target=target,
        declared_on=declared_on,
        declaration_note=note.strip(),
        needs_preliminary=has_parent_assessor(session, unit),
        created_by_id=actor.id,
    )
    session.add(enrolment)
    session.flush()
    session.add(Assessment(enrolment_id=enrolment.id, tier=TierCode.UNIT))
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:enrolment:declare",
        subject=enrolment,
        unit_id=unit.id,
        agency_id=unit.agency_id,
        data={
            "cycle": cycle.year,
            "target": target.value,
            "declared_on": declared_on,
            "needs_preliminary": enrolment.needs_preliminary,
        },
    )
    return enrolment


@dataclass(frozen=True)
class Declaration:
    enrolment: Enrolment
    pakta: EvidenceFile | None  # the caller discards its blob if the commit fails


def declare(
    session: Session,
    store: BlobStore,
    policy: UploadPolicy,
    *,
    actor: Actor,
    cycle: Cycle,
    unit: Unit,
    target: Predicate,
    declared_on: date,
    note: str,
    pakta: Upload | None,
    pakta_link: str | None,
) -> Declaration:
    """Declare ZI with the Pakta Integritas (an uploaded file or a link): the enrolment and
    its Pakta are saved together or not at all. Raises NotAllowedError, ConflictError,
    ValidationError (no Pakta given), RejectedFileError (a file the policy refuses).

    The caller runs this inside ``evidence.uploads.cleanup_on_failure`` and commits.
    """
    enrolment = enrol(
        session,
        actor=actor,
        cycle=cycle,
        unit=unit,
        target=target,
        declared_on=declared_on,
        note=note,
    )
    document = uploads.attach(
        session,
        store=store,
        policy=policy,
        user=actor.user,
        enrolment=enrolment,
        target=Target(EvidencePurpose.PAKTA, document_key="pakta-integritas"),
        upload=pakta,
        link=pakta_link,
        title=_("Pakta Integritas"),
        required=True,
    )
    return Declaration(enrolment, document)


def enrolments_of_unit(session: Session, unit_id: int) -> Sequence[Enrolment]:
    return session.scalars(
        select(Enrolment)
        .where(Enrolment.unit_id == unit_id)
        .join(Cycle)
        .order_by(Cycle.year.desc())
    ).all()
