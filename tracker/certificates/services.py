"""Issuing and reissuing certificates, and the settings they are printed with.

A certificate copies what it prints (names, decree, signatory, images by content hash) from the
designation and the settings at issue time, so it reads the same years later. Services flush and
never commit; the caller (a view, a CLI command, the DESIGNATE transition) commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.accreditation.models import Designation
from tracker.agencies.models import Agency, Unit
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.certificates import numbers
from tracker.certificates.document import (
    DEFAULT_PLACE,
    DEFAULT_SIGNATORY_TITLE,
    CertificateData,
    Image,
)
from tracker.certificates.models import Certificate, CertificateImage, Signatory
from tracker.clock import today
from tracker.errors import ConflictError, ValidationError
from tracker.i18n import _
from tracker.system import services as system

NUMBER_ATTEMPTS = 8  # 40 random bits per year and predicate: a second attempt is already rare


class SignatoryNotConfiguredError(ValidationError):
    """No signatory name has been set (administrator: Piagam → Pengaturan)."""


# --- issuing -----------------------------------------------------------------------------------


def issue_for_designation(
    session: Session, *, designation: Designation, user: User | None, issued_on: date | None = None
) -> Certificate:
    """Issue the first certificate of ``designation`` (called by the DESIGNATE transition).

    Raises ``ConflictError`` if the designation already has a certificate,
    ``SignatoryNotConfiguredError`` if no signatory is set, ``ValidationError`` if a printed
    field would not fit the page or the designation was recorded from before the tracker.
    """
    if designation.recorded:
        # D15: made before the tracker; the registry shows it as recorded, never as issued here.
        raise ValidationError(
            _(
                "Penetapan ini tercatat dari sebelum ZI Tracker; ZI Tracker tidak menerbitkan "
                "piagamnya."
            )
        )
    if designation.id is None:
        session.flush()
    if session.scalar(select(Certificate.id).where(Certificate.designation_id == designation.id)):
        raise ConflictError(_("Piagam untuk penetapan ini sudah diterbitkan."))
    certificate = _new_certificate(session, designation, user, issued_on)
    session.add(certificate)
    session.flush()
    _audit(session, user, "certificates:certificate:issue", certificate)
    return certificate


def reissue(
    session: Session,
    *,
    certificate: Certificate,
    user: User,
    reason: str,
    issued_on: date | None = None,
) -> Certificate:
    """Issue a corrected certificate with today's names and settings; the old one is replaced.

    Raises ``ValidationError`` (no reason, designation revoked), ``ConflictError`` (already
    replaced, also when someone else reissued it a moment earlier).
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Alasan penerbitan ulang wajib diisi."))
    if certificate.designation.revoked_on is not None:
        raise ValidationError(
            _("Penetapan unit ini sudah dicabut; piagamnya tidak diterbitkan ulang.")
        )
    if certificate.replaced_by is not None:
        raise ConflictError(_("Piagam ini sudah diganti dengan piagam lain."))
    new = _new_certificate(session, certificate.designation, user, issued_on)
    new.replaces, new.reissue_reason = certificate, reason[:1000]
    session.add(new)
    try:
        session.flush()
    except IntegrityError as err:  # unique replaces_id: a concurrent reissue won
        raise ConflictError(_("Piagam ini sudah diganti dengan piagam lain.")) from err
    _audit(session, user, "certificates:certificate:reissue", new, replaces=certificate.number)
    return new


def _new_certificate(
    session: Session, designation: Designation, user: User | None, issued_on: date | None
) -> Certificate:
    signatory = current_signatory(session)
    if signatory is None:
        raise SignatoryNotConfiguredError(
            _("Nama penandatangan piagam belum diatur (Piagam → Pengaturan).")
        )
    # Loaded by id: the caller may have loaded the designation without its relationships.
    unit = session.get(Unit, designation.unit_id)
    agency = session.get(Agency, designation.agency_id)
    assert unit is not None and agency is not None  # foreign keys
    certificate = Certificate(
        number=_unused_number(session, designation),
        designation=designation,
        unit_name=unit.name,
        agency_name=agency.name,
        predicate=designation.predicate,
        year=designation.year,
        decree_number=designation.decree_number,
        decree_date=designation.decree_date,
        snapshot_sha256=designation.snapshot_sha256,
        signatory_name=signatory.name,
        signatory_title=signatory.title,
        place=DEFAULT_PLACE,
        emblem=_agency_emblem(session, agency),
        signature=signatory.signature,
        issued_on=issued_on or today(),
        issued_by_id=user.id if user is not None else None,
        public_base_url=system.public_base_url(session),
    )
    _ensure_printable(certificate)
    return certificate


def _unused_number(session: Session, designation: Designation) -> str:
    for _attempt in range(NUMBER_ATTEMPTS):
        number = numbers.generate(designation.year, designation.predicate.value)
        if session.scalar(select(Certificate.id).where(Certificate.number == number)) is None:
            return number
    raise RuntimeError("no unused certificate number after several attempts")


def _ensure_printable(certificate: Certificate) -> None:
    """Build the renderer's input now, so a field that cannot be printed fails the issue and
    not, much later, somebody's batch print."""
    try:
        certificate_data(certificate, images={})
    except ValueError as err:
        raise ValidationError(
            _("Data piagam tidak dapat dicetak: %(error)s", error=str(err))
        ) from err


def _audit(session: Session, user: User | None, tag: str, certificate: Certificate, **extra):
    designation = certificate.designation
    audit.record(
        session,
        actor=user,
        tag=tag,
        subject=certificate,
        unit_id=designation.unit_id,
        agency_id=designation.agency_id,
        data={"number": certificate.number, "designation": designation.id, **extra},
    )


# --- what the renderer gets --------------------------------------------------------------------


def certificate_data(certificate: Certificate, images: dict[int, Image]) -> CertificateData:
    """The renderer's input for ``certificate``, with the verification URL it was issued with.
    ``images`` maps image ids to loaded images (see ``load_images``); an id missing from it is
    printed without that image.

    Raises ``ValueError`` if a stored field cannot be printed.
    """
    return CertificateData(
        number=certificate.number,
        unit_name=certificate.unit_name,
        agency_name=certificate.agency_name,
        predicate=certificate.predicate.value,
        year=certificate.year,
        decree_number=certificate.decree_number,
        decree_date=certificate.decree_date,
        issue_date=certificate.issued_on,
        signatory_name=certificate.signatory_name,
        signatory_title=certificate.signatory_title,
        place=certificate.place,
        verification_url=verification_url(certificate),
        snapshot_sha256=certificate.snapshot_sha256,
        emblem=images.get(certificate.emblem_id) if certificate.emblem_id else None,
        signature=images.get(certificate.signature_id) if certificate.signature_id else None,
    )


def verification_url(certificate: Certificate) -> str:
    """The public verification address printed and QR-encoded on ``certificate``: built on the
    public address in force when it was issued, never on today's."""
    return numbers.verification_url(certificate.public_base_url, certificate.number)


def load_images(session: Session, certificates: Iterable[Certificate]) -> dict[int, Image]:
    """Every image the certificates use, each loaded once (a batch shares one agency emblem)."""
    ids = {i for c in certificates for i in (c.emblem_id, c.signature_id) if i is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(CertificateImage.id, CertificateImage.data, CertificateImage.mime).where(
            CertificateImage.id.in_(ids)
        )
    )
    return {row.id: Image(row.data, row.mime) for row in rows}


# --- settings: signatory and agency emblems ----------------------------------------------------


def current_signatory(session: Session) -> Signatory | None:
    return session.scalars(select(Signatory).order_by(Signatory.id.desc()).limit(1)).first()


def set_signatory(
    session: Session,
    *,
    user: User | None,
    name: str,
    title: str = "",
    signature: Image | None = None,
    keep_signature: bool = True,
) -> Signatory:
    """Record who signs certificates from now on (issued certificates keep theirs).

    ``signature`` replaces the signature image; without one the current image is kept when
    ``keep_signature``, removed otherwise. Raises ``ValidationError`` for an empty or too long
    name or title.
    """
    name = _clean(name, _("Nama penandatangan"), 120)
    title = _clean(title or DEFAULT_SIGNATORY_TITLE, _("Jabatan penandatangan"), 200)
    previous = current_signatory(session)
    image: CertificateImage | None = None
    if signature is not None:
        image = store_image(session, signature)
    elif previous is not None and keep_signature:
        image = previous.signature
    row = Signatory(name=name, title=title, signature=image, set_by_id=user.id if user else None)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="certificates:signatory:update",
        subject=row,
        data={"name": name, "title": title, "signature": image.sha256 if image else None},
    )
    return row


def set_agency_logo(
    session: Session, *, user: User | None, agency: Agency, image: Image | None
) -> None:
    """Set (or, with ``image=None``, remove) the emblem printed on the agency's certificates
    from now on. Certificates already issued keep the emblem they were issued with."""
    agency.logo = image.data if image is not None else None
    agency.logo_mime = image.mime if image is not None else None
    stored = store_image(session, image) if image is not None else None
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="certificates:emblem:update",
        subject=agency,
        agency_id=agency.id,
        data={"sha256": stored.sha256 if stored else None},
    )


def agencies_with_emblem(session: Session) -> list[Agency]:
    stmt = select(Agency).where(Agency.logo_mime.is_not(None)).order_by(Agency.name)
    return list(session.scalars(stmt))


def store_image(session: Session, image: Image) -> CertificateImage:
    """The image's row, created on first use; identical content is stored once."""
    digest = image.digest
    found = session.scalar(select(CertificateImage).where(CertificateImage.sha256 == digest))
    if found is not None:
        return found
    row = CertificateImage(sha256=digest, mime=image.mime, size=len(image.data), data=image.data)
    try:
        with session.begin_nested():  # the same picture uploaded twice at once: keep one row
            session.add(row)
    except IntegrityError:
        return session.scalars(
            select(CertificateImage).where(CertificateImage.sha256 == digest)
        ).one()
    return row


def _agency_emblem(session: Session, agency: Agency) -> CertificateImage | None:
    if not agency.logo or not agency.logo_mime:
        return None
    try:
        image = Image(agency.logo, agency.logo_mime)
    except ValueError:
        return None  # an emblem that cannot be printed: use the default seal
    return store_image(session, image)


def _clean(value: str, label: str, limit: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError(_("%(field)s wajib diisi.", field=label))
    if len(value) > limit:
        raise ValidationError(_("%(field)s paling panjang %(n)s karakter.", field=label, n=limit))
    return value
