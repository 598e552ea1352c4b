"""Units joining a cycle: who may declare ZI (pencanangan), the declaration with its signed
documents, and a unit's enrolments.

Issue 15 §5: the pencanangan and the designation of the unit to build ZI (penetapan unit kerja,
90/2021 Tahap I and II) are the agency head's acts. The agency's leadership (``pimpinan`` with
scope over the unit) records them, with the decree (SK penetapan unit kerja: number, date, the
signed scan) and the signed Pakta Integritas / piagam pencanangan; an administrator may record
them on the leadership's behalf, and the audit record says so. Coordinators do not declare.

The decree's number and date live on the decree's evidence row (its ``description``, written by
``decree_description``) and in the declaration's audit record: no column of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.accreditation import signed_dates
from tracker.accreditation.context import Actor
from tracker.accreditation.designations import active_designation
from tracker.accreditation.models import Assessment, Cycle, Enrolment, Predicate
from tracker.accreditation.standing import MAX_DECREE_NUMBER
from tracker.accreditation.tiers import TierCode
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.models import RoleGrant, User
from tracker.auth.roles import Role
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence import uploads
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.services import Target
from tracker.evidence.storage import BlobStore
from tracker.evidence.uploads import Upload
from tracker.i18n import _

# Declaring ZI for a unit: its agency's leadership, or an administrator on their behalf.
DECLARE_ROLES = frozenset({Role.PIMPINAN, Role.ADMIN})

PAKTA_KEY = "pakta-integritas"  # the signed Pakta Integritas / piagam pencanangan
DECREE_KEY = "sk-penetapan-unit"  # the signed SK penetapan unit kerja pembangunan ZI


def may_declare(actor: Actor) -> bool:
    return bool(actor.roles & DECLARE_ROLES)


def ensure_may_declare(actor: Actor) -> None:
    """Raises NotAllowedError unless the actor may declare ZI for the unit."""
    if not may_declare(actor):
        raise NotAllowedError(
            _(
                "Pencanangan dan penetapan unit kerja dicatat oleh pimpinan instansi "
                "(atau administrator atas nama pimpinan)."
            )
        )


def on_behalf_of_leadership(actor: Actor) -> bool:
    """An administrator recording the declaration for the agency's leadership."""
    return Role.PIMPINAN not in actor.roles


def leadership_of(session: Session, unit: Unit) -> Sequence[User]:
    """Who records the unit's declaration: the active users holding ``pimpinan`` over its
    agency, by name."""
    return session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == Role.PIMPINAN,
            RoleGrant.agency_id == unit.agency_id,
            User.active.is_(True),
        )
        .order_by(User.full_name)
        .distinct()
    ).all()


def decree_description(number: str, on: date) -> str:
    """The decree's number and date as its evidence row records them."""
    return f"Nomor {number} tanggal {on.isoformat()}"


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
    decree_number: str = "",
    decree_date: date | None = None,
) -> Enrolment:
    """Declare ZI (pencanangan) for ``unit`` in ``cycle``, as the agency's leadership or an
    administrator on its behalf. Raises NotAllowedError, ConflictError, ValidationError.

    The unit's self-assessment tier starts empty. ``declare`` adds the signed documents in the
    same transaction; this alone serves imports and the demo, which link theirs afterwards.
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
        unit_decree_number=" ".join(decree_number.split()) or None,
        unit_decree_date=decree_date,
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
            "decree_number": decree_number.strip() or None,
            "decree_date": decree_date,
            # An administrator records the leadership's act for them (issue 15 §5).
            "on_behalf_of_leadership": on_behalf_of_leadership(actor),
        },
    )
    return enrolment


@dataclass(frozen=True)
class Declaration:
    enrolment: Enrolment
    pakta: EvidenceFile | None
    decree: EvidenceFile | None = None


@dataclass(frozen=True)
class SignedDocuments:
    """What the leadership brings to the declaration: the decree designating the unit
    (number, date, the signed scan or a link) and the signed Pakta Integritas / piagam."""

    decree_number: str
    decree_date: date
    decree: Upload | None
    decree_link: str | None
    pakta: Upload | None
    pakta_link: str | None


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
    documents: SignedDocuments,
    today: date,
    stored_keys: list[str | None],
) -> Declaration:
    """Record the pencanangan and the penetapan unit kerja with their signed documents: the
    enrolment, the decree and the Pakta are saved together or not at all. Raises
    NotAllowedError (not the leadership), ConflictError, ValidationError (no decree number, a
    date after ``today``, a document missing), RejectedFileError (a file the policy refuses).

    The caller runs this inside ``evidence.uploads.cleanup_on_failure`` with ``stored_keys``
    (which gets each stored blob's key at once, so a refused second file removes the first)
    and commits.
    """
    ensure_may_declare(actor)
    for what, upload, link in (
        (_("SK penetapan unit kerja"), documents.decree, documents.decree_link),
        (_("Pakta Integritas"), documents.pakta, documents.pakta_link),
    ):
        if not (upload is not None and upload.filename) and not link:
            raise ValidationError(_("Lampirkan %(what)s: berkas atau tautan.", what=what))
    number = documents.decree_number.strip()
    if not number:
        raise ValidationError(_("Isi nomor SK penetapan unit kerja pembangunan ZI."))
    if len(number) > MAX_DECREE_NUMBER:
        raise ValidationError(
            _("Nomor SK penetapan paling panjang %(n)s karakter.", n=MAX_DECREE_NUMBER)
        )
    future = [
        reason
        for day, what in (
            (documents.decree_date, _("Tanggal SK penetapan")),
            (declared_on, _("Tanggal pencanangan")),
        )
        if (reason := signed_dates.future_date_reason(day, today, what))
    ]
    if future:
        raise ValidationError(" ".join(future), problems=future)
    enrolment = enrol(
        session,
        actor=actor,
        cycle=cycle,
        unit=unit,
        target=target,
        declared_on=declared_on,
        note=note,
        decree_number=number,
        decree_date=documents.decree_date,
    )
    decree = uploads.attach(
        session,
        store=store,
        policy=policy,
        user=actor.user,
        enrolment=enrolment,
        target=Target(EvidencePurpose.PAKTA, document_key=DECREE_KEY),
        upload=documents.decree,
        link=documents.decree_link,
        title=_("SK penetapan unit kerja"),
        required=True,
    )
    stored_keys.append(decree.storage_key if decree else None)
    if decree is not None:
        decree.description = decree_description(number, documents.decree_date)
    pakta = uploads.attach(
        session,
        store=store,
        policy=policy,
        user=actor.user,
        enrolment=enrolment,
        target=Target(EvidencePurpose.PAKTA, document_key=PAKTA_KEY),
        upload=documents.pakta,
        link=documents.pakta_link,
        title=_("Pakta Integritas"),
        required=True,
    )
    stored_keys.append(pakta.storage_key if pakta else None)
    return Declaration(enrolment, pakta, decree)


def enrolments_of_unit(session: Session, unit_id: int) -> Sequence[Enrolment]:
    return session.scalars(
        select(Enrolment)
        .where(Enrolment.unit_id == unit_id)
        .join(Cycle)
        .order_by(Cycle.year.desc())
    ).all()
