"""Issuing and reissuing certificates; the settings they are printed with."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.certificates.conftest import SIGNATORY, CertWorld
from tracker.accreditation.models import Predicate
from tracker.agencies import services as agencies
from tracker.audit.models import AuditEvent
from tracker.certificates import numbers, queries, services
from tracker.certificates.document import DEFAULT_SIGNATORY_TITLE, Image
from tracker.certificates.models import Certificate, CertificateImage
from tracker.certificates.status import CertificateStatus
from tracker.errors import ConflictError, ValidationError


def png(colour: tuple[int, int, int]) -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 60), colour).save(buffer, "PNG")
    return Image(buffer.getvalue(), "image/png")


def test_issuing_copies_the_d11_fields(cw: CertWorld) -> None:
    designation = cw.designate(predicate=Predicate.WBBM, year=2019)
    certificate = services.issue_for_designation(
        cw.session, designation=designation, user=cw.tpn, issued_on=date(2019, 12, 10)
    )
    assert numbers.normalize(certificate.number) == certificate.number
    assert certificate.number.startswith("ZI-2019-WBBM-")
    assert (certificate.unit_name, certificate.agency_name) == (cw.unit.name, cw.agency.name)
    assert (certificate.predicate, certificate.year) == (Predicate.WBBM, 2019)
    assert certificate.decree_number == designation.decree_number
    assert certificate.decree_date == designation.decree_date
    assert certificate.snapshot_sha256 == designation.snapshot_sha256
    assert (certificate.signatory_name, certificate.signatory_title) == (
        SIGNATORY,
        DEFAULT_SIGNATORY_TITLE,
    )
    assert certificate.issued_on == date(2019, 12, 10) and certificate.issued_by_id == cw.tpn.id
    assert queries.status(certificate) is CertificateStatus.VALID


def test_issuing_is_audited(cw: CertWorld) -> None:
    certificate = cw.certificate()
    event = cw.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "certificates:certificate:issue")
    ).one()
    assert event.data["number"] == certificate.number
    assert event.agency_id == cw.agency.id and event.actor_name == "sistem"


def test_a_designation_gets_one_first_certificate(cw: CertWorld) -> None:
    certificate = cw.certificate()
    with pytest.raises(ConflictError):
        services.issue_for_designation(
            cw.session, designation=certificate.designation, user=cw.admin
        )


def test_the_database_refuses_a_second_original(cw: CertWorld) -> None:
    first = cw.certificate()
    twin = Certificate(
        **{
            column: getattr(first, column)
            for column in (
                "designation_id",
                "unit_name",
                "agency_name",
                "predicate",
                "year",
                "decree_number",
                "decree_date",
                "snapshot_sha256",
                "signatory_name",
                "signatory_title",
                "place",
                "issued_on",
            )
        },
        number=numbers.generate(2019, "WBK"),
    )
    cw.session.add(twin)
    with pytest.raises(IntegrityError):
        cw.session.flush()
    cw.session.rollback()


def test_issuing_needs_a_signatory(session, factory) -> None:
    designation = CertWorld(session, factory).designate()
    with pytest.raises(services.SignatoryNotConfiguredError):
        services.issue_for_designation(session, designation=designation, user=None)


def test_a_name_that_cannot_be_printed_fails_the_issue(cw: CertWorld) -> None:
    long_unit = cw.factory.unit(cw.agency, "Unit " + "Sangat Panjang " * 12, "Unit")
    with pytest.raises(ValidationError, match="tidak dapat dicetak"):
        services.issue_for_designation(
            cw.session, designation=cw.designate(long_unit), user=cw.admin
        )


def test_reissue_takes_todays_names_and_replaces_the_old_one(cw: CertWorld) -> None:
    old = cw.certificate()
    agencies.update_unit(
        cw.session, cw.unit, user=cw.admin, name="Polres Metro Uji", kind="Polres", parent=None
    )
    services.set_signatory(cw.session, user=cw.admin, name="Dr. Penanda Baru")
    new = services.reissue(cw.session, certificate=old, user=cw.tpn, reason="Nama unit salah ketik")
    cw.session.commit()
    assert new.replaces is old and old.replaced_by is new and new.number != old.number
    assert (old.unit_name, new.unit_name) == ("Polres Metro Uji Kota", "Polres Metro Uji")
    assert (old.signatory_name, new.signatory_name) == (SIGNATORY, "Dr. Penanda Baru")
    assert new.reissue_reason == "Nama unit salah ketik"
    assert queries.status(old) is CertificateStatus.REPLACED
    assert queries.status(new) is CertificateStatus.VALID
    assert [c.number for c in queries.chain_of(cw.session, new)] == [old.number, new.number]


def test_a_certificate_is_replaced_only_once(cw: CertWorld) -> None:
    old = cw.certificate()
    services.reissue(cw.session, certificate=old, user=cw.tpn, reason="Koreksi")
    with pytest.raises(ConflictError):
        services.reissue(cw.session, certificate=old, user=cw.tpn, reason="Lagi")


@pytest.mark.parametrize("reason", ["", "   "])
def test_reissue_needs_a_reason(cw: CertWorld, reason: str) -> None:
    with pytest.raises(ValidationError):
        services.reissue(cw.session, certificate=cw.certificate(), user=cw.tpn, reason=reason)


def test_a_revoked_designation_is_not_reissued(cw: CertWorld) -> None:
    certificate = cw.certificate(revoked_on=date(2022, 6, 30), reason="Uji")
    assert queries.status(certificate) is CertificateStatus.REVOKED
    with pytest.raises(ValidationError):
        services.reissue(cw.session, certificate=certificate, user=cw.tpn, reason="Koreksi")


def test_certificates_keep_the_emblem_they_were_issued_with(cw: CertWorld) -> None:
    green, red = png((0, 120, 60)), png((200, 0, 0))
    services.set_agency_logo(cw.session, user=cw.admin, agency=cw.agency, image=green)
    first = cw.certificate()
    services.set_agency_logo(cw.session, user=cw.admin, agency=cw.agency, image=red)
    second = cw.certificate(year=2020)
    images = services.load_images(cw.session, [first, second])
    assert images[first.emblem_id].data == green.data
    assert images[second.emblem_id].data == red.data
    services.set_agency_logo(cw.session, user=cw.admin, agency=cw.agency, image=None)
    assert cw.certificate(year=2021).emblem_id is None


def test_identical_images_are_stored_once(cw: CertWorld) -> None:
    logo = png((1, 2, 3))
    services.set_agency_logo(cw.session, user=cw.admin, agency=cw.agency, image=logo)
    services.set_agency_logo(cw.session, user=cw.admin, agency=cw.other_agency, image=logo)
    rows = cw.session.scalars(
        select(CertificateImage).where(CertificateImage.sha256 == logo.digest)
    ).all()
    assert len(rows) == 1


def test_signature_is_kept_replaced_or_removed(cw: CertWorld) -> None:
    first = services.set_signatory(cw.session, user=cw.admin, name="A", signature=png((0, 0, 90)))
    kept = services.set_signatory(cw.session, user=cw.admin, name="B", title="Ketua TPN")
    removed = services.set_signatory(cw.session, user=cw.admin, name="C", keep_signature=False)
    assert first.signature is not None and kept.signature is first.signature
    assert kept.title == "Ketua TPN" and removed.signature is None
    assert services.current_signatory(cw.session) is removed


@pytest.mark.parametrize("name", ["", "x" * 121])
def test_signatory_name_is_required_and_bounded(cw: CertWorld, name: str) -> None:
    with pytest.raises(ValidationError):
        services.set_signatory(cw.session, user=cw.admin, name=name)


def test_certificate_data_carries_the_verification_url_it_was_issued_with(cw: CertWorld) -> None:
    certificate = cw.certificate()
    certificate.public_base_url = "https://zi.example.go.id"
    data = services.certificate_data(certificate, {})
    assert data.verification_url == f"https://zi.example.go.id/verify/{certificate.number}"
    assert data.snapshot_sha256 == certificate.snapshot_sha256
