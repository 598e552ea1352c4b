"""A world every route can be asked about: an enrolment building its LKE, an uploaded file and a
link, a designation with its certificate (signatory, signature and emblem set), and people of
every kind around the Polres: its own roles, a sibling unit, another agency."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tests.evidence.evidence_samples import pdf_bytes, png_bytes
from tests.world import World, world  # noqa: F401 - fixture
from tracker.accreditation.models import Designation, Predicate
from tracker.auth.roles import Role
from tracker.certificates import services as certificates
from tracker.certificates.document import Image
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.services import UploadPolicy
from tracker.evidence.storage import LocalEvidenceStore
from tracker.notifications import services as notifications
from tracker.notifications.events import EventKind
from tracker.portalrb import tokens as portalrb_tokens


@pytest.fixture
def route_world(world: World, factory, session, settings):  # noqa: F811
    """(personas by name, values for every URL argument the app's routes take)."""
    e = world.building()
    evidence.add_link(
        session,
        user=world.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.a"),
        url="https://example.go.id/bukti",
        title="bukti",
    )
    upload = evidence.upload(
        session,
        LocalEvidenceStore(settings.evidence_dir),
        user=world.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.b"),
        stream=io.BytesIO(pdf_bytes("rute")),
        filename="sk.pdf",
        policy=UploadPolicy(10**7, DEFAULT_ALLOW_LIST),
    )
    prerequisite_file = evidence.upload(  # an agency-level prerequisite's proof (issue 14 §2)
        session,
        LocalEvidenceStore(settings.evidence_dir),
        user=world.pimpinan,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.PREREQUISITE, document_key="agency-bpk-opinion"),
        stream=io.BytesIO(pdf_bytes("opini")),
        filename="opini.pdf",
        policy=UploadPolicy(10**7, DEFAULT_ALLOW_LIST),
    )
    designation = Designation(
        unit_id=world.polres.id,
        agency_id=world.agency.id,
        predicate=Predicate.WBK,
        year=2025,
        decree_number="77/2025",
        decree_date=date(2025, 12, 10),
        snapshot_sha256="a" * 64,
    )
    session.add(designation)
    picture = Image(png_bytes(), "image/png")
    certificates.set_signatory(session, user=world.admin, name="Menteri PANRB", signature=picture)
    certificates.set_agency_logo(session, user=world.admin, agency=world.agency, image=picture)
    certificate = certificates.issue_for_designation(
        session, designation=designation, user=world.admin
    )
    token = portalrb_tokens.create_token(
        session,
        user=world.admin,
        agency=world.agency,
        name="PortalRB",
        expires_on=None,
        today=world.cycle.self_assessment_start,
    )
    session.commit()
    other_agency = factory.agency("Instansi Lain")
    personas = {
        "admin": world.admin,
        "tpn": world.tpn,
        "tpi": world.tpi,
        "pimpinan": world.pimpinan,
        "penilai": world.penilai,
        "koordinator": world.koordinator,
        "pokja": world.pokja,
        "sibling": factory.user((Role.KOORDINATOR, world.sibling)),
        "tpi_other": factory.user((Role.TPI, other_agency)),
        "pimpinan_other": factory.user((Role.PIMPINAN, other_agency)),
    }
    values = {
        "enrolment_id": e.id,
        "unit_id": world.polres.id,
        "agency_id": world.agency.id,
        "user_id": world.koordinator.id,
        "grant_id": world.koordinator.grants[0].id,
        "cycle_id": world.cycle.id,
        "code": "A.I.1.i.a",
        "tier": "unit",
        "area": "1",
        "key": "team-decree-sk-tim-kerja-zi",
        "public_id": upload.public_id,
        "file_id": prerequisite_file.public_id,
        "number": certificate.number,
        "designation_id": designation.id,
        "filename": "css/app.css",
        "lang": "en",
        "token_id": token.row.id,
        "notification_id": _notification_for(session, world.koordinator),
    }
    return personas, values


def _notification_for(session, user) -> int:
    """One of the coordinator's notifications (issue 15 §2): only they may open it."""
    [row] = notifications.notify(
        session,
        event=EventKind.DESIGNATED,
        recipients=[user],
        subject_params={"unit": "Polres Uji"},
        link="/",
        dedupe_key="access-matrix",
    )
    session.commit()
    return row.id
