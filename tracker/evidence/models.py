"""Evidence rows: what was uploaded, for which item and document, in which version."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import Base, intpk, utcnow

if TYPE_CHECKING:
    # Named, not imported: accreditation depends on evidence (its pages list the files, its
    # snapshots freeze them), so evidence's models and services must not import it back.
    from tracker.accreditation.models import Enrolment


class EvidencePurpose(enum.StrEnum):
    ITEM = "item"  # bukti dukung of an LKE item
    PAKTA = "pakta"  # Pakta Integritas at the declaration
    PREREQUISITE = "prerequisite"  # §3.2 proposal prerequisite
    LHE = "lhe"  # laporan hasil evaluasi (internal or TPN)
    MONITORING = "monitoring"
    SURVEY = "survey"  # survey report behind IPAK / IPKP (D7)
    PROPOSAL = "proposal"  # proposal letter, SPTJM
    CORRECTIONS = "corrections"  # administrative-selection corrections / appeal
    DESIGNATION = "designation"  # scanned certificate of a designation made before the tracker
    CLEARANCE = "clearance"  # an overseer's answer to TPN's clearance request (issue 17 §1)
    OMBUDSMAN = "ombudsman"  # the Ombudsman's compliance certificate of a unit (issue 17 §4)
    COMPLAINT = "complaint"  # a file documenting a complaint (issue 17 §2)


class EvidenceStatus(enum.StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"  # replaced by a newer version of the same file (its series)
    WITHDRAWN = "withdrawn"  # taken back by its uploader before the hand-off


class EvidenceFile(Base):
    """One version of an uploaded file (or recorded link). Download URLs use ``public_id``,
    never ``id``.

    An expected document holds several files; each file is a *series* of versions (issue 14
    §2): ``series`` is the ``public_id`` of its first version, and replacing the file adds the
    next version of the series and supersedes the current one. Adding a file starts a series.
    """

    __tablename__ = "evidence_files"
    __table_args__ = (
        Index("ix_evidence_files_item", "enrolment_id", "item_code", "document_key"),
        # Two simultaneous replacements of one file cannot both win.
        UniqueConstraint("series", "version"),
    )

    id: Mapped[intpk]
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # None only for the scanned certificate of a designation recorded from before the tracker
    # (D15), which belongs to no enrolment; the designation points at it (``scan_id``).
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), index=True)
    purpose: Mapped[EvidencePurpose]
    item_code: Mapped[str | None] = mapped_column(String(40))
    document_key: Mapped[str | None] = mapped_column(String(80))
    series: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[EvidenceStatus] = mapped_column(default=EvidenceStatus.ACTIVE)
    storage_key: Mapped[str | None] = mapped_column(String(120), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(120))
    original_name: Mapped[str] = mapped_column(String(255))
    link_url: Mapped[str | None] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")
    # Set at the first hand-off that includes the file: from then on it cannot be withdrawn.
    frozen: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    uploaded_by: Mapped[User] = relationship(lazy="joined")
    enrolment: Mapped[Enrolment | None] = relationship("Enrolment")
    # Every version of this file, newest first (this one included). Read-only; the LKE page
    # loads them with its files in one query (``services.active_files``).
    versions: Mapped[list[EvidenceFile]] = relationship(
        "EvidenceFile",
        primaryjoin="EvidenceFile.series == foreign(remote(EvidenceFile.series))",
        order_by="EvidenceFile.version.desc()",
        viewonly=True,
    )

    @property
    def is_link(self) -> bool:
        return self.link_url is not None

    @property
    def older_versions(self) -> list[EvidenceFile]:
        """The versions this one replaced, newest first (withdrawn ones are not listed)."""
        return [
            v
            for v in self.versions
            if v.version < self.version and v.status is EvidenceStatus.SUPERSEDED
        ]


class CheckVerdict(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"


class DocumentCheck(Base):
    """A reviewer's verdict on one expected document of an item; latest row per key wins."""

    __tablename__ = "document_checks"
    __table_args__ = (UniqueConstraint("enrolment_id", "tier", "item_code", "document_key", "seq"),)

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    item_code: Mapped[str] = mapped_column(String(40))
    document_key: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int]
    verdict: Mapped[CheckVerdict]
    comment: Mapped[str] = mapped_column(Text, default="")
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
